"""Batch normalisation for dense (N, F) and image (N, C, H, W) inputs."""

import numpy as np

from .base import Layer


class BatchNorm(Layer):
    """y = gamma * (x - mean) / sqrt(var + eps) + beta, per feature (dense) or per channel.

    Training uses the batch's own mean and (biased) variance and updates the running
    statistics: running = momentum * running + (1 - momentum) * batch (the variance stored
    unbiased, n / (n - 1), as PyTorch does). Inference uses the running statistics, so a
    prediction does not depend on the rest of the batch.

    x: (batch, F) or (batch, C, H, W) -> the same; gamma, beta, running_*: (F,) or (C,)
    """

    @staticmethod
    def n_weights(params, in_shapes):
        return 2 * in_shapes[0][0]

    def __init__(self, in_shape, momentum=0.9, eps=1e-5, dtype=np.float32):
        super().__init__()
        n = in_shape[0]
        self.momentum = float(momentum)
        self.eps = float(eps)
        self.params = {"gamma": np.ones(n, dtype), "beta": np.zeros(n, dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.buffers = {"running_mean": np.zeros(n, dtype), "running_var": np.ones(n, dtype)}
        # axes averaged over, and the shape that broadcasts a (n,) vector against x
        self.axes = (0,) if len(in_shape) == 1 else (0, 2, 3)
        self.bshape = (1, n) if len(in_shape) == 1 else (1, n, 1, 1)

    def forward(self, x, training=False):
        gamma = self.params["gamma"].reshape(self.bshape)
        beta = self.params["beta"].reshape(self.bshape)
        self._training = training
        if training:
            mean = x.mean(axis=self.axes, keepdims=True)
            xc = x - mean
            var = (xc * xc).mean(axis=self.axes, keepdims=True)
            m = x.size // x.shape[1]
            rm, rv = self.buffers["running_mean"], self.buffers["running_var"]
            rm *= self.momentum
            rm += (1 - self.momentum) * mean.reshape(-1)
            rv *= self.momentum
            rv += (1 - self.momentum) * var.reshape(-1) * (m / max(m - 1, 1))
        else:
            xc = x - self.buffers["running_mean"].reshape(self.bshape)
            var = self.buffers["running_var"].reshape(self.bshape)
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.xhat = xc * self.inv_std
        return self.xhat * gamma + beta

    def backward(self, dy):
        gamma = self.params["gamma"].reshape(self.bshape)
        self.grads["gamma"][...] = (dy * self.xhat).sum(axis=self.axes)
        self.grads["beta"][...] = dy.sum(axis=self.axes)
        if not self.needs_input_grad:
            return None
        dxhat = dy * gamma
        if not self._training:
            return dxhat * self.inv_std
        # the batch mean and variance depend on x too:
        # dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / std
        return self.inv_std * (dxhat - dxhat.mean(axis=self.axes, keepdims=True)
                               - self.xhat * (dxhat * self.xhat).mean(axis=self.axes, keepdims=True))
