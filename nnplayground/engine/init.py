"""Weight initialisers, all drawn from a numpy Generator so a seed fixes every weight.

- normal:  N(0, std^2), std = scale (default 0.01): the classic "small random numbers";
- uniform: U(-a, a), a = scale (default 0.05);
- xavier:  Glorot normal, std = sqrt(2 / (fan_in + fan_out)): keeps the variance of the signal
           roughly constant through tanh/sigmoid layers;
- he:      normal, std = sqrt(2 / fan_in): the same for ReLU, which zeroes half of its inputs.

`scale`, when given, overrides the computed std (or a) for every initialiser.
"""

import numpy as np

INITS = ("normal", "uniform", "xavier", "he")


def initialize(name, shape, fan_in, fan_out, rng, scale=None, dtype=np.float32):
    """An array of `shape` drawn by the initialiser `name` from `rng`, cast to `dtype`.

    The draw is always made in float64 and then cast, so float32 and float64 models built from
    the same seed start from the same numbers (up to rounding).
    """
    if name == "normal":
        w = rng.normal(0.0, 0.01 if scale is None else scale, size=shape)
    elif name == "uniform":
        a = 0.05 if scale is None else scale
        w = rng.uniform(-a, a, size=shape)
    elif name == "xavier":
        std = np.sqrt(2.0 / (fan_in + fan_out)) if scale is None else scale
        w = rng.normal(0.0, std, size=shape)
    elif name == "he":
        std = np.sqrt(2.0 / fan_in) if scale is None else scale
        w = rng.normal(0.0, std, size=shape)
    else:
        raise ValueError(f"unknown initialiser {name!r}; choose one of {', '.join(INITS)}")
    return w.astype(dtype)


def constant(shape, value=0.0, dtype=np.float32):
    """A constant array, e.g. the bias (0.0, or 0.1 to keep ReLU units alive at the start)."""
    return np.full(shape, value, dtype=dtype)
