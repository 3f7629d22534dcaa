"""Lesson 6: an optimizer race on 2-D functions, using the engine's own optimizers.

Each optimizer starts at the same point and follows its updates for a number of steps; the
paths are drawn on the function's contour plot. The default line-up and learning rates are those
of "Deep Learning from scratch" (chapter 6, ``optimizer_compare_naive.py``: SGD 0.95,
Momentum 0.1, AdaGrad 1.5, Adam 0.3) plus RMSprop, on f(x, y) = x²/20 + y² from (-7, 2).

Measured with these rates (tolerance 0.1): SGD 43 steps, AdaGrad 32, Momentum 57, Adam 61 -
SGD's 0.95 sits just under its stability limit for y (lr < 1), so it zig-zags yet is fast. With
one learning rate for all (``SAME_LR``, 0.1) the adaptive methods win clearly: SGD needs 423
steps, Adam 129, Momentum 57. Both line-ups are in the lesson; the notes say why.

Using ``nnplayground.engine.make_optimizer`` (not a re-implementation) means the race shows
exactly the update rules that train the networks in the other lessons.

    result = race("elongated_bowl", steps=30)
    result.paths["Adam"]            # (steps + 1, 2) array of (x, y), start included
    result.steps_to_minimum["SGD"]  # first step within `tolerance` of the minimum, or None
    xs, ys, z = contour_grid("elongated_bowl")   # z[i, j] = f(xs[j], ys[i])
"""

from dataclasses import dataclass, field

import numpy as np

from nnplayground.engine import make_optimizer


@dataclass(frozen=True)
class TestFunction:
    """A 2-D function with its gradient, its minimum and a sensible plotting window."""

    name: str
    formula: str
    f: object            # (x, y) -> value; works on arrays
    grad: object         # (x, y) -> (df/dx, df/dy)
    minimum: tuple
    start: tuple
    x_range: tuple
    y_range: tuple
    optimizers: tuple = field(default=())   # ((label, optimizer spec), ...) tuned for it


_TEXTBOOK = (
    ("SGD", {"type": "sgd", "lr": 0.95}),
    ("Momentum", {"type": "momentum", "lr": 0.1, "momentum": 0.9}),
    ("AdaGrad", {"type": "adagrad", "lr": 1.5}),
    ("RMSprop", {"type": "rmsprop", "lr": 0.1, "rho": 0.9}),
    ("Adam", {"type": "adam", "lr": 0.3}),
)

SAME_LR = tuple((label, {**spec, "lr": 0.1}) for label, spec in _TEXTBOOK)

FUNCTIONS = {
    "elongated_bowl": TestFunction(
        "elongated_bowl", "x²/20 + y²",
        lambda x, y: x ** 2 / 20.0 + y ** 2,
        lambda x, y: (x / 10.0, 2.0 * y),
        (0.0, 0.0), (-7.0, 2.0), (-10.0, 10.0), (-5.0, 5.0), _TEXTBOOK),
    "bowl": TestFunction(
        "bowl", "x² + y²",
        lambda x, y: x ** 2 + y ** 2,
        lambda x, y: (2.0 * x, 2.0 * y),
        (0.0, 0.0), (-4.0, 3.0), (-5.0, 5.0), (-5.0, 5.0),
        (("SGD", {"type": "sgd", "lr": 0.1}),
         ("Momentum", {"type": "momentum", "lr": 0.05, "momentum": 0.9}),
         ("AdaGrad", {"type": "adagrad", "lr": 1.0}),
         ("RMSprop", {"type": "rmsprop", "lr": 0.1, "rho": 0.9}),
         ("Adam", {"type": "adam", "lr": 0.3}))),
    "rosenbrock": TestFunction(
        "rosenbrock", "(1 - x)² + 5 (y - x²)²",
        lambda x, y: (1 - x) ** 2 + 5.0 * (y - x ** 2) ** 2,
        lambda x, y: (-2.0 * (1 - x) - 20.0 * x * (y - x ** 2), 10.0 * (y - x ** 2)),
        (1.0, 1.0), (-1.5, 2.0), (-2.0, 2.0), (-1.0, 3.0),
        (("SGD", {"type": "sgd", "lr": 0.02}),
         ("Momentum", {"type": "momentum", "lr": 0.005, "momentum": 0.9}),
         ("AdaGrad", {"type": "adagrad", "lr": 0.5}),
         ("RMSprop", {"type": "rmsprop", "lr": 0.02, "rho": 0.9}),
         ("Adam", {"type": "adam", "lr": 0.1}))),
}


@dataclass(frozen=True)
class RaceResult:
    """The outcome of a race: one path per optimizer, in the order they were given."""

    function: str
    start: tuple
    paths: dict             # label -> (steps + 1, 2) float64 array, start included
    values: dict            # label -> (steps + 1,) f along the path
    steps_to_minimum: dict  # label -> first step within tolerance of the minimum, or None
    steps_to_settle: dict   # label -> step from which it stays within tolerance, or None
    tolerance: float
    optimizers: dict        # label -> the optimizer spec used


def get_function(name):
    """The TestFunction called ``name``; ValueError listing the choices otherwise."""
    try:
        return FUNCTIONS[name]
    except KeyError:
        raise ValueError(f"unknown race function {name!r}; choose one of "
                         f"{', '.join(FUNCTIONS)}") from None


def race(function="elongated_bowl", start=None, steps=30, optimizers=None, tolerance=0.1,
         max_steps=1000):
    """Run every optimizer from ``start`` on ``function``.

    ``optimizers`` is a sequence of ``(label, spec)`` with specs as in a preset
    (``{"type": "adam", "lr": 0.3}``); default: the function's own tuned line-up. Paths hold
    ``steps`` updates for drawing; the optimizers keep going up to ``max_steps`` to count the
    steps they need to come within ``tolerance`` (Euclidean distance) of the minimum: first
    arrival (``steps_to_minimum``) and for good (``steps_to_settle``: an optimizer that
    overshoots may pass through the target and leave it again).
    """
    fn = get_function(function)
    start = tuple(float(v) for v in (start if start is not None else fn.start))
    line_up = list(optimizers if optimizers is not None else fn.optimizers)
    minimum = np.asarray(fn.minimum, dtype=np.float64)
    paths, values, reached, settled, specs = {}, {}, {}, {}, {}
    for label, spec in line_up:
        opt = make_optimizer(dict(spec))
        p = np.array(start, dtype=np.float64)
        params, grads = {"xy": p}, {"xy": np.zeros(2)}
        trace = [p.copy()]
        inside = np.linalg.norm(p - minimum) < tolerance
        reached[label] = 0 if inside else None
        settled[label] = 0 if inside else None
        for step in range(1, max(steps, max_steps) + 1):
            grads["xy"][:] = fn.grad(p[0], p[1])
            opt.step(params, grads)
            if not np.all(np.isfinite(p)):
                settled[label] = None
                break   # this learning rate diverged on this function; the path stops here
            if step <= steps:
                trace.append(p.copy())
            inside = np.linalg.norm(p - minimum) < tolerance
            if inside and reached[label] is None:
                reached[label] = step
            if inside and settled[label] is None:
                settled[label] = step
            elif not inside:
                settled[label] = None
        path = np.array(trace)
        paths[label] = path
        values[label] = fn.f(path[:, 0], path[:, 1])
        specs[label] = dict(spec)
    return RaceResult(function, start, paths, values, reached, settled, float(tolerance),
                      specs)


def contour_grid(function="elongated_bowl", n=200, x_range=None, y_range=None):
    """Sample ``function`` on an n x n grid for a contour plot.

    Returns (xs (n,), ys (n,), z (n, n)) with ``z[i, j] = f(xs[j], ys[i])`` (row = y, as images
    are drawn).
    """
    fn = get_function(function)
    xs = np.linspace(*(x_range or fn.x_range), n)
    ys = np.linspace(*(y_range or fn.y_range), n)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, fn.f(gx, gy)
