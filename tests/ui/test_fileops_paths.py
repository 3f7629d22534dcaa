"""File > Save / Save As / Save trained model / Open with a user data file: the files name the
data relative to themselves, so a course folder (presets, models, data) can move as a whole.

The recording controller stands in for the worker; its save_model does what the worker's does
(an Experiment of the document it was handed, then `Experiment.save_model`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from nnplayground.presets import load_builtin, load_preset


def write_course(folder: Path) -> Path:
    """folder/data/points.csv (60 points) and folder/lesson.json naming it "data/points.csv"."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(60, 2))
    (folder / "data").mkdir(parents=True)
    rows = [f"{a:.4f},{b:.4f},{int(a * b > 0)}" for a, b in x]
    (folder / "data" / "points.csv").write_text("x1,x2,label\n" + "\n".join(rows) + "\n")
    doc = load_builtin("xor")
    doc["dataset"] = {"kind": "file", "path": "data/points.csv", "task": "classification",
                      "train_fraction": 0.5, "seed": 0}
    (folder / "lesson.json").write_text(json.dumps(doc))
    return folder / "lesson.json"


def loaded_path(window) -> str:
    """The data path in the document the worker was last handed."""
    return window.training.loaded_doc["dataset"]["path"]


def test_save_as_elsewhere_re_spells_the_path_and_undo_keeps_it(make_window, tmp_path,
                                                                   monkeypatch):
    lesson = write_course(tmp_path / "course")
    monkeypatch.chdir(tmp_path)
    window = make_window()
    assert window.files.open_path(str(lesson), ask=False)
    window.scene.change_units("h1", +2)                   # an undo step holding the old spelling
    target = tmp_path / "mine" / "week1" / "x.json"
    target.parent.mkdir(parents=True)
    assert window.files.save_to(str(target))
    spelled = "../../course/data/points.csv"
    assert load_preset(target)["dataset"]["path"] == spelled
    assert window.model.doc["dataset"]["path"] == spelled  # the document matches its file
    assert not window.isWindowModified()
    window.model.undo_stack.undo()                         # back before the edit: same data file
    assert window.model.doc["dataset"]["path"] == spelled
    assert window.model.doc["model"]["nodes"][1]["params"]["units"] == 4
    window.model.undo_stack.redo()
    assert window.files.save_to(str(target))                     # saving again: the same bytes
    first = target.read_bytes()
    assert window.files.save_to(str(target))
    assert target.read_bytes() == first
    # course and mine moved together: the saved preset opens on the moved data
    moved = tmp_path / "moved"
    moved.mkdir()
    shutil.move(str(tmp_path / "course"), str(moved / "course"))
    shutil.move(str(tmp_path / "mine"), str(moved / "mine"))
    assert window.files.open_path(str(moved / "mine" / "week1" / "x.json"), ask=False)
    assert Path(loaded_path(window)).resolve() == \
        (moved / "course" / "data" / "points.csv").resolve()


def test_trained_model_saved_from_the_gui_opens_after_moving(make_window, fake_controller,
                                                              tmp_path, qtbot, monkeypatch):
    from nnplayground.experiment import Experiment

    def save_model(path):   # what the worker does between two steps
        Experiment.from_preset(window.training.loaded_doc).save_model(path)
    fake_controller.save_model = save_model
    lesson = write_course(tmp_path / "course")
    monkeypatch.chdir(tmp_path)
    window = make_window()
    assert window.files.open_path(str(lesson), ask=False)
    assert Path(loaded_path(window)).is_absolute()          # the worker gets it resolved
    (tmp_path / "course" / "models").mkdir()
    assert window.files.save_trained_model(str(tmp_path / "course" / "models" / "m.npz"))
    moved = tmp_path / "usb" / "course"
    moved.parent.mkdir()
    shutil.move(str(tmp_path / "course"), str(moved))
    assert window.files.open_path(str(moved / "models" / "m.npz"), ask=False)
    assert loaded_path(window) == str(moved.resolve() / "data" / "points.csv")
    assert window.model.doc["dataset"]["path"] == loaded_path(window)
    # the data panel read the moved file: 30 training points drawn
    qtbot.waitUntil(lambda: len(window.dataset_panel.scatter.data) == 30, timeout=5000)
    # Save As of the opened model's preset, beside the data: relative again
    assert window.files.save_to(str(moved / "from-model.json"))
    assert load_preset(moved / "from-model.json")["dataset"]["path"] == "data/points.csv"
    assert window.model.doc["dataset"]["path"] == str(moved.resolve() / "data" / "points.csv")
