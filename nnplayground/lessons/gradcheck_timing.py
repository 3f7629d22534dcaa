"""Lesson 5: numerical against back-propagated gradients, with the time each method takes.

The engine's ``gradient_check`` compares back-propagation with central differences (plus one
Richardson step) in float64 and returns each parameter's max relative error. This module adds
the classroom's second point - *why* back-propagation: it times one forward-backward pass
against the numerical gradient, which needs 4 forward passes per weight.

    report = gradcheck_report(model, x, y, "cross_entropy")
    report.errors                 # {"h1/W": 3e-11, ...}
    report.backprop_seconds, report.numerical_seconds, report.speedup

The numerical time is the engine check's total minus one back-propagation (the check runs one
to compare against), so the figure is the finite differences alone. The one implementation of
the timed check: the lesson's GUI panel runs `gradcheck_document`, and the command line's
`gradcheck` shares the zero-bias rule (`kinked_functions`, `move_zero_biases`) and TOLERANCE.
"""

import time
from dataclasses import dataclass

import numpy as np

from nnplayground.data import load_dataset
from nnplayground.engine import build_model, gradient_check, make_loss

# A larger max relative error means the gradient code is wrong; the command line's default
# (cli.parser.GRADCHECK_TOLERANCE, kept there so `--help` imports no numpy; a test holds them equal)
TOLERANCE = 1e-5
BIAS_JITTER = 0.1       # std of the noise that moves all-zero biases off the kinks
KINKED_ACTIVATIONS = ("relu", "leaky_relu", "step")


@dataclass(frozen=True)
class GradcheckReport:
    errors: dict               # "<node>/<param>" -> max relative error
    sizes: dict                # "<node>/<param>" -> number of elements
    backprop_seconds: float    # one forward + backward pass, float64
    numerical_seconds: float   # the finite differences for every element
    forward_passes: int        # forward passes the numerical method made
    samples: int = 0           # rows of the batch checked

    @property
    def max_error(self):
        return max(self.errors.values()) if self.errors else 0.0

    @property
    def speedup(self):
        """How many times faster back-propagation was."""
        return self.numerical_seconds / max(self.backprop_seconds, 1e-12)

    def rows(self):
        """Table rows for the view: (parameter, elements, max relative error)."""
        return [(name, self.sizes[name], err) for name, err in self.errors.items()]


def gradcheck_report(model, x, y, loss, h=1e-4, repeats=3):
    """Check and time the gradients of ``model`` on the batch (x, y).

    ``model`` is not changed (the engine works on a float64 copy). Back-propagation is timed
    as the best of ``repeats`` passes so a stray scheduler hiccup does not flatter the
    numerical method.
    """
    loss_fn = make_loss(loss)
    m64 = model.astype(np.float64)
    x64 = np.asarray(x, dtype=np.float64)
    y = np.asarray(y)
    y = y.astype(np.float64) if y.dtype.kind == "f" else y
    best = float("inf")
    for _ in range(max(1, int(repeats))):
        start = time.perf_counter()
        m64.forward_backward(x64, y, loss_fn)
        best = min(best, time.perf_counter() - start)
    start = time.perf_counter()
    errors = gradient_check(model, x, y, loss, h=h)
    total = time.perf_counter() - start
    sizes = {f"{node}/{name}": int(p.size) for node, layer in m64.layers.items()
             for name, p in layer.params.items()}
    return GradcheckReport(errors, sizes, best, max(total - best, 0.0),
                           4 * sum(sizes.values()), samples=len(x64))


def gradcheck_experiment(experiment, samples=10, h=1e-4):
    """The report for an Experiment's current network on its first ``samples`` training rows."""
    trainer = experiment.trainer
    n = min(int(samples), len(trainer.x_train))
    return gradcheck_report(experiment.model, trainer.x_train[:n], trainer.y_train[:n],
                            experiment.doc["loss"], h=h)


def gradcheck_document(doc, samples=10, h=1e-4, base_dir=None, mnist_dir=None):
    """The report for a preset document's network, as the lesson's panel shows it: fresh
    float64 weights from the preset's seed (all-zero biases moved off the kinks when the
    network has any, see `move_zero_biases`) on the first ``samples`` training rows.
    ``base_dir``: the folder a relative file dataset path is read from."""
    dataset = load_dataset(doc["dataset"], mnist_dir=mnist_dir, base_dir=base_dir)
    x = np.asarray(dataset.x_train[:samples], dtype=np.float64)
    y = dataset.y_train[:samples]
    if dataset.task == "regression":
        y = np.asarray(y, dtype=np.float64)
    seed = int(doc.get("training", {}).get("seed", 0))
    model = build_model(doc["model"], seed=seed, dtype=np.float64)
    if kinked_functions(doc["model"]):
        move_zero_biases(model, seed)
    return gradcheck_report(model, x, y, doc["loss"], h=h)


def kinked_functions(model_spec: dict) -> list[str]:
    """The functions of the model without a derivative somewhere (ReLU-like kinks, max-pooling's
    ties), in graph order, each once. Only these make zero biases a problem for the check: a
    smooth network (tanh, sigmoid) is checked at its own initial weights."""
    found = []
    for node in model_spec.get("nodes", []):
        params = node.get("params") or {}
        if node.get("type") == "MaxPool2D":
            name = "max-pooling"
        elif node.get("type") == "Activation":
            name = params.get("function")
        else:
            name = params.get("activation")
        kinked = name == "max-pooling" or name in KINKED_ACTIVATIONS
        if kinked and name not in found:
            found.append(name)
    return found


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
