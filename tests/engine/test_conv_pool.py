"""A convolution fused with the 2x2 max-pool that alone reads it (training only) must train
like the separate layers: same outputs, gradients equal up to float32 summation order."""

import numpy as np
import pytest

from nnplayground.engine import build_model, make_loss

from engine_graphs import MNIST_CNN, chain


def unfused(model):
    """Switch every training shortcut off: the textbook layer-by-layer path."""
    for layer in model.layers.values():
        for flag in ("fuse_pool", "fused_into_conv", "defer_relu", "relu_after"):
            if getattr(layer, flag, False):
                setattr(layer, flag, False)
    return model


def test_mnist_cnn_fuses_its_first_convolution_only():
    model = build_model(MNIST_CNN, seed=0)
    first, pool1, second, pool2 = (model.layers[f"n{k}"] for k in range(4))
    assert first.fuse_pool and pool1.fused_into_conv
    # 16 channels x 3 x 3 = 144 im2col rows for 32 filters: the reordered gather would cost
    # more than the pool saves, so the second keeps the cheaper shortcut of the ReLU after
    assert not second.fuse_pool and second.defer_relu and pool2.relu_after


@pytest.mark.parametrize("activation", ["relu", "identity"])
@pytest.mark.parametrize("stride,padding,first", [(1, 1, True), (1, 1, False), (2, 0, False),
                                                  (1, 0, True)])
def test_fused_training_matches_the_separate_layers(activation, stride, padding, first):
    before = [] if first else [("Activation", {"function": "identity"})]   # then dx is needed
    spec = chain([1, 13, 13], *before,
                 ("Conv2D", {"filters": 12, "kernel": 3, "stride": stride, "padding": padding,
                             "activation": activation}),
                 ("MaxPool2D", {}), ("Flatten", {}),
                 ("Dense", {"units": 3, "activation": "softmax"}))
    rng = np.random.default_rng(3)
    x = rng.normal(size=(10, 1, 13, 13)).astype(np.float32)
    x[:4] = 0.0                       # blank images: every window a tie, maxima of exactly b
    y = rng.integers(0, 3, 10)
    fused, plain = build_model(spec, seed=2), unfused(build_model(spec, seed=2))
    conv_id = "n1" if before else "n0"
    h = (13 + 2 * padding - 3) // stride + 1
    if h % 2:
        assert not fused.layers[conv_id].fuse_pool     # odd maps are not fused
        return
    assert fused.layers[conv_id].fuse_pool
    loss = make_loss("cross_entropy")
    for _ in range(3):                                  # a few SGD steps, in step together
        values = [m.forward_backward(x, y, loss)[0] for m in (fused, plain)]
        assert values[0] == pytest.approx(values[1], rel=1e-6)
        for key in fused.grads:
            np.testing.assert_allclose(fused.grads[key], plain.grads[key], rtol=1e-5,
                                       atol=1e-6, err_msg=str(key))
        for m in (fused, plain):
            for key, p in m.params.items():
                p -= 0.3 * m.grads[key]
    # inference is never fused: the convolution node shows its full-size output
    out = fused.forward_all(x)[conv_id]
    assert out.shape[2] == h
    np.testing.assert_allclose(out, plain.forward_all(x)[conv_id], rtol=1e-6, atol=1e-6)


def test_fused_input_gradient_matches(monkeypatch):
    """d loss / d input through a fused convolution (not the first layer) equals the
    textbook path's."""
    spec = chain([2, 10, 10], ("Conv2D", {"filters": 24, "kernel": 3, "padding": 1,
                                          "activation": "relu"}),
                 ("MaxPool2D", {}), ("Flatten", {}),
                 ("Dense", {"units": 2, "activation": "softmax"}))
    rng = np.random.default_rng(5)
    x = rng.normal(size=(6, 2, 10, 10)).astype(np.float32)
    dy = rng.normal(size=(6, 2)).astype(np.float32)
    results = []
    for model in (build_model(spec, seed=1), unfused(build_model(spec, seed=1))):
        conv = model.layers["n0"]
        conv.needs_input_grad = True
        captured = {}
        original = type(conv).backward

        def spy(self, d, original=original, captured=captured):
            captured["dx"] = original(self, d)
            return captured["dx"]
        monkeypatch.setattr(type(conv), "backward", spy)
        model._forward(x, True)
        model._backward(dy, True)
        monkeypatch.undo()
        results.append(captured["dx"])
    assert build_model(spec, seed=1).layers["n0"].fuse_pool
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-6)
