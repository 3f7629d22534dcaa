"""Why the network gave its answer: saliency, occlusion and the adversarial nudge (FGSM).

All three read the model through its reference layers (the ones the diagram draws, see
docs/architecture.md), in inference mode, and leave it as they found it: parameters untouched,
the gradients the last training step left in place (the histogram view shows those).

- Saliency: d log p[c] / d x, the gradient of the chosen class's log-probability with respect
  to every input pixel, and gradient x input (Simonyan et al. 2013; Shrikumar et al. 2016).
- Occlusion: how much p[c] drops when a square patch of the image is painted over with the
  background (Zeiler & Fergus 2013).
- Adversarial nudge: x - eps * sign(d log p[c] / d x), clipped to the pixel range: the fast
  gradient sign method (Goodfellow et al. 2014), and the smallest eps that flips the answer.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np

OCCLUSION_PATCH = 4                       # pixels: a 28x28 digit is covered 7 x 7 times
NUDGE_STEPS = np.round(np.arange(0, 51) * 0.01, 2)   # the slider's eps: 0 to 0.5 of the range


@contextlib.contextmanager
def gradients_kept(model):
    """Run a backward pass without disturbing the model: its gradients (the last training
    step's, which the views show) are put back afterwards, and so is every layer's
    `needs_input_grad` (an explanation needs the gradient down to the input)."""
    saved = model.packed.grads.copy()
    flags = {node: layer.needs_input_grad for node, layer in model.layers.items()}
    try:
        yield
    finally:
        model.packed.grads[...] = saved
        for node, flag in flags.items():
            model.layers[node].needs_input_grad = flag


def _inputs(model):
    return {node["id"]: list(node["inputs"]) for node in model.spec["nodes"]}


def reference_forward(model, x):
    """{node_id: output} of every node through the reference layers in inference mode (the
    layers keep what their backward needs, as in `Model.forward_all`)."""
    inputs, values = _inputs(model), {}
    for node in model.order:
        layer, ins = model.layers[node], inputs[node]
        if not ins:
            values[node] = layer.forward(x, False)
        elif layer.n_inputs == 1:
            values[node] = layer.forward(values[ins[0]], False)
        else:
            values[node] = layer.forward([values[i] for i in ins], False)
    return values


def reference_backward(model, d_logits):
    """Back-propagate d / d logits of the output node (its pre-activation `z`) after
    `reference_forward`; returns {node_id: d / d that node's output}, the Input's included.
    Fills the layers' parameter gradients (wrap the call in `gradients_kept`)."""
    inputs = _inputs(model)
    for layer in model.layers.values():
        layer.needs_input_grad = True
    pending, seen = {model.output_id: d_logits}, {}
    for node in reversed(model.order):
        g = pending.pop(node, None)
        if g is None:
            continue
        layer, ins = model.layers[node], inputs[node]
        if node == model.output_id and hasattr(layer, "backward_logits"):
            dx = layer.backward_logits(g)
        else:
            seen[node] = g
            dx = layer.backward(g)
        if not ins:
            continue
        for i, d in zip(ins, [dx] if layer.n_inputs == 1 else dx):
            pending[i] = d if i not in pending else pending[i] + d
    return seen


def _log_prob_logit_gradient(model, probs, target):
    """d log p[target] / d logits for each row (softmax or one sigmoid unit)."""
    act = model.output_activation
    if act == "softmax":
        g = -probs.astype(np.float64)
        g[np.arange(len(g)), target] += 1.0
        return g
    if act == "sigmoid" and probs.shape[1] == 1:
        p = probs[:, 0].astype(np.float64)
        return np.where(target == 1, 1.0 - p, -p)[:, None]
    raise ValueError(f"explanations need a classifier ending in softmax (or one sigmoid unit); "
                     f"the output \"{model.output_id}\" ends in {act}")


def class_gradients(model, x, target):
    """(values, gradients): every node's output for x (N, ...) and d log p[target] / d that
    output ({node_id: array}; the Input's gradient is the input's, the output node has
    none: its values are the probabilities); `target`: a class index or one per sample."""
    target = np.broadcast_to(np.asarray(target, dtype=np.int64), (len(x),))
    with gradients_kept(model):
        values = reference_forward(model, x)
        probs = np.asarray(values[model.output_id])
        d_logits = _log_prob_logit_gradient(model, probs, target).astype(model.dtype)
        grads = reference_backward(model, d_logits)
    return values, grads


def input_gradient(model, x, target):
    """(probabilities, gradient): the model's output for x (N, ...) and d log p[target] / d x,
    shaped like x, for each sample; `target`: a class index or one per sample."""
    values, grads = class_gradients(model, x, target)
    return np.array(values[model.output_id]), np.array(grads[model.order[0]])


def occlusion_map(model, x, target, patch=OCCLUSION_PATCH, fill=0.0):
    """(H // patch, W // patch) drop of p[target] when each patch of the one image x
    (1, C, H, W) is painted with `fill` (the background); positive where the patch helped."""
    _, _, h, w = x.shape
    rows, cols = h // patch, w // patch
    covered = np.repeat(x, rows * cols, axis=0)
    for k in range(rows * cols):
        r, c = divmod(k, cols)
        covered[k, :, r * patch:(r + 1) * patch, c * patch:(c + 1) * patch] = fill
    base = float(model.predict(x)[0, target])
    return (base - model.predict(covered)[:, target]).reshape(rows, cols).astype(np.float32)


def nudged(x, direction, eps, low=0.0, high=1.0):
    """x moved by eps against `direction` (the sign of d log p / d x), kept in [low, high]."""
    return np.clip(x - eps * direction, low, high).astype(x.dtype)


def nudge_path(model, x, direction, steps=NUDGE_STEPS):
    """(len(steps), K) probabilities of the image nudged by each eps of `steps`."""
    images = np.concatenate([nudged(x, direction, eps) for eps in steps])
    return np.asarray(model.predict(images), dtype=np.float32)


def flip_size(path, steps=NUDGE_STEPS):
    """The smallest eps of `steps` whose answer differs from the answer at eps 0, or None."""
    answers = np.argmax(path, axis=1)
    changed = np.nonzero(answers != answers[0])[0]
    return float(steps[changed[0]]) if len(changed) else None


@dataclass(frozen=True)
class Explanation:
    """Why the model answered what it did for one image x (1, C, H, W).

    probabilities (K,); target: the class explained (the answer unless one was asked for);
    saliency (H, W): |d log p[target] / d x| summed over channels; grad_times_input (H, W);
    occlusion (H // patch, W // patch): drop of p[target] per covered patch; direction: sign of
    the gradient, shaped like x (the nudge moves against it); nudge_steps (S,) and
    nudge_probabilities (S, K); flip_eps: the smallest eps that changes the answer (or None).
    layers: {node_id: (activation, gradient)} of every node but the Input, for the image: its
    output and d log p[target] / d that output (None for the output node).
    """

    x: np.ndarray
    probabilities: np.ndarray
    target: int
    saliency: np.ndarray
    grad_times_input: np.ndarray
    occlusion: np.ndarray
    direction: np.ndarray
    nudge_steps: np.ndarray
    nudge_probabilities: np.ndarray
    flip_eps: float | None
    layers: dict


def explain(model, x, target=None):
    """Everything the "Why this prediction" view draws for one image x (1, C, H, W)."""
    x = np.asarray(x, dtype=model.dtype)
    probs = np.asarray(model.predict(x))[0]
    target = int(np.argmax(probs)) if target is None else int(target)
    values, grads = class_gradients(model, x, target)
    grad = np.array(grads[model.order[0]])
    direction = np.sign(grad).astype(x.dtype)
    layers = {node: (np.array(values[node][0], dtype=np.float32),
                     None if node not in grads else np.array(grads[node][0], dtype=np.float32))
              for node in model.order[1:]}
    path = nudge_path(model, x, direction)
    return Explanation(
        x=x.copy(), probabilities=np.array(probs, dtype=np.float32), target=target,
        saliency=np.abs(grad[0]).sum(axis=0).astype(np.float32),
        grad_times_input=(grad[0] * x[0]).sum(axis=0).astype(np.float32),
        occlusion=occlusion_map(model, x, target), direction=direction,
        nudge_steps=NUDGE_STEPS.copy(), nudge_probabilities=path, flip_eps=flip_size(path),
        layers=layers)
