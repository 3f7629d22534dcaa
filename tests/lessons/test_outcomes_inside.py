"""Lessons 16 and 17 (issue 15): their teaching outcomes, asserted by running their presets
headless like the other lessons' (test_outcomes.py). MNIST runs on the bundled sample."""

import numpy as np

from nnplayground.data.digits import preprocess_digit
from nnplayground.engine import make_loss
from nnplayground.engine.backprop import walkthrough
from nnplayground.engine.explain import NUDGE_STEPS, explain
from nnplayground.experiment import Experiment
from nnplayground.engine.health import layer_health
from nnplayground.lessons import (apply_changes, load_lesson, preset_document, step_document,
                                  variant_document)

SAMPLE = {"dataset.source": "sample"}


def test_lesson_16_one_update_by_hand_equals_the_numerical_gradient_and_xor_is_learnt():
    exp = Experiment.from_preset(preset_document(load_lesson(16)))
    model, trainer = exp.model, exp.trainer
    loss = make_loss(exp.doc["loss"])
    x, y = trainer.x_train[1:2], trainer.y_train[1:2]
    stages = walkthrough(model, loss, x, y, exp.optimizer.lr)
    backward = {s.node_id: s for s in stages if s.kind == "backward"}
    # the numerical gradient of the loss on the sample, weight by weight, in float64
    model64 = model.astype(np.float64)
    x64, h = x.astype(np.float64), 1e-6
    for node in ("h", "out"):
        for name in ("W", "b"):
            p = model64.layers[node].params[name]
            numeric = np.zeros(p.shape)
            for i in np.ndindex(p.shape):
                keep = p[i]
                p[i] = keep + h
                up = loss(model64.forward(x64), y)
                p[i] = keep - h
                down = loss(model64.forward(x64), y)
                p[i] = keep
                numeric[i] = (up - down) / (2 * h)
            np.testing.assert_allclose(backward[node].arrays["d" + name], numeric,
                                       rtol=1e-4, atol=1e-7)
    loss_before = next(s.loss for s in stages if s.kind == "loss")
    assert stages[-1].loss < loss_before
    exp.fit()
    assert exp.trainer.history.epochs[-1]["train_accuracy"] == 1.0


def _stroke_digit():
    """A "1" drawn as the drawing pad draws it: a thick white bar on black, 280 x 280."""
    canvas = np.zeros((280, 280), np.uint8)
    canvas[50:230, 128:152] = 255
    return preprocess_digit(canvas)


def test_lesson_17_covering_the_ink_and_a_small_nudge_change_the_answer():
    exp = Experiment.from_preset(apply_changes(preset_document(load_lesson(17)), SAMPLE))
    exp.fit()
    assert exp.trainer.history.epochs[-1]["test_accuracy"] >= 0.9
    model, x_test = exp.model, exp.dataset.x_test
    flips, covered = [], []
    for i in range(10):
        x = x_test[i:i + 1]
        e = explain(model, x)
        flips.append(e.flip_eps)
        ink_covered = np.where(x > 0.1, 0.0, x).astype(np.float32)
        covered.append(float(model.predict(ink_covered)[0, e.target]))
    assert sum(f is not None for f in flips) >= 9, flips
    assert all(f is None or f <= NUDGE_STEPS[-1] for f in flips)
    assert max(covered) < 0.5, covered
    # a drawn digit: its saliency sits on and around the ink, not in the empty corners
    drawn = _stroke_digit().reshape(1, 1, 28, 28).astype(np.float32)
    e = explain(model, drawn)
    near_ink = np.zeros((28, 28), bool)
    rows, cols = np.nonzero(drawn[0, 0] > 0.1)
    near_ink[max(rows.min() - 3, 0):rows.max() + 4, max(cols.min() - 3, 0):cols.max() + 4] = True
    assert e.saliency[near_ink].sum() > e.saliency[~near_ink].sum()
    assert e.flip_eps is not None


def _health(doc):
    exp = Experiment.from_preset(apply_changes(doc, SAMPLE) if doc["dataset"]["kind"] == "mnist"
                                 else doc)
    t = exp.trainer
    return {h.node_id: h for h in layer_health(exp.model, t.x_train[:200], t.y_train[:200],
                                               t.loss)}


def test_lessons_8_and_12_notes_layer_health_figures():
    """The figures the notes of lessons 8 and 12 quote from the Layer health view."""
    doc8 = load_lesson(8)
    small = _health(step_document(doc8, 0))       # std 0.01
    he = _health(step_document(doc8, 2))
    assert all(small[f"h{i}"].grad_norm < 1e-4 for i in range(1, 6))
    assert all(he[f"h{i}"].grad_norm > 0.1 for i in range(1, 6))
    doc12 = load_lesson(12)
    plain, skips = _health(variant_document(doc12, "plain")), _health(variant_document(doc12,
                                                                                       "with skips"))
    assert plain["h0"].grad_norm * 1e5 < plain["out"].grad_norm
    assert skips["h0"].grad_norm * 1e3 > skips["out"].grad_norm
