"""Back-propagation step by step, for a small dense network and one training sample.

The stages a class steps through ("Deep Learning from scratch", chapter 5): forward layer by
layer (each unit's weighted sum z and output y), the loss, backward layer by layer (each unit's
error signal delta = d loss / d z and each weight's gradient d loss / d W = x delta), and the
update W - lr * d loss / d W, after which the loss on the sample is computed again.

Every number is the engine's own: the forward values are the reference layers' (`z`, `y`),
the gradients those `forward_backward` fills in, on a copy of the model (the live one is never
touched), and the update is one plain SGD step as the trainer makes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .explain import reference_backward, reference_forward
from .health import output_gradient

MAX_UNITS = 16
STEPPABLE = ("Input", "Dense", "Flatten", "Activation")


@dataclass(frozen=True)
class Stage:
    """One step of the walk-through.

    kind: "forward", "loss", "backward" or "update"; node_id: the layer (None for the loss).
    arrays: forward {"x", "z", "y"}; loss {"output", "target"}; backward {"delta", "dW",
    "db"} (and "dy", d loss / d y, for a hidden layer); update {"W_before", "W_after",
    "b_before", "b_after"}. `loss`: the loss on the sample (after the update for "update").
    """

    kind: str
    node_id: str | None
    title: str
    arrays: dict = field(default_factory=dict)
    loss: float | None = None


def steppable_problem(model):
    """Why this model cannot be stepped through ("" when it can)."""
    for node in model.order:
        kind = model.types[node]
        if kind not in STEPPABLE:
            return (f"the step-through shows dense networks only; \"{node}\" is a {kind}: "
                    f"use a network of Dense layers (up to {MAX_UNITS} units each)")
        shape = model.shapes[node]
        if kind == "Dense" and shape[0] > MAX_UNITS:
            return (f"\"{node}\" has {shape[0]} units; the step-through shows layers of up to "
                    f"{MAX_UNITS} units so that every number fits on the screen")
    if len(model.input_shape) != 1 or model.input_shape[0] > MAX_UNITS:
        return (f"the input has shape {model.input_shape}; the step-through needs at most "
                f"{MAX_UNITS} input features")
    return ""


def walkthrough(model, loss, x, y, lr):
    """[Stage] of one SGD update of `model` (not modified) on the one sample (x, y):
    x (1, features), y (1,) class index or (1, k) target; `loss` a `make_loss` object."""
    problem = steppable_problem(model)
    if problem:
        raise ValueError(problem)
    twin = model.astype(model.dtype)
    dense = [n for n in twin.order if twin.types[n] == "Dense"]
    values = reference_forward(twin, x)
    stages = []
    inputs = {node["id"]: node["inputs"] for node in twin.spec["nodes"]}
    for node in dense:
        layer = twin.layers[node]
        arrays = {"x": np.array(values[inputs[node][0]][0]), "z": np.array(layer.z[0]),
                  "y": np.array(layer.y[0])}
        stages.append(Stage("forward", node, f"Forward through {node}: z = x W + b, "
                            f"y = {layer.activation.name}(z)", arrays))
    output = values[twin.output_id]
    value = float(loss(output, y))
    stages.append(Stage("loss", None, f"Loss ({loss.name}) on the sample",
                        {"output": np.array(output[0]), "target": np.array(y[0])}, value))
    d_logits = output_gradient(twin, loss, output, y).astype(twin.dtype)
    seen = reference_backward(twin, d_logits)
    for node in reversed(dense):
        layer = twin.layers[node]
        if node == twin.output_id:
            delta = d_logits
            arrays = {}
        else:
            dy = seen[node]
            delta = layer.activation.backward(layer.z, layer.y, dy)
            arrays = {"dy": np.array(dy[0])}
        arrays["delta"] = np.array(delta[0])
        for name in ("W", "b"):
            if name in layer.grads:
                arrays["d" + name] = np.array(layer.grads[name])
        stages.append(Stage("backward", node, f"Backward through {node}: delta = dL/dz, "
                            f"dL/dW = x^T delta", arrays))
    before = {k: v.copy() for k, v in twin.state_dict().items()}
    for (node, name), p in twin.params.items():
        p -= twin.dtype(lr) * twin.grads[(node, name)]
    after_loss = float(loss(twin.forward(x), y))
    for node in dense:
        layer = twin.layers[node]
        arrays = {}
        for name in layer.params:
            arrays[f"{name}_before"] = before[f"{node}/{name}"]
            arrays[f"{name}_after"] = np.array(layer.params[name])
        stages.append(Stage("update", node, f"Update {node}: W <- W - {lr:g} dL/dW",
                            arrays, after_loss))
    return stages
