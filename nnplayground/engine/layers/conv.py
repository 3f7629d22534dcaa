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
from .threads import MIN_WORK, over_channels, over_parts


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
    """The adjoint of im2col: dcols (C*kh*kw, N*Ho*Wo) summed back into (N, C, Hp, Wp)."""
    dxp = channels_first_zeros(*xp_shape, dcols.dtype)
    col2im_add(dcols, dxp, kh, kw, stride, ho, wo)
    return dxp


def col2im_add(dcols, dxp, kh, kw, stride, ho, wo):
    """col2im into an existing (N, C, Hp, Wp) array (a part of a bigger batch, say).
    Loops over the kh*kw kernel offsets only; each iteration adds a whole strided slab."""
    n, c = dxp.shape[:2]
    d = dcols.reshape(c, kh, kw, n, ho, wo)
    hs, ws = stride * (ho - 1) + 1, stride * (wo - 1) + 1

    def scatter(c0, c1):
        for i in range(kh):
            for j in range(kw):
                dxp[:, c0:c1, i:i + hs:stride, j:j + ws:stride] += \
                    d[c0:c1, i, j].transpose(1, 0, 2, 3)
    over_channels(scatter, c, dcols.size)


def input_gradient_stride1(dz, w2, dxp, kh, kw, ho, wo):
    """d loss / d padded input of a stride-1 convolution, added into dxp (N, C, Hp, Wp):
    what col2im(W.T @ dz) gives, with the same sums in the same order, but twice as fast.

    col2im's slab adds run along image rows of only Wo pixels (14 in mnist-cnn), so numpy
    spends its time starting short loops. Here dz is first widened to rows of Wp (zeros in
    the extra columns); then the contribution of kernel offset (i, j) to a whole padded
    image is one contiguous run of its flattened plane, shifted by i*Wp + j. The zeros land
    on padding or add nothing. Costs: one small copy and a 14% wider matrix product."""
    n, c, hp, wp = dxp.shape
    f = dz.shape[0]
    wide = np.zeros((f, n, ho, wp), dtype=dz.dtype)
    wide[..., :wo] = dz.reshape(f, n, ho, wo)
    d = (w2.T @ wide.reshape(f, -1)).reshape(c, kh, kw, n, ho * wp)
    planes = dxp.transpose(1, 0, 2, 3).reshape(c, n, hp * wp)      # a view: channels first
    length = (ho - 1) * wp + wo
    for i in range(kh):
        for j in range(kw):
            start = i * wp + j
            planes[:, :, start:start + length] += d[:, i, j, :, :length]


def add_input_gradient(dz, w2, dxp, kh, kw, stride, ho, wo):
    """d loss / d padded input from dz (F, N*Ho*Wo), added into dxp (N, C, Hp, Wp)."""
    if stride == 1:
        input_gradient_stride1(dz, w2, dxp, kh, kw, ho, wo)
    else:
        col2im_add(w2.T @ dz, dxp, kh, kw, stride, ho, wo)


def sum_into(out, parts):
    """out = parts[0] + parts[1] + ..., always in this order (the same bits every run)."""
    out[...] = parts[0]
    for more in parts[1:]:
        out += more


BATCH_PARTS = 4   # a big convolution is computed in this many parts of the batch (see below)


def batch_parts(n, work):
    """[(start, stop)] of the batch: BATCH_PARTS parts when the convolution is big enough to
    share between threads, else one. It depends on the sizes only, never on the thread count,
    so the weight gradient (a sum over the parts) has the same bits on every machine."""
    k = BATCH_PARTS if work >= MIN_WORK and n >= BATCH_PARTS else 1
    return [(n * i // k, n * (i + 1) // k) for i in range(k)]


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
        # Set by the Model when a MaxPool2D alone follows this ReLU convolution: in training
        # the pool applies the ReLU to its 4x smaller output instead (max and ReLU commute;
        # see MaxPool2D.relu_after). Same numbers, two passes over the big array saved.
        self.defer_relu = False
        self._deferred = False
        # Set by the Model when a 2x2 max-pool alone reads this convolution and fusing pays
        # (conv_pool.worth_fusing): in training this layer then returns the pooled output and
        # the pool passes it on. The fastest path of all for a CNN's first layer.
        self.fuse_pool = False
        self._fused = False

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

    # Forward and backward run part by part of the batch (`batch_parts`), each part in one
    # thread: im2col, the matrix product, the bias and the activation, and on the way back
    # the activation's derivative, both matrix products and col2im. The parts are blocks of
    # columns of the (F, N*Ho*Wo) output, so they write disjoint memory.

    def output_size(self, h, w):
        """(Ho, Wo) of an h x w input."""
        p, s = self.padding, self.stride
        return (h + 2 * p - self.kh) // s + 1, (w + 2 * p - self.kw) // s + 1

    def forward(self, x, training=False):
        self._fused = training and self.fuse_pool
        if self._fused:
            return conv_pool.forward(self, x)
        W = self.params["W"]
        f, n = W.shape[0], len(x)
        c, h, w = x.shape[1:]
        p, s = self.padding, self.stride
        ho, wo = self.output_size(h, w)
        self.ho, self.wo, m = ho, wo, ho * wo
        self.xp_shape = (n, c, h + 2 * p, w + 2 * p)
        self.parts = batch_parts(n, c * self.kh * self.kw * n * m)
        self.cols = [None] * len(self.parts)
        w2, b = W.reshape(f, -1), self.params["b"][:, None]
        z = np.empty((f, n * m), dtype=x.dtype)
        self._deferred = training and self.defer_relu
        y = z if self._identity or self._deferred else np.empty_like(z)
        relu = y is not z and self.activation.name == "relu"

        def part(k):
            a, e = self.parts[k]
            cols = self.cols[k] = im2col(pad_images(x[a:e], p), self.kh, self.kw, s)[0]
            zk = z[:, a * m:e * m]
            np.matmul(w2, cols, out=zk)
            zk += b
            if relu:
                np.maximum(zk, 0, out=y[:, a * m:e * m])
            elif y is not z:
                y[:, a * m:e * m] = self.activation.forward(zk)
        over_parts(part, len(self.parts))
        # (F, N, Ho, Wo) viewed as (N, F, Ho, Wo): no copy; elementwise layers keep the layout
        self.z = z.reshape(f, n, ho, wo).transpose(1, 0, 2, 3)
        self.y = y.reshape(f, n, ho, wo).transpose(1, 0, 2, 3)
        return self.y

    def backward(self, dy):
        if self._fused:
            return conv_pool.backward(self, dy)
        return self._backward(dy, logits=self._identity or self._deferred)

    def backward_logits(self, dz):
        return self._backward(dz, logits=True)

    def _backward(self, d, logits):
        """`d` is d loss / d z when `logits`, else d loss / d y (then the activation's
        derivative is applied part by part). `d` itself is never written to."""
        W = self.params["W"]
        f, m = W.shape[0], self.ho * self.wo
        flat = lambda a: a.transpose(1, 0, 2, 3).reshape(f, -1)    # noqa: E731  (F, N*Ho*Wo)
        d = flat(d)
        dz = d if logits else np.empty_like(d)
        z, y = (None, None) if logits else (flat(self.z), flat(self.y))
        relu = not logits and self.activation.name == "relu"
        w2, dw = W.reshape(f, -1), self.grads["W"].reshape(f, -1)
        # each part's dW, transposed: cols @ dz.T ran a third faster than dz @ cols.T
        partial = [np.empty((w2.shape[1], f), dtype=d.dtype) for _ in self.parts]
        dxp = channels_first_zeros(*self.xp_shape, d.dtype) if self.needs_input_grad else None

        def part(k):
            a, e = self.parts[k]
            cut = slice(a * m, e * m)
            if relu:
                np.multiply(d[:, cut], y[:, cut] > 0, out=dz[:, cut])
            elif not logits:
                dz[:, cut] = self.activation.backward(z[:, cut], y[:, cut], d[:, cut])
            np.matmul(self.cols[k], dz[:, cut].T, out=partial[k])
            if dxp is not None:
                add_input_gradient(dz[:, cut], w2, dxp[a:e], self.kh, self.kw, self.stride,
                                   self.ho, self.wo)
        over_parts(part, len(self.parts))
        sum_into(dw, [p.T for p in partial])
        np.add.reduce(dz, axis=1, out=self.grads["b"])
        if dxp is None:
            return None
        p = self.padding
        return dxp[:, :, p:-p, p:-p] if p else dxp


# at the end: conv_pool builds on this module's helpers (im2col's parts, input gradients)
from . import conv_pool  # noqa: E402
