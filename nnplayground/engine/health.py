"""Layer health: dead ReLUs, saturated sigmoids and tanhs, and each layer's gradient norm.

The three symptoms "Deep Learning from scratch" chapter 6 warns about, measured on one batch
through the reference layers in inference mode (the model is left as it was found):

- dead: the share of a ReLU layer's units that are never active on the batch (a Dense unit, or
  a Conv2D channel at every position); no gradient reaches their weights again;
- saturated: the share of a sigmoid or tanh layer's outputs where the slope is below a tenth
  of its largest (sigmoid outside 0.026..0.974, tanh beyond +-0.949): gradients fade there;
- gradient norm: the length of d loss / d W of each Dense or Conv2D layer; vanishing gradients
  show as norms that shrink layer by layer towards the input.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .explain import gradients_kept, reference_backward, reference_forward

SATURATION_SLOPE = 0.1      # a unit is saturated where f'(z) < this share of max f'
DEAD_ACTIVATIONS = ("relu",)
SATURATING = ("sigmoid", "tanh")


@dataclass(frozen=True)
class LayerHealth:
    """One layer's figures; dead / saturated are None where the activation has no such state
    (e.g. dead for a sigmoid), grad_norm None for a layer without weights."""

    node_id: str
    activation: str
    dead: float | None
    saturated: float | None
    grad_norm: float | None


def _slope_share(activation, y):
    """Share of outputs y of a sigmoid or tanh whose slope is below SATURATION_SLOPE of max."""
    y = y.astype(np.float64)
    slope = 4.0 * y * (1.0 - y) if activation == "sigmoid" else 1.0 - y * y
    return float(np.mean(slope < SATURATION_SLOPE))


def _dead_share(y):
    """Share of units (columns; conv channels) never above zero over the whole batch."""
    axes = (0,) if y.ndim == 2 else (0, *range(2, y.ndim))
    return float(np.mean(~np.any(y > 0, axis=axes)))


def output_gradient(model, loss, output, y):
    """d loss / d logits of the output node (its pre-activation z), fused where the loss is."""
    if loss.requires is not None:
        return loss.fused(model.output_layer.z, y, output)[1]
    # d loss / d output through the output's activation: the same as backward() would do
    layer = model.output_layer
    dy = loss.gradient(output, y)
    if getattr(layer, "activation", None) is not None and layer.activation.name != "identity":
        dy = layer.activation.backward(layer.z, layer.y, dy)
    return dy


def layer_health(model, x, y, loss):
    """[LayerHealth] of every Dense, Conv2D and Activation node, in the model's order, on
    the batch (x, y) with `loss` (a `make_loss` object)."""
    with gradients_kept(model):
        values = reference_forward(model, x)
        output = values[model.output_id]
        reference_backward(model, output_gradient(model, loss, output, y).astype(model.dtype))
        report = []
        for node in model.order:
            layer = model.layers[node]
            activation = getattr(getattr(layer, "activation", None), "name", None)
            if activation is None:
                continue
            out = np.asarray(values[node])
            weights = layer.grads.get("W")
            report.append(LayerHealth(
                node_id=node, activation=activation,
                dead=_dead_share(out) if activation in DEAD_ACTIVATIONS else None,
                saturated=_slope_share(activation, out) if activation in SATURATING else None,
                grad_norm=None if weights is None else float(np.linalg.norm(weights))))
    return report
