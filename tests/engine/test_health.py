"""Layer health: saturated sigmoids, dead ReLUs and vanishing gradients, as the book shows."""

import numpy as np

from nnplayground.engine import build_model, make_loss
from nnplayground.engine.health import layer_health
from nnplayground.lessons.init_histograms import deep_net_spec


def _batch(n=200, features=100, classes=None, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, features)).astype(np.float32)
    return x, rng.random((n, classes or 100)).astype(np.float32)


def _hidden(report):
    return report[:-1]


def test_lesson_8_std_1_sigmoids_saturate_xavier_ones_do_not():
    """Lesson 8's network (5 sigmoid layers of 100 units on standard normal inputs)."""
    x, y = _batch()
    shares = {}
    for init in ("std 1", "xavier"):
        model = build_model(deep_net_spec("sigmoid", init), seed=0)
        report = layer_health(model, x, y, make_loss("mse"))
        shares[init] = float(np.mean([r.saturated for r in report]))
    assert shares["std 1"] > 0.5, shares
    assert shares["xavier"] < 0.1, shares


def test_twenty_sigmoid_layers_the_gradient_vanishes_towards_the_input():
    spec = deep_net_spec("sigmoid", "xavier", layers=20, units=30, inputs=30)
    model = build_model(spec, seed=0)
    x, y = _batch(features=30, classes=30)
    report = layer_health(model, x, y, make_loss("mse"))
    first, last = report[0].grad_norm, report[-1].grad_norm
    assert first * 100 <= last, (first, last)


def test_dead_relus_are_counted_and_the_model_is_left_alone():
    spec = deep_net_spec("relu", "he", layers=2, units=50, inputs=20)
    model = build_model(spec, seed=0)
    w = model.layers["layer1"].params["W"]
    w[...] = np.abs(w)
    w[:, :10] = -1.0                                       # ten units that can never fire
    x, y = _batch(features=20, classes=50)
    x = np.abs(x)                                          # positive inputs: W < 0 -> z < 0
    grads = model.packed.grads.copy()
    report = layer_health(model, x, y, make_loss("mse"))
    assert report[0].dead == 10 / 50
    assert report[0].saturated is None
    assert np.array_equal(model.packed.grads, grads)
