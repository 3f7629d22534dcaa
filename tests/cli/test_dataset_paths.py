"""A preset shared with its data file: a relative dataset.path is read from the preset's folder,
and `validate` refuses what `train` would refuse (a missing or damaged data file)."""

import copy

import numpy as np
import pytest

from nnplayground.cli import main

POINTS = "x1,x2,label\n" + "".join(
    f"{a:.2f},{b:.2f},{int(a * b > 0)}\n"
    for a, b in np.random.default_rng(0).uniform(-1, 1, size=(40, 2)))


@pytest.fixture
def shared(tmp_path, monkeypatch):
    """class/points.csv and class/lesson.json naming it as "points.csv"; the current folder is
    elsewhere, as for a student who opens the preset from their home folder."""
    from nnplayground.presets import load_builtin, save_preset

    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "points.csv").write_text(POINTS)
    doc = copy.deepcopy(load_builtin("xor"))
    doc["dataset"] = {"kind": "file", "path": "points.csv", "task": "classification"}
    save_preset(doc, folder / "lesson.json")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return folder


def test_relative_path_is_read_from_the_preset_folder(shared, capsys):
    preset = str(shared / "lesson.json")
    assert main(["validate", preset]) == 0
    assert main(["train", preset, "--epochs", "1", "--json"]) == 0
    assert main(["gradcheck", preset]) == 0
    assert str(shared / "points.csv") in capsys.readouterr().err  # the dataset note


def test_validate_refuses_a_missing_data_file(shared, capsys):
    (shared / "points.csv").unlink()
    assert main(["validate", str(shared / "lesson.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "dataset.path:" in err and str(shared / "points.csv") in err
    assert "does not exist" in err


def test_validate_refuses_a_damaged_data_file(shared, capsys):
    from nnplayground.presets import load_preset, save_preset

    np.savez(shared / "points.npz", x=np.zeros((10, 2)), y=np.zeros(10))
    data = (shared / "points.npz").read_bytes()
    (shared / "points.npz").write_bytes(data[: len(data) // 2])
    doc = load_preset(shared / "lesson.json")
    doc["dataset"]["path"] = "points.npz"
    save_preset(doc, shared / "lesson.json")
    assert main(["validate", str(shared / "lesson.json")]) == 2
    err = capsys.readouterr().err
    assert str(shared / "points.npz") in err and "truncated or damaged" in err
    assert main(["train", str(shared / "lesson.json"), "--epochs", "1"]) != 0


def test_a_model_saved_elsewhere_names_the_data_relative_to_itself(shared, tmp_path, capsys):
    """train --save into another folder: the model must still find points.csv, also after
    the model's folder and the data's folder move together."""
    import shutil

    from nnplayground.presets import load_model

    out = shared / "models" / "m.npz"
    out.parent.mkdir()
    assert main(["train", str(shared / "lesson.json"), "--epochs", "1", "--save",
                 str(out)]) == 0
    assert load_model(out)[0]["dataset"]["path"] == "../points.csv"
    moved = shutil.move(str(shared), str(tmp_path / "moved"))
    capsys.readouterr()
    assert main(["validate", str(tmp_path / "moved" / "models" / "m.npz")]) == 0, \
        capsys.readouterr().err
    assert main(["train", str(tmp_path / "moved" / "models" / "m.npz"), "--epochs", "1"]) == 0
    assert moved


def test_a_path_from_the_home_folder_trains_and_validates(tmp_path, monkeypatch, capsys):
    """dataset.path "~/data/points.csv" is the home folder's file, not one beside the preset
    (presets/datapath.py and data/load.py: one rule for the CLI and the GUI)."""
    import json

    from nnplayground.presets import load_builtin

    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    (home / "data" / "points.csv").write_text(POINTS)
    monkeypatch.setenv("HOME", str(home))
    folder = tmp_path / "class"
    folder.mkdir()
    doc = copy.deepcopy(load_builtin("xor"))
    doc["dataset"] = {"kind": "file", "path": "~/data/points.csv", "task": "classification"}
    (folder / "lesson.json").write_text(json.dumps(doc))   # by hand: the "~" stays
    monkeypatch.chdir(tmp_path)
    preset = str(folder / "lesson.json")
    assert main(["validate", preset]) == 0
    assert main(["train", preset, "--epochs", "1", "--json"]) == 0
    assert str(home / "data" / "points.csv") in capsys.readouterr().err  # the dataset note


def test_validate_names_a_column_the_file_does_not_have(shared, capsys):
    """The message the import dialog and the GUI's worker give: the same reader says it."""
    from nnplayground.presets import load_preset, save_preset

    doc = load_preset(shared / "lesson.json")
    doc["dataset"]["input_columns"] = ["x1", "x2"]
    doc["dataset"]["target_column"] = "colour"
    save_preset(doc, shared / "lesson.json")
    assert main(["validate", str(shared / "lesson.json")]) == 2
    err = capsys.readouterr().err
    assert "dataset.target_column: no column 'colour' in points.csv; its columns are x1, x2, " \
           "label" in err
    doc["dataset"]["target_column"] = "label"
    save_preset(doc, shared / "lesson.json")
    assert main(["validate", str(shared / "lesson.json")]) == 0
