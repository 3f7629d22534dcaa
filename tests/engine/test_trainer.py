"""The trainer's behaviour: learning, determinism, live changes, penalties, divergence."""

import numpy as np
import pytest

from nnplayground.engine import DivergenceError, Trainer, build_model, make_optimizer
from nnplayground.engine.metrics import accuracy, confusion_matrix


def mlp(n_in, hidden, n_out, out_activation, activation="tanh", dropout=None):
    nodes = [{"id": "x", "type": "Input", "params": {"shape": [n_in]}, "inputs": []}]
    prev = "x"
    for i, units in enumerate(hidden):
        nodes.append({"id": f"h{i}", "type": "Dense", "inputs": [prev],
                      "params": {"units": units, "activation": activation}})
        prev = f"h{i}"
        if dropout:
            nodes.append({"id": f"d{i}", "type": "Dropout", "inputs": [prev],
                          "params": {"rate": dropout}})
            prev = f"d{i}"
    nodes.append({"id": "out", "type": "Dense", "inputs": [prev],
                  "params": {"units": n_out, "activation": out_activation}})
    return {"nodes": nodes, "output": "out"}


def blobs(n=120, seed=0):
    """Three Gaussian blobs in 2-D: a small classification set."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centres = np.array([[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]])
    x = (centres[y] + rng.normal(0, 0.7, (n, 2))).astype(np.float32)
    return x, y.astype(np.int64)


def make_trainer(seed=0, optimizer=None, dropout=None, **kw):
    x, y = blobs()
    model = build_model(mlp(2, [8, 8], 3, "softmax", dropout=dropout), seed=seed)
    opt = make_optimizer(optimizer or {"type": "adam", "lr": 0.01})
    kw.setdefault("batch_size", 16)
    return Trainer(model, "cross_entropy", opt, x[:90], y[:90], x[90:], y[90:],
                   task="classification", seed=seed, **kw)


def test_mlp_learns_xor_to_100_percent():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    y = np.array([0, 1, 1, 0])
    model = build_model(mlp(2, [4], 1, "sigmoid"), seed=1)
    trainer = Trainer(model, "binary_cross_entropy", make_optimizer({"type": "adam", "lr": 0.05}),
                      x, y, x, y, task="classification", batch_size=4, seed=0)
    trainer.fit(400)
    result = trainer.evaluate("train")
    assert result["accuracy"] == 1.0
    assert result["loss"] < 0.1
    np.testing.assert_array_equal(result["confusion"], [[2, 0], [0, 2]])
    assert len(trainer.history.epochs) == 400 and len(trainer.history.steps) == 400
    assert trainer.history.epochs[-1]["test_accuracy"] == 1.0


def _without_seconds(epochs):
    return [{k: v for k, v in e.items() if k != "seconds"} for e in epochs]


def test_same_seed_gives_a_bit_identical_history():
    runs = []
    for _ in range(2):
        trainer = make_trainer(seed=3, dropout=0.2, l2=1e-3)
        trainer.fit(3)
        runs.append(trainer)
    a, b = runs
    assert a.history.steps == b.history.steps        # exact float equality, every step
    assert _without_seconds(a.history.epochs) == _without_seconds(b.history.epochs)
    assert all(e["seconds"] >= 0 for e in a.history.epochs)
    sa, sb = a.model.state_dict(), b.model.state_dict()
    assert all(np.array_equal(sa[k], sb[k]) for k in sa)
    other = make_trainer(seed=4, dropout=0.2, l2=1e-3)
    other.fit(3)
    assert other.history.steps != a.history.steps


@pytest.mark.parametrize("kind", ["sgd", "adam"])
def test_the_packed_update_gives_the_same_bits_as_one_update_per_parameter(kind):
    """A Model keeps its parameters in one flat array so the optimizer updates a whole
    network at once (xor's step: 49 -> 39 us); it must train exactly as per-array updates."""
    packed = make_trainer(seed=5, optimizer={"type": kind, "lr": 0.01}, l1=1e-3)
    per_array = make_trainer(seed=5, optimizer={"type": kind, "lr": 0.01}, l1=1e-3)
    # the same optimizer handed one array per parameter instead
    per_array._packed = (dict(per_array.model.params), dict(per_array.model.grads), None)
    packed.fit(2)
    per_array.fit(2)
    assert packed.history.steps == per_array.history.steps
    sa, sb = packed.model.state_dict(), per_array.model.state_dict()
    assert all(np.array_equal(sa[k], sb[k]) for k in sa)
    # the packed run really was packed: every layer array is a view of the one flat array,
    # and the optimizer kept one state for all of them
    model = packed.model
    assert all(np.shares_memory(p, model.packed.params) for p in model.params.values())
    assert all(np.shares_memory(g, model.packed.grads) for g in model.grads.values())
    assert list(packed.optimizer.state) == ["all parameters"]
    assert ("h0", "W") in per_array.optimizer.state


def test_steps_epochs_and_records():
    trainer = make_trainer(batch_size=32)             # 90 samples -> 32 + 32 + 26
    results = [trainer.step() for _ in range(3)]
    assert [r.step for r in results] == [1, 2, 3]
    assert [r.epoch_done for r in results] == [False, False, True]
    assert [r.epoch for r in results] == [0, 0, 1]
    assert all(isinstance(r.loss, float) for r in results)
    assert trainer.history.steps == [(r.step, r.loss) for r in results]
    record = trainer.finish_epoch()
    assert set(record) == {"epoch", "train_loss", "train_accuracy", "test_loss",
                           "test_accuracy", "seconds"}
    assert record["epoch"] == 1 and trainer.history.epochs == [record]
    record2 = trainer.run_epoch()
    assert record2["epoch"] == 2 and len(trainer.history.steps) == 6


def test_epoch_evaluation_in_slices_gives_the_same_record_as_finish_epoch():
    whole, sliced = make_trainer(eval_batch_size=7), make_trainer(eval_batch_size=7)
    whole.run_epoch()
    while not sliced.step().epoch_done:
        pass
    evaluation = sliced.epoch_evaluation()
    advances = 1
    while not evaluation.advance():
        advances += 1
        assert sliced.history.epochs == []            # nothing recorded half-way
    assert advances == 13 + 5 + 1                     # ceil(90/7) + ceil(30/7) batches, record
    expected = dict(whole.history.epochs[0], seconds=None)
    assert dict(evaluation.record, seconds=None) == expected
    assert sliced.history.epochs == [evaluation.record]
    assert sliced.epoch_evaluation() is not evaluation  # the next epoch gets a fresh one


def test_a_step_finishes_the_pending_evaluation_first():
    trainer = make_trainer()
    while not trainer.step().epoch_done:
        pass
    evaluation = trainer.epoch_evaluation()
    evaluation.advance()
    assert trainer.epoch_evaluation() is evaluation    # asked twice: still one record
    weights = trainer.model.state_dict()
    trainer.step()
    assert evaluation.done and [r["epoch"] for r in trainer.history.epochs] == [1]
    reference = make_trainer()
    reference.run_epoch()                              # evaluated before the step changed W
    assert evaluation.record["train_loss"] == reference.history.epochs[0]["train_loss"]
    assert not all(np.array_equal(w, trainer.model.state_dict()[k]) for k, w in weights.items())


def test_live_batch_size_change_takes_effect_at_the_next_step(monkeypatch):
    trainer = make_trainer(batch_size=10)
    seen = []
    original = trainer.model.forward_backward

    def spy(x, y, loss):
        seen.append(x.copy())
        return original(x, y, loss)

    monkeypatch.setattr(trainer.model, "forward_backward", spy)
    assert not trainer.step().epoch_done and not trainer.step().epoch_done
    trainer.batch_size = 30
    done = [trainer.step().epoch_done for _ in range(3)]     # 20 seen, then 30, 30, 10
    assert [len(b) for b in seen] == [10, 10, 30, 30, 10]
    assert done == [False, False, True]
    # every training sample exactly once in the epoch
    epoch = np.concatenate(seen)
    rows = {tuple(r) for r in epoch}
    assert len(epoch) == 90 and rows == {tuple(r) for r in trainer.x_train}
    for bad in (0, 2.5, "10", None, True):
        with pytest.raises(ValueError, match="batch_size: must be a positive integer"):
            trainer.batch_size = bad
    assert trainer.batch_size == 30


def _one_step_grads(l1=0.0, l2=0.0):
    trainer = make_trainer(optimizer={"type": "sgd", "lr": 0.1}, l1=l1, l2=l2)
    w0 = trainer.model.layers["h0"].params["W"].copy()
    loss = trainer.step().loss
    grads = {k: v.copy() for k, v in trainer.model.layers["h0"].grads.items()}
    return w0, loss, grads, trainer.model.layers["h0"].params["W"].copy()


def test_l2_and_l1_change_the_weight_gradients_and_the_loss():
    w0, loss0, g0, w_after0 = _one_step_grads()
    all_weights = 0.0
    trainer = make_trainer()
    for node in ("h0", "h1", "out"):
        w = trainer.model.layers[node].params["W"]
        all_weights += float((w.astype(np.float64) ** 2).sum())

    _, loss2, g2, w_after2 = _one_step_grads(l2=0.1)
    np.testing.assert_allclose(g2["W"], g0["W"] + 0.1 * w0, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(g2["b"], g0["b"])           # biases are not penalised
    assert loss2 == pytest.approx(loss0 + 0.5 * 0.1 * all_weights, rel=1e-5)
    np.testing.assert_allclose(w_after2, w_after0 - 0.1 * 0.1 * w0, rtol=1e-5, atol=1e-7)

    _, loss1, g1, _ = _one_step_grads(l1=0.01)
    np.testing.assert_allclose(g1["W"], g0["W"] + 0.01 * np.sign(w0), rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(g1["b"], g0["b"])
    assert loss1 > loss0

    with pytest.raises(ValueError, match="l2: must be a number >= 0"):
        make_trainer(l2=-1)


def _train_until_divergence(trainer, max_steps=200):
    """Step, saving the state before each step, until DivergenceError; return both."""
    for _ in range(max_steps):
        before = trainer.model.state_dict()
        try:
            trainer.step()
        except DivergenceError as exc:
            return exc, before
    pytest.fail("training with a huge learning rate did not diverge")


@pytest.mark.parametrize("lr", [1e38, 1e12])
def test_divergence_restores_the_last_finite_parameters(lr):
    x = np.linspace(-1, 1, 64, dtype=np.float32)[:, None]
    model = build_model(mlp(1, [16], 1, "identity", activation="relu"), seed=0)
    trainer = Trainer(model, "mse", make_optimizer({"type": "sgd", "lr": lr}), x, 3 * x,
                      task="regression", batch_size=8, seed=0)
    exc, before = _train_until_divergence(trainer)
    assert exc.step == len(trainer.history.steps) + 1
    assert f"step {exc.step}" in str(exc) and f"learning rate {lr:g}" in str(exc)
    assert f"try {lr / 10:g}" in str(exc)
    after = trainer.model.state_dict()
    for key, value in before.items():
        assert np.all(np.isfinite(after[key])), key
        np.testing.assert_array_equal(after[key], value, err_msg=key)
    assert trainer.steps_done == exc.step - 1
    # the model stays usable, and the failed step can be retried (same batch, same number)
    assert set(trainer.evaluate("train")) == {"loss", "rmse", "r2"}
    with pytest.raises(DivergenceError) as again:
        trainer.step()
    assert again.value.step == exc.step


def test_a_huge_lr_diverges_on_the_first_step_and_reports_it():
    trainer = make_trainer(optimizer={"type": "sgd", "lr": 1e300})
    before = trainer.model.state_dict()
    with pytest.raises(DivergenceError, match=r"diverged at step 1: the update of h0/W became "
                                              r"infinite or NaN\. The learning rate 1e\+300"):
        trainer.step()
    assert trainer.history.steps == [] and trainer.steps_done == 0
    after = trainer.model.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_a_packed_update_that_only_overflows_blames_the_largest_part():
    """Every update finite, only their sum of squares overflows (|d| > 1e19 in float32): the
    packed path must name the parameter with the huge update, as the per-array path does."""
    trainer = make_trainer(optimizer={"type": "sgd", "lr": 1.0})
    model = trainer.model
    model.packed.grads[...] = 0.01
    model.grads[("h1", "W")][0, 0] = 1e20
    assert trainer.optimizer.guarded_step(*trainer._packed) == ("h1", "W")
    per_array = make_optimizer({"type": "sgd", "lr": 1.0})
    assert per_array.guarded_step(dict(model.params), dict(model.grads)) == ("h1", "W")


def test_evaluate_is_batched_and_matches_one_big_batch():
    trainer = make_trainer(eval_batch_size=7)
    trainer.fit(2)
    small = trainer.evaluate("test")
    trainer.eval_batch_size = 1000
    big = trainer.evaluate("test")
    assert small["accuracy"] == big["accuracy"]
    assert small["loss"] == pytest.approx(big["loss"], rel=1e-6)
    np.testing.assert_array_equal(small["confusion"], big["confusion"])
    assert small["confusion"].shape == (3, 3) and small["confusion"].sum() == 30
    out = trainer.model.predict(trainer.x_test)
    assert small["accuracy"] == accuracy(trainer.y_test, out)
    np.testing.assert_array_equal(small["confusion"], confusion_matrix(trainer.y_test, out, 3))
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        trainer.evaluate("validation")


def test_regression_records_rmse_and_r2():
    x = np.linspace(-1, 1, 80, dtype=np.float32)[:, None]
    y = np.sin(3 * x)
    model = build_model(mlp(1, [16], 1, "identity"), seed=0)
    trainer = Trainer(model, "mse", make_optimizer({"type": "adam", "lr": 0.02}),
                      x[::2], y[::2], x[1::2], y[1::2], batch_size=8, seed=0)
    assert trainer.task == "regression"
    trainer.fit(60)
    record = trainer.history.epochs[-1]
    assert set(record) == {"epoch", "train_loss", "train_rmse", "train_r2", "test_loss",
                           "test_rmse", "test_r2", "seconds"}
    assert record["test_r2"] > 0.9
    assert record["test_rmse"] == pytest.approx(np.sqrt(record["test_loss"]), rel=1e-5)


def test_fit_callback_can_stop_early():
    trainer = make_trainer()
    seen = []
    trainer.fit(10, callback=lambda record: seen.append(record["epoch"]) or len(seen) < 2)
    assert seen == [1, 2] and len(trainer.history.epochs) == 2


def test_mismatches_are_reported_with_the_fix():
    x, y = blobs()
    model = build_model(mlp(2, [4], 3, "softmax"), seed=0)
    opt = make_optimizer({"type": "sgd", "lr": 0.1})
    with pytest.raises(ValueError, match="binary_cross_entropy needs the output node"):
        Trainer(model, "binary_cross_entropy", opt, x, y)
    with pytest.raises(ValueError, match="label 3 needs at least 4 output units"):
        Trainer(model, "cross_entropy", opt, x, y + 1)
    with pytest.raises(ValueError, match="class labels must be >= 0, got -1"):
        Trainer(model, "cross_entropy", opt, x, y - 1)
    bad = x.copy()
    bad[7, 1] = np.nan
    with pytest.raises(ValueError, match="x_train: sample 7 holds NaN or infinite values"):
        Trainer(model, "cross_entropy", opt, bad, y)
    with pytest.raises(ValueError, match="x_train has 120 samples but y_train has 60"):
        Trainer(model, "cross_entropy", opt, x, y[:60])
    with pytest.raises(ValueError, match=r"samples of shape \(3,\) do not fit the input"):
        Trainer(model, "cross_entropy", opt, np.zeros((5, 3), np.float32), y[:5])


def test_divergence_also_restores_batchnorm_statistics():
    x, y = blobs()
    spec = mlp(2, [8], 3, "softmax")
    spec["nodes"].insert(2, {"id": "bn", "type": "BatchNorm", "params": {}, "inputs": ["h0"]})
    spec["nodes"][-1]["inputs"] = ["bn"]
    trainer = Trainer(build_model(spec, seed=0), "cross_entropy",
                      make_optimizer({"type": "momentum", "lr": 0.1}), x, y, batch_size=16)
    trainer.step()
    trainer.optimizer.lr = 1e300
    before = trainer.model.state_dict()
    assert "bn/running_mean" in before
    with pytest.raises(DivergenceError, match="at step 2"):
        trainer.step()
    after = trainer.model.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)
    assert trainer.optimizer.state == {}             # poisoned moments are dropped


def test_penalties_are_checked_when_set_and_read_back():
    trainer = make_trainer(l1=0.25)
    trainer.l2 = 1e-4
    assert (trainer.l1, trainer.l2) == (0.25, 1e-4)
    for bad in (-1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=r"l2: must be a number >= 0 \(0 turns it off\)"):
            trainer.l2 = bad
    assert trainer.l2 == 1e-4                           # a refused value changes nothing
