"""Model behaviour: determinism, state round trips, batched inference, dtypes, loss checks."""

import numpy as np
import pytest

from nnplayground.engine import build_model, make_loss

from engine_graphs import MNIST_CNN, chain, node

XOR = chain([2], ("Dense", {"units": 4, "activation": "tanh"}),
            ("Dense", {"units": 2, "activation": "tanh"}),
            ("Dense", {"units": 1, "activation": "sigmoid"}))

BN_DROPOUT = chain([4], ("Dense", {"units": 6}), ("BatchNorm", {}), ("Dropout", {"rate": 0.3}),
                   ("Dense", {"units": 3, "activation": "softmax"}))


def test_same_seed_same_parameters_other_seed_other_parameters():
    a, b, c = build_model(MNIST_CNN, seed=3), build_model(MNIST_CNN, seed=3), \
        build_model(MNIST_CNN, seed=4)
    sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
    assert sa.keys() == sb.keys()
    for k in sa:
        np.testing.assert_array_equal(sa[k], sb[k])
    assert not np.array_equal(sa["n0/W"], sc["n0/W"])


def test_dropout_masks_are_deterministic_from_the_seed():
    x = np.random.default_rng(0).normal(size=(8, 4)).astype(np.float32)
    y = np.arange(8) % 3
    outs = []
    for _ in range(2):
        m = build_model(BN_DROPOUT, seed=1)
        outs.append([m.forward_backward(x, y, make_loss("cross_entropy"))[1] for _ in range(3)])
    for p, q in zip(*outs):
        np.testing.assert_array_equal(p, q)
    assert not np.array_equal(outs[0][0], outs[0][1])   # a new mask every step


def test_float32_default_float64_on_request():
    m32, m64 = build_model(XOR), build_model(XOR, dtype=np.float64)
    assert all(v.dtype == np.float32 for v in m32.params.values())
    assert all(v.dtype == np.float64 for v in m64.params.values())
    x = np.random.default_rng(0).normal(size=(5, 2))        # float64 input
    assert m32.forward(x).dtype == np.float32
    np.testing.assert_allclose(m32.forward(x), m64.forward(x), rtol=1e-5)


def test_initialisers_follow_their_definition():
    spec = {"nodes": [node("x", "Input", shape=[400]),
                      node("n", "Dense", ["x"], units=300, init="normal", init_scale=1.0),
                      node("u", "Dense", ["n"], units=300, init="uniform", bias_init=0.1),
                      node("g", "Dense", ["u"], units=200, init="xavier"),
                      node("h", "Dense", ["g"], units=100, init="he", activation="relu")],
            "output": "h"}
    m = build_model(spec, seed=0, dtype=np.float64)
    assert m.params[("n", "W")].std() == pytest.approx(1.0, rel=0.02)
    w = m.params[("u", "W")]
    assert w.min() >= -0.05 and w.max() <= 0.05 and w.std() == pytest.approx(0.05 / 3 ** 0.5,
                                                                               rel=0.02)
    np.testing.assert_array_equal(m.params[("u", "b")], 0.1)
    assert m.params[("g", "W")].std() == pytest.approx((2 / 500) ** 0.5, rel=0.02)
    assert m.params[("h", "W")].std() == pytest.approx((2 / 200) ** 0.5, rel=0.03)


def test_state_dict_round_trip_includes_buffers():
    m = build_model(BN_DROPOUT, seed=0)
    x = np.random.default_rng(1).normal(size=(16, 4)).astype(np.float32)
    m.forward_backward(x, np.arange(16) % 3, make_loss("cross_entropy"))   # moves running stats
    state = m.state_dict()
    assert "n1/running_mean" in state and "n1/gamma" in state and "n0/W" in state
    assert not np.allclose(state["n1/running_mean"], 0)
    other = build_model(BN_DROPOUT, seed=5)
    w_before = other.params[("n0", "W")]
    other.load_state_dict(state)
    assert other.params[("n0", "W")] is w_before        # loaded in place
    np.testing.assert_array_equal(other.forward(x), m.forward(x))
    state["n0/W"][:] = 0                                # the dict holds copies
    assert not np.all(m.params[("n0", "W")] == 0)


def test_load_state_dict_names_the_mismatch():
    m = build_model(XOR)
    state = m.state_dict()
    bad = dict(state)
    del bad["n1/b"]
    with pytest.raises(ValueError, match="no 'n1/b'"):
        m.load_state_dict(bad)
    bad = dict(state, **{"extra/W": np.zeros(2)})
    with pytest.raises(ValueError, match="'extra/W', which this model does not have"):
        m.load_state_dict(bad)
    bad = dict(state, **{"n0/W": np.zeros((2, 5))})
    with pytest.raises(ValueError, match=r"'n0/W' has shape \(2, 5\) in the saved state but "
                                         r"\(2, 4\) in this model"):
        m.load_state_dict(bad)
    np.testing.assert_array_equal(m.params[("n0", "W")], state["n0/W"])   # unchanged


def test_batched_predict_equals_one_shot_forward():
    m = build_model(MNIST_CNN, seed=0)
    x = np.random.default_rng(2).random((23, 1, 28, 28), dtype=np.float32)
    np.testing.assert_allclose(m.predict(x, batch_size=5), m.forward(x), rtol=1e-5, atol=1e-7)
    assert m.predict(x, batch_size=5).shape == (23, 10)


def test_forward_all_returns_every_node():
    m = build_model(MNIST_CNN, seed=0)
    x = np.zeros((2, 1, 28, 28), np.float32)
    acts = m.forward_all(x)
    assert list(acts) == m.order
    assert {k: v.shape[1:] for k, v in acts.items()} == {k: m.shapes[k] for k in m.order}
    np.testing.assert_array_equal(acts[m.order[-1]], m.forward(x))


def test_loss_must_match_the_output():
    with pytest.raises(ValueError, match=r'cross_entropy needs the output node "n2" \(Dense\) '
                                         r"to end in softmax, but it ends in sigmoid"):
        build_model(XOR).check_loss(make_loss("cross_entropy"))
    x, y = np.zeros((3, 2), np.float32), np.array([0, 1, 0])
    with pytest.raises(ValueError, match="set its activation to softmax"):
        build_model(XOR).forward_backward(x, y, make_loss("cross_entropy"))
    relu_out = chain([2], ("Dense", {"units": 1}))
    with pytest.raises(ValueError, match="end in sigmoid"):
        build_model(relu_out).forward_backward(x, y, make_loss("binary_cross_entropy"))
    build_model(XOR).check_loss(make_loss("binary_cross_entropy"))
    build_model(XOR).check_loss(make_loss("mse"))


def test_grads_dict_holds_the_arrays_backward_fills():
    m = build_model(XOR, seed=0)
    g = m.grads[("n0", "W")]
    x = np.random.default_rng(0).normal(size=(10, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    m.forward_backward(x, y, make_loss("binary_cross_entropy"))
    assert m.grads[("n0", "W")] is g and m.layers["n0"].grads["W"] is g and np.any(g != 0)
    assert set(m.params) == set(m.grads)


def test_plain_gradient_descent_learns_xor():
    """The engine alone (no trainer) can fit XOR: forward_backward's gradients point downhill."""
    m = build_model(XOR, seed=0)
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(200, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    loss = make_loss("binary_cross_entropy")
    first = None
    for _step in range(3000):
        idx = rng.integers(0, len(x), 20)
        value, _ = m.forward_backward(x[idx], y[idx], loss)
        first = value if first is None else first
        for key, p in m.params.items():
            p -= 0.3 * m.grads[key]
    acc = np.mean((m.predict(x)[:, 0] > 0.5) == y)
    assert acc >= 0.95, acc


def test_predict_never_builds_one_huge_im2col(monkeypatch):
    """1,200 images in batches of 500: no convolution ever sees more than 500 images."""
    m = build_model(MNIST_CNN, seed=0)
    seen = []
    for node_id in ("n1", "n3"):                   # the two convolutions' training kernels
        kernel = m.training_kernels[node_id]
        monkeypatch.setattr(kernel, "forward", lambda x, training, f=kernel.forward:
                            seen.append(len(x)) or f(x, training))
    out = m.predict(np.zeros((1200, 1, 28, 28), np.float32), batch_size=500)
    assert out.shape == (1200, 10)
    assert max(seen) <= 500 and sum(seen) == 2 * 1200     # two conv layers


def test_input_of_the_wrong_shape_is_explained():
    with pytest.raises(ValueError, match=r"expects inputs of shape \(batch, 1, 28, 28\), got an "
                                         r"array of shape \(4, 784\)"):
        build_model(MNIST_CNN).forward(np.zeros((4, 784), np.float32))
