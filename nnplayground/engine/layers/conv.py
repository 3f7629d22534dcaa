"""2-D convolution by im2col: every receptive field becomes a column, and the convolution
becomes one matrix product per image (batched in C by numpy's matmul, no Python loop)."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..init import constant, initialize
from .base import ActivatedLayer, ShapeError, fmt_shape, pair


def check_image_input(kind, shape, src):
    """Raise ShapeError unless `shape` is an image (C, H, W)."""
    if len(shape) != 3:
        fix = "add a Reshape between them"
        side = int(round(float(shape[0]) ** 0.5)) if len(shape) == 1 else 0
        if side > 1 and side * side == shape[0]:
            fix += f" (e.g. to [1, {side}, {side}])"
        raise ShapeError(f"expects an image input (batch, channels, height, width), got "
                         f"{fmt_shape(shape)} from \"{src}\"; {fix}")


def pad_images(x, p):
    """x: (N, C, H, W) -> (N, C, H + 2p, W + 2p) with zeros around."""
    if p == 0:
        return x
    n, c, h, w = x.shape
    xp = np.zeros((n, c, h + 2 * p, w + 2 * p), dtype=x.dtype)
    xp[:, :, p:p + h, p:p + w] = x
    return xp


def im2col(xp, kh, kw, stride):
    """xp: padded (N, C, Hp, Wp) -> cols (N, C*kh*kw, Ho*Wo), rows ordered (c, i, j) like the
    flattened kernel W[f, c, i, j]. One copy: the strided window view is gathered once."""
    n, c = xp.shape[:2]
    win = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    ho, wo = win.shape[2:4]
    return win.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, ho * wo), ho, wo


def col2im(dcols, xp_shape, kh, kw, stride, ho, wo):
    """The adjoint of im2col: dcols (N, C*kh*kw, Ho*Wo) summed back into (N, C, Hp, Wp).
    Loops over the kh*kw kernel offsets only; each iteration adds a whole strided slab."""
    n, c = xp_shape[:2]
    dxp = np.zeros(xp_shape, dtype=dcols.dtype)
    d = dcols.reshape(n, c, kh, kw, ho, wo)
    hs, ws = stride * (ho - 1) + 1, stride * (wo - 1) + 1
    for i in range(kh):
        for j in range(kw):
            dxp[:, :, i:i + hs:stride, j:j + ws:stride] += d[:, :, i, j]
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
        z = np.matmul(W.reshape(f, -1), self.cols)          # (N, F, Ho*Wo)
        z += self.params["b"][:, None]
        return self._activate(z.reshape(len(x), f, self.ho, self.wo))

    def backward_logits(self, dz):
        W = self.params["W"]
        f = W.shape[0]
        dz = dz.reshape(len(dz), f, -1)                      # (N, F, Ho*Wo)
        # dW = sum_n dz[n] @ cols[n].T, done as one product over (n, pixel) pairs
        self.grads["W"][...] = np.tensordot(dz, self.cols, axes=([0, 2], [0, 2])).reshape(W.shape)
        np.sum(dz, axis=(0, 2), out=self.grads["b"])
        if not self.needs_input_grad:
            return None
        dcols = np.matmul(W.reshape(f, -1).T, dz)           # (N, C*kh*kw, Ho*Wo)
        dxp = col2im(dcols, self.xp_shape, self.kh, self.kw, self.stride, self.ho, self.wo)
        p = self.padding
        if p:
            return dxp[:, :, p:-p, p:-p]
        return dxp
