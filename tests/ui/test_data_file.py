"""The user's own data file in the GUI: a `~` path, the Data panel's file entry, and the import
dialog (preview, columns, task, line-numbered errors; nothing changes until it is accepted)."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnplayground.presets import load_builtin


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
    window.files.show_problems = lambda *args: refused.append(args)      # the dialog is modal
    with qtbot.waitSignal(window.files.document_opened, timeout=15000):   # once the worker built it
        assert window.files.open_path(str(folder / "mine.json"), ask=False)
    assert not refused
    assert window.model.doc["dataset"]["path"] == "~/data/points.csv"
    assert window.training.loaded_doc["dataset"]["path"] == str((home / "data" / "points.csv").resolve())
    qtbot.waitUntil(lambda: controller.dataset is not None and controller.state == "idle",
                    timeout=15000)
    assert len(controller.dataset.y_train) == 20


# -- Data > Open data file… ------------------------------------------------------------------

def iris_csv(n=30) -> str:
    """length, width, species (0-2), weight (reals): the label is not the last column."""
    rng = np.random.default_rng(1)
    rows = []
    for i in range(n):
        species = i % 3
        rows.append(f"{4 + species + rng.normal(0, 0.2):.2f},{3 - species * 0.5:.2f},"
                    f"{species},{rng.uniform(1, 3):.3f}")
    return "length,width,species,weight\n" + "\n".join(rows) + "\n"


def data_dock(window):
    window.dock_data.show()
    window.dock_data.raise_()
    return window.dataset_panel


def read(qtbot, dialog):
    """The import dialog shown, its file read and its first choice checked (on background
    threads)."""
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: not dialog.reading)
    checked(qtbot, dialog)
    return dialog


def checked(qtbot, dialog):
    """The dialog's newest choice checked (off the GUI thread)."""
    qtbot.waitUntil(lambda: not dialog.checking)


def click_row(qtbot, widget, index):
    """A real click on a list row (which makes it the current one)."""
    rect = widget.visualItemRect(widget.item(index))
    qtbot.mouseClick(widget.viewport(), Qt.LeftButton, pos=rect.center())


def test_open_a_csv_choose_the_label_accept_and_undo(make_window, qtbot, tmp_path,
                                                      monkeypatch):
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog
    path = tmp_path / "iris.csv"
    path.write_text(iris_csv())
    window = make_window(load_builtin("xor"))
    before = copy.deepcopy(window.model.doc)
    panel = data_dock(window)
    assert panel.act_open_data in window.menuBar().actions()[0].menu().actions()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    qtbot.mouseClick(panel.open_file, Qt.LeftButton)
    dialog = panel.import_dialog
    read(qtbot, dialog)
    assert dialog.preview.rowCount() == 20 and dialog.preview.columnCount() == 4
    assert dialog.preview.item(0, 2).text() == "0"
    assert dialog.target.currentText() == "weight"             # the last column, by default
    assert dialog.task.currentText() == "regression"
    assert window.model.doc == before                           # nothing changes yet
    dialog.target.setFocus()
    QTest.keyClick(dialog.target, Qt.Key_Up)                    # weight -> species
    assert dialog.target.currentText() == "species"
    assert not dialog.ok_button.isEnabled()                     # until the choice is checked
    checked(qtbot, dialog)
    assert dialog.task.currentText() == "classification"        # guessed again from labels
    assert dialog.chosen_inputs() == [0, 1]                     # the label is no input
    assert not dialog.inputs.item(2).flags() & Qt.ItemIsEnabled
    assert dialog.inputs.item(3).flags() & Qt.ItemIsEnabled     # weight may be one now
    click_row(qtbot, dialog.inputs, 1)                          # width: off, then on again
    QTest.keyClick(dialog.inputs, Qt.Key_Space)
    assert dialog.chosen_inputs() == [0]
    QTest.keyClick(dialog.inputs, Qt.Key_Space)
    assert dialog.chosen_inputs() == [0, 1]
    checked(qtbot, dialog)
    assert "3 classes" in dialog.summary.text() and dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)

    spec = window.model.doc["dataset"]
    assert spec == {"kind": "file", "path": str(path), "task": "classification",
                    "input_columns": ["length", "width"], "target_column": "species",
                    "train_fraction": 0.8, "seed": 0}
    assert window.model.doc["model"]["nodes"][0]["params"]["shape"] == [2]
    out = window.model.doc["model"]["nodes"][-1]["params"]
    assert (out["units"], out["activation"], window.model.doc["loss"]) == \
        (3, "softmax", "cross_entropy")
    assert window.status.ok
    qtbot.waitUntil(lambda: any(name == "load" and args[0]["dataset"]["kind"] == "file"
                                for name, args, _ in window.controller.calls))
    assert panel.kind.currentText() == "File: iris.csv"
    qtbot.waitUntil(lambda: "30 rows" in panel.file_info.text())
    assert "classification, 3 classes" in panel.file_info.text()
    assert panel.file_info.isVisible()
    assert window.act_undo.text() == "&Undo Open data file iris.csv"

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)   # shortcuts need it
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key_Z, Qt.ControlModifier)   # one step brings all back
    assert window.model.doc == before
    assert panel.kind.currentText() == "xor" and not panel.file_info.isVisible()


@pytest.mark.parametrize("text, words", [
    ("x1,x2,label\n1,2,0\n3,4,1\n5,6\n7,8,1\n", ["line 4", "expected 3 values, got 2"]),
    ("x1,x2,label\n1,2,0\n3,four,1\n", ["line 3, column 2 (x2)", "'four' is not a finite"]),
    ("x1,x2,label\n# only a header\n", ["no data rows"]),
])
def test_a_bad_csv_is_refused_in_the_dialog_by_line_and_nothing_changes(
        make_window, qtbot, tmp_path, text, words):
    from PySide6.QtWidgets import QDialogButtonBox
    path = tmp_path / "bad.csv"
    path.write_text(text)
    window = make_window(load_builtin("xor"))
    before = copy.deepcopy(window.model.doc)
    panel = data_dock(window)
    dialog = panel.open_data_file(str(path))
    read(qtbot, dialog)
    for word in words:
        assert word in dialog.summary.text()
    ok = dialog.buttons.button(QDialogButtonBox.Ok)
    assert not ok.isEnabled() and dialog.task.currentText() == ""   # no guess shown
    qtbot.mouseClick(ok, Qt.LeftButton)                          # disabled: does nothing
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Cancel), Qt.LeftButton)
    assert window.model.doc == before and not window.model.undo_stack.canUndo()
    assert panel.kind.currentText() == "xor"


def test_a_text_column_can_be_left_out(make_window, qtbot, tmp_path):
    """Text in a chosen column is refused by line; unticking the column makes the file fine."""
    from PySide6.QtTest import QTest
    path = tmp_path / "named.csv"
    path.write_text("x1,name,x2,label\n" + "".join(
        f"{i / 10},n{i},{-i / 10},{i % 2}\n" for i in range(12)))
    window = make_window(load_builtin("xor"))
    dialog = data_dock(window).open_data_file(str(path))
    read(qtbot, dialog)
    assert "line 2, column 2 (name): 'n0' is not a finite number" in dialog.summary.text()
    click_row(qtbot, dialog.inputs, 1)
    QTest.keyClick(dialog.inputs, Qt.Key_Space)
    checked(qtbot, dialog)
    assert dialog.choice_ok and "12 rows" in dialog.summary.text()
    dialog.accept()
    assert window.model.doc["dataset"]["input_columns"] == ["x1", "x2"]


def test_a_generator_chosen_over_a_file_is_an_undoable_named_change(make_window, qtbot,
                                                                     tmp_path):
    from PySide6.QtTest import QTest
    path = tmp_path / "points.csv"
    path.write_text(points_csv())
    doc = copy.deepcopy(load_builtin("xor"))
    doc["dataset"] = {"kind": "file", "path": str(path), "task": "classification"}
    window = make_window(doc)
    panel = data_dock(window)
    assert panel.kind.currentText() == "File: points.csv"       # not "xor"
    qtbot.waitUntil(lambda: "40 rows" in panel.file_info.text())
    panel.kind.setFocus()
    QTest.keyClick(panel.kind, Qt.Key_Home)                      # the first generator
    assert window.model.doc["dataset"]["kind"] == "circle"
    assert window.act_undo.text() == "&Undo Replace data file points.csv with circle"
    window.act_undo.trigger()
    assert window.model.doc["dataset"] == doc["dataset"]
    assert panel.kind.currentText() == "File: points.csv"


def test_an_npz_opens_with_its_arrays_and_the_worker_trains_on_it(make_window, controller,
                                                                  qtbot, tmp_path):
    """A preset saved in a folder names the data relative to itself; the real worker loads it."""
    from nnplayground.presets import save_preset
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(60, 2))
    (tmp_path / "data").mkdir()
    np.savez(tmp_path / "data" / "points.npz", x=x, y=(x[:, 0] * x[:, 1] > 0).astype(int),
             weight=rng.random(60))
    save_preset(load_builtin("xor"), tmp_path / "mine.json")
    window = make_window(controller=controller)
    with qtbot.waitSignal(window.files.document_opened, timeout=15000):
        assert window.files.open_path(str(tmp_path / "mine.json"), ask=False)
    dialog = data_dock(window).open_data_file(str(tmp_path / "data" / "points.npz"))
    read(qtbot, dialog)
    assert [dialog.target.itemText(i) for i in range(3)] == ["x", "y", "weight"]
    assert dialog.target.currentText() == "y" and dialog.chosen_inputs() == [0]
    assert dialog.task.currentText() == "classification"
    assert dialog.preview.rowCount() == 20
    assert dialog.preview.item(0, 1).text() == str(int(x[0, 0] * x[0, 1] > 0))
    dialog.accept()
    spec = window.model.doc["dataset"]
    assert spec["path"] == "data/points.npz"                     # beside the preset
    assert (spec["input_columns"], spec["target_column"]) == (["x"], "y")
    qtbot.waitUntil(lambda: controller.dataset is not None
                    and controller.dataset.name == "points.npz", timeout=15000)
    assert len(controller.dataset.y_train) == 48


def test_the_dataset_list_ends_with_open_data_file(make_window, qtbot, tmp_path, monkeypatch):
    """The Dataset box's last entry opens a file; the box keeps naming the data in use."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QFileDialog
    path = tmp_path / "points.csv"
    path.write_text(points_csv())
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *a, **k: asked.append(a) or (str(path), ""))
    window = make_window(load_builtin("xor"))
    panel = data_dock(window)
    panel.kind.setFocus()
    QTest.keyClick(panel.kind, Qt.Key_End)
    assert panel.kind.currentText() == "xor"                     # until a file is accepted
    qtbot.waitUntil(lambda: panel.import_dialog is not None)
    read(qtbot, panel.import_dialog)
    assert asked and panel.import_dialog.choice_ok
    panel.import_dialog.accept()
    assert panel.import_dialog is None                           # closed, to be deleted
    assert panel.kind.currentText() == "File: points.csv"
    assert window.model.doc["dataset"]["target_column"] == "label"


def test_a_regression_file_fits_the_output_to_its_targets():
    from nnplayground.ui.data_import import fit_network_to_data
    doc = copy.deepcopy(load_builtin("xor"))
    fit_network_to_data(doc, (5,), None, n_targets=2)
    out = doc["model"]["nodes"][-1]["params"]
    assert doc["model"]["nodes"][0]["params"]["shape"] == [5]
    assert (out["units"], out["activation"], doc["loss"]) == (2, "identity", "mse")
    fit_network_to_data(doc, (2,), 2)
    assert (out["units"], out["activation"], doc["loss"]) == (2, "softmax", "cross_entropy")
