"""Loss functions: mean squared error and the two fused, numerically stable cross-entropies.

Label conventions (docs/architecture.md): classification labels are int class indices (N,);
regression targets are floats (N, k). ``mse`` on class indices compares with one-hot targets
(or with 0/1 when the output has a single unit); ``binary_cross_entropy`` takes 0/1 labels (N,)
or float targets (N, 1).

A loss offers:

- ``loss(output, y) -> float``: the value from the network's final output (probabilities for the
  cross-entropies; they are clipped away from 0 so the value stays finite);
- ``loss.gradient(output, y) -> d loss / d output`` (used when the loss is not fused);
- for the cross-entropies, ``loss.fused(logits, y) -> (value, d loss / d logits)``: softmax or
  sigmoid and the log are taken together, so logits of +-1000 give exact, finite numbers.
"""

import numpy as np


_sum = np.add.reduce     # np.sum / np.mean cost a few microseconds more per call


def _mean(a):
    return float(_sum(a, axis=None)) / a.size


def _targets(output, y):
    """Float targets shaped like `output` from class indices or from float targets."""
    y = np.asarray(y)
    if y.ndim == 1 and output.ndim == 2:
        if output.shape[1] == 1:
            return y.astype(output.dtype).reshape(-1, 1)
        if y.dtype.kind in "iub":
            onehot = np.zeros(output.shape, dtype=output.dtype)
            onehot[np.arange(len(y)), y] = 1
            return onehot
    if y.shape != output.shape:
        raise ValueError(f"targets of shape {y.shape} do not match the output {output.shape}; "
                         f"give class indices (N,) or targets shaped like the output")
    return y.astype(output.dtype, copy=False)


class Loss:
    """Base class. `requires` names the final activation a fused loss needs (or None)."""

    name = ""
    requires = None

    def __call__(self, output, y):
        raise NotImplementedError

    def gradient(self, output, y):
        raise NotImplementedError

    def __repr__(self):
        return f"make_loss({self.name!r})"


class MSE(Loss):
    """mean over all elements of (output - target)^2."""

    name = "mse"

    def __call__(self, output, y):
        d = output - _targets(output, y)
        return _mean(d * d)

    def gradient(self, output, y):
        d = output - _targets(output, y)
        d *= 2.0 / d.size
        return d


class CrossEntropy(Loss):
    """Softmax cross-entropy: mean over the batch of -log p[y]. Fused with the softmax, the
    gradient to the logits is simply (p - onehot(y)) / N."""

    name = "cross_entropy"
    requires = "softmax"

    def _labels(self, n_classes, y):
        y = np.asarray(y)
        if y.ndim == 2:     # one-hot or probability targets
            return y
        if y.ndim != 1 or y.dtype.kind not in "iu":
            raise ValueError(f"cross_entropy expects int class indices of shape (N,), got "
                             f"{y.dtype} {y.shape}")
        return y

    def __call__(self, output, y):
        y = self._labels(output.shape[1], y)
        tiny = np.finfo(output.dtype).tiny
        if y.ndim == 2:
            return float(-np.mean(np.sum(y * np.log(np.maximum(output, tiny)), axis=1)))
        p = output[np.arange(len(y)), y]
        return float(-np.mean(np.log(np.maximum(p, tiny))))

    def gradient(self, output, y):
        y = self._labels(output.shape[1], y)
        tiny = np.finfo(output.dtype).tiny
        g = np.zeros_like(output)
        if y.ndim == 2:
            return -y.astype(output.dtype) / np.maximum(output, tiny) / len(y)
        idx = np.arange(len(y))
        g[idx, y] = -1.0 / (np.maximum(output[idx, y], tiny) * len(y))
        return g

    def fused(self, logits, y, probs=None):
        """(loss, d loss / d logits). `probs` = softmax(logits) when the caller already has it."""
        y = self._labels(logits.shape[1], y)
        n = len(logits)
        shifted = logits - np.maximum.reduce(logits, axis=1, keepdims=True)
        lse = np.log(_sum(np.exp(shifted), axis=1))
        if probs is None:
            probs = np.exp(shifted - lse[:, None])
        grad = probs.copy()
        if y.ndim == 2:
            value = float(np.mean(np.sum(y * (lse[:, None] - shifted), axis=1)))
            grad -= y
        else:
            idx = np.arange(n)
            value = _mean(lse - shifted[idx, y])
            grad[idx, y] -= 1
        grad /= n
        return value, grad


class BinaryCrossEntropy(Loss):
    """Sigmoid binary cross-entropy: mean of -[t log p + (1-t) log(1-p)]. From the logits z it
    is softplus(z) - t z = logaddexp(0, z) - t z, finite for any z; the gradient
    to the logits is (p - t) / N."""

    name = "binary_cross_entropy"
    requires = "sigmoid"

    def __call__(self, output, y):
        t = _targets(output, y)
        tiny = np.finfo(output.dtype).tiny
        value = t * np.log(np.maximum(output, tiny)) + (1 - t) * np.log(np.maximum(1 - output, tiny))
        return float(-np.mean(value))

    def gradient(self, output, y):
        t = _targets(output, y)
        eps = np.finfo(output.dtype).tiny
        return (output - t) / (np.maximum(output * (1 - output), eps) * output.size)

    def fused(self, logits, y, probs=None):
        t = _targets(logits, y)
        value = np.logaddexp(0, logits)     # softplus(z) = log(1 + e^z), one stable ufunc
        value -= t * logits
        if probs is None:
            probs = 0.5 * (1 + np.tanh(0.5 * logits))
        grad = probs - t
        grad *= grad.dtype.type(1.0 / logits.size)
        return _mean(value), grad


LOSSES = {cls.name: cls for cls in (MSE, CrossEntropy, BinaryCrossEntropy)}


def make_loss(name):
    """The loss called `name`: "mse", "cross_entropy" or "binary_cross_entropy"."""
    if isinstance(name, Loss):
        return name
    try:
        return LOSSES[name]()
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None
