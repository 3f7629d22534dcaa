"""A convolution for training, computed part by part of the batch in the engine's threads.

Same numbers as `layers.conv.Conv2D` (tests/engine/test_fast_kernels.py proves it), faster:

- the batch is cut into `batch_parts` (fixed by the sizes, never by the thread count), and each
  part runs im2col, the matrix product, the bias and the activation, and on the way back the
  activation's derivative, both products and the input gradient, in one thread, while BLAS is
  held to one thread for the whole step (threads.py);
- images are produced channels first: the logical (N, F, Ho, Wo) output is a view of an
  (F, N, Ho, Wo) block, because the product W2 @ cols yields channels first; the layers after
  it keep that layout (`zeros_like`, `order="K"`), so nothing is transposed on the way;
- the input gradient of a stride-1 convolution adds each kernel offset as one contiguous run
  (`input_gradient_stride1`), twice as fast as col2im's short row slabs.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..layers.conv import output_size
from . import threads
from .threads import over_channels, over_parts

BATCH_PARTS = 4   # a big convolution is computed in this many parts of the batch


def batch_parts(n, work):
    """[(start, stop)] of the batch: BATCH_PARTS parts when the convolution is big enough to
    share between threads, else one. It depends on the sizes only, never on the thread count,
    so the weight gradient (a sum over the parts) has the same bits on every machine."""
    k = BATCH_PARTS if work >= threads.MIN_WORK and n >= BATCH_PARTS else 1
    return [(n * i // k, n * (i + 1) // k) for i in range(k)]


def channels_first_zeros(n, c, h, w, dtype):
    """Zeros of logical shape (N, C, H, W) stored as (C, N, H, W) (see the module docstring)."""
    return np.zeros((c, n, h, w), dtype=dtype).transpose(1, 0, 2, 3)


def as_channels_first(a):
    """(N, C, H, W) -> (C, N*H*W), a view when `a` is stored channels first."""
    return a.transpose(1, 0, 2, 3).reshape(a.shape[1], -1)


def pad_images(x, p):
    """x: (N, C, H, W) -> (N, C, H + 2p, W + 2p) with zeros around (channels first)."""
    if p == 0:
        return x
    n, c, h, w = x.shape
    xp = channels_first_zeros(n, c, h + 2 * p, w + 2 * p, x.dtype)
    xp[:, :, p:p + h, p:p + w] = x
    return xp


def im2col(xp, kh, kw, stride):
    """xp: padded (N, C, Hp, Wp) -> cols (C*kh*kw, N*Ho*Wo): the transpose of the reference
    im2col, so that W2 @ cols yields the output channels first. One gather of the strided
    window view, split over the channels between threads."""
    n, c = xp.shape[:2]
    win = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    ho, wo = win.shape[2:4]
    cols = np.empty((c * kh * kw, n * ho * wo), dtype=xp.dtype)
    blocks = cols.reshape(c, kh, kw, n, ho, wo)

    def gather(c0, c1):
        blocks[c0:c1] = win[:, c0:c1].transpose(1, 4, 5, 0, 2, 3)
    over_channels(gather, c, cols.size)
    return cols


def col2im_add(dcols, dxp, kh, kw, stride, ho, wo):
    """The adjoint of im2col, added into an existing (N, C, Hp, Wp) array (a part of a bigger
    batch). Loops over the kh*kw kernel offsets; each adds a whole strided slab."""
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
    what col2im(W2.T @ dz) gives, with the same sums in the same order, but twice as fast.

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


def unpad(dxp, p):
    return dxp[:, :, p:-p, p:-p] if p else dxp


class Conv2DParts:
    """Training kernel of a `layers.Conv2D` (whose params it reads and grads it fills).

    logits=True leaves out the activation: forward returns z and backward takes d loss / d z
    (ConvReLUMaxPool applies the ReLU after its pool).

    x: (batch, C, H, W) -> y: (batch, F, Ho, Wo), stored channels first
    """

    def __init__(self, conv, logits=False):
        self.conv = conv
        self.activation = None if logits or conv._identity else conv.activation

    def forward(self, x, training=True):
        conv = self.conv
        W = conv.params["W"]
        f, n = W.shape[0], len(x)
        c, h, w = x.shape[1:]
        p, s = conv.padding, conv.stride
        ho, wo = output_size(h, w, conv.kh, conv.kw, s, p)
        self.ho, self.wo, m = ho, wo, ho * wo
        self.xp_shape = (n, c, h + 2 * p, w + 2 * p)
        self.parts = batch_parts(n, c * conv.kh * conv.kw * n * m)
        self.cols = [None] * len(self.parts)
        w2, b = W.reshape(f, -1), conv.params["b"][:, None]
        z = np.empty((f, n * m), dtype=x.dtype)
        act = self.activation
        y = z if act is None else np.empty_like(z)

        def part(k):
            a, e = self.parts[k]
            cols = self.cols[k] = im2col(pad_images(x[a:e], p), conv.kh, conv.kw, s)
            zk = z[:, a * m:e * m]
            np.matmul(w2, cols, out=zk)
            zk += b
            if act is None:
                return
            if act.name == "relu":
                np.maximum(zk, 0, out=y[:, a * m:e * m])
            else:
                y[:, a * m:e * m] = act.forward(zk)
        over_parts(part, len(self.parts))
        self.z, self.y = z, y
        return y.reshape(f, n, ho, wo).transpose(1, 0, 2, 3)

    def backward(self, dy):
        """dy: d loss / d output (d loss / d z when logits); never written to."""
        conv = self.conv
        W = conv.params["W"]
        f = W.shape[0]
        m = self.ho * self.wo
        d = as_channels_first(dy)
        act = self.activation
        dz = d if act is None else np.empty_like(d)
        w2, dw = W.reshape(f, -1), conv.grads["W"].reshape(f, -1)
        # each part's dW, transposed: cols @ dz.T ran a third faster than dz @ cols.T
        partial = [np.empty((w2.shape[1], f), dtype=d.dtype) for _ in self.parts]
        dxp = channels_first_zeros(*self.xp_shape, d.dtype) if conv.needs_input_grad else None

        def part(k):
            a, e = self.parts[k]
            cut = slice(a * m, e * m)
            if act is not None and act.name == "relu":
                np.multiply(d[:, cut], self.y[:, cut] > 0, out=dz[:, cut])
            elif act is not None:
                dz[:, cut] = act.backward(self.z[:, cut], self.y[:, cut], d[:, cut])
            np.matmul(self.cols[k], dz[:, cut].T, out=partial[k])
            if dxp is not None:
                add_input_gradient(dz[:, cut], w2, dxp[a:e], conv.kh, conv.kw, conv.stride,
                                   self.ho, self.wo)
        over_parts(part, len(self.parts))
        sum_into(dw, [p.T for p in partial])
        np.add.reduce(dz, axis=1, out=conv.grads["b"])
        return None if dxp is None else unpad(dxp, conv.padding)
