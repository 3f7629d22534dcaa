"""`nnplayground gradcheck`: does back-propagation agree with finite differences?

The model is built in float64 and checked on the first few training samples, so that rounding
cannot hide (or fake) a wrong gradient. See `parser.GRADCHECK_TOLERANCE` for the threshold;
parameters over it are checked again with 10x and 100x smaller steps before they are called
wrong.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nnplayground.cli.common import (
    MODEL_SUFFIX, check_mnist_dir, load_target, note, preset_folder,
)
from nnplayground.cli.errors import EXIT_FAILURE, EXIT_OK, CliError
from nnplayground.lessons.gradcheck_timing import BIAS_JITTER, kinked_functions, move_zero_biases
STEP = 1e-4                 # the engine's default central-difference step
RETRY_STEPS = (1e-5, 1e-6)  # for parameters over the tolerance: kink crossings get rarer, and
                            # float64 round-off (~1e-16 * loss / h) stays far below 1e-5


def run_gradcheck(args) -> int:
    doc, label = load_target(args.target)
    mnist_dir = check_mnist_dir(args.mnist)
    from nnplayground.engine import build_model, gradient_check, make_loss

    x, y = sample_batch(doc, mnist_dir, args.samples, preset_folder(args.target))
    seed = int(doc.get("training", {}).get("seed", 0))
    model = build_model(doc["model"], seed=seed, dtype=np.float64)
    if Path(args.target).suffix.lower() == MODEL_SUFFIX and Path(args.target).is_file():
        _load_trained_weights(model, Path(args.target))
    kinks = kinked_functions(doc["model"])
    moved = move_zero_biases(model, seed) if kinks else 0
    if moved:
        note(f"moved {moved} all-zero bias array{'s' if moved != 1 else ''} by N(0, "
             f"{BIAS_JITTER:g}) noise, away from the kinks of {', '.join(kinks)} "
             "(see 'gradcheck --help')")
    loss = make_loss(doc["loss"])
    errors = gradient_check(model, x, y, loss, h=STEP)
    if not errors:
        raise CliError(f"{label}: the model has no trainable parameters to check")
    # A +-h step that crosses a ReLU or max-pool kink fakes a large error for one entry; a
    # wrong gradient stays wrong at any h, a crossing vanishes with a smaller step.
    columns = {STEP: errors}
    suspects = [name for name, error in errors.items() if not error <= args.tolerance]
    for h in RETRY_STEPS:
        if not suspects:
            break
        again = gradient_check(model, x, y, loss, h=h)
        columns[h] = {name: again[name] for name in suspects}
        suspects = [name for name in suspects if not again[name] <= args.tolerance]

    print_table(columns, args.tolerance)
    final = {name: min(col[name] for col in columns.values() if name in col) for name in errors}
    if suspects:
        listed = ", ".join(f"{name} ({final[name]:.1e})" for name in suspects)
        steps = ", ".join(f"{h:g}" for h in columns)
        raise CliError(f"{label}: {len(suspects)} of {len(errors)} parameters exceed the "
                       f"tolerance {args.tolerance:g} at every step h = {steps}: {listed}",
                       EXIT_FAILURE)
    worst = max(final, key=final.get)
    print(f"{label}: all {len(errors)} parameters within {args.tolerance:g} "
          f"(largest {final[worst]:.1e} at {worst}; {len(x)} samples, float64)")
    return EXIT_OK


def print_table(columns: dict, tolerance: float) -> None:
    """One row per parameter: its max relative error at each step h tried, and a verdict."""
    names = list(columns[STEP])
    width = max(len("parameter"), *(len(name) for name in names))
    print(f"{'parameter':<{width}}" + "".join(f"  {'h=' + format(h, 'g'):<10}" for h in columns)
          + "  verdict")
    for name in names:
        cells = [col.get(name) for col in columns.values()]
        line = f"{name:<{width}}" + "".join(
            f"  {'':<10}" if c is None else f"  {c:<10.2e}" for c in cells)
        passed = [c for c in cells if c is not None and c <= tolerance]
        if cells[0] <= tolerance:
            verdict = "ok"
        elif passed:
            verdict = "ok (the larger step crossed a kink)"
        else:
            verdict = "TOO LARGE"
        print(f"{line}  {verdict}")


def sample_batch(doc: dict, mnist_dir: str | None, samples: int, base_dir=None):
    """The first `samples` training examples, x in float64, y as the loss expects it."""
    from nnplayground.data import load_dataset

    dataset = load_dataset(doc["dataset"], mnist_dir=mnist_dir, base_dir=base_dir)
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
