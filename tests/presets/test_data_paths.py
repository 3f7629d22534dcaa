"""A saved preset or trained model names its data file relative to itself, so the file and its
data folder can move together (another folder, another machine) and still open.

Engine-level: presets/modelfile round trips in tmp_path, no Qt.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from nnplayground.data import DatasetError
from nnplayground.experiment import Experiment
from nnplayground.presets import load_model, load_preset, save_model, save_preset
from nnplayground.presets.datapath import (data_path_for_file, rebase_relative_data_path,
                                           with_data_path_for_file, with_data_path_resolved)


def write_points(path, n=60, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 2))
    rows = [f"{a:.4f},{b:.4f},{int(a * b > 0)}" for a, b in x]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x1,x2,label\n" + "\n".join(rows) + "\n")


@pytest.fixture
def project(tmp_path, doc):
    """tmp/project/data/points.csv and a document naming it by its ABSOLUTE path, as the GUI's
    worker holds it (the GUI resolves the path before handing the document over)."""
    root = tmp_path / "project"
    write_points(root / "data" / "points.csv")
    doc["dataset"] = {"kind": "file", "path": str(root / "data" / "points.csv"),
                      "task": "classification", "train_fraction": 0.5, "seed": 0}
    return root, doc


def stored_preset(model_path) -> dict:
    with np.load(model_path, allow_pickle=False) as npz:
        return json.loads(npz["preset.json"].tobytes().decode("utf-8"))


# -- the defect: a model saved next to its data, both moved, must open on the moved data -------

def test_model_and_data_moved_together_reopen_on_the_moved_data(tmp_path, project, monkeypatch):
    root, doc = project
    exp = Experiment.from_preset(doc)
    exp.fit(epochs=2)
    (root / "models").mkdir()
    exp.save_model(root / "models" / "trained.npz")
    assert stored_preset(root / "models" / "trained.npz")["dataset"]["path"] == \
        "../data/points.csv"
    moved = tmp_path / "elsewhere" / "copy"
    moved.parent.mkdir()
    shutil.move(str(root), str(moved))          # the whole folder, data and model together
    monkeypatch.chdir(tmp_path / "elsewhere")   # and the current folder is not the model's
    again = Experiment.from_model_file(moved / "models" / "trained.npz")
    assert again.dataset.note.startswith(f"From {moved / 'data' / 'points.csv'}")
    np.testing.assert_array_equal(again.dataset.x_test, exp.dataset.x_test)
    np.testing.assert_array_equal(again.model.predict(again.dataset.x_test),
                                  exp.model.predict(exp.dataset.x_test))


def test_preset_and_data_moved_together_reopen_on_the_moved_data(tmp_path, project):
    root, doc = project
    save_preset(doc, root / "lesson.json")
    assert load_preset(root / "lesson.json")["dataset"]["path"] == "data/points.csv"
    moved = tmp_path / "moved"
    shutil.move(str(root), str(moved))
    exp = Experiment.from_name(str(moved / "lesson.json"))
    assert exp.dataset.note.startswith(f"From {moved / 'data' / 'points.csv'}")


def test_saving_does_not_touch_the_callers_document(tmp_path, project):
    root, doc = project
    before = json.dumps(doc)
    save_preset(doc, root / "a.json")
    exp = Experiment.from_preset(doc)
    exp.save_model(root / "m.npz")
    assert json.dumps(doc) == before
    assert exp.doc["dataset"]["path"] == str(root / "data" / "points.csv")


def test_a_re_save_elsewhere_re_relativises(tmp_path, project):
    """The same live document saved twice, into two folders: each file names the data from
    where it itself lies (nothing of the first save leaks into the second)."""
    root, doc = project
    (root / "deep" / "er").mkdir(parents=True)
    save_preset(doc, root / "a.json")
    save_preset(doc, root / "deep" / "er" / "b.json")
    assert load_preset(root / "a.json")["dataset"]["path"] == "data/points.csv"
    assert load_preset(root / "deep" / "er" / "b.json")["dataset"]["path"] == \
        "../../data/points.csv"


def test_a_relative_path_is_rebased_onto_the_new_file(tmp_path, project):
    """Save As of a document read from project/lesson.json ("data/points.csv") into
    other/x.json: the path is re-expressed from other/, not copied verbatim."""
    root, doc = project
    doc["dataset"]["path"] = "data/points.csv"
    (tmp_path / "other").mkdir()
    save_preset(doc, tmp_path / "other" / "x.json", base_dir=root)
    assert load_preset(tmp_path / "other" / "x.json")["dataset"]["path"] == \
        "../project/data/points.csv"
    exp = Experiment.from_name(str(tmp_path / "other" / "x.json"))
    assert len(exp.dataset.x_train) == 30
    # without base_dir a relative path is taken as already relative to the file written
    save_preset(doc, tmp_path / "other" / "y.json")
    assert load_preset(tmp_path / "other" / "y.json")["dataset"]["path"] == "data/points.csv"


def test_experiment_remembers_where_a_relative_path_was_read_from(tmp_path, project):
    root, doc = project
    doc["dataset"]["path"] = "data/points.csv"
    exp = Experiment.from_preset(doc, base_dir=root)
    (tmp_path / "out").mkdir()
    exp.save_model(tmp_path / "out" / "m.npz")
    assert stored_preset(tmp_path / "out" / "m.npz")["dataset"]["path"] == \
        "../project/data/points.csv"
    assert Experiment.from_model_file(tmp_path / "out" / "m.npz").dataset.x_train.shape == (30, 2)


def test_model_moved_without_its_data_names_the_path_looked_for_and_the_fix(tmp_path, project):
    root, doc = project
    exp = Experiment.from_preset(doc)
    save_model(root / "m.npz", exp.doc, exp.model)
    (tmp_path / "alone").mkdir()
    shutil.move(str(root / "m.npz"), str(tmp_path / "alone" / "m.npz"))
    with pytest.raises(DatasetError) as info:
        Experiment.from_model_file(tmp_path / "alone" / "m.npz")
    message = str(info.value)
    assert str(tmp_path / "alone" / "data" / "points.csv") in message
    assert "does not exist" in message
    assert "relative to the preset or model file" in message and "copy" in message
    # the preset part still opens: the weights are not lost with the data
    assert load_model(tmp_path / "alone" / "m.npz")[0]["dataset"]["path"] == "data/points.csv"


# -- the path rule itself -----------------------------------------------------------------------

def test_forward_slashes_and_parent_steps(tmp_path):
    data = tmp_path / "a" / "b" / "points.csv"
    assert data_path_for_file(str(data), tmp_path / "x.json") == "a/b/points.csv"
    assert data_path_for_file(str(data), tmp_path / "a" / "b" / "x.json") == "points.csv"
    assert data_path_for_file(str(data), tmp_path / "c" / "x.npz") == "../a/b/points.csv"


def test_absolute_is_kept_when_no_relative_path_exists(tmp_path, monkeypatch):
    """Windows: another drive (C: against D:) has no relative path; os.path.relpath raises."""
    import nnplayground.presets.datapath as datapath

    def other_drive(path, start):
        raise ValueError("path is on mount 'D:', start on mount 'C:'")
    monkeypatch.setattr(datapath.os.path, "relpath", other_drive)
    data = str(tmp_path / "points.csv")
    assert data_path_for_file(data, tmp_path / "x.json") == data


def test_a_symlinked_data_file_keeps_its_own_name(tmp_path):
    """Only folders are resolved: a link data/points.csv -> /shared/p.csv stays data/points.csv
    (the file the user chose), while the folder's symlinks are followed so '..' is physical."""
    shared = tmp_path / "shared" / "p.csv"
    write_points(shared)
    (tmp_path / "proj" / "data").mkdir(parents=True)
    try:
        (tmp_path / "proj" / "data" / "points.csv").symlink_to(shared)
    except OSError:
        pytest.skip("no symlinks here")
    assert data_path_for_file(str(tmp_path / "proj" / "data" / "points.csv"),
                              tmp_path / "proj" / "x.json") == "data/points.csv"


def test_only_file_datasets_are_rewritten(tmp_path, doc):
    """A fashion-mnist `path` (a download folder) is left as the user wrote it, and a document
    too broken to have a dataset is saved as it is."""
    doc["dataset"] = {"kind": "fashion-mnist", "path": str(tmp_path / "fm")}
    assert with_data_path_for_file(doc, tmp_path / "x.json") == doc
    broken = {"name": "work in progress", "dataset": "file"}
    assert with_data_path_for_file(broken, tmp_path / "x.json") == broken
    assert with_data_path_resolved(broken, tmp_path / "x.npz") == broken


def test_resolving_and_rebasing(tmp_path, doc):
    doc["dataset"] = {"kind": "file", "path": "data/points.csv"}
    resolved = with_data_path_resolved(doc, tmp_path / "m.npz")
    assert resolved["dataset"]["path"] == str(tmp_path.resolve() / "data" / "points.csv")
    assert doc["dataset"]["path"] == "data/points.csv"            # a copy
    rebased = rebase_relative_data_path(doc, tmp_path, tmp_path / "sub" / "x.json")
    assert rebased["dataset"]["path"] == "../data/points.csv"
    doc["dataset"]["path"] = str(tmp_path / "abs.csv")            # absolute ones stay absolute
    assert rebase_relative_data_path(doc, tmp_path, tmp_path / "sub" / "x.json") == doc


@pytest.mark.skipif(__import__("os").sep != "/", reason="backslashes are separators here")
def test_a_hand_written_windows_path_is_read_with_slashes(tmp_path, doc):
    """"data\\points.csv" written on Windows opens on Linux and macOS too, and a save
    re-spells it with forward slashes."""
    write_points(tmp_path / "course" / "data" / "points.csv")
    doc["dataset"] = {"kind": "file", "path": "data\\points.csv",
                      "task": "classification", "train_fraction": 0.5, "seed": 0}
    save_preset(doc, tmp_path / "course" / "lesson.json")
    exp = Experiment.from_name(str(tmp_path / "course" / "lesson.json"))
    assert len(exp.dataset.x_train) == 30
    assert data_path_for_file("data\\points.csv", tmp_path / "out" / "copy.json",
                              base_dir=tmp_path / "course") == "../course/data/points.csv"
