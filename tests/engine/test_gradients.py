"""Finite-difference gradient checks (float64, max relative error < 1e-6) for every layer type,
activation and loss, on random shapes, including skip connections and concatenation."""

import numpy as np
import pytest

from nnplayground.engine import build_model, gradient_check, make_loss
from nnplayground.engine.activations import ACTIVATIONS

from engine_graphs import MNIST_CNN, chain, node

TOL = 1e-6


def check(spec, x, y, loss, seed=0, training=True, expect_keys=None):
    model = build_model(spec, seed=seed, dtype=np.float64)
    errors = gradient_check(model, x, y, loss, training=training)
    assert errors, "the model has no parameters to check"
    if expect_keys is not None:
        assert set(expect_keys) <= set(errors)
    worst = max(errors, key=errors.get)
    assert errors[worst] < TOL, f"{worst}: relative error {errors[worst]:.2e} ({errors})"
    return errors


def data(rng, shape, n=4, classes=3, task="classification"):
    x = rng.normal(size=(n, *shape))
    if task == "classification":
        return x, rng.integers(0, classes, size=n)
    return x, rng.normal(size=(n, classes))


@pytest.mark.parametrize("act", [a for a in ACTIVATIONS if a != "step"])
def test_dense_with_each_activation(act):
    rng = np.random.default_rng(1)
    n_in, units = rng.integers(2, 5, size=2)
    spec = chain([int(n_in)], ("Dense", {"units": int(units), "activation": act}),
                 ("Dense", {"units": 2}))
    x, y = data(rng, (int(n_in),), classes=2, task="regression")
    check(spec, x, y, "mse", expect_keys=["n0/W", "n0/b", "n1/W", "n1/b"])


@pytest.mark.parametrize("act", [a for a in ACTIVATIONS if a != "step"])
def test_activation_layer(act):
    rng = np.random.default_rng(2)
    spec = chain([3], ("Dense", {"units": 4}), ("Activation", {"function": act}),
                 ("Dense", {"units": 2}))
    x, y = data(rng, (3,), classes=2, task="regression")
    check(spec, x, y, "mse")


def test_activation_alpha_option():
    rng = np.random.default_rng(3)
    spec = chain([3], ("Dense", {"units": 4, "activation": "leaky_relu", "alpha": 0.3}),
                 ("Activation", {"function": "elu", "alpha": 0.5}), ("Dense", {"units": 1}))
    x, y = data(rng, (3,), classes=1, task="regression")
    check(spec, x, y, "mse")


@pytest.mark.parametrize("seed", [0, 1])
def test_losses_cross_entropy_and_bce(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 5))
    spec = chain([3], ("Dense", {"units": 5, "activation": "tanh"}),
                 ("Dense", {"units": k, "activation": "softmax"}))
    x, y = data(rng, (3,), n=6, classes=k)
    check(spec, x, y, "cross_entropy")
    spec = chain([3], ("Dense", {"units": 5, "activation": "tanh"}),
                 ("Dense", {"units": 1, "activation": "sigmoid"}))
    check(spec, x, (y > 0).astype(np.int64), "binary_cross_entropy")


def test_mse_on_class_labels_uses_one_hot():
    rng = np.random.default_rng(4)
    spec = chain([3], ("Dense", {"units": 3, "activation": "softmax"}))
    x, y = data(rng, (3,), n=5, classes=3)
    check(spec, x, y, "mse")


def test_loss_ends_in_activation_node():
    rng = np.random.default_rng(5)
    spec = chain([3], ("Dense", {"units": 3}), ("Activation", {"function": "softmax"}))
    x, y = data(rng, (3,), n=5, classes=3)
    check(spec, x, y, "cross_entropy")


@pytest.mark.parametrize("name,activation", [("cross_entropy", "softmax"),
                                             ("binary_cross_entropy", "sigmoid"),
                                             ("mse", "identity")])
def test_unfused_loss_gradient_matches_finite_differences(name, activation):
    """loss.gradient (w.r.t. the output) is what a non-fused path would use."""
    rng = np.random.default_rng(6)
    loss = make_loss(name)
    k = 1 if name == "binary_cross_entropy" else 3
    z = rng.normal(size=(4, k))
    out = {"softmax": lambda a: np.exp(a) / np.exp(a).sum(1, keepdims=True),
           "sigmoid": lambda a: 1 / (1 + np.exp(-a)), "identity": lambda a: a}[activation](z)
    y = rng.integers(0, max(k, 2), size=4)
    g = loss.gradient(out, y)
    h = 1e-6
    num = np.zeros_like(out)
    for idx in np.ndindex(out.shape):
        up, down = out.copy(), out.copy()
        up[idx] += h
        down[idx] -= h
        num[idx] = (loss(up, y) - loss(down, y)) / (2 * h)
    np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("stride,padding,kernel", [(1, 0, 3), (2, 1, 3), (1, 1, [2, 3]),
                                                   (2, 0, 2)])
def test_conv2d(stride, padding, kernel):
    rng = np.random.default_rng(7)
    spec = chain([2, 6, 5],
                 ("Conv2D", {"filters": 3, "kernel": kernel, "stride": stride,
                             "padding": padding, "activation": "tanh"}),
                 ("Conv2D", {"filters": 2, "kernel": 2, "stride": stride, "padding": padding}),
                 ("Flatten", {}), ("Dense", {"units": 3, "activation": "softmax"}))
    x, y = data(rng, (2, 6, 5), n=3)
    check(spec, x, y, "cross_entropy", expect_keys=["n0/W", "n0/b", "n1/W", "n1/b"])


@pytest.mark.parametrize("pool", ["MaxPool2D", "AvgPool2D"])
@pytest.mark.parametrize("size,stride,hw", [(2, None, 6), (2, None, 5), (3, 2, 7), (2, 1, 5)])
def test_pooling(pool, size, stride, hw):
    rng = np.random.default_rng(8)
    spec = chain([1, hw, hw], ("Conv2D", {"filters": 2, "kernel": 2, "padding": 1}),
                 (pool, {"size": size, "stride": stride}),
                 ("Conv2D", {"filters": 2, "kernel": 1}), ("Flatten", {}),
                 ("Dense", {"units": 2}))
    x, y = data(rng, (1, hw, hw), n=3, classes=2, task="regression")
    check(spec, x, y, "mse")


def test_reshape_and_flatten():
    rng = np.random.default_rng(9)
    spec = chain([5], ("Dense", {"units": 12, "activation": "tanh"}),
                 ("Reshape", {"shape": [3, 2, 2]}), ("Conv2D", {"filters": 2, "kernel": 2}),
                 ("Flatten", {}), ("Dense", {"units": 1}))
    x, y = data(rng, (5,), n=3, classes=1, task="regression")
    check(spec, x, y, "mse")


def test_dropout_with_fixed_mask():
    rng = np.random.default_rng(10)
    spec = chain([4], ("Dense", {"units": 8, "activation": "tanh"}), ("Dropout", {"rate": 0.5}),
                 ("Dense", {"units": 2}))
    x, y = data(rng, (4,), n=5, classes=2, task="regression")
    check(spec, x, y, "mse")


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_dense_and_conv(training):
    rng = np.random.default_rng(11)
    dense = chain([3], ("Dense", {"units": 4}), ("BatchNorm", {}),
                  ("Activation", {"function": "tanh"}), ("Dense", {"units": 2}))
    conv = chain([1, 4, 4], ("Conv2D", {"filters": 3, "kernel": 2}), ("BatchNorm", {}),
                 ("Flatten", {}), ("Dense", {"units": 2}))
    for spec, shape in ((dense, (3,)), (conv, (1, 4, 4))):
        model = build_model(spec, seed=0, dtype=np.float64)
        bn = next(layer for layer in model.layers.values() if "running_mean" in layer.buffers)
        bn.buffers["running_mean"][:] = rng.normal(size=bn.buffers["running_mean"].shape)
        bn.buffers["running_var"][:] = rng.uniform(0.5, 2, size=bn.buffers["running_var"].shape)
        bn.params["gamma"][:] = rng.uniform(0.5, 2, size=bn.params["gamma"].shape)
        x, y = data(rng, shape, n=6, classes=2, task="regression")
        errors = gradient_check(model, x, y, "mse", training=training)
        assert {"n1/gamma", "n1/beta", "n0/W"} <= set(errors)
        assert max(errors.values()) < TOL, errors


def test_skip_connection_add():
    rng = np.random.default_rng(12)
    spec = {"nodes": [
        node("x", "Input", shape=[3]),
        node("d1", "Dense", ["x"], units=4, activation="tanh"),
        node("d2", "Dense", ["d1"], units=4, activation="relu"),
        node("sum", "Add", ["d1", "d2"]),
        node("d3", "Dense", ["x"], units=4),
        node("sum3", "Add", ["sum", "d3", "d1"]),
        node("out", "Dense", ["sum3"], units=3, activation="softmax")], "output": "out"}
    x, y = data(rng, (3,), n=5)
    check(spec, x, y, "cross_entropy", expect_keys=["d1/W", "d2/W", "d3/W", "out/W"])


def test_concatenate_features_and_channels():
    rng = np.random.default_rng(13)
    flat = {"nodes": [
        node("x", "Input", shape=[3]),
        node("a", "Dense", ["x"], units=2, activation="tanh"),
        node("b", "Dense", ["x"], units=3, activation="sigmoid"),
        node("cat", "Concatenate", ["a", "b", "x"]),
        node("out", "Dense", ["cat"], units=1, activation="sigmoid")], "output": "out"}
    x, y = data(rng, (3,), n=5, classes=2)
    check(flat, x, y, "binary_cross_entropy")
    images = {"nodes": [
        node("x", "Input", shape=[1, 5, 5]),
        node("a", "Conv2D", ["x"], filters=2, kernel=3, padding=1, activation="relu"),
        node("b", "Conv2D", ["x"], filters=1, kernel=3, padding=1),
        node("cat", "Concatenate", ["a", "b"]),
        node("c", "Conv2D", ["cat"], filters=2, kernel=2, stride=2),
        node("f", "Flatten", ["c"]),
        node("out", "Dense", ["f"], units=3, activation="softmax")], "output": "out"}
    x, y = data(rng, (1, 5, 5), n=3)
    check(images, x, y, "cross_entropy", expect_keys=["a/W", "b/W", "c/W"])


def test_step_activation_passes_no_gradient():
    rng = np.random.default_rng(14)
    spec = chain([3], ("Dense", {"units": 4, "activation": "step"}), ("Dense", {"units": 1}))
    model = build_model(spec, seed=0, dtype=np.float64)
    x, y = data(rng, (3,), n=6, classes=1, task="regression")
    model.forward_backward(x, y, make_loss("mse"))
    assert np.all(model.grads[("n0", "W")] == 0) and np.all(model.grads[("n0", "b")] == 0)
    assert np.any(model.grads[("n1", "W")] != 0)   # the layer after it still learns


def test_float32_model_is_checked_in_float64_copy():
    rng = np.random.default_rng(15)
    spec = chain([3], ("Dense", {"units": 4, "activation": "tanh"}),
                 ("Dense", {"units": 2, "activation": "softmax"}))
    model = build_model(spec, seed=0)
    before = model.state_dict()
    x, y = data(rng, (3,), n=4, classes=2)
    errors = gradient_check(model, x.astype(np.float32), y, "cross_entropy")
    assert max(errors.values()) < TOL
    assert model.params[("n0", "W")].dtype == np.float32
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_gradient_check_detects_a_wrong_backward(monkeypatch):
    """The check itself must fail when a backward pass is wrong."""
    from nnplayground.engine.layers import dense

    original = dense.Dense.backward_logits

    def wrong(self, dz):
        out = original(self, dz)
        self.grads["W"] *= 1.01
        return out

    monkeypatch.setattr(dense.Dense, "backward_logits", wrong)
    rng = np.random.default_rng(16)
    spec = chain([3], ("Dense", {"units": 2}))
    x, y = data(rng, (3,), n=4, classes=2, task="regression")
    errors = gradient_check(build_model(spec, dtype=np.float64), x, y, "mse")
    assert errors["n0/W"] > 1e-3


@pytest.mark.parametrize("size,stride", [(2, None), (3, 2), (2, 1)])
def test_maxpool_routes_ties_to_the_first_maximum(size, stride):
    """A window whose maximum appears twice (e.g. all zeros after ReLU) passes its gradient to
    one position only, the first in reading order, as PyTorch does."""
    from nnplayground.engine.layers import MaxPool2D

    pool = MaxPool2D(size, stride)
    x = np.zeros((2, 1, size, size))             # one window per image
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = 1.0          # image 0: a tie of two ones
    y = pool.forward(x)                          # image 1: all zeros, a tie everywhere
    dx = pool.backward(np.full_like(y, 3.0))
    np.testing.assert_array_equal(y.reshape(-1), [1.0, 0.0])
    expected = np.zeros_like(x)
    expected[0, 0, 0, 1] = expected[1, 0, 0, 0] = 3.0
    np.testing.assert_array_equal(dx, expected)


def test_backward_never_writes_into_dy():
    rng = np.random.default_rng(17)
    model = build_model(MNIST_CNN, seed=0)
    x = rng.random((3, 1, 28, 28), dtype=np.float32)
    model.forward(x, training=True)
    for node_id in reversed(model.order[1:]):
        layer = model.layers[node_id]
        layer_in = model.forward_all(x)[model.order[model.order.index(node_id) - 1]]
        # (shaped like the training output: a convolution fused with its pool returns the
        # pooled values in training)
        out = layer.forward(layer_in, training=True)
        dy = rng.normal(size=out.shape).astype(np.float32)
        kept = dy.copy()
        layer.backward(dy)
        np.testing.assert_array_equal(dy, kept, err_msg=node_id)


def test_threaded_channel_split_is_exact(monkeypatch):
    """im2col, col2im and pooling split channels over threads for big arrays: the results must
    be bit-identical to one thread, and the gradients still check."""
    from nnplayground.engine.fast import threads

    spec = chain([3, 8, 8], ("Conv2D", {"filters": 5, "kernel": 3, "padding": 1,
                                        "activation": "relu"}),
                 ("MaxPool2D", {}), ("Conv2D", {"filters": 3, "kernel": 2, "stride": 2}),
                 ("MaxPool2D", {"size": 2, "stride": 1}), ("Flatten", {}),
                 ("Dense", {"units": 3, "activation": "softmax"}))
    rng = np.random.default_rng(18)
    x, y = data(rng, (3, 8, 8), n=4)
    results = []
    for n_threads in (1, 3):
        monkeypatch.setattr(threads, "THREADS", n_threads)
        monkeypatch.setattr(threads, "MIN_WORK", 0)
        model = build_model(spec, seed=0)
        model.forward_backward(x, y, make_loss("cross_entropy"))     # the training kernels
        results.append({k: v.copy() for k, v in model.grads.items()})
    for key in results[0]:
        np.testing.assert_array_equal(results[0][key], results[1][key], err_msg=str(key))
    check(spec, x, y, "cross_entropy")
