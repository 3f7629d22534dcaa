"""Every training kernel of engine/fast computes what its reference layers compute: the same
outputs, input gradients and parameter gradients, over randomised shapes, strides, paddings,
batch sizes and thread counts (property tests with hypothesis).

Integer data (inputs, weights and output gradients of a few units) make every sum exact in
float32 whatever its order, so a kernel must then equal the reference bit for bit, ties of
max-pooling included (they are frequent with small integers). Real-valued data check the
other activations to float32 rounding.
"""

import inspect

import numpy as np
import pytest
from engine_graphs import MNIST_CNN, chain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnplayground.engine import build_model, fast, make_loss
from nnplayground.engine.fast import conv_pool, threads
from nnplayground.engine.fast import pool as fast_pool
from nnplayground.engine.fast import dense as fast_dense
from nnplayground.engine.fast.conv import Conv2DParts
from nnplayground.engine.fast.dense import DenseParts
from nnplayground.engine.layers import Conv2D, Dense, MaxPool2D

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def engine_threads(monkeypatch):
    """Set the engine's thread count, and let even tiny convolutions split their batch."""
    monkeypatch.setattr(threads, "MIN_WORK", 0)

    def use(n):
        monkeypatch.setattr(threads, "THREADS", n)
    return use


@st.composite
def convolutions(draw, activations=("identity", "relu")):
    """(Conv2D layer with small integer weights, integer input x, needs_input_grad)."""
    n = draw(st.integers(1, 9))
    c = draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    pad = draw(st.integers(0, 2))
    h = draw(st.integers(max(1, kh - 2 * pad), 10))
    w = draw(st.integers(max(1, kw - 2 * pad), 10))
    conv = Conv2D((c, h, w), filters=draw(st.integers(1, 5)), kernel=[kh, kw],
                  stride=draw(st.integers(1, 3)), padding=pad,
                  activation=draw(st.sampled_from(activations)))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    conv.params["W"][...] = rng.integers(-2, 3, conv.params["W"].shape)
    conv.params["b"][...] = rng.integers(-2, 3, conv.params["b"].shape)
    conv.needs_input_grad = draw(st.booleans())
    x = rng.integers(-3, 4, (n, c, h, w)).astype(np.float32)
    return conv, x, rng


def through(kernels, x, dy_of, training=True):
    """Forward through `kernels` in turn, then backward with dy_of(output); returns
    (output, input gradient), both copied. Asserts that no backward writes into its dy."""
    out = x
    for k in kernels:
        out = k.forward(out, training)
    out = np.array(out)
    d = dy_of(out)
    for k in reversed(kernels):
        kept = d.copy()
        dx = k.backward(d)
        np.testing.assert_array_equal(d, kept, err_msg="backward wrote into dy")
        d = dx
    return out, (None if d is None else np.array(d))


def small_integers(rng):
    return lambda out: rng.integers(-3, 4, out.shape).astype(out.dtype)


def grads_of(layer):
    return {k: v.copy() for k, v in layer.grads.items()}


def assert_same(fast_result, reference_result, exact=True):
    for got, want in zip(fast_result, reference_result):
        if want is None:
            assert got is None
        elif isinstance(want, dict):
            assert set(got) == set(want)
            for key in want:
                assert_same([got[key]], [want[key]], exact)
        elif exact:
            np.testing.assert_array_equal(got, want)
        else:
            np.testing.assert_allclose(got, want, rtol=2e-5,
                                       atol=2e-5 * max(1.0, float(np.abs(want).max())))


@SETTINGS
@given(case=convolutions(), n_threads=st.sampled_from([1, 2]))
def test_conv2d_parts_equals_the_reference_convolution(engine_threads, case, n_threads):
    engine_threads(n_threads)
    conv, x, _ = case
    with threads.blas_held_for_parts():
        result = through([Conv2DParts(conv)], x, small_integers(np.random.default_rng(0)))
    fast_grads = grads_of(conv)
    reference = through([conv], x, small_integers(np.random.default_rng(0)))
    assert_same(result + (fast_grads,), reference + (grads_of(conv),))


@SETTINGS
@given(case=convolutions(activations=("tanh", "sigmoid", "elu", "leaky_relu")))
def test_conv2d_parts_with_other_activations_matches_to_float32_rounding(engine_threads,
                                                                         case):
    engine_threads(2)
    conv, x, rng = case
    # real-valued data: no output sits exactly on leaky_relu's kink, where rounding would
    # choose the side
    for p in conv.params.values():
        p[...] = rng.normal(size=p.shape)
    x = rng.normal(size=x.shape).astype(np.float32)
    with threads.blas_held_for_parts():
        result = through([Conv2DParts(conv)], x, small_integers(np.random.default_rng(1)))
    fast_grads = grads_of(conv)
    reference = through([conv], x, small_integers(np.random.default_rng(1)))
    assert_same(result + (fast_grads,), reference + (grads_of(conv),), exact=False)


@SETTINGS
@given(data=st.data(), n_threads=st.sampled_from([1, 2]))
def test_dense_parts_equals_the_reference_dense(engine_threads, monkeypatch, data, n_threads):
    """Split by units and by samples into 1, 2 or 4 parts: bit for bit on integer data."""
    engine_threads(n_threads)
    monkeypatch.setattr(fast_dense, "MIN_SPLIT", data.draw(st.sampled_from([1, 64, 1 << 30])))
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    n, n_in, units = (data.draw(st.integers(1, 40)) for _ in range(3))
    dense = Dense(n_in, units, activation=data.draw(st.sampled_from(["identity", "relu"])),
                  use_bias=data.draw(st.booleans()))
    for p in dense.params.values():
        p[...] = rng.integers(-2, 3, p.shape)
    dense.needs_input_grad = data.draw(st.booleans())
    x = rng.integers(-3, 4, (n, n_in)).astype(np.float32)
    with threads.blas_held_for_parts():
        result = through([DenseParts(dense)], x, small_integers(np.random.default_rng(5)))
    fast_grads = grads_of(dense)
    reference = through([dense], x, small_integers(np.random.default_rng(5)))
    assert_same(result + (fast_grads,), reference + (grads_of(dense),))


@SETTINGS
@given(data=st.data())
def test_dense_parts_with_other_activations_matches_to_float32_rounding(engine_threads,
                                                                         monkeypatch, data):
    engine_threads(2)
    monkeypatch.setattr(fast_dense, "MIN_SPLIT", 1)
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    n, n_in, units = (data.draw(st.integers(1, 40)) for _ in range(3))
    dense = Dense(n_in, units, activation=data.draw(st.sampled_from(["sigmoid", "tanh",
                                                                     "softplus", "elu"])))
    dense.needs_input_grad = True
    x = rng.normal(size=(n, n_in)).astype(np.float32)
    with threads.blas_held_for_parts():
        result = through([DenseParts(dense)], x, small_integers(np.random.default_rng(6)))
    fast_grads = grads_of(dense)
    reference = through([dense], x, small_integers(np.random.default_rng(6)))
    assert_same(result + (fast_grads,), reference + (grads_of(dense),), exact=False)


@st.composite
def pools(draw, in_shape):
    _, h, w = in_shape
    size = draw(st.integers(1, min(3, h, w)))
    stride = draw(st.one_of(st.none(), st.integers(1, 3)))
    return MaxPool2D(size, stride)


@SETTINGS
@given(data=st.data(), relu=st.booleans(), n_threads=st.sampled_from([1, 2]))
def test_max_pool_kernels_equal_the_reference_pool(engine_threads, data, relu, n_threads):
    """MaxPool2x2 (pairs) and MaxPoolWindows (any window), with and without a ReLU after,
    against the reference MaxPool2D (after a ReLU layer when `relu`): ties included."""
    from nnplayground.engine.layers import Activation

    engine_threads(n_threads)
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    shape = (data.draw(st.integers(1, 6)), data.draw(st.integers(1, 4)),
             data.draw(st.integers(2, 9)), data.draw(st.integers(2, 9)))
    x = rng.integers(-2, 3, shape).astype(np.float32)
    if data.draw(st.booleans()):           # the layout a convolution kernel hands over
        x = np.ascontiguousarray(x.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
    pool = data.draw(pools(shape[1:]))
    kernel = fast_pool.max_pool_kernel(pool, shape[1:], relu_after=relu)
    if pool.size == pool.stride == 2 and shape[2] % 2 == 0 and shape[3] % 2 == 0:
        assert isinstance(kernel, fast_pool.MaxPool2x2)
    result = through([kernel], x, small_integers(np.random.default_rng(2)))
    layers = [Activation("relu"), pool] if relu else [pool]
    reference = through(layers, x, small_integers(np.random.default_rng(2)))
    assert_same(result, reference)


@SETTINGS
@given(case=convolutions(activations=("relu", "identity")), n_threads=st.sampled_from([1, 2]))
def test_conv_max_pool_2x2_equals_convolution_then_pool(engine_threads, case, n_threads):
    engine_threads(n_threads)
    conv, x, _ = case
    pool = MaxPool2D(2)
    out_shape = Conv2D.output_shape({"filters": conv.params["W"].shape[0],
                                     "kernel": [conv.kh, conv.kw], "stride": conv.stride,
                                     "padding": conv.padding}, [x.shape[1:]], ["x"])
    if out_shape[1] % 2 or out_shape[2] % 2:
        return                                    # only whole 2x2 windows are fused
    with threads.blas_held_for_parts():
        result = through([conv_pool.ConvMaxPool2x2(conv)], x,
                         small_integers(np.random.default_rng(3)))
    fast_grads = grads_of(conv)
    reference = through([conv, pool], x, small_integers(np.random.default_rng(3)))
    assert_same(result + (fast_grads,), reference + (grads_of(conv),))


@SETTINGS
@given(data=st.data(), n_threads=st.sampled_from([1, 2]))
def test_conv_relu_max_pool_equals_convolution_then_pool(engine_threads, data, n_threads):
    engine_threads(n_threads)
    conv, x, _ = data.draw(convolutions(activations=("relu",)))
    f = conv.params["W"].shape[0]
    out_shape = Conv2D.output_shape({"filters": f, "kernel": [conv.kh, conv.kw],
                                     "stride": conv.stride, "padding": conv.padding},
                                    [x.shape[1:]], ["x"])
    pool = data.draw(pools(out_shape))
    with threads.blas_held_for_parts():
        kernel = conv_pool.ConvReLUMaxPool(conv, pool, x.shape[1:])
        result = through([kernel], x, small_integers(np.random.default_rng(4)))
    fast_grads = grads_of(conv)
    reference = through([conv, pool], x, small_integers(np.random.default_rng(4)))
    assert_same(result + (fast_grads,), reference + (grads_of(conv),))


# ---------------------------------------------------------------- whole models

def test_mnist_cnn_trains_with_fused_kernels_and_infers_with_its_layers():
    model = build_model(MNIST_CNN, seed=0)
    kernels = model.training_kernels
    assert isinstance(kernels["n1"], conv_pool.ConvMaxPool2x2)       # first conv + pool
    # 16 channels x 3 x 3 = 144 im2col rows for 32 filters: the reordered gather would cost
    # more than the pool saves, so the second keeps the cheaper shortcut of the ReLU after
    assert isinstance(kernels["n3"], conv_pool.ConvReLUMaxPool)
    assert "n0" not in kernels and "n2" not in kernels
    assert kernels["n5"] is model.layers["n5"]                        # the output: its layer
    # inference runs the reference layers: the convolution node's own output is shown
    out = model.forward_all(np.zeros((2, 1, 28, 28), np.float32))
    assert out["n0"].shape == (2, 16, 28, 28)


def test_a_convolution_that_two_nodes_read_is_not_fused():
    from engine_graphs import node

    spec = {"nodes": [node("x", "Input", [], shape=[1, 6, 6]),
                      node("c", "Conv2D", ["x"], filters=2, kernel=3, padding=1,
                           activation="relu"),
                      node("p", "MaxPool2D", ["c"]), node("q", "MaxPool2D", ["c"]),
                      node("a", "Add", ["p", "q"]), node("f", "Flatten", ["a"]),
                      node("o", "Dense", ["f"], units=2, activation="softmax")],
            "output": "o"}
    kernels = build_model(spec, seed=0).training_kernels
    assert isinstance(kernels["c"], Conv2DParts)
    assert isinstance(kernels["p"], fast_pool.MaxPool2x2)


@SETTINGS
@given(data=st.data())
def test_a_training_step_equals_the_reference_layers_step(engine_threads, data):
    """Random small conv nets: the training plan and the reference layers give the same loss
    and gradients (to float32 rounding), batch sizes and thread counts varied."""
    engine_threads(data.draw(st.sampled_from([1, 2])))
    c, side = data.draw(st.integers(1, 3)), data.draw(st.integers(6, 12))
    layers = []
    for _ in range(data.draw(st.integers(1, 2))):
        layers.append(("Conv2D", {"filters": data.draw(st.integers(1, 12)),
                                  "kernel": data.draw(st.integers(1, 3)),
                                  "padding": data.draw(st.integers(0, 1)),
                                  "activation": data.draw(st.sampled_from(["relu", "identity",
                                                                           "tanh"]))}))
        layers.append(("MaxPool2D", {"size": data.draw(st.integers(1, 2))}))
    spec = chain([c, side, side], *layers, ("Flatten", {}),
                 ("Dense", {"units": 3, "activation": "softmax"}))
    from nnplayground.engine import check_graph
    if not check_graph(spec).ok:
        return
    n = data.draw(st.integers(1, 12))
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    x = rng.normal(size=(n, c, side, side)).astype(np.float32)
    y = rng.integers(0, 3, n)
    model, loss = build_model(spec, seed=1), make_loss("cross_entropy")
    value, _ = model.forward_backward(x, y, loss)
    fast_grads = {k: v.copy() for k, v in model.grads.items()}
    ref_value, _ = model.forward_backward(x, y, loss, reference=True)
    assert value == pytest.approx(ref_value, rel=1e-5)
    for key, g in model.grads.items():
        np.testing.assert_allclose(fast_grads[key], g, rtol=1e-4,
                                   atol=1e-5 * max(1.0, float(np.abs(g).max())),
                                   err_msg=str(key))


@SETTINGS
@given(data=st.data())
def test_predict_through_the_kernels_equals_the_reference_layers(engine_threads, data):
    """Batch inference (`predict`) runs the training kernels with training=False: random conv
    nets with batch normalisation and dropout give what `forward`'s reference layers give (to
    float32 rounding), batch sizes, eval batch sizes and thread counts varied."""
    engine_threads(data.draw(st.sampled_from([1, 2])))
    c, side = data.draw(st.integers(1, 3)), data.draw(st.integers(6, 12))
    layers = []
    for _ in range(data.draw(st.integers(1, 2))):
        layers.append(("Conv2D", {"filters": data.draw(st.integers(1, 12)),
                                  "kernel": data.draw(st.integers(1, 3)),
                                  "padding": data.draw(st.integers(0, 1)),
                                  "activation": data.draw(st.sampled_from(["relu", "identity",
                                                                           "tanh"]))}))
        layers.append(("MaxPool2D", {"size": data.draw(st.integers(1, 2))}))
        if data.draw(st.booleans()):
            layers.append(("BatchNorm", {}))
    spec = chain([c, side, side], *layers, ("Flatten", {}),
                 ("Dense", {"units": data.draw(st.sampled_from([4, 300])),
                            "activation": "relu"}),
                 ("Dropout", {"rate": 0.5}),
                 ("Dense", {"units": 3, "activation": "softmax"}))
    from nnplayground.engine import check_graph
    if not check_graph(spec).ok:
        return
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    model = build_model(spec, seed=1)
    for layer in model.layers.values():       # BatchNorm's running statistics, not 0 and 1
        for buffer in layer.buffers.values():
            buffer[...] = rng.uniform(0.5, 2.0, buffer.shape)
    x = rng.normal(size=(data.draw(st.integers(1, 12)), c, side, side)).astype(np.float32)
    reference = model.forward(x)
    predicted = model.predict(x, batch_size=data.draw(st.integers(1, 12)))
    assert predicted.dtype == reference.dtype
    np.testing.assert_allclose(predicted, reference, rtol=1e-5, atol=1e-6)


def test_predict_runs_the_training_kernels_and_forward_the_layers(monkeypatch):
    """Evaluation takes the fast path; the views' `forward_all` keeps the reference layers."""
    model = build_model(MNIST_CNN, seed=0)
    called = []
    layers = list(model.layers.values())
    for kernel in model.training_kernels.values():
        if any(kernel is layer for layer in layers):
            continue
        monkeypatch.setattr(kernel, "forward", lambda x, training, f=kernel.forward, k=kernel:
                            called.append(type(k).__name__) or f(x, training))
    model.forward_all(np.zeros((2, 1, 28, 28), np.float32))
    assert called == []
    model.predict(np.zeros((2, 1, 28, 28), np.float32))
    assert {"ConvMaxPool2x2", "ConvReLUMaxPool"} <= set(called)


def test_a_large_dense_layer_trains_split_and_a_tiny_one_with_its_layer():
    mlp = build_model(chain([784], ("Dense", {"units": 256, "activation": "sigmoid"}),
                            ("Dense", {"units": 10, "activation": "softmax"})))
    assert isinstance(mlp.training_kernels["n0"], DenseParts)
    assert mlp.training_kernels["n1"] is mlp.layers["n1"]          # the output
    xor = build_model(chain([2], ("Dense", {"units": 4, "activation": "tanh"}),
                            ("Dense", {"units": 1, "activation": "sigmoid"})))
    assert xor.training_kernels["n0"] is xor.layers["n0"]
    assert not xor._holds_blas and mlp._holds_blas


@pytest.mark.parametrize("batch", [1, 32, 100])
def test_an_mlp_training_step_equals_the_reference_layers_step(engine_threads, batch):
    engine_threads(2)
    spec = chain([784], ("Dense", {"units": 256, "activation": "sigmoid"}),
                 ("Dense", {"units": 128, "activation": "relu"}),
                 ("Dense", {"units": 10, "activation": "softmax"}))
    rng = np.random.default_rng(batch)
    x = rng.random((batch, 784), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    model, loss = build_model(spec, seed=3), make_loss("cross_entropy")
    value, _ = model.forward_backward(x, y, loss)
    fast_grads = {k: v.copy() for k, v in model.grads.items()}
    assert value == pytest.approx(model.forward_backward(x, y, loss, reference=True)[0],
                                  rel=1e-6)
    for key, g in model.grads.items():
        np.testing.assert_allclose(fast_grads[key], g, rtol=1e-5,
                                   atol=1e-6 * max(1.0, float(np.abs(g).max())),
                                   err_msg=str(key))


def test_the_model_hands_out_each_parameters_slice():
    model = build_model(MNIST_CNN, seed=0)
    packed = model.packed
    assert [key for key, _ in packed.slices] == list(model.params)
    for key, where in packed.slices:
        p, g = model.params[key], model.grads[key]
        assert np.shares_memory(p, packed.params) and np.shares_memory(g, packed.grads)
        np.testing.assert_array_equal(packed.params[where], p.reshape(-1))
        packed.grads[where] = 7.0
        assert (g == 7.0).all()


# ---------------------------------------------------------------- what a student reads

STUDENT_MODULES = ["layers.base", "layers.dense", "layers.conv", "layers.pool",
                   "layers.batchnorm", "layers.dropout", "layers.activation", "layers.merge",
                   "layers.shape", "activations", "losses", "optimizers"]


@pytest.mark.parametrize("name", STUDENT_MODULES)
def test_a_reference_module_has_no_threads_batch_parts_or_fusion(name):
    import importlib

    module = importlib.import_module(f"nnplayground.engine.{name}")
    imported = {getattr(v, "__name__", "") for v in vars(module).values()
                if inspect.ismodule(v)}
    imported |= {getattr(v, "__module__", "") or "" for v in vars(module).values()
                 if inspect.isclass(v) or inspect.isfunction(v)}
    assert not {m for m in imported if m.startswith(("nnplayground.engine.fast", "threading",
                                                     "concurrent", "threadpoolctl"))}
    source = inspect.getsource(module).lower()
    for word in ("thread", "batch_parts", "over_parts", "over_channels", "fuse_pool",
                 "defer_relu", "relu_after", "fused_into"):
        assert word not in source, f"{name} mentions {word!r}"


def test_every_training_kernel_is_tested_here():
    kernels = {obj for module in (fast.conv, fast.pool, fast.conv_pool, fast.dense)
               for obj in vars(module).values()
               if inspect.isclass(obj) and obj.__module__ == module.__name__}
    source = inspect.getsource(inspect.getmodule(test_every_training_kernel_is_tested_here))
    assert kernels and all(k.__name__ in source for k in kernels)
