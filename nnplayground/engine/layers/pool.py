"""Max and average pooling by im2col, as in "Deep Learning from Scratch", section 7.4.

im2col (conv.py) lays every size x size window of every channel out as one row; pooling is then
a max or a mean along the rows, and its gradient goes back through col2im.

The faster kernels that a training step runs instead live in `engine/fast/`; tests prove they
compute what these layers do.
"""

import numpy as np

from .base import Layer, ShapeError
from .conv import check_image_input, col2im, im2col


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

    def _windows(self, x):
        """x: (N, C, H, W) -> (N*Ho*Wo*C, size*size): one window of one channel per row."""
        n, c, h, w = x.shape
        k, s = self.size, self.stride
        self.x_shape = x.shape
        self.y_shape = (n, c, (h - k) // s + 1, (w - k) // s + 1)
        return im2col(x, k, k, s).reshape(-1, k * k)

    def _unwindows(self, dwin):
        """The adjoint of _windows: (N*Ho*Wo*C, size*size) -> dx (N, C, H, W)."""
        k = self.size
        return col2im(dwin.reshape(-1, self.x_shape[1] * k * k), self.x_shape, k, k, self.stride)

    def _to_rows(self, dy):
        """dy: (N, C, Ho, Wo) -> (N*Ho*Wo*C,), in the order of the window rows."""
        return dy.transpose(0, 2, 3, 1).reshape(-1)

    def _to_image(self, rows):
        """(N*Ho*Wo*C,) -> (N, C, Ho, Wo)."""
        n, c, ho, wo = self.y_shape
        return rows.reshape(n, ho, wo, c).transpose(0, 3, 1, 2)


class MaxPool2D(_Pool):
    """y = the maximum of each window. The gradient goes to the position of the maximum; when
    several positions tie (an all-zero window after ReLU), to the first one in reading order
    (argmax's choice), as PyTorch does.

    windows: (batch*Ho*Wo*C, size*size); argmax: (batch*Ho*Wo*C,)
    """

    def forward(self, x, training=False):
        windows = self._windows(x)
        self.argmax = windows.argmax(axis=1)
        return self._to_image(windows.max(axis=1))

    def backward(self, dy):
        dy = self._to_rows(dy)
        dwin = np.zeros((dy.size, self.size * self.size), dtype=dy.dtype)
        dwin[np.arange(dy.size), self.argmax] = dy
        return self._unwindows(dwin)


class AvgPool2D(_Pool):
    """y = the mean of each window; each member receives dy / (size * size) of every window
    it belongs to.

    windows: (batch*Ho*Wo*C, size*size)
    """

    def forward(self, x, training=False):
        return self._to_image(self._windows(x).mean(axis=1))

    def backward(self, dy):
        share = self._to_rows(dy) / (self.size * self.size)
        dwin = np.repeat(share[:, None], self.size * self.size, axis=1)
        return self._unwindows(dwin)
