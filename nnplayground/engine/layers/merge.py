"""Layers that join several inputs: Add (skip connections) and Concatenate."""

import numpy as np

from .base import Layer, ShapeError, fmt_shape


class Add(Layer):
    """y = x1 + x2 + ... (equal shapes): the skip connection of a residual network.

    xs: list of (batch, *shape) -> y: (batch, *shape); each input receives dy unchanged.
    """

    n_inputs = None

    @staticmethod
    def output_shape(params, in_shapes, in_ids):
        first = tuple(in_shapes[0])
        for shape, src in zip(in_shapes[1:], in_ids[1:]):
            if tuple(shape) != first:
                raise ShapeError(
                    f"adds inputs of equal shape, got {fmt_shape(first)} from \"{in_ids[0]}\" "
                    f"and {fmt_shape(shape)} from \"{src}\"; make their sizes equal (e.g. the "
                    f"units or filters of one of them) or use Concatenate")
        return first

    def forward(self, xs, training=False):
        self.n = len(xs)
        y = xs[0] + xs[1]
        for x in xs[2:]:
            y += x
        return y

    def backward(self, dy):
        return [dy] * self.n


class Concatenate(Layer):
    """Joins inputs along axis 1: features of flat inputs, or channels of images.

    xs: (batch, n_i) -> (batch, sum n_i); or (batch, C_i, H, W) -> (batch, sum C_i, H, W)
    """

    n_inputs = None

    @staticmethod
    def output_shape(params, in_shapes, in_ids):
        first = tuple(in_shapes[0])
        for shape, src in zip(in_shapes[1:], in_ids[1:]):
            if len(shape) != len(first) or tuple(shape[1:]) != first[1:]:
                raise ShapeError(
                    f"joins inputs along axis 1, so all other sizes must match; got "
                    f"{fmt_shape(first)} from \"{in_ids[0]}\" and {fmt_shape(shape)} from "
                    f"\"{src}\"; Flatten both, or make the image sizes equal")
        return (sum(int(s[0]) for s in in_shapes),) + first[1:]

    def forward(self, xs, training=False):
        self.splits = np.cumsum([x.shape[1] for x in xs])[:-1]
        return np.concatenate(xs, axis=1)

    def backward(self, dy):
        return np.split(dy, self.splits, axis=1)
