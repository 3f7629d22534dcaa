"""Layers that only move numbers around: Input, Flatten, Reshape."""

import numpy as np

from .base import Layer, ShapeError, fmt_shape


class Input(Layer):
    """The graph's entry: casts the batch to the model's dtype (no copy when it already is).

    x: (batch, *shape) -> the same
    """

    n_inputs = 0

    def __init__(self, shape, dtype=np.float32):
        super().__init__()
        self.shape = tuple(shape)
        self.dtype = dtype

    @staticmethod
    def output_shape(params, in_shapes, in_ids):
        return tuple(params["shape"])

    def forward(self, x, training=False):
        x = np.asarray(x)
        if x.shape[1:] != self.shape:     # one tuple compare: cheap enough for every step
            raise ValueError(f"the model expects inputs of shape {fmt_shape(self.shape)}, got "
                             f"an array of shape {x.shape}; reshape the data or change the "
                             f"Input node's shape")
        return x.astype(self.dtype, copy=False)

    def backward(self, dy):
        return None


class Flatten(Layer):
    """x: (batch, *dims) -> (batch, prod(dims)): a view, not a copy, when x is contiguous."""

    @staticmethod
    def output_shape(params, in_shapes, in_ids):
        return (int(np.prod(in_shapes[0])),)

    def forward(self, x, training=False):
        self.x_shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, dy):
        return dy.reshape(self.x_shape)


class Reshape(Layer):
    """x: (batch, *dims) -> (batch, *shape); prod(shape) must equal prod(dims). One entry of
    shape may be -1 (inferred)."""

    def __init__(self, shape):
        super().__init__()
        self.shape = tuple(shape)

    @staticmethod
    def output_shape(params, in_shapes, in_ids):
        shape = list(params["shape"])
        size = int(np.prod(in_shapes[0]))
        if shape.count(-1) == 1:
            known = int(np.prod([s for s in shape if s != -1]))
            if known > 0 and size % known == 0:
                shape[shape.index(-1)] = size // known
        if int(np.prod(shape)) != size or any(s <= 0 for s in shape):
            raise ShapeError(
                f"cannot reshape {fmt_shape(in_shapes[0])} from \"{in_ids[0]}\" ({size} numbers "
                f"per example) into {fmt_shape(params['shape'])}; choose a shape whose sizes "
                f"multiply to {size}")
        return tuple(shape)

    def forward(self, x, training=False):
        self.in_shape = x.shape
        return x.reshape((len(x),) + self.shape)

    def backward(self, dy):
        return dy.reshape(self.in_shape)
