"""Max-pooling for training: a loop over the window offsets on whole strided slices, the
channels split between threads, the input's memory layout kept (channels first after a
convolution). Same numbers as `layers.pool.MaxPool2D`, ties included (the first maximum in
reading order gets the gradient); tests/engine/test_fast_kernels.py proves it.

`relu_after=True` applies a ReLU to the pooled output: ConvReLUMaxPool hands over the
convolution's pre-activation, and relu(max(z)) = max(relu(z)) on a 4x smaller array.
"""

import numpy as np

from .threads import over_channels


def _relu_in_place(y):
    """ReLU on y in place; returns the mask of what passed (the backward pass needs it)."""
    mask = y > 0
    np.maximum(y, 0, out=y)
    return mask


class MaxPoolWindows:
    """Any size and stride: each window offset (i, j) is one strided slice of the batch; the
    forward pass records which offset won per window (`argmax`, the first strict improvement
    in reading order), so the backward pass is one compare and one multiply per offset.

    x: (batch, C, H, W) -> y: (batch, C, Ho, Wo); argmax: like y (uint8 or uint16)
    """

    def __init__(self, pool, relu_after=False):
        self.size, self.stride = pool.size, pool.stride
        self.relu_after = relu_after

    def _offsets(self, x_shape):
        """The slice of x seen at each window offset (i, j), row by row."""
        k, s = self.size, self.stride
        h, w = x_shape[2:]
        ho, wo = (h - k) // s + 1, (w - k) // s + 1
        hs, ws = s * (ho - 1) + 1, s * (wo - 1) + 1
        return [(slice(None), slice(None), slice(i, i + hs, s), slice(j, j + ws, s))
                for i in range(k) for j in range(k)]

    def forward(self, x, training=True):
        self.x_like = x
        slices = self.slices = self._offsets(x.shape)
        y = x[slices[0]].copy(order="K")            # keep the input's memory layout
        index_type = np.uint8 if len(slices) < 256 else np.uint16
        argmax = self.argmax = np.zeros_like(y, dtype=index_type)
        better = np.empty_like(y, dtype=bool)

        def pool(c0, c1):
            ys, best, win = y[:, c0:c1], better[:, c0:c1], argmax[:, c0:c1]
            for k, sl in enumerate(slices[1:], 1):
                xs = x[sl][:, c0:c1]
                np.greater(xs, ys, out=best)
                np.maximum(ys, xs, out=ys)
                # offsets come in increasing k, so "the last k that improved" is a running max
                np.maximum(win, best.view(np.uint8) * index_type(k), out=win)
        over_channels(pool, x.shape[1], x.size)
        self.relu_mask = _relu_in_place(y) if self.relu_after else None
        return y

    def backward(self, dy):
        if self.relu_mask is not None:
            dy = dy * self.relu_mask
        dx = np.zeros_like(self.x_like, dtype=dy.dtype)
        overlapping = self.stride < self.size

        def route(c0, c1):
            dys, win = dy[:, c0:c1], self.argmax[:, c0:c1]
            for k, sl in enumerate(self.slices):
                target = dx[sl][:, c0:c1]
                if overlapping:
                    target += dys * (win == k)
                else:
                    np.multiply(dys, win == k, out=target)
        over_channels(route, dx.shape[1], dx.size)
        return dx


class MaxPool2x2:
    """2x2 windows, stride 2, even height and width: the maximum of each column pair
    (x[..., 0::2] against x[..., 1::2], one long loop over the whole array), then of each
    row pair. Remembering which side won each time gives the backward pass in four
    operations. Ties go to the left column and the top row: the first maximum in reading order.

    x: (batch, C, H, W) -> y: (batch, C, H/2, W/2); right: (batch, C, H, W/2), lower: like y
    """

    def __init__(self, relu_after=False):
        self.relu_after = relu_after

    @staticmethod
    def fits(pool, in_shape):
        return pool.size == pool.stride == 2 and in_shape[1] % 2 == 0 and in_shape[2] % 2 == 0

    def forward(self, x, training=True):
        self.x_like = x
        y = np.empty_like(x[:, :, ::2, ::2])
        self.right = right = np.empty_like(x[..., ::2], dtype=bool)
        self.lower = lower = np.empty_like(y, dtype=bool)

        def pool(c0, c1):
            xs = x[:, c0:c1]
            left_col, right_col = xs[..., 0::2], xs[..., 1::2]
            np.greater(right_col, left_col, out=right[:, c0:c1])
            cols = np.maximum(left_col, right_col)
            top, bottom = cols[:, :, 0::2], cols[:, :, 1::2]
            np.greater(bottom, top, out=lower[:, c0:c1])
            np.maximum(top, bottom, out=y[:, c0:c1])
        over_channels(pool, x.shape[1], x.size)
        self.relu_mask = _relu_in_place(y) if self.relu_after else None
        return y

    def backward(self, dy):
        if self.relu_mask is not None:
            dy = dy * self.relu_mask
        dx = np.empty_like(self.x_like, dtype=dy.dtype)
        dcols = np.empty_like(self.right, dtype=dy.dtype)

        def route(c0, c1):
            d, dc, dxs = dy[:, c0:c1], dcols[:, c0:c1], dx[:, c0:c1]
            to_bottom = np.multiply(d, self.lower[:, c0:c1], out=dc[:, :, 1::2])
            np.subtract(d, to_bottom, out=dc[:, :, 0::2])       # exact: d - d = 0, d - 0 = d
            to_right = np.multiply(dc, self.right[:, c0:c1], out=dxs[..., 1::2])
            np.subtract(dc, to_right, out=dxs[..., 0::2])
        over_channels(route, dx.shape[1], dx.size)
        return dx


def max_pool_kernel(pool, in_shape, relu_after=False):
    """The fastest kernel for a `layers.MaxPool2D` reading inputs of shape (C, H, W)."""
    if MaxPool2x2.fits(pool, in_shape):
        return MaxPool2x2(relu_after)
    return MaxPoolWindows(pool, relu_after)
