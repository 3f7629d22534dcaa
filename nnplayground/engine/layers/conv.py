"""2-D convolution by im2col, as in "Deep Learning from Scratch", section 7.4.

im2col copies every receptive field of the (padded) input into one row of a matrix, so that the
convolution of the whole batch becomes a single matrix product with the flattened kernels.
col2im is its adjoint: it adds each row back onto the input positions it was copied from, which
is exactly the gradient of that copy. The pooling layers use the same two functions.

The faster kernels that a training step runs instead live in `engine/fast/`; tests prove they
compute what this layer does.
"""

import numpy as np

from ..init import constant, initialize
from .base import ActivatedLayer, ShapeError, fmt_shape, pair


def output_size(h, w, kh, kw, stride, pad):
    """(Ho, Wo): how many kh x kw windows fit in an h x w input padded by `pad`, every
    `stride` pixels."""
    return (h + 2 * pad - kh) // stride + 1, (w + 2 * pad - kw) // stride + 1


def im2col(x, kh, kw, stride=1, pad=0):
    """x: (N, C, H, W) -> cols: (N*Ho*Wo, C*kh*kw).

    Row (n, y, x) of cols holds the receptive field of output pixel (y, x) of image n, ordered
    (c, i, j) like a flattened kernel W[f, c, i, j]. The loop runs over the kh*kw kernel
    offsets only: offset (i, j) sees one strided slab of every image at once.
    """
    n, c, h, w = x.shape
    ho, wo = output_size(h, w, kh, kw, stride, pad)
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.empty((n, c, kh, kw, ho, wo), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            col[:, :, i, j] = xp[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * ho * wo, -1)


def col2im(cols, x_shape, kh, kw, stride=1, pad=0):
    """The adjoint of im2col: cols (N*Ho*Wo, C*kh*kw) -> (N, C, H, W), where each input
    pixel receives the sum of every entry of cols that was copied from it."""
    n, c, h, w = x_shape
    ho, wo = output_size(h, w, kh, kw, stride, pad)
    col = cols.reshape(n, ho, wo, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)
    xp = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            xp[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride] += col[:, :, i, j]
    return xp[:, :, pad:pad + h, pad:pad + w]


def check_image_input(kind, shape, src):
    """Raise ShapeError unless `shape` is an image (C, H, W)."""
    if len(shape) != 3:
        fix = "add a Reshape between them"
        side = int(round(float(shape[0]) ** 0.5)) if len(shape) == 1 else 0
        if side > 1 and side * side == shape[0]:
            fix += f" (e.g. to [1, {side}, {side}])"
        raise ShapeError(f"expects an image input (batch, channels, height, width), got "
                         f"{fmt_shape(shape)} from \"{src}\"; {fix}")


class Conv2D(ActivatedLayer):
    """y = f(W * x + b): each filter slides over the padded input every `stride` pixels
    (cross-correlation, as in every framework).

    x: (batch, C, H, W) -> y: (batch, filters, Ho, Wo), Ho = (H + 2p - kh) // stride + 1;
    W: (filters, C, kh, kw), b: (filters,); cols: (batch*Ho*Wo, C*kh*kw)
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
        return (int(params["filters"]),) + output_size(h, w, kh, kw, s, p)

    def forward(self, x, training=False):
        W, b = self.params["W"], self.params["b"]
        f = W.shape[0]
        n, _, h, w = x.shape
        ho, wo = output_size(h, w, self.kh, self.kw, self.stride, self.padding)
        self.x_shape = x.shape
        self.cols = im2col(x, self.kh, self.kw, self.stride, self.padding)
        z = self.cols @ W.reshape(f, -1).T + b                  # (N*Ho*Wo, F)
        z = z.reshape(n, ho, wo, f).transpose(0, 3, 1, 2)       # (N, F, Ho, Wo)
        return self._activate(z)

    def backward_logits(self, dz):
        W = self.params["W"]
        f = W.shape[0]
        dz = dz.transpose(0, 2, 3, 1).reshape(-1, f)            # (N*Ho*Wo, F)
        self.grads["W"][...] = (dz.T @ self.cols).reshape(W.shape)
        self.grads["b"][...] = dz.sum(axis=0)
        if not self.needs_input_grad:
            return None
        dcols = dz @ W.reshape(f, -1)                           # (N*Ho*Wo, C*kh*kw)
        return col2im(dcols, self.x_shape, self.kh, self.kw, self.stride, self.padding)
