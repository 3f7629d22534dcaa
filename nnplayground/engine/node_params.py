"""What each node type accepts as `params`: the validators and defaults the graph checker uses.

``PARAMS[type][name] = (check, default)``; ``check(value) -> (value, None)`` with the value
normalised (4.0 -> 4, kernel 3 -> [3, 3]), or ``(None, "must be ...")`` naming the rule, which
the checker turns into a message that names the node and what it got.
"""

import difflib

import numpy as np

from .activations import ACTIVATIONS
from .init import INITS

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

_ACT = {"activation": (_activation, "identity"), "alpha": (_float_or_none, None)}
PARAMS = {
    "Input": {"shape": (_shape, REQUIRED)},
    "Dense": {"units": (_pos_int, REQUIRED), **_ACT, "init": (_init, "xavier"),
              "init_scale": (_pos_float_or_none, None), "bias_init": (_float, 0.0),
              "use_bias": (_bool, True)},
    "Conv2D": {"filters": (_pos_int, REQUIRED), "kernel": (_kernel, REQUIRED),
               "stride": (_pos_int, 1), "padding": (_nonneg_int, 0), **_ACT,
               "init": (_init, "he"), "init_scale": (_pos_float_or_none, None),
               "bias_init": (_float, 0.0)},
    "MaxPool2D": {"size": (_pos_int, 2), "stride": (_pos_int_or_none, None)},
    "AvgPool2D": {"size": (_pos_int, 2), "stride": (_pos_int_or_none, None)},
    "Flatten": {},
    "Reshape": {"shape": (_reshape, REQUIRED)},
    "Dropout": {"rate": (_rate, 0.5)},
    "BatchNorm": {"momentum": (_momentum, 0.9), "eps": (_pos_float, 1e-5)},
    "Activation": {"function": (_activation, REQUIRED), "alpha": (_float_or_none, None)},
    "Add": {},
    "Concatenate": {},
}
NONE_MEANS_DEFAULT = {"activation", "init"}
