"""Lesson 5: numerical against back-propagated gradients, with the time each method takes.

The engine's ``gradient_check`` compares back-propagation with central differences (plus one
Richardson step) in float64 and returns each parameter's max relative error. This module adds
the classroom's second point - *why* back-propagation: it times one forward-backward pass
against the numerical gradient, which needs 4 forward passes per weight.

    report = gradcheck_report(model, x, y, "cross_entropy")
    report.errors                 # {"h1/W": 3e-11, ...}
    report.backprop_seconds, report.numerical_seconds, report.speedup

The numerical time is the engine check's total minus one back-propagation (the check runs one
to compare against), so the figure is the finite differences alone.
"""

import time
from dataclasses import dataclass

import numpy as np

from nnplayground.engine import gradient_check, make_loss


@dataclass(frozen=True)
class GradcheckReport:
    errors: dict               # "<node>/<param>" -> max relative error
    sizes: dict                # "<node>/<param>" -> number of elements
    backprop_seconds: float    # one forward + backward pass, float64
    numerical_seconds: float   # the finite differences for every element
    forward_passes: int        # forward passes the numerical method made

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
                           4 * sum(sizes.values()))


def gradcheck_experiment(experiment, samples=10, h=1e-4):
    """The report for an Experiment's current network on its first ``samples`` training rows."""
    trainer = experiment.trainer
    n = min(int(samples), len(trainer.x_train))
    return gradcheck_report(experiment.model, trainer.x_train[:n], trainer.y_train[:n],
                            experiment.doc["loss"], h=h)
