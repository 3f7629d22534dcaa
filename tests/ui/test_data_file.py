"""The user's own data file in the GUI: a `~` path, the Data panel's file entry, and the import
dialog (preview, columns, task, line-numbered errors; nothing changes until it is accepted)."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from nnplayground.presets import load_builtin


@pytest.fixture
def controller():
    from nnplayground.worker import TrainingController
    ctl = TrainingController()
    yield ctl
    ctl.shutdown()


def points_csv(n=40, seed=0) -> str:
    x = np.random.default_rng(seed).uniform(-1, 1, size=(n, 2))
    return "x1,x2,label\n" + "".join(f"{a:.3f},{b:.3f},{int(a * b > 0)}\n" for a, b in x)


def test_a_preset_naming_its_data_from_the_home_folder_loads_in_the_worker(
        make_window, controller, qtbot, tmp_path, monkeypatch):
    """"~/data/points.csv" is read from the home folder; the worker got
    "<preset folder>/~/data/points.csv" before the GUI used presets/datapath.py's rule."""
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    (home / "data" / "points.csv").write_text(points_csv())
    monkeypatch.setenv("HOME", str(home))
    folder = tmp_path / "course"
    folder.mkdir()
    doc = copy.deepcopy(load_builtin("xor"))
    doc["dataset"] = {"kind": "file", "path": "~/data/points.csv", "task": "classification",
                      "train_fraction": 0.5, "seed": 0}
    (folder / "mine.json").write_text(json.dumps(doc))
    window = make_window(controller=controller)
    refused = []
    window.show_problems = lambda *args: refused.append(args)      # the dialog is modal
    with qtbot.waitSignal(window.document_opened, timeout=15000):   # once the worker built it
        assert window.open_path(str(folder / "mine.json"), ask=False)
    assert not refused
    assert window.model.doc["dataset"]["path"] == "~/data/points.csv"
    assert window.loaded_doc["dataset"]["path"] == str((home / "data" / "points.csv").resolve())
    qtbot.waitUntil(lambda: controller.dataset is not None and controller.state == "idle",
                    timeout=15000)
    assert len(controller.dataset.y_train) == 20
