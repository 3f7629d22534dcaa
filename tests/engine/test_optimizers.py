"""Each optimizer against hand-computed updates over two steps, and the spec validation."""

import math

import numpy as np
import pytest

from nnplayground.engine.optimizers import OPTIMIZERS, make_optimizer

G1, G2 = 0.5, -0.25          # gradients of the first element at steps 1 and 2; p starts at 1


def two_steps(spec, change=None):
    """Run two steps on p = [1, -2] with gradients [G1, 0] then [G2, 0]; return p after each."""
    opt = make_optimizer(spec)
    p = np.array([1.0, -2.0])
    params = {("dense", "W"): p}
    opt.step(params, {("dense", "W"): np.array([G1, 0.0])})
    p1 = p.copy()
    if change:
        for key, value in change.items():
            setattr(opt, key, value)
    opt.step(params, {("dense", "W"): np.array([G2, 0.0])})
    assert params[("dense", "W")] is p, "the update must be in place"
    assert p[1] == -2.0, "a zero gradient must leave the parameter alone"
    return opt, p1[0], p[0]


def test_sgd():
    _, p1, p2 = two_steps({"type": "sgd", "lr": 0.1})
    assert p1 == pytest.approx(0.95, abs=1e-15)
    assert p2 == pytest.approx(0.975, abs=1e-15)


def test_momentum():
    # v1 = 0.5; p1 = 1 - 0.1*0.5; v2 = 0.9*0.5 - 0.25 = 0.2; p2 = 0.95 - 0.1*0.2
    _, p1, p2 = two_steps({"type": "momentum", "lr": 0.1, "momentum": 0.9})
    assert p1 == pytest.approx(0.95, abs=1e-15)
    assert p2 == pytest.approx(0.93, abs=1e-15)


def test_nesterov():
    # p1 = 1 - 0.1*(0.5 + 0.9*0.5) = 0.905; v2 = 0.2; p2 = 0.905 - 0.1*(-0.25 + 0.9*0.2) = 0.912
    _, p1, p2 = two_steps({"type": "nesterov", "lr": 0.1, "momentum": 0.9})
    assert p1 == pytest.approx(0.905, abs=1e-15)
    assert p2 == pytest.approx(0.912, abs=1e-15)


def test_adagrad():
    # h1 = 0.25 -> p1 = 1 - 0.1*0.5/0.5 = 0.9; h2 = 0.3125 -> p2 = 0.9 + 0.1*0.25/sqrt(0.3125)
    _, p1, p2 = two_steps({"type": "adagrad", "lr": 0.1, "eps": 1e-12})
    assert p1 == pytest.approx(0.9, abs=1e-10)
    assert p2 == pytest.approx(0.9447213595, abs=1e-9)


def test_rmsprop():
    # v1 = 0.1*0.25 = 0.025; v2 = 0.9*0.025 + 0.1*0.0625 = 0.02875
    _, p1, p2 = two_steps({"type": "rmsprop", "lr": 0.01, "rho": 0.9, "eps": 1e-12})
    assert p1 == pytest.approx(1 - 0.01 * 0.5 / math.sqrt(0.025), abs=1e-10)
    assert p1 == pytest.approx(0.9683772234, abs=1e-9)
    assert p2 == pytest.approx(p1 + 0.01 * 0.25 / math.sqrt(0.02875), abs=1e-10)
    assert p2 == pytest.approx(0.9831214190, abs=1e-9)


def test_adam_with_bias_correction():
    # m1 = 0.05, v1 = 0.00025 -> m^ = 0.5, v^ = 0.25 -> p1 = 1 - 0.1*0.5/0.5 = 0.9
    # m2 = 0.02, v2 = 0.00031225 -> m^ = 0.02/0.19, v^ = 0.00031225/0.001999
    opt, p1, p2 = two_steps({"type": "adam", "lr": 0.1, "eps": 1e-12})
    assert p1 == pytest.approx(0.9, abs=1e-10)
    assert p2 == pytest.approx(0.9 - 0.1 * (0.02 / 0.19) / math.sqrt(0.00031225 / 0.001999),
                               abs=1e-10)
    assert p2 == pytest.approx(0.8733665, abs=1e-6)
    state = opt.state[("dense", "W")]
    assert state["t"] == 2
    np.testing.assert_allclose(state["m"], [0.02, 0.0], atol=1e-15)
    np.testing.assert_allclose(state["v"], [0.00031225, 0.0], atol=1e-15)


def test_adam_lr_change_mid_run_keeps_moments():
    opt, p1, p2 = two_steps({"type": "adam", "lr": 0.1, "eps": 1e-12}, change={"lr": 0.05})
    # Same moments and step count as without the change; only the second step is halved.
    assert p2 == pytest.approx(0.9 - 0.05 * (0.02 / 0.19) / math.sqrt(0.00031225 / 0.001999),
                               abs=1e-10)
    assert opt.state[("dense", "W")]["t"] == 2


def test_momentum_change_mid_run_keeps_velocity():
    # v2 = 0.5*0.5 - 0.25 = 0.0 -> p2 = p1
    _, p1, p2 = two_steps({"type": "momentum", "lr": 0.1, "momentum": 0.9},
                          change={"momentum": 0.5})
    assert p2 == p1


@pytest.mark.parametrize("kind", sorted(OPTIMIZERS))
def test_float32_stays_float32_and_keys_are_independent(kind):
    opt = make_optimizer({"type": kind, "lr": 0.01})
    w = np.ones((3, 2), np.float32)
    b = np.zeros(2, np.float32)
    params = {("h", "W"): w, ("h", "b"): b}
    for _ in range(3):
        opt.step(params, {("h", "W"): np.full((3, 2), 0.1, np.float32),
                          ("h", "b"): np.zeros(2, np.float32)})
    assert w.dtype == np.float32 and b.dtype == np.float32
    assert np.all(w < 1) and np.all(b == 0)
    assert set(opt.state) <= {("h", "W"), ("h", "b")}


def test_set_hyperparameters_validates_and_keeps_state():
    opt = make_optimizer({"type": "adam", "lr": 0.1})
    opt.step({"p": np.ones(2)}, {"p": np.ones(2)})
    opt.set_hyperparameters(lr=0.01, beta1=0.8)
    assert (opt.lr, opt.beta1) == (0.01, 0.8)
    assert opt.state["p"]["t"] == 1
    with pytest.raises(ValueError, match=r"optimizer\.lr: must be a positive number"):
        opt.set_hyperparameters(lr=-1)
    assert opt.lr == 0.01
    assert opt.hyperparameters == {"type": "adam", "lr": 0.01, "beta1": 0.8,
                                   "beta2": 0.999, "eps": 1e-8}


@pytest.mark.parametrize("spec, message", [
    ({"type": "sdg", "lr": 0.1}, r"optimizer\.type: unknown optimizer 'sdg'; choose one of sgd"),
    ({"lr": 0.1}, r"optimizer\.type: unknown optimizer None"),
    ({"type": "sgd", "lr": 0}, r"optimizer\.lr: must be a positive number, e\.g\. 0\.01, got 0"),
    ({"type": "sgd", "lr": float("nan")}, r"optimizer\.lr: must be a positive number"),
    ({"type": "sgd", "lr": "0.1"}, r"optimizer\.lr: must be a positive number.*got '0\.1'"),
    ({"type": "adam", "beta2": 1.0}, r"optimizer\.beta2: must be a number in \[0, 1\)"),
    ({"type": "momentum", "momentum": True}, r"optimizer\.momentum: must be a number"),
    ({"type": "sgd", "learning_rate": 0.1}, r"optimizer\.learning_rate: unknown hyperparameter"),
    (["sgd"], r"optimizer: expected a dict"),
])
def test_make_optimizer_rejects_bad_specs(spec, message):
    with pytest.raises(ValueError, match=message):
        make_optimizer(spec)


def test_make_optimizer_ignores_hyperparameters_of_other_types():
    opt = make_optimizer({"type": "sgd", "lr": 0.5, "momentum": 0.9, "beta1": 0.9})
    assert type(opt).__name__ == "SGD" and opt.lr == 0.5
    assert make_optimizer({"type": "adam"}).lr == 0.001


@pytest.mark.parametrize("kind", sorted(OPTIMIZERS))
def test_guarded_step_applies_nothing_when_an_update_is_not_finite(kind):
    opt = make_optimizer({"type": kind, "lr": 0.1})
    a, b = np.ones(3, np.float32), np.ones(2, np.float32)
    params = {"a": a, "b": b}
    assert opt.guarded_step(params, {"a": np.full(3, 0.5, np.float32),
                                     "b": np.full(2, 0.5, np.float32)}) is None
    a1, b1 = a.copy(), b.copy()
    assert np.all(a1 < 1) and np.all(b1 < 1)
    bad = {"a": np.full(3, 0.5, np.float32), "b": np.array([0.5, np.nan], np.float32)}
    assert opt.guarded_step(params, bad) == "b"
    np.testing.assert_array_equal(a, a1)             # not even the finite update of "a"
    np.testing.assert_array_equal(b, b1)


def test_mixed_dtypes_and_new_params_dicts_are_handled():
    opt = make_optimizer({"type": "momentum", "lr": 0.5, "momentum": 0.5})
    a, b = np.ones(2, np.float32), np.ones((2, 2), np.float64)
    assert opt.guarded_step({"a": a, "b": b}, {"a": np.ones(2, np.float32),
                                               "b": np.ones((2, 2))}) is None
    np.testing.assert_array_equal(a, [0.5, 0.5])
    np.testing.assert_array_equal(b, np.full((2, 2), 0.5))
    assert opt.guarded_step({"a": a, "b": b}, {"a": np.ones(2, np.float32),
                                               "b": np.full((2, 2), np.inf)}) == "b"
    np.testing.assert_array_equal(a, [0.5, 0.5])      # refused: nothing applied
    opt.reset()
    # a new dict with another parameter gets its own scratch arrays
    c = np.ones(3, np.float32)
    opt.step({"a": a, "c": c}, {"a": np.zeros(2, np.float32), "c": np.ones(3, np.float32)})
    np.testing.assert_array_equal(a, [0.5, 0.5])      # fresh velocity = g = 0
    np.testing.assert_array_equal(c, [0.5, 0.5, 0.5])
