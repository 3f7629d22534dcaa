"""Lesson 3: every activation function and its derivative, sampled for plotting.

The derivative is what back-propagation multiplies by, so showing it beside the function
explains the lesson's training results: step's derivative is 0 everywhere (nothing learns),
sigmoid's is at most 0.25 (deep sigmoid nets learn slowly), ReLU's is 1 wherever a unit is on.
The values come from the engine's own activation objects, so the plot is exactly what trains.
"""

from dataclasses import dataclass

import numpy as np

from nnplayground.engine import make_activation

DEFAULT_FUNCTIONS = ("step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus",
                     "identity")


@dataclass(frozen=True)
class Curve:
    """One function sampled on ``x``: ``y = f(x)`` and ``dy = f'(x)``, all shape (points,)."""

    name: str
    x: np.ndarray
    y: np.ndarray
    dy: np.ndarray


def activation_curves(functions=DEFAULT_FUNCTIONS, x_range=(-5.0, 5.0), points=201):
    """Return ``{name: Curve}`` for each activation name, in the given order.

    Softmax is not elementwise (each output depends on every input), so it has no single curve
    and is refused with a message that says so.
    """
    if points < 2:
        raise ValueError(f"points: need at least 2 samples, got {points}")
    x = np.linspace(float(x_range[0]), float(x_range[1]), int(points))
    curves = {}
    for name in functions:
        if name == "softmax":
            raise ValueError("softmax is not an elementwise function of one input: it has no "
                             "single curve; plot sigmoid, its two-class special case, instead")
        y, dy = make_activation(name).evaluate(x)
        curves[name] = Curve(name, x, np.asarray(y, dtype=np.float64),
                             np.asarray(dy, dtype=np.float64))
    return curves
