"""Finite-difference gradient check: does back-propagation compute the true gradient?

For every parameter element w, the central difference D(h) = (L(w + h) - L(w - h)) / 2h has an
error of order h^2 * L''', which for a small element of a curved network reaches 1e-6 relative
at h = 1e-4. One Richardson step, (4 D(h/2) - D(h)) / 3, cancels the h^2 term (error of order
h^4, round-off about 1e-12 in float64), so every element can be held to 1e-6 relative error,
small ones included. A bug in a backward pass shows up as errors of order 1.
"""

import numpy as np

from .layers import Dropout
from .losses import make_loss


def _loss_value(model, x, y, loss, training):
    out = model.forward(x, training)
    if loss.requires is not None:
        return loss.fused(model.output_layer.z, y, out)[0]
    return loss(out, y)


def relative_error(analytic, numeric, floor=1e-4):
    """Elementwise |a - n| / max(|a|, |n|, floor). The floor keeps gradients that are exactly
    zero (a bias before BatchNorm) from turning round-off (about 1e-11 here) into a large
    relative error: below 1e-4, a relative error of 1e-6 means an absolute one of 1e-10."""
    return np.abs(analytic - numeric) / np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)),
                                                   floor)


def gradient_check(model, x, y, loss, h=1e-4, training=True):
    """{"<node>/<param>": max relative error} between back-propagation and central differences.

    The check runs on a float64 copy of `model` (the model itself is not changed), through its
    reference layers (engine/layers; the training kernels are proven equal to them), in training
    mode by default (BatchNorm uses batch statistics; `training=False` checks the inference
    path). Dropout masks are drawn once and then held fixed, so every finite difference sees
    the same network.
    """
    loss = make_loss(loss)
    m = model.astype(np.float64)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y)
    if y.dtype.kind == "f":
        y = y.astype(np.float64)
    for layer in m.layers.values():
        if isinstance(layer, Dropout):
            layer.freeze_mask = True
    m.forward_backward(x, y, loss, training=training, reference=True)
    errors = {}
    for (node_id, name), p in m.params.items():
        analytic = m.grads[(node_id, name)].copy()
        numeric = np.empty_like(p)
        flat, num = p.reshape(-1), numeric.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            diffs = []
            for step in (h, h / 2):
                flat[i] = old + step
                up = _loss_value(m, x, y, loss, training)
                flat[i] = old - step
                down = _loss_value(m, x, y, loss, training)
                diffs.append((up - down) / (2 * step))
            flat[i] = old
            num[i] = (4 * diffs[1] - diffs[0]) / 3
        errors[f"{node_id}/{name}"] = float(relative_error(analytic, numeric).max())
    return errors
