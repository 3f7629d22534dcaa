"""Max and average pooling, vectorised; 2x2 windows with stride 2 take a reshape fast path."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .base import Layer, ShapeError
from .conv import check_image_input


class _Pool(Layer):
    """Shared geometry: `size` x `size` windows every `stride` (default: size) pixels.

    x: (batch, C, H, W) -> y: (batch, C, (H - size) // stride + 1, (W - size) // stride + 1)
    """

    def __init__(self, size=2, stride=None):
        super().__init__()
        self.size = int(size)
        self.stride = self.size if stride is None else int(stride)
        self.fast = self.size == self.stride   # non-overlapping windows: reshape, no gather

    @staticmethod
    def output_shape(params, in_shapes, in_ids):
        (shape,) = in_shapes
        check_image_input("pool", shape, in_ids[0])
        k = int(params.get("size", 2))
        s = params.get("stride")
        s = k if s is None else int(s)
        c, h, w = shape
        if k > h or k > w:
            raise ShapeError(f"window {k}x{k} is larger than its input {h}x{w} from "
                             f"\"{in_ids[0]}\"; use a smaller size or remove a pooling layer "
                             f"before it")
        return (c, (h - k) // s + 1, (w - k) // s + 1)

    def _blocks(self, x):
        """Non-overlapping windows as (N, C, Ho, k, Wo, k) (a view unless x must be cropped)."""
        n, c, h, w = x.shape
        k = self.size
        ho, wo = h // k, w // k
        if h != ho * k or w != wo * k:
            x = x[:, :, :ho * k, :wo * k]
        return x.reshape(n, c, ho, k, wo, k)

    def _windows(self, x):
        """Overlapping windows as (N, C, Ho, Wo, k, k), a strided view."""
        k, s = self.size, self.stride
        return sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]

    def _uncrop(self, d, shape):
        """Place d (N, C, ho*k, wo*k) in a zero array of the input's shape (when cropped)."""
        if d.shape == tuple(shape):
            return d
        out = np.zeros(shape, dtype=d.dtype)
        out[:, :, :d.shape[2], :d.shape[3]] = d
        return out


class MaxPool2D(_Pool):
    """y = the maximum of each window. The gradient goes to the position of the maximum (to
    every tied position if several share it exactly, e.g. an all-zero window after ReLU,
    where the ReLU then stops it anyway)."""

    def forward(self, x, training=False):
        self.x_shape = x.shape
        if self.fast:
            b = self._blocks(x)
            y = b.max(axis=(3, 5))
            self.mask = b == y[:, :, :, None, :, None]
        else:
            self.x = x
            y = self._windows(x).max(axis=(4, 5))
        self.y = y
        return y

    def backward(self, dy):
        if self.fast:
            n, c, ho, k, wo, _ = self.mask.shape
            d = (self.mask * dy[:, :, :, None, :, None]).reshape(n, c, ho * k, wo * k)
            return self._uncrop(d, self.x_shape)
        k, s = self.size, self.stride
        ho, wo = dy.shape[2:]
        dx = np.zeros(self.x_shape, dtype=dy.dtype)
        hs, ws = s * (ho - 1) + 1, s * (wo - 1) + 1
        for i in range(k):
            for j in range(k):
                sl = (slice(None), slice(None), slice(i, i + hs, s), slice(j, j + ws, s))
                dx[sl] += np.where(self.x[sl] == self.y, dy, 0)
        return dx


class AvgPool2D(_Pool):
    """y = the mean of each window; each input receives dy / (size * size) per window."""

    def forward(self, x, training=False):
        self.x_shape = x.shape
        if self.fast:
            return self._blocks(x).mean(axis=(3, 5))
        return self._windows(x).mean(axis=(4, 5))

    def backward(self, dy):
        k, s = self.size, self.stride
        scale = dy.dtype.type(1.0 / (k * k))
        n, c, ho, wo = dy.shape
        if self.fast:
            d = np.broadcast_to((dy * scale)[:, :, :, None, :, None], (n, c, ho, k, wo, k))
            return self._uncrop(d.reshape(n, c, ho * k, wo * k), self.x_shape)
        dx = np.zeros(self.x_shape, dtype=dy.dtype)
        hs, ws = s * (ho - 1) + 1, s * (wo - 1) + 1
        dys = dy * scale
        for i in range(k):
            for j in range(k):
                dx[:, :, i:i + hs:s, j:j + ws:s] += dys
        return dx
