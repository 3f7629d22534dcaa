"""Activation functions and their derivatives.

Each activation is a tiny object with three methods:

- ``forward(x) -> y``;
- ``backward(x, y, dy) -> dx``: the vector-Jacobian product, given both the input and the
  output of the forward pass (whichever is cheaper is used; sigmoid and tanh need only y);
- ``evaluate(x) -> (f(x), f'(x))`` on a 1-D array, for the lessons that plot them.

All forms are numerically stable: no overflow warning and no NaN for inputs of +-1000.
"""

import numpy as np


class Activation:
    """Base class: the name, an optional slope parameter and the elementwise derivative."""

    name = ""
    default_alpha = None

    def __init__(self, alpha=None):
        self.alpha = self.default_alpha if alpha is None else float(alpha)

    def forward(self, x):
        raise NotImplementedError

    def backward(self, x, y, dy):
        return dy * self.derivative(x, y)

    def derivative(self, x, y):
        """Elementwise f'(x); y = f(x) is passed in so it need not be recomputed."""
        raise NotImplementedError

    def evaluate(self, x):
        """(f(x), f'(x)) on a 1-D array, for plotting; both arrays have x's shape."""
        x = np.asarray(x, dtype=np.float64)
        y = self.forward(x)
        return y, self.derivative(x, y)

    def __repr__(self):
        return f"{type(self).__name__}(alpha={self.alpha})" if self.alpha is not None else \
            f"{type(self).__name__}()"


class Identity(Activation):
    name = "identity"

    def forward(self, x):
        return x

    def backward(self, x, y, dy):
        return dy

    def derivative(self, x, y):
        return np.ones_like(x)


class Step(Activation):
    """Heaviside step: 1 where x > 0, else 0. Its derivative is zero everywhere it exists,
    so no gradient flows back: the reason the perceptron could not be trained by backprop."""

    name = "step"

    def forward(self, x):
        return (x > 0).astype(x.dtype)

    def backward(self, x, y, dy):
        return np.zeros_like(dy)

    def derivative(self, x, y):
        return np.zeros_like(x)


class Sigmoid(Activation):
    """1 / (1 + exp(-x)), computed as 0.5 * (1 + tanh(x / 2)): the same function, but it
    never overflows (exp(1000) would) and costs fewer passes over the array."""

    name = "sigmoid"

    def forward(self, x):
        y = np.tanh(x * 0.5)
        y *= 0.5
        y += 0.5
        return y

    def backward(self, x, y, dy):
        return dy * (y * (1 - y))

    def derivative(self, x, y):
        return y * (1 - y)


class Tanh(Activation):
    name = "tanh"

    def forward(self, x):
        return np.tanh(x)

    def backward(self, x, y, dy):
        return dy * (1 - y * y)

    def derivative(self, x, y):
        return 1 - y * y


class ReLU(Activation):
    name = "relu"

    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, x, y, dy):
        return dy * (y > 0)      # a ufunc: keeps the arrays' memory layout (np.where would not)

    def derivative(self, x, y):
        return (x > 0).astype(x.dtype)


class LeakyReLU(Activation):
    """x for x > 0, alpha * x otherwise (alpha 0.01): dead units can still recover."""

    name = "leaky_relu"
    default_alpha = 0.01

    def forward(self, x):
        return np.where(x > 0, x, x * self.alpha).astype(x.dtype, copy=False)

    def derivative(self, x, y):
        return np.where(x > 0, 1.0, self.alpha).astype(x.dtype, copy=False)


class ELU(Activation):
    """x for x > 0, alpha * (exp(x) - 1) otherwise; expm1 of min(x, 0) never overflows."""

    name = "elu"
    default_alpha = 1.0

    def forward(self, x):
        neg = np.expm1(np.minimum(x, 0))
        neg *= self.alpha
        return np.where(x > 0, x, neg).astype(x.dtype, copy=False)

    def derivative(self, x, y):
        # for x <= 0: d/dx alpha*(exp(x)-1) = alpha*exp(x) = y + alpha
        return np.where(x > 0, 1.0, y + self.alpha).astype(x.dtype, copy=False)


class Softplus(Activation):
    """log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), stable for any x; f' = sigmoid."""

    name = "softplus"

    def forward(self, x):
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))

    def derivative(self, x, y):
        return 0.5 * (1 + np.tanh(x * 0.5))


class Softmax(Activation):
    """exp(x_i - max x) / sum_j exp(x_j - max x) along axis 1 (the features, or the channels
    of an image); subtracting the max keeps exp from overflowing without changing the result."""

    name = "softmax"

    def forward(self, x):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        e /= e.sum(axis=1, keepdims=True)
        return e

    def backward(self, x, y, dy):
        # Jacobian-vector product: dx_i = y_i * (dy_i - sum_j dy_j y_j)
        return y * (dy - (dy * y).sum(axis=1, keepdims=True))

    def derivative(self, x, y):
        """The diagonal of the Jacobian, y_i (1 - y_i): what a 1-D plot can show."""
        return y * (1 - y)

    def evaluate(self, x):
        """Softmax of the whole 1-D array taken as one vector of scores."""
        x = np.asarray(x, dtype=np.float64)
        y = self.forward(x[None, :])[0]
        return y, y * (1 - y)


ACTIVATIONS = {cls.name: cls for cls in (
    Identity, Step, Sigmoid, Tanh, ReLU, LeakyReLU, ELU, Softplus, Softmax)}


def make_activation(name="identity", alpha=None):
    """The activation called `name` (one of ACTIVATIONS); alpha None means its default."""
    if name is None:
        name = "identity"
    try:
        cls = ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown activation {name!r}; choose one of "
                         f"{', '.join(ACTIVATIONS)}") from None
    return cls(alpha)


def evaluate(name, x, alpha=None):
    """(f(x), f'(x)) of the activation `name` on a 1-D array: what the lessons plot."""
    return make_activation(name, alpha).evaluate(x)
