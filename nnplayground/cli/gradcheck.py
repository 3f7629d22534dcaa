"""`nnplayground gradcheck`: does back-propagation agree with finite differences?

The model is built in float64 and checked on the first few training samples, so that rounding
cannot hide (or fake) a wrong gradient. See `parser.GRADCHECK_TOLERANCE` for the threshold.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nnplayground.cli.common import MODEL_SUFFIX, check_mnist_dir, load_target, note
from nnplayground.cli.errors import EXIT_FAILURE, EXIT_OK, CliError

BIAS_JITTER = 0.1


def run_gradcheck(args) -> int:
    doc, label = load_target(args.target)
    mnist_dir = check_mnist_dir(args.mnist)
    from nnplayground.engine import build_model, gradient_check, make_loss

    x, y = sample_batch(doc, mnist_dir, args.samples)
    seed = int(doc.get("training", {}).get("seed", 0))
    model = build_model(doc["model"], seed=seed, dtype=np.float64)
    if Path(args.target).suffix.lower() == MODEL_SUFFIX and Path(args.target).is_file():
        _load_trained_weights(model, Path(args.target))
    moved = move_zero_biases(model, seed)
    if moved:
        note(f"moved {moved} all-zero bias array{'s' if moved != 1 else ''} by N(0, "
             f"{BIAS_JITTER:g}) noise, away from ReLU kinks (see 'gradcheck --help')")
    errors = gradient_check(model, x, y, make_loss(doc["loss"]))
    if not errors:
        raise CliError(f"{label}: the model has no trainable parameters to check")

    width = max(len("parameter"), *(len(name) for name in errors))
    print(f"{'parameter':<{width}}  max relative error")
    for name, error in errors.items():
        verdict = "ok" if error <= args.tolerance else "TOO LARGE"
        print(f"{name:<{width}}  {error:<18.2e}  {verdict}")
    worst = max(errors, key=errors.get)
    failed = [name for name, error in errors.items() if not error <= args.tolerance]
    if failed:
        listed = ", ".join(f"{name} ({errors[name]:.1e})" for name in failed)
        raise CliError(f"{label}: {len(failed)} of {len(errors)} parameters exceed the "
                       f"tolerance {args.tolerance:g}: {listed}", EXIT_FAILURE)
    print(f"{label}: all {len(errors)} parameters within {args.tolerance:g} "
          f"(largest {errors[worst]:.1e} at {worst}; {len(x)} samples, float64)")
    return EXIT_OK


def move_zero_biases(model, seed: int) -> int:
    """Give every all-zero bias small random values; returns how many arrays were moved.

    With the usual zero bias init, a blank region of the input (MNIST's background) gives a
    pre-activation of exactly 0, where ReLU has no derivative: the finite difference then sees
    a slope of 1/2 and back-propagation 0 or 1, a "failure" that is not a bug. Shifted biases
    put those units a distance ~0.1 >> h = 1e-4 from the kink. The gradient code is the same
    at any weights, so checking at these is as good a test of it.
    """
    rng = np.random.default_rng(seed)
    moved = 0
    for node_id in model.order:
        params = model.layers[node_id].params
        bias = params.get("b")
        if bias is not None and bias.size and not np.any(bias):
            bias[...] = rng.normal(0.0, BIAS_JITTER, size=bias.shape)
            moved += 1
    return moved


def sample_batch(doc: dict, mnist_dir: str | None, samples: int):
    """The first `samples` training examples, x in float64, y as the loss expects it."""
    from nnplayground.data import load_dataset

    dataset = load_dataset(doc["dataset"], mnist_dir=mnist_dir)
    if getattr(dataset, "note", ""):
        note(dataset.note)
    x = np.asarray(dataset.x_train[:samples], dtype=np.float64)
    y = dataset.y_train[:samples]
    if dataset.task == "regression":
        y = np.asarray(y, dtype=np.float64)
    return x, y


def _load_trained_weights(model, path: Path) -> None:
    """Check at the trained weights too: a model file may sit where ReLUs are at their kinks."""
    from nnplayground.presets import load_model

    _doc, state = load_model(path)  # names and shapes already checked against the preset
    model.load_state_dict({name: np.asarray(a, dtype=np.float64) for name, a in state.items()})
