"""The catalogue of node types: every type's parameters, their rules, defaults and what the
editor shows, in one place.

The graph checker validates a node's `params` with it (`check`, `default`); the Model builds
each layer from it by keyword (a parameter's name is the keyword of its layer class); the
diagram editor's palette and properties form show it (`kind`, `minimum`, `maximum`, `tip`,
`new_params`); and a test holds the preset JSON schema to it.

``check(value) -> (value, None)`` with the value normalised (4.0 -> 4, kernel 3 -> [3, 3]), or
``(None, "must be ...")`` naming the rule, which the checker turns into a message that names
the node and what it got.
"""

import difflib
from dataclasses import dataclass, field

import numpy as np

from .activations import ACTIVATIONS
from .init import INITS
from .layers import LAYER_TYPES

REQUIRED = object()


def _int(value):
    """value as an int if it is an integral number (4 or 4.0), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    return None


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def _pos_int(v):
    n = _int(v)
    return (n, None) if n is not None and n > 0 else (None, "must be a positive integer")


def _nonneg_int(v):
    n = _int(v)
    return (n, None) if n is not None and n >= 0 else (None, "must be an integer >= 0")


def _pos_int_or_none(v):
    return (None, None) if v is None else _pos_int(v)


def _kernel(v):
    if isinstance(v, (list, tuple)):
        sizes = [_int(s) for s in v]
        if len(sizes) == 2 and all(s is not None and s > 0 for s in sizes):
            return sizes, None
        return None, "must be a positive integer or a pair [height, width] of them"
    n, err = _pos_int(v)
    return ([n, n], None) if err is None else (None, "must be a positive integer or a pair "
                                                     "[height, width] of them")


def _shape(v):
    if isinstance(v, (list, tuple)) and v:
        sizes = [_int(s) for s in v]
        if all(s is not None and s > 0 for s in sizes):
            return sizes, None
    return None, "must be a non-empty list of positive integers, e.g. [2] or [1, 28, 28]"


def _reshape(v):
    if isinstance(v, (list, tuple)) and v:
        sizes = [_int(s) for s in v]
        if all(s is not None and (s > 0 or s == -1) for s in sizes) and sizes.count(-1) <= 1:
            return sizes, None
    return None, "must be a non-empty list of positive integers (at most one -1), e.g. [1, 28, 28]"


def _choice(names, what):
    def check(v):
        if v is None:
            return None, None
        if isinstance(v, str) and v in names:
            return v, None
        close = difflib.get_close_matches(str(v), names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return None, f"unknown {what}{hint}; choose one of {', '.join(names)}"
    return check


def _float(v):
    x = _number(v)
    return (x, None) if x is not None else (None, "must be a number")


def _pos_float_or_none(v):
    if v is None:
        return None, None
    x = _number(v)
    return (x, None) if x is not None and x > 0 else (None, "must be a positive number")


def _pos_float(v):
    x = _number(v)
    return (x, None) if x is not None and x > 0 else (None, "must be a positive number")


def _rate(v):
    x = _number(v)
    return (x, None) if x is not None and 0 <= x < 1 else (None, "must be a number with "
                                                                 "0 <= rate < 1")


def _momentum(v):
    x = _number(v)
    return (x, None) if x is not None and 0 <= x < 1 else (None, "must be a number with "
                                                                 "0 <= momentum < 1")


def _float_or_none(v):
    return (None, None) if v is None else _float(v)


def _bool(v):
    return (v, None) if isinstance(v, bool) else (None, "must be true or false")


_activation = _choice(list(ACTIVATIONS), "activation")
_init = _choice(list(INITS), "initialiser")


@dataclass(frozen=True)
class Param:
    """One parameter of a node type.

    check: the validator above; default: the engine's value when the node does not give one
    (REQUIRED: it must); none_means_default: null counts as "not given" (activation, init).
    For the editor's form: kind ("int", "float", "optfloat" (a float or null), "choice",
    "bool", "shape" (list of ints), "kernel" (int or [kh, kw]), "optint" (an int or null)),
    choices, minimum, maximum, tip, and example: what the form shows for a required one.
    """

    name: str
    kind: str
    check: object
    default: object = REQUIRED
    tip: str = ""
    choices: tuple = ()
    minimum: float = 0
    maximum: float = 1e9
    example: object = None
    none_means_default: bool = False

    @property
    def required(self):
        return self.default is REQUIRED

    @property
    def shown_default(self):
        """The value the editor shows when a node does not set this parameter."""
        return self.example if self.required else self.default


@dataclass(frozen=True)
class NodeType:
    """One node type: its parameters, a one-line tip, and the params a node dropped onto the
    diagram starts with. min_inputs / max_inputs (None: no limit) follow its layer class."""

    name: str
    params: tuple = ()
    tip: str = ""
    new_params: dict = field(default_factory=dict)

    @property
    def layer_class(self):
        return LAYER_TYPES[self.name]

    @property
    def min_inputs(self):
        n = self.layer_class.n_inputs
        return 2 if n is None else n

    @property
    def max_inputs(self):
        return self.layer_class.n_inputs

    def param(self, name):
        """The Param called `name`, or None."""
        return next((p for p in self.params if p.name == name), None)


_ACT = (Param("activation", "choice", _activation, "identity", "Non-linearity applied to this "
              "layer's output", tuple(ACTIVATIONS), none_means_default=True),
        Param("alpha", "optfloat", _float_or_none, None, "leaky_relu / elu slope (empty = "
              "the function's default)", maximum=100))
_INIT_TIP = "How the weights start"
_SCALE = Param("init_scale", "optfloat", _pos_float_or_none, None,
               "Std or range of normal/uniform init", maximum=100)
_BIAS = Param("bias_init", "float", _float, 0.0, "Starting bias", minimum=-100, maximum=100)
_POOL = (Param("size", "int", _pos_int, 2, "Pooling window", minimum=1, maximum=64),
         Param("stride", "optint", _pos_int_or_none, None, "Step (empty = window size)",
               maximum=64))

NODE_TYPES = {t.name: t for t in [
    NodeType("Input", (Param("shape", "shape", _shape, tip="Shape of one example, without "
                             "batch", example=[2]),),
             "The network's input: one per network", {"shape": [2]}),
    NodeType("Dense", (
        Param("units", "int", _pos_int, tip="Number of neurons", minimum=1, maximum=100000,
              example=4),
        *_ACT,
        Param("init", "choice", _init, "xavier", _INIT_TIP, tuple(INITS),
              none_means_default=True),
        _SCALE, _BIAS,
        Param("use_bias", "bool", _bool, True, "Add a learned bias to each unit"),
    ), "Fully connected layer: y = x W + b", {"units": 4, "activation": "tanh"}),
    NodeType("Conv2D", (
        Param("filters", "int", _pos_int, tip="Number of output channels", minimum=1,
              maximum=4096, example=8),
        Param("kernel", "kernel", _kernel, tip="Kernel size: one int or [height, width]",
              example=3),
        Param("stride", "int", _pos_int, 1, "Step between kernel positions", minimum=1,
              maximum=64),
        Param("padding", "int", _nonneg_int, 0, "Zeros added around the image", maximum=64),
        *_ACT,
        Param("init", "choice", _init, "he", _INIT_TIP, tuple(INITS), none_means_default=True),
        _SCALE, _BIAS,
    ), "2-D convolution over (channels, height, width) images",
        {"filters": 8, "kernel": 3, "activation": "relu"}),
    NodeType("MaxPool2D", _POOL, "Keeps the largest value of each window", {"size": 2}),
    NodeType("AvgPool2D", _POOL, "Averages each window", {"size": 2}),
    NodeType("Flatten", (), "Turns an image (C, H, W) into a vector"),
    NodeType("Reshape", (Param("shape", "shape", _reshape, tip="New shape, without batch",
                               example=[1, 28, 28]),),
             "Changes the shape without changing the values", {"shape": [1, 28, 28]}),
    NodeType("Dropout", (Param("rate", "float", _rate, 0.5, "Share of units dropped",
                               maximum=0.99),),
             "Randomly silences units while training", {"rate": 0.5}),
    NodeType("BatchNorm", (
        Param("momentum", "float", _momentum, 0.9, "Running statistics' momentum",
              maximum=1.0),
        Param("eps", "float", _pos_float, 1e-5, "Added to the variance for stability",
              maximum=1.0),
    ), "Normalises each feature or channel over the batch"),
    NodeType("Activation", (
        Param("function", "choice", _activation, tip="The non-linearity",
              choices=tuple(ACTIVATIONS), example="relu"),
        _ACT[1],
    ), "A non-linearity on its own", {"function": "relu"}),
    NodeType("Add", (), "Adds equal-shaped inputs (skip connections)"),
    NodeType("Concatenate", (), "Joins inputs along features or channels"),
]}
