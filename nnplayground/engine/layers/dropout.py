"""Inverted dropout."""

import numpy as np

from .base import Layer


class Dropout(Layer):
    """Training: y = x * mask / (1 - rate), mask ~ Bernoulli(1 - rate); inference: y = x.

    Scaling at training time ("inverted" dropout) keeps the expected activation the same, so
    inference needs no change. The mask comes from the Generator the model hands over, so a
    seed fixes every mask. ``freeze_mask = True`` reuses the last mask (the gradient check
    needs the same network for every finite difference).

    x: any shape -> y: the same shape
    """

    def __init__(self, rate=0.5, rng=None):
        super().__init__()
        self.rate = float(rate)
        self.rng = np.random.default_rng(0) if rng is None else rng
        self.mask = None
        self.freeze_mask = False
        self._training = False

    def forward(self, x, training=False):
        self._training = training and self.rate > 0
        if not self._training:
            return x
        if not (self.freeze_mask and self.mask is not None and self.mask.shape == x.shape):
            keep = self.rng.random(x.shape, dtype=np.float64 if x.dtype == np.float64
                                   else np.float32) >= self.rate
            self.mask = keep.astype(x.dtype) * x.dtype.type(1.0 / (1.0 - self.rate))
        return x * self.mask

    def backward(self, dy):
        return dy * self.mask if self._training else dy
