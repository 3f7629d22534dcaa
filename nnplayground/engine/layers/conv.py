"""2-D convolution by im2col: every receptive field becomes a column, and the convolution of the
whole batch becomes one matrix product.

Memory layout: image arrays always have the logical shape (N, C, H, W), but the convolution
produces them as a view of a (C, N, H, W) block (its matrix product yields channels first), and
the layers after it (activations, pooling, padding, col2im) allocate their outputs with the same
layout (`zeros_like`, `order="K"`). Keeping one layout end to end means no transposing copy on
the way forward or back: mixing layouts made the elementwise passes three times slower.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..init import constant, initialize
from .base import ActivatedLayer, ShapeError, fmt_shape, pair
from .threads import over_channels


def check_image_input(kind, shape, src):
    """Raise ShapeError unless `shape` is an image (C, H, W)."""
    if len(shape) != 3:
        fix = "add a Reshape between them"
        side = int(round(float(shape[0]) ** 0.5)) if len(shape) == 1 else 0
        if side > 1 and side * side == shape[0]:
            fix += f" (e.g. to [1, {side}, {side}])"
        raise ShapeError(f"expects an image input (batch, channels, height, width), got "
                         f"{fmt_shape(shape)} from \"{src}\"; {fix}")


def channels_first_zeros(n, c, h, w, dtype):
    """Zeros of logical shape (N, C, H, W) stored as (C, N, H, W) (see the module docstring)."""
    return np.zeros((c, n, h, w), dtype=dtype).transpose(1, 0, 2, 3)


def pad_images(x, p):
    """x: (N, C, H, W) -> (N, C, H + 2p, W + 2p) with zeros around."""
    if p == 0:
        return x
    n, c, h, w = x.shape
    xp = channels_first_zeros(n, c, h + 2 * p, w + 2 * p, x.dtype)
    xp[:, :, p:p + h, p:p + w] = x
    return xp


def im2col(xp, kh, kw, stride):
    """xp: padded (N, C, Hp, Wp) -> cols (C*kh*kw, N*Ho*Wo), rows ordered (c, i, j) like the
    flattened kernel W[f, c, i, j], columns ordered (n, y, x). One copy: the strided window
    view is gathered once (split over the channels between threads). With the batch in the
    columns, the whole convolution of the batch is a single large matrix product."""
    n, c = xp.shape[:2]
    win = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    ho, wo = win.shape[2:4]
    cols = np.empty((c * kh * kw, n * ho * wo), dtype=xp.dtype)
    blocks = cols.reshape(c, kh, kw, n, ho, wo)

    def gather(c0, c1):
        blocks[c0:c1] = win[:, c0:c1].transpose(1, 4, 5, 0, 2, 3)
    over_channels(gather, c, cols.size)
    return cols, ho, wo


def col2im(dcols, xp_shape, kh, kw, stride, ho, wo):
    """The adjoint of im2col: dcols (C*kh*kw, N*Ho*Wo) summed back into (N, C, Hp, Wp).
    Loops over the kh*kw kernel offsets only; each iteration adds a whole strided slab."""
    n, c = xp_shape[:2]
    dxp = channels_first_zeros(*xp_shape, dcols.dtype)
    d = dcols.reshape(c, kh, kw, n, ho, wo)
    hs, ws = stride * (ho - 1) + 1, stride * (wo - 1) + 1

    def scatter(c0, c1):
        for i in range(kh):
            for j in range(kw):
                dxp[:, c0:c1, i:i + hs:stride, j:j + ws:stride] += \
                    d[c0:c1, i, j].transpose(1, 0, 2, 3)
    over_channels(scatter, c, dcols.size)
    return dxp


class Conv2D(ActivatedLayer):
    """y[n, f] = f(sum_c W[f, c] * x_padded[n, c] + b[f]) (cross-correlation, as in every
    framework), sampled every `stride` pixels.

    x: (batch, C, H, W) -> y: (batch, filters, Ho, Wo), Ho = (H + 2p - kh) // stride + 1;
    W: (filters, C, kh, kw), b: (filters,)
    """

    def __init__(self, in_shape, filters, kernel, stride=1, padding=0, activation="identity",
                 alpha=None, init="he", init_scale=None, bias_init=0.0, rng=None,
                 dtype=np.float32):
        super().__init__(activation, alpha)
        rng = np.random.default_rng(0) if rng is None else rng
        c = in_shape[0]
        self.kh, self.kw = pair(kernel)
        self.stride, self.padding = int(stride), int(padding)
        fan_in, fan_out = c * self.kh * self.kw, filters * self.kh * self.kw
        self.params["W"] = initialize(init, (filters, c, self.kh, self.kw), fan_in, fan_out,
                                      rng, init_scale, dtype)
        self.params["b"] = constant((filters,), bias_init, dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    width_param = "filters"

    @staticmethod
    def n_weights(params, in_shapes):
        kh, kw = pair(params["kernel"])
        return (in_shapes[0][0] * kh * kw + 1) * params["filters"]

    @staticmethod
    def output_shape(params, in_shapes, in_ids):
        (shape,) = in_shapes
        check_image_input("Conv2D", shape, in_ids[0])
        kh, kw = pair(params["kernel"])
        s, p = int(params.get("stride", 1)), int(params.get("padding", 0))
        c, h, w = shape
        if kh > h + 2 * p or kw > w + 2 * p:
            raise ShapeError(
                f"kernel {kh}x{kw} is larger than its input {h}x{w} (padding {p}) from "
                f"\"{in_ids[0]}\"; use a smaller kernel or more padding, or remove a pooling "
                f"layer before it")
        return (int(params["filters"]), (h + 2 * p - kh) // s + 1, (w + 2 * p - kw) // s + 1)

    def forward(self, x, training=False):
        W = self.params["W"]
        f = W.shape[0]
        xp = pad_images(x, self.padding)
        self.xp_shape = xp.shape
        self.cols, self.ho, self.wo = im2col(xp, self.kh, self.kw, self.stride)
        z = W.reshape(f, -1) @ self.cols                       # (F, N*Ho*Wo)
        z += self.params["b"][:, None]
        # (F, N, Ho, Wo) viewed as (N, F, Ho, Wo): no copy; elementwise layers keep the layout
        return self._activate(z.reshape(f, len(x), self.ho, self.wo).transpose(1, 0, 2, 3))

    def backward_logits(self, dz):
        W = self.params["W"]
        f = W.shape[0]
        dz = dz.transpose(1, 0, 2, 3).reshape(f, -1)           # (F, N*Ho*Wo)
        np.matmul(dz, self.cols.T, out=self.grads["W"].reshape(f, -1))
        np.add.reduce(dz, axis=1, out=self.grads["b"])
        if not self.needs_input_grad:
            return None
        dcols = W.reshape(f, -1).T @ dz                        # (C*kh*kw, N*Ho*Wo)
        dxp = col2im(dcols, self.xp_shape, self.kh, self.kw, self.stride, self.ho, self.wo)
        p = self.padding
        if p:
            return dxp[:, :, p:-p, p:-p]
        return dxp
