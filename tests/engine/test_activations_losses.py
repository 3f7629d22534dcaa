"""Activations and losses: values, derivatives for plotting, stability at +-1000."""

import warnings

import numpy as np
import pytest

from nnplayground.engine import ACTIVATIONS, make_activation, make_loss


@pytest.mark.parametrize("name", [a for a in ACTIVATIONS if a not in ("step", "softmax")])
def test_derivative_for_plotting_matches_finite_differences(name):
    x = np.linspace(-4, 4, 81) + 0.013          # avoid the kink at 0
    f, df = make_activation(name).evaluate(x)
    h = 1e-6
    num = (make_activation(name).forward(x + h) - make_activation(name).forward(x - h)) / (2 * h)
    np.testing.assert_allclose(df, num, rtol=1e-6, atol=1e-8)
    assert f.shape == df.shape == x.shape


def test_known_values():
    x = np.array([-2.0, 0.0, 3.0])
    expect = {"identity": x, "step": [0, 0, 1], "relu": [0, 0, 3], "tanh": np.tanh(x),
              "sigmoid": 1 / (1 + np.exp(-x)), "leaky_relu": [-0.02, 0, 3],
              "elu": [np.exp(-2) - 1, 0, 3], "softplus": np.log1p(np.exp(x))}
    for name, values in expect.items():
        np.testing.assert_allclose(make_activation(name).forward(x), values, rtol=1e-12,
                                   err_msg=name)
    np.testing.assert_allclose(make_activation("leaky_relu", alpha=0.2).forward(x), [-0.4, 0, 3])
    p = make_activation("softmax").forward(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(p, np.exp([[1, 2, 3]]) / np.exp([1, 2, 3]).sum())


def test_step_is_exact_and_has_zero_gradient():
    f, df = make_activation("step").evaluate(np.array([-1.0, -1e-9, 0.0, 1e-9, 5.0]))
    np.testing.assert_array_equal(f, [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(df, 0)


def test_softmax_evaluate_on_a_1d_array():
    f, df = make_activation("softmax").evaluate(np.array([0.0, np.log(3.0)]))
    np.testing.assert_allclose(f, [0.25, 0.75])
    np.testing.assert_allclose(df, [0.1875, 0.1875])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations_are_finite_at_1000(name):
    x = np.array([[-1000.0, 0.0, 1000.0]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        act = make_activation(name)
        y = act.forward(x)
        dx = act.backward(x, y, np.ones_like(x))
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(dx))


def test_unknown_names_are_explained():
    with pytest.raises(ValueError, match="unknown activation 'swish'; choose one of"):
        make_activation("swish")
    with pytest.raises(ValueError, match="unknown loss 'hinge'; choose one of mse"):
        make_loss("hinge")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_losses_are_exact_and_finite_at_logits_1000(dtype):
    logits = np.array([[1000, -1000, 0], [-1000, 1000, 999]], dtype=dtype)
    y = np.array([1, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad = make_loss("cross_entropy").fused(logits, y)
        # row 0: -log p[1] = lse - z[1] = 1000 + 1000; row 1: lse - z[2] = 1 + log(1 + e^-1)
        assert value == pytest.approx((2000 + 1 + np.log1p(np.exp(-1.0))) / 2, rel=1e-6)
        assert np.all(np.isfinite(grad)) and grad.dtype == dtype
        z = np.array([[1000], [-1000], [1000], [0]], dtype=dtype)
        t = np.array([0, 1, 1, 1])
        value, grad = make_loss("binary_cross_entropy").fused(z, t)
        assert value == pytest.approx((1000 + 1000 + 0 + np.log(2)) / 4, rel=1e-6)
        np.testing.assert_allclose(grad[:, 0], [0.25, -0.25, 0, -0.125], atol=1e-7)
        # from probabilities of exactly 0 and 1, the unfused value is still finite
        p = np.array([[0.0], [1.0]], dtype=dtype)
        assert np.isfinite(make_loss("binary_cross_entropy")(p, np.array([1, 0])))
        q = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=dtype)
        assert np.isfinite(make_loss("cross_entropy")(q, np.array([1, 1])))


def test_mse_label_conventions():
    mse = make_loss("mse")
    out = np.array([[0.2, 0.8], [0.6, 0.4]])
    assert mse(out, np.array([1, 0])) == pytest.approx(np.mean([0.04, 0.04, 0.16, 0.16]))
    assert mse(np.array([[0.25], [1.0]]), np.array([1, 1])) == pytest.approx(0.5625 / 2)
    assert mse(out, np.array([[0.2, 0.8], [0.6, 0.5]])) == pytest.approx(0.01 / 4)
    with pytest.raises(ValueError, match="do not match the output"):
        mse(out, np.zeros((2, 3)))


def test_module_level_evaluate_for_plots():
    from nnplayground.engine.activations import evaluate

    f, df = evaluate("leaky_relu", np.array([-1.0, 2.0]), alpha=0.1)
    np.testing.assert_allclose(f, [-0.1, 2.0])
    np.testing.assert_allclose(df, [0.1, 1.0])
