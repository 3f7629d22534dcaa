"""Experiment: a preset made runnable, the same way for the CLI and the GUI worker."""

import copy

import numpy as np
import pytest

from nnplayground.experiment import Experiment
from nnplayground.presets import PresetError, load_builtin

TINY = {
    "format": "nnplayground-preset", "version": 1, "name": "Tiny",
    "dataset": {"kind": "circle", "n_samples": 200, "seed": 3},
    "model": {"nodes": [
        {"id": "x", "type": "Input", "params": {"shape": [2]}, "inputs": []},
        {"id": "h", "type": "Dense", "params": {"units": 6, "activation": "tanh"}, "inputs": ["x"]},
        {"id": "out", "type": "Dense", "params": {"units": 1, "activation": "sigmoid"},
         "inputs": ["h"]}]},
    "loss": "binary_cross_entropy",
    "optimizer": {"type": "adam", "lr": 0.02},
    "regularization": {"l2": 1e-4},
    "training": {"batch_size": 16, "epochs": 3, "seed": 5},
}


@pytest.fixture
def doc():
    return copy.deepcopy(TINY)


def weights(model):
    return {k: v.copy() for k, v in model.state_dict().items()}


def test_builds_every_part_from_the_document(doc):
    exp = Experiment.from_preset(doc)
    assert exp.task == "classification" and exp.class_names == ("0", "1")
    assert exp.model.input_shape == (2,) and exp.model.output_shape == (1,)
    assert len(exp.dataset.x_train) == 100 and len(exp.dataset.x_test) == 100
    assert exp.trainer.batch_size == 16 and exp.trainer.l2 == pytest.approx(1e-4)
    assert exp.optimizer.lr == pytest.approx(0.02)
    assert exp.output_id == "out" and exp.epochs == 3


def test_keeps_its_own_copy_of_the_document(doc):
    exp = Experiment.from_preset(doc)
    doc["training"]["epochs"] = 99
    assert exp.epochs == 3


def test_same_preset_same_weights_and_history(doc):
    a, b = Experiment.from_preset(doc), Experiment.from_preset(doc)
    initial = weights(a.model)
    for key, value in initial.items():
        np.testing.assert_array_equal(value, weights(b.model)[key])
    ra, rb = a.fit(), b.fit()
    assert [r["train_loss"] for r in ra] == [r["train_loss"] for r in rb]
    doc["training"]["seed"] = 6
    c = Experiment.from_preset(doc)
    assert not np.array_equal(weights(c.model)["h/W"], initial["h/W"])


def test_fit_runs_the_presets_epochs_or_the_given_number(doc):
    exp = Experiment.from_preset(doc)
    assert [r["epoch"] for r in exp.fit()] == [1, 2, 3]
    assert [r["epoch"] for r in exp.fit(epochs=2)] == [4, 5]
    seen = []
    exp.fit(epochs=10, callback=lambda r: seen.append(r["epoch"]) or len(seen) < 2)
    assert seen == [6, 7]
    assert exp.fit(epochs=0) == []


def test_reset_restores_the_initial_weights(doc):
    exp = Experiment.from_preset(doc)
    before = weights(exp.model)
    exp.fit(epochs=1)
    assert not np.array_equal(weights(exp.model)["h/W"], before["h/W"])
    exp.reset()
    for key, value in before.items():
        np.testing.assert_array_equal(weights(exp.model)[key], value)
    assert exp.trainer.history.epochs == []


def test_invalid_preset_fails_before_loading_anything(doc):
    doc["model"]["nodes"][1]["params"]["units"] = -2
    with pytest.raises(PresetError, match=r"model.nodes\[1\].params.units: must be a positive "
                                          r"integer, got -2"):
        Experiment.from_preset(doc)


def test_input_shape_is_checked_against_a_user_file(tmp_path, doc):
    csv = tmp_path / "points.csv"
    csv.write_text("x1,x2,x3,label\n" + "".join(f"{i},{-i},{i % 3},{i % 2}\n" for i in range(40)))
    doc["dataset"] = {"kind": "file", "path": str(csv), "task": "classification"}
    with pytest.raises(PresetError) as info:
        Experiment.from_preset(doc)
    [problem] = info.value.problems
    assert problem.path == "model.nodes[0].params.shape"
    assert "gives inputs of shape [3] (x1, x2, x3), got [2]" in problem.message
    doc["model"]["nodes"][0]["params"]["shape"] = [3]
    assert Experiment.from_preset(doc).model.input_shape == (3,)


def test_one_dimensional_regression_trains_and_reports_rmse():
    doc = load_builtin("regression-sine")
    exp = Experiment.from_preset(doc)
    assert exp.task == "regression" and exp.class_names == ()
    assert "test_rmse" in exp.fit(epochs=1)[0]
    assert set(exp.result()) == {"loss", "rmse", "r2"}


def test_mnist_preset_on_a_slice_of_the_sample():
    doc = load_builtin("mnist-mlp")
    doc["dataset"].update(source="sample", train_limit=64, test_limit=32)
    exp = Experiment.from_preset(doc)
    assert exp.dataset.x_train.shape == (64, 1, 28, 28)
    assert exp.class_names == tuple("0123456789")


def test_saved_model_reopens_with_identical_predictions(tmp_path, doc):
    exp = Experiment.from_preset(doc)
    exp.fit(epochs=2)
    exp.save_model(tmp_path / "m.npz")
    again = Experiment.from_model_file(tmp_path / "m.npz")
    assert again.doc == exp.doc
    np.testing.assert_array_equal(again.model.predict(exp.dataset.x_test),
                                  exp.model.predict(exp.dataset.x_test))


def test_from_name_takes_builtins_and_paths(tmp_path):
    assert Experiment.from_name("gauss").doc["name"] == "Two Gaussians"
    with pytest.raises(PresetError, match="the built-ins are: xor"):
        Experiment.from_name("gaus")


def test_relative_dataset_path_is_read_beside_the_preset_file(tmp_path, monkeypatch, doc):
    from nnplayground.presets import save_preset

    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, size=(30, 2))
    np.savez(tmp_path / "pts.npz", x=x, y=(x[:, 0] > 0).astype(np.int64))
    doc["dataset"] = {"kind": "file", "path": "pts.npz", "task": "classification"}
    save_preset(doc, tmp_path / "p.json")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    exp = Experiment.from_name(str(tmp_path / "p.json"))
    assert exp.dataset.note.startswith(f"From {tmp_path / 'pts.npz'}")
    exp = Experiment.from_preset(doc, base_dir=tmp_path)
    assert len(exp.dataset.x_train) + len(exp.dataset.x_test) == 30
    with pytest.raises(Exception, match="does not exist"):  # in memory: the current folder
        Experiment.from_preset(doc)
