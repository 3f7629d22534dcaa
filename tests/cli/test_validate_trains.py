"""`validate` says ok only for what will train (issue 11): it loads the data, builds the network
against it, checks the batch fits in memory, loads a model's weights and takes one step, and
checks a lesson the way the GUI does. Each case here was "ok" before while train or the GUI
refused it."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from nnplayground.cli import main
from nnplayground.presets import builtin_presets, load_builtin


def _file_preset(folder, csv_text, **dataset):
    (folder / "points.csv").write_text(csv_text)
    doc = copy.deepcopy(load_builtin("xor"))
    doc["dataset"] = {"kind": "file", "path": "points.csv", "task": "classification", **dataset}
    path = folder / "mine.json"
    path.write_text(json.dumps(doc))
    return path


GOOD_ROWS = "".join(f"{a / 10},{b / 10},{int(a * b > 0)}\n"
                    for a in range(-3, 4) for b in range(-3, 4))


def _validate(path, capsys):
    code = main(["validate", str(path)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("csv_text, named", [
    ("x1,x2,label\n" + GOOD_ROWS + "0.5,0.5,1000000000\n", "label 1000000000 needs"),
    ("x1,x2,x3,label\n" + "".join(f"{i},{i},{i},{i % 2}\n" for i in range(20)),
     "model.nodes[0].params.shape"),
    ("x1,x2,label\n" + GOOD_ROWS + "1e308,0.5,1\n", "1e308 is beyond"),
])
def test_validate_refuses_data_that_train_refuses(tmp_path, capsys, csv_text, named):
    path = _file_preset(tmp_path, csv_text)
    code, out, err = _validate(path, capsys)
    assert code == 2 and out == "", err
    assert named in err and "Traceback" not in err
    assert main(["train", str(path), "--epochs", "1"]) != 0


@pytest.mark.parametrize("field, value, named", [
    ("dataset.seed", 3.0, "dataset.seed: must be an integer"),
    ("training.epochs", 1e308, "training.epochs: must be an integer >= 0, got 1e+308"),
    ("training.seed", 2 ** 70, "training.seed: must be an integer from 0 to 2**63 - 1"),
])
def test_whole_numbers_written_as_floats_or_too_large_are_refused(tmp_path, capsys, field,
                                                                  value, named):
    doc = load_builtin("xor")
    part, key = field.split(".")
    doc[part][key] = value
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc))
    code, _, err = _validate(path, capsys)
    assert code == 2 and named in err


def test_validate_refuses_a_batch_that_does_not_fit_in_memory(tmp_path, capsys, monkeypatch):
    from nnplayground import experiment
    monkeypatch.setattr(experiment, "available_memory", lambda: 2 ** 30)
    doc = load_builtin("mnist-cnn")
    next(n for n in doc["model"]["nodes"] if n["type"] == "Conv2D")["params"]["padding"] = 300
    path = tmp_path / "padded.json"
    path.write_text(json.dumps(doc))
    code, _, err = _validate(path, capsys)
    assert code == 2 and "training.batch_size: training in batches of" in err


def test_validate_refuses_a_model_file_holding_nan(tmp_path, capsys):
    from nnplayground.engine import build_model
    from nnplayground.presets import save_model
    doc = load_builtin("xor")
    model = build_model(doc["model"], seed=0)
    model.layers["out"].params["b"][:] = np.inf
    save_model(tmp_path / "m.npz", doc, model)
    code, _, err = _validate(tmp_path / "m.npz", capsys)
    assert code == 2 and "params/out/b: holds 1 NaN or infinite value(s)" in err


def test_validate_refuses_a_preset_that_diverges_at_once(tmp_path, capsys):
    doc = load_builtin("xor")
    doc["regularization"] = {"l1": 0.0, "l2": 1e30}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc))
    code, _, err = _validate(path, capsys)
    assert code == 2 and "training: Training diverged at step 1" in err
    assert "Likely cause: the regularisation" in err


def test_validate_checks_a_lesson_as_the_gui_does(tmp_path, capsys):
    from nnplayground.lessons import catalog as C
    lesson = C.load_lesson(7)
    lesson["lesson"]["steps"][0]["changes"]["model.nodes.nope.params.units"] = 3
    path = tmp_path / "lesson.json"
    path.write_text(json.dumps(lesson))
    code, _, err = _validate(path, capsys)
    assert code == 2 and "nope" in err
    assert C.lesson_problems(lesson)                  # what the GUI refuses it with


@pytest.mark.parametrize("info", builtin_presets(), ids=lambda info: info.name)
def test_every_builtin_validates_ok(info, capsys):
    code, out, err = _validate(info.path, capsys)
    assert code == 0, err
    assert out.startswith(f"ok: {info.path}: preset ")


def _lesson_files():
    from nnplayground.lessons import catalog as C
    return [info.path for info in C.list_lessons()]


@pytest.mark.parametrize("path", _lesson_files(), ids=lambda path: path.stem)
def test_every_bundled_lesson_validates_ok(path, capsys):
    code, out, err = _validate(path, capsys)
    assert code == 0, err
    assert out.startswith(f"ok: {path}: preset 'Lesson ")
