"""Max and average pooling, vectorised as a loop over the size*size window offsets.

Each offset (i, j) of the window is one strided slice x[:, :, i::stride, j::stride] of the
whole batch, so the work is size*size whole-array numpy operations and never a Python loop over
pixels. (A reshape to (N, C, Ho, 2, Wo, 2) followed by max over two axes reads the same, but
numpy's reduction over two strided axes is about thirty times slower than four slices.)
Max-pooling's common case, 2x2 windows with stride 2, has a faster path of its own: column
pairs first, then row pairs (see MaxPool2D).
"""

import numpy as np

from .base import Layer, ShapeError
from .conv import check_image_input
from .threads import over_channels


class _Pool(Layer):
    """Shared geometry: `size` x `size` windows every `stride` (default: size) pixels.

    x: (batch, C, H, W) -> y: (batch, C, (H - size) // stride + 1, (W - size) // stride + 1)
    """

    def __init__(self, size=2, stride=None):
        super().__init__()
        self.size = int(size)
        self.stride = self.size if stride is None else int(stride)

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

    def _offsets(self, x_shape):
        """The slice of x seen at each window offset (i, j), row by row."""
        k, s = self.size, self.stride
        h, w = x_shape[2:]
        ho, wo = (h - k) // s + 1, (w - k) // s + 1
        hs, ws = s * (ho - 1) + 1, s * (wo - 1) + 1
        return [(slice(None), slice(None), slice(i, i + hs, s), slice(j, j + ws, s))
                for i in range(k) for j in range(k)]


class MaxPool2D(_Pool):
    """y = the maximum of each window. The gradient goes to the position of the maximum;
    when several positions tie (an all-zero window after ReLU), to the first one in reading
    order, as PyTorch does.

    The forward pass records, per window, which offset won (`argmax`, the first strict
    improvement in reading order), so the backward pass is one compare and one multiply per
    offset. Both passes split the channels between threads (see threads.py).
    """

    # Set by the Model when this pool alone follows a ReLU convolution (Conv2D.defer_relu):
    # in training the convolution hands over its pre-activation z and the ReLU is applied
    # here, after pooling. relu(max(z)) = max(relu(z)) exactly, and the gradient reaches the
    # same input: where the window's maximum is positive it wins in both orders, and where it
    # is not, the ReLU's zero derivative stops the gradient either way.
    relu_after = False
    # Set by the Model when the convolution before computes this pool itself in training
    # (Conv2D.fuse_pool): the input then is already pooled, and passes through both ways.
    fused_into_conv = False
    _passing = False

    def forward(self, x, training=False):
        self._passing = training and self.fused_into_conv
        if self._passing:
            return x
        y = self._pool(x)
        self.relu_mask = None
        if training and self.relu_after:
            self.relu_mask = y > 0
            np.maximum(y, 0, out=y)
        return y

    def backward(self, dy):
        if self._passing:
            return dy
        if self.relu_mask is not None:
            dy = dy * self.relu_mask
        return self._route(dy)

    def _pool(self, x):
        self.x_like = x
        self.pairs = (self.size == self.stride == 2 and x.shape[2] % 2 == 0
                      and x.shape[3] % 2 == 0)
        if self.pairs:
            return self._forward_pairs(x)
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
        return y

    def _route(self, dy):
        if self.pairs:
            return self._backward_pairs(dy)
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


    # The 2x2, stride-2 fast path: the maximum of each column pair (x[..., 0::2] against
    # x[..., 1::2], one long loop over the whole array), then of each row pair. Remembering
    # which side won each time gives the backward pass in four operations. Ties go to the left
    # column and the top row: the first maximum in reading order, as in the general path.

    def _forward_pairs(self, x):
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
        return y

    def _backward_pairs(self, dy):
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


class AvgPool2D(_Pool):
    """y = the mean of each window; each input receives dy / (size * size) per window."""

    def forward(self, x, training=False):
        self.x_like = x
        self.slices = self._offsets(x.shape)
        y = x[self.slices[0]].copy(order="K")
        for sl in self.slices[1:]:
            y += x[sl]
        y *= y.dtype.type(1.0 / (self.size * self.size))
        return y

    def backward(self, dy):
        dys = dy * dy.dtype.type(1.0 / (self.size * self.size))
        dx = np.zeros_like(self.x_like, dtype=dy.dtype)
        if self.stride >= self.size:
            for sl in self.slices:
                dx[sl] = dys
        else:
            for sl in self.slices:
                dx[sl] += dys
        return dx
