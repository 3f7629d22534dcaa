"""Back-propagation step by step: the walk-through's numbers are the engine's own."""

import numpy as np
import pytest

from nnplayground.engine import Trainer, build_model, make_loss, make_optimizer
from nnplayground.engine.backprop import steppable_problem, walkthrough

XOR_221 = {"nodes": [
    {"id": "x", "type": "Input", "params": {"shape": [2]}, "inputs": []},
    {"id": "h", "type": "Dense", "params": {"units": 2, "activation": "sigmoid"},
     "inputs": ["x"]},
    {"id": "out", "type": "Dense", "params": {"units": 1, "activation": "sigmoid"},
     "inputs": ["h"]}], "output": "out"}

TWO_HIDDEN = {"nodes": [
    {"id": "x", "type": "Input", "params": {"shape": [3]}, "inputs": []},
    {"id": "h1", "type": "Dense", "params": {"units": 5, "activation": "tanh"},
     "inputs": ["x"]},
    {"id": "h2", "type": "Dense", "params": {"units": 4, "activation": "relu", "bias_init": 0.1},
     "inputs": ["h1"]},
    {"id": "out", "type": "Dense", "params": {"units": 3, "activation": "softmax"},
     "inputs": ["h2"]}], "output": "out"}

CASES = {
    "2-2-1 sigmoid, binary cross-entropy": (XOR_221, "binary_cross_entropy",
                                            np.array([[1.0, 0.0]]), np.array([1])),
    "3-5-4-3 softmax, cross-entropy": (TWO_HIDDEN, "cross_entropy",
                                       np.array([[0.5, -1.0, 2.0]]), np.array([2])),
    "2-2-1 sigmoid, mean squared error": (XOR_221, "mse", np.array([[0.0, 1.0]]),
                                          np.array([[1.0]])),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_steps_equal_the_engines_forward_gradients_and_sgd_step(case):
    spec, loss_name, x, y = CASES[case]
    x = x.astype(np.float32)
    y = y.astype(np.float32) if y.ndim == 2 else y
    model = build_model(spec, seed=1)
    loss = make_loss(loss_name)
    state = model.state_dict()
    stages = walkthrough(model, loss, x, y, lr=0.5)
    assert all(np.array_equal(v, model.state_dict()[k]) for k, v in state.items()), \
        "the model itself is not touched"
    kinds = [s.kind for s in stages]
    dense = [n for n in model.order if model.types[n] == "Dense"]
    assert kinds == ["forward"] * len(dense) + ["loss"] + ["backward"] * len(dense) + \
        ["update"] * len(dense)

    # forward: the engine's forward values (forward_all), unit by unit
    values = model.forward_all(x)
    for stage in stages[:len(dense)]:
        layer = model.layers[stage.node_id]
        np.testing.assert_allclose(stage.arrays["y"], values[stage.node_id][0], rtol=1e-6)
        np.testing.assert_allclose(stage.arrays["z"], x_in(values, model, stage.node_id)
                                   @ layer.params["W"] + layer.params["b"], rtol=1e-5,
                                   atol=1e-6)
    loss_stage = stages[len(dense)]
    # backward: the gradients forward_backward fills in (the training kernels)
    engine_loss, _ = model.forward_backward(x, y, loss)
    assert loss_stage.loss == pytest.approx(engine_loss, rel=1e-6)
    for stage in stages[len(dense) + 1:2 * len(dense) + 1]:
        layer = model.layers[stage.node_id]
        np.testing.assert_allclose(stage.arrays["dW"], layer.grads["W"], rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(stage.arrays["db"], layer.grads["b"], rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(stage.arrays["db"], stage.arrays["delta"], rtol=1e-6)

    # update: one SGD step of the trainer on that one sample
    trainer = Trainer(model, loss=loss_name, optimizer=make_optimizer({"type": "sgd",
                                                                        "lr": 0.5}),
                      x_train=x, y_train=y, x_test=x, y_test=y,
                      task="regression" if y.ndim == 2 else "classification", batch_size=1)
    trainer.step()
    for stage in stages[2 * len(dense) + 1:]:
        layer = model.layers[stage.node_id]
        np.testing.assert_allclose(stage.arrays["W_after"], layer.params["W"], rtol=1e-6,
                                   atol=1e-7)
        np.testing.assert_allclose(stage.arrays["b_after"], layer.params["b"], rtol=1e-6,
                                   atol=1e-7)
    assert stages[-1].loss < loss_stage.loss     # the update lowered the loss on the sample


def x_in(values, model, node):
    (source,) = [n["inputs"][0] for n in model.spec["nodes"] if n["id"] == node]
    return values[source][0]


def test_only_small_dense_networks_are_stepped_through():
    assert steppable_problem(build_model(XOR_221)) == ""
    wide = {"nodes": [dict(XOR_221["nodes"][0]),
                      {"id": "h", "type": "Dense", "params": {"units": 64}, "inputs": ["x"]}],
            "output": "h"}
    assert "64 units" in steppable_problem(build_model(wide))
    with pytest.raises(ValueError, match="up to 16 units"):
        walkthrough(build_model(wide), make_loss("mse"), np.zeros((1, 2), np.float32),
                    np.zeros((1, 64), np.float32), 0.1)
