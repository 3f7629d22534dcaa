"""Dense (fully connected) layer."""

import numpy as np

from ..init import constant, initialize
from .base import ActivatedLayer, ShapeError, fmt_shape


class Dense(ActivatedLayer):
    """Fully connected layer: y = f(x @ W + b).

    x: (batch, n_in) -> y: (batch, units); W: (n_in, units), b: (units,)
    """

    def __init__(self, n_in, units, activation="identity", alpha=None, init="xavier",
                 init_scale=None, bias_init=0.0, use_bias=True, rng=None, dtype=np.float32):
        super().__init__(activation, alpha)
        rng = np.random.default_rng(0) if rng is None else rng
        self.params["W"] = initialize(init, (n_in, units), n_in, units, rng, init_scale, dtype)
        self.use_bias = use_bias
        if use_bias:
            self.params["b"] = constant((units,), bias_init, dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    width_param = "units"

    @staticmethod
    def n_weights(params, in_shapes):
        return (in_shapes[0][0] + bool(params["use_bias"])) * params["units"]

    @staticmethod
    def output_shape(params, in_shapes, in_ids):
        (shape,) = in_shapes
        if len(shape) != 1:
            raise ShapeError(
                f"expects a flat input (batch, features), got {fmt_shape(shape)} from "
                f"\"{in_ids[0]}\"; add a Flatten between them")
        return (params["units"],)

    def forward(self, x, training=False):
        self.x = x
        z = x @ self.params["W"]
        if self.use_bias:
            z += self.params["b"]
        return self._activate(z)

    def backward_logits(self, dz):
        # written in place: the model's grads dict and an optimizer hold these very arrays
        np.matmul(self.x.T, dz, out=self.grads["W"])
        if self.use_bias:
            np.add.reduce(dz, axis=0, out=self.grads["b"])   # np.sum: 2 us more per call
        if not self.needs_input_grad:
            return None
        return dz @ self.params["W"].T
