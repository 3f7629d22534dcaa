"""Why this prediction: the saliency gradient, occlusion and the adversarial nudge."""

import numpy as np
import pytest

from nnplayground.data import load_dataset
from nnplayground.engine import Trainer, build_model, make_optimizer
from nnplayground.engine.explain import (NUDGE_STEPS, explain, input_gradient,
                                         occlusion_map)

SMALL_CNN = {"nodes": [
    {"id": "x", "type": "Input", "params": {"shape": [1, 28, 28]}, "inputs": []},
    {"id": "c1", "type": "Conv2D", "params": {"filters": 8, "kernel": 5, "activation": "relu"},
     "inputs": ["x"]},
    {"id": "p1", "type": "MaxPool2D", "params": {}, "inputs": ["c1"]},
    {"id": "f", "type": "Flatten", "params": {}, "inputs": ["p1"]},
    {"id": "out", "type": "Dense", "params": {"units": 10, "activation": "softmax"},
     "inputs": ["f"]}], "output": "out"}


@pytest.fixture(scope="module")
def trained():
    """A small CNN trained two epochs on 3,000 images of the bundled sample (94% on its
    first 200 test images), and those test images."""
    ds = load_dataset({"kind": "mnist", "source": "sample", "train_limit": 3000,
                       "test_limit": 200})
    model = build_model(SMALL_CNN, seed=0)
    trainer = Trainer(model, loss="cross_entropy",
                      optimizer=make_optimizer({"type": "adam", "lr": 0.003}),
                      x_train=ds.x_train, y_train=ds.y_train, x_test=ds.x_test,
                      y_test=ds.y_test, task="classification", batch_size=50, seed=0)
    trainer.run_epoch()
    trainer.run_epoch()
    assert trainer.history.epochs[-1]["test_accuracy"] > 0.9
    return model, ds


def _numeric_log_prob_gradient(model, x, target, r, c, h):
    """(left, right) one-sided differences of log p[target] at pixel (r, c)."""
    def log_p(delta):
        moved = x.copy()
        moved[0, 0, r, c] += delta
        return np.log(model.predict(moved)[0, target])
    mid = log_p(0.0)
    return (mid - log_p(-h)) / h, (log_p(h) - mid) / h


SMOOTH_CNN = {"nodes": [
    {"id": "x", "type": "Input", "params": {"shape": [1, 28, 28]}, "inputs": []},
    {"id": "c1", "type": "Conv2D", "params": {"filters": 4, "kernel": 5, "activation": "tanh",
                                              "bias_init": 0.1}, "inputs": ["x"]},
    {"id": "p1", "type": "AvgPool2D", "params": {}, "inputs": ["c1"]},
    {"id": "f", "type": "Flatten", "params": {}, "inputs": ["p1"]},
    {"id": "h", "type": "Dense", "params": {"units": 16, "activation": "sigmoid"},
     "inputs": ["f"]},
    {"id": "out", "type": "Dense", "params": {"units": 10, "activation": "softmax"},
     "inputs": ["h"]}], "output": "out"}


def test_saliency_gradient_equals_finite_differences(trained):
    """On a smooth network (tanh, average pooling, sigmoid) every pixel; on the trained ReLU
    and max-pool network the pixels where the function has no kink within h (left and right
    differences agree), among those it depends on most."""
    _, ds = trained
    x = ds.x_test[:1].astype(np.float64)
    smooth = build_model(SMOOTH_CNN, seed=3, dtype=np.float64)
    _, grad = input_gradient(smooth, x, 7)
    for r, c in [(5, 5), (10, 14), (14, 14), (20, 9), (27, 27), (0, 13)]:
        left, right = _numeric_log_prob_gradient(smooth, x, 7, r, c, 1e-6)
        assert grad[0, 0, r, c] == pytest.approx((left + right) / 2, rel=1e-4, abs=1e-9)

    model, _ = trained
    model64 = model.astype(np.float64)
    target = int(np.argmax(model64.predict(x)[0]))
    _, grad = input_gradient(model64, x, target)
    order = np.argsort(-np.abs(grad[0, 0]).ravel())
    checked = 0
    for flat in order[:40]:
        r, c = divmod(int(flat), 28)
        left, right = _numeric_log_prob_gradient(model64, x, target, r, c, 1e-6)
        if abs(left - right) > 1e-6 * max(abs(left), 1e-3):
            continue        # a ReLU or max-pool switches within h of this pixel
        assert grad[0, 0, r, c] == pytest.approx((left + right) / 2, rel=1e-4), (r, c)
        checked += 1
    assert checked >= 5


def test_explaining_leaves_the_model_as_it_was(trained):
    model, ds = trained
    params, grads = model.packed.params.copy(), model.packed.grads.copy()
    flags = {n: layer.needs_input_grad for n, layer in model.layers.items()}
    explain(model, ds.x_test[:1])
    assert np.array_equal(model.packed.params, params)
    assert np.array_equal(model.packed.grads, grads)
    assert flags == {n: layer.needs_input_grad for n, layer in model.layers.items()}


def test_occluding_the_whole_digit_drops_its_probability_below_half(trained):
    model, ds = trained
    for i in range(10):
        x = ds.x_test[i:i + 1]
        answer = int(np.argmax(model.predict(x)[0]))
        covered = np.where(x > 0.1, 0.0, x).astype(np.float32)
        assert model.predict(covered)[0, answer] < 0.5, i
        # and the occlusion map sees the patches that matter: covering the ink hurts
        drop = occlusion_map(model, x, answer)
        assert drop.max() > 0.0


def test_the_nudge_flips_at_least_nine_of_ten_answers_within_the_slider(trained):
    model, ds = trained
    flips = [explain(model, ds.x_test[i:i + 1]).flip_eps for i in range(10)]
    flipped = [eps for eps in flips if eps is not None]
    assert len(flipped) >= 9, flips
    assert all(0 < eps <= NUDGE_STEPS[-1] for eps in flipped)


def test_a_nudge_path_starts_at_the_answer_and_is_a_pixel_image(trained):
    model, ds = trained
    e = explain(model, ds.x_test[:1])
    assert np.allclose(e.nudge_probabilities[0], e.probabilities, atol=1e-6)
    assert e.saliency.shape == (28, 28) and e.occlusion.shape == (7, 7)
    assert e.target == int(np.argmax(e.probabilities))


def test_every_layers_activation_and_gradient_for_the_image(trained):
    model, ds = trained
    x = ds.x_test[4:5]
    e = explain(model, x)
    outputs = model.forward_all(x)
    assert list(e.layers) == model.order[1:]
    for node, (activation, gradient) in e.layers.items():
        assert np.array_equal(activation, outputs[node][0]), node
        if node == model.output_id:
            assert gradient is None
        else:
            assert gradient.shape == activation.shape, node
    # d log p / d (pool output) is the flatten's gradient reshaped: the chain is consistent
    assert np.array_equal(e.layers["p1"][1].ravel(), e.layers["f"][1])
    # and through the pooling only the maxima receive gradient
    assert np.count_nonzero(e.layers["c1"][1]) <= e.layers["p1"][1].size
