"""A convolution and the max-pool that alone reads it, computed as one kernel in training.

ConvMaxPool2x2, why: a 2x2 pool on the usual (N, C, H, W) layout compares neighbours one element apart, and
numpy runs such stride-2 loops about 7 times slower than contiguous ones (0.75 against 0.10 ms
for mnist-cnn's first pool); the pools were a quarter of a training step. Here im2col orders
its columns (image, window row, window column, pooled row, pooled column), so the matrix
product hands out each window's four members as four contiguous blocks, and pooling, its
ReLU and their backward pass become a few contiguous operations on each part of the batch,
in the part's own thread, while the data is still in cache.

The numbers are those of convolution, ReLU, then max-pool: ReLU and max commute, and the
gradient reaches the same input (the first maximum of a window in reading order, as in
MaxPool2D). Only the weight gradient's sum runs over the columns in another order, which may
change its last bits. The reordered gather costs more per input channel, so the Model fuses
only convolutions with few inputs per filter (`worth_fusing`): mnist-cnn's first layer.
Inference keeps the separate layers, so every node's output stays what the diagram says.

ConvReLUMaxPool is the cheaper shortcut for the other ReLU convolutions read by a max-pool
alone: the convolution hands over its pre-activation and the pool applies the ReLU to its 4x
smaller output. relu(max(z)) = max(relu(z)) exactly, and the gradient reaches the same input:
where the window's maximum is positive it wins in both orders, and where it is not, the
ReLU's zero derivative stops the gradient either way.
"""


import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..layers.conv import output_size
from .conv import (
    Conv2DParts,
    add_input_gradient,
    as_channels_first,
    batch_parts,
    channels_first_zeros,
    pad_images,
    sum_into,
    unpad,
)
from .pool import max_pool_kernel
from .threads import over_parts


class ConvReLUMaxPool:
    """Training kernel of a ReLU `layers.Conv2D` and the `layers.MaxPool2D` that alone reads
    it: the convolution without its ReLU, then the pool with the ReLU after it.

    x: (batch, C, H, W) -> y: the pool's output (batch, F, Ho', Wo')
    """

    def __init__(self, conv, pool, in_shape):
        self.conv = Conv2DParts(conv, logits=True)
        self.pool = max_pool_kernel(pool, (conv.params["W"].shape[0],)
                                    + output_size(*in_shape[1:], conv.kh, conv.kw,
                                                  conv.stride, conv.padding),
                                    relu_after=True)

    @staticmethod
    def fits(conv, pool):
        return conv.activation.name == "relu"

    def forward(self, x, training=True):
        return self.pool.forward(self.conv.forward(x))

    def backward(self, dy):
        return self.conv.backward(self.pool.backward(dy))


def im2col_by_window(xp, kh, kw, stride):
    """Like fast.conv.im2col, but the columns ordered (n, window row, window column, pooled
    row, pooled column): each 2x2 window's members land in four contiguous blocks."""
    n, c = xp.shape[:2]
    win = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    ho, wo = win.shape[2:4]
    split = win.reshape(n, c, ho // 2, 2, wo // 2, 2, kh, kw)
    cols = np.empty((c * kh * kw, n * ho * wo), dtype=xp.dtype)
    cols.reshape(c, kh, kw, n, 2, 2, ho // 2, wo // 2)[...] = \
        split.transpose(1, 6, 7, 0, 3, 5, 2, 4)
    return cols


class ConvMaxPool2x2:
    """Training kernel of a `layers.Conv2D` (ReLU or identity) and the 2x2, stride-2
    `layers.MaxPool2D` that alone reads it: convolution, max-pool, then ReLU, per batch part.

    x: (batch, C, H, W) -> y: (batch, F, Ho/2, Wo/2), stored channels first;
    winner: (F, batch, Ho/2 * Wo/2), which of the 4 window members won (0..3, reading order)
    """

    def __init__(self, conv):
        self.conv = conv
        self.relu = conv.activation.name == "relu"

    @staticmethod
    def fits(conv, pool, in_shape):
        """Fuse when the pool's input splits into whole 2x2 windows and the reordered gather
        stays cheap: at most one im2col row per filter (mnist-cnn: 9 rows for 16 filters in
        the first layer, 144 for 32 in the second, where the slower gather ate the gain)."""
        c, h, w = in_shape
        ho, wo = output_size(h, w, conv.kh, conv.kw, conv.stride, conv.padding)
        filters = conv.params["W"].shape[0]
        return (pool.size == pool.stride == 2 and ho % 2 == 0 and wo % 2 == 0
                and conv.activation.name in ("relu", "identity")
                and c * conv.kh * conv.kw <= filters)

    def forward(self, x, training=True):
        conv = self.conv
        W = conv.params["W"]
        f, n = W.shape[0], len(x)
        c, h, w = x.shape[1:]
        p, s = conv.padding, conv.stride
        ho, wo = output_size(h, w, conv.kh, conv.kw, s, p)
        q = (ho // 2) * (wo // 2)
        self.ho, self.wo = ho, wo
        self.xp_shape = (n, c, h + 2 * p, w + 2 * p)
        self.parts = batch_parts(n, c * conv.kh * conv.kw * n * ho * wo)
        self.cols = [None] * len(self.parts)
        w2, b = W.reshape(f, -1), conv.params["b"][:, None]
        y = np.empty((f, n, q), dtype=x.dtype)            # pooled, channels first
        self.winner = np.empty((f, n, q), dtype=np.uint8)
        self.relu_mask = np.empty((f, n, q), dtype=bool) if self.relu else None

        def part(k):
            a, e = self.parts[k]
            cols = self.cols[k] = im2col_by_window(pad_images(x[a:e], p), conv.kh, conv.kw, s)
            z = (w2 @ cols).reshape(f, e - a, 4, q)
            z += b[:, :, None, None]
            best, winner = y[:, a:e], self.winner[:, a:e]
            np.copyto(best, z[:, :, 0])
            winner.fill(0)
            better = np.empty(best.shape, dtype=bool)
            for member in (1, 2, 3):                 # reading order: the first maximum wins
                np.greater(z[:, :, member], best, out=better)
                np.maximum(best, z[:, :, member], out=best)
                # members come in increasing order, so "the last that improved" is a running
                # max; branch-free (winner[better] = member took 8 times as long)
                np.maximum(winner, better.view(np.uint8) * np.uint8(member), out=winner)
            if self.relu:
                np.greater(best, 0, out=self.relu_mask[:, a:e])
                np.maximum(best, 0, out=best)
        over_parts(part, len(self.parts))
        return y.reshape(f, n, ho // 2, wo // 2).transpose(1, 0, 2, 3)

    def backward(self, dy):
        """dy: d loss / d pooled output. Fills the convolution's grads; returns d loss / d x
        (None when the convolution reads the network's input)."""
        conv = self.conv
        W = conv.params["W"]
        f, n = W.shape[0], dy.shape[0]
        ho, wo = self.ho, self.wo
        q = (ho // 2) * (wo // 2)
        g = as_channels_first(dy).reshape(f, n, q)
        w2 = W.reshape(f, -1)
        partial_w = [None] * len(self.parts)
        partial_b = [None] * len(self.parts)
        dxp = channels_first_zeros(*self.xp_shape, dy.dtype) if conv.needs_input_grad else None

        def part(k):
            a, e = self.parts[k]
            gk = g[:, a:e]
            if self.relu_mask is not None:
                gk = gk * self.relu_mask[:, a:e]
            winner = self.winner[:, a:e]
            dz = np.empty((f, e - a, 4, q), dtype=dy.dtype)
            for member in range(4):
                np.multiply(gk, winner == member, out=dz[:, :, member])
            partial_b[k] = np.add.reduce(gk.reshape(f, -1), axis=1)
            partial_w[k] = self.cols[k] @ dz.reshape(f, -1).T
            if dxp is not None:
                # back to the usual column order (n, row, column) for the input gradient
                usual = dz.reshape(f, e - a, 2, 2, ho // 2, wo // 2).transpose(0, 1, 4, 2, 5, 3)
                add_input_gradient(usual.reshape(f, -1), w2, dxp[a:e], conv.kh, conv.kw,
                                   conv.stride, ho, wo)
        over_parts(part, len(self.parts))
        sum_into(conv.grads["W"].reshape(f, -1), [p.T for p in partial_w])
        sum_into(conv.grads["b"], partial_b)
        return None if dxp is None else unpad(dxp, conv.padding)
