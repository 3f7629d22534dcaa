"""The data import dialog reads its file off the GUI thread: it shows at once, the window's
event loop keeps running while the file is read, Cancel works meanwhile and drops the late
result, and a refused file is said as before. The reader is injected and held on an Event, so
"while the file is read" lasts as long as the test wants, on any machine."""

from __future__ import annotations

import copy
import threading
from functools import partial

import pytest
import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from nnplayground.data import DatasetError
from nnplayground.data.files import read_table
from nnplayground.presets import load_builtin
from nnplayground.ui.data_import import ERROR_STYLE, DataImportDialog

HUNG = 60.0     # seconds a held reader waits at most: a bound for a broken test, not a timing


class HeldReader:
    """`read_table`, held until `release` is set (`started` says it is being read)."""

    def __init__(self, read=read_table):
        self.started = threading.Event()
        self.release = threading.Event()
        self._read = read

    def __call__(self, path):
        self.started.set()
        self.release.wait(HUNG)
        return self._read(path)


@pytest.fixture
def reader():
    held = HeldReader()
    yield held
    held.release.set()          # never leave a thread waiting, whatever the test did


@pytest.fixture
def points(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("x1,x2,label\n" + "".join(f"{i / 10},{-i / 20},{i % 2}\n"
                                                for i in range(30)))
    return path


def open_dialog(qtbot, path, read):
    dialog = DataImportDialog(path, read=read)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_dialog_shows_at_once_and_the_event_loop_runs_while_the_file_is_read(
        qtbot, points, reader):
    dialog = open_dialog(qtbot, points, reader)
    qtbot.waitUntil(reader.started.is_set)
    assert dialog.reading and dialog.summary.text() == "Reading points.csv\u2026"
    assert dialog.progress.isVisible() and dialog.progress.maximum() == 0    # busy
    assert not dialog.buttons.button(QDialogButtonBox.Ok).isEnabled()
    assert not dialog.inputs.isEnabled() and not dialog.target.isEnabled()
    assert dialog.task.currentText() == ""           # no labels read, no guess shown
    assert dialog.buttons.button(QDialogButtonBox.Cancel).isEnabled()

    fired = []
    QTimer.singleShot(0, lambda: fired.append(dialog.reading))
    qtbot.waitUntil(lambda: bool(fired))                # the GUI thread is not stuck in the read
    assert fired == [True] and dialog.preview.rowCount() == 0

    with qtbot.waitSignal(dialog.read_finished):
        reader.release.set()
    assert not dialog.reading and not dialog.progress.isVisible()
    assert dialog.preview.rowCount() == 20 and dialog.preview.columnCount() == 3
    assert dialog.preview.item(0, 0).text() == "0.0"
    assert dialog.target.currentText() == "label" and dialog.chosen_inputs() == [0, 1]
    assert dialog.task.currentText() == "classification"
    assert dialog.choice_ok and dialog.buttons.button(QDialogButtonBox.Ok).isEnabled()
    assert dialog.summary.text().startswith("30 rows, 2 inputs; classification, 2 classes")


def test_cancel_while_reading_closes_the_dialog_and_drops_the_late_result(
        make_window, qtbot, points, reader, monkeypatch):
    """Through the Data panel, which deletes the dialog once closed: the read goes on, its
    result reaches nothing, the thread ends and deletes itself, and nothing changed."""
    from nnplayground.ui import panels
    monkeypatch.setattr(panels, "DataImportDialog", partial(DataImportDialog, read=reader))
    window = make_window(load_builtin("xor"))
    before = copy.deepcopy(window.model.doc)
    panel = window.dataset_panel
    dialog = panel.open_data_file(str(points))
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(reader.started.is_set)
    thread = dialog.read_thread
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Cancel), Qt.LeftButton)
    assert panel.import_dialog is None
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog))     # deleted by the panel
    assert thread.isRunning()                       # still reading, waited for by nobody

    reader.release.set()
    qtbot.waitUntil(lambda: not shiboken6.isValid(thread))     # finished, deleted itself
    assert window.model.doc == before and not window.model.undo_stack.canUndo()
    assert panel.kind.currentText() == "xor"


def test_a_dialog_closed_while_reading_but_kept_ignores_the_late_result(qtbot, points, reader):
    dialog = open_dialog(qtbot, points, reader)
    qtbot.waitUntil(reader.started.is_set)
    thread = dialog.read_thread
    heard = []
    dialog.read_finished.connect(lambda: heard.append(True))
    QTest.keyClick(dialog, Qt.Key_Escape)
    assert not dialog.isVisible() and dialog.result() == QDialog.Rejected
    reader.release.set()
    qtbot.waitUntil(lambda: not shiboken6.isValid(thread))
    assert not heard and dialog.table is None and dialog.preview.rowCount() == 0
    assert not dialog.choice_ok and dialog.target.count() == 0


def test_a_file_the_reader_refuses_is_said_in_the_dialog(qtbot, points):
    """The reader's DatasetError, as the dialog said it when it read on the GUI thread: the
    message, the file's lines as they are, and nothing to accept."""
    problem = f"{points} line 4: expected 3 values, got 2; fix the line"

    def refuse(path):
        raise DatasetError(problem)
    dialog = open_dialog(qtbot, points, refuse)
    qtbot.waitUntil(lambda: not dialog.reading)
    assert dialog.summary.text() == problem and dialog.summary.styleSheet() == ERROR_STYLE
    assert dialog.preview.rowCount() == 20 and dialog.preview.item(0, 2).text() == "label"
    assert dialog.preview.verticalHeaderItem(3).text() == "line 4"
    assert not dialog.buttons.button(QDialogButtonBox.Ok).isEnabled() and not dialog.choice_ok
    assert not dialog.inputs.isEnabled() and dialog.task.currentText() == ""
    assert not dialog.progress.isVisible()


def test_a_reader_that_fails_is_said_too(qtbot, points, capsys):
    """Not a refusal but the reader failing (here out of memory): said, nothing accepted."""
    def fail(path):
        raise MemoryError("cannot allocate 3 GiB")
    dialog = open_dialog(qtbot, points, fail)
    qtbot.waitUntil(lambda: not dialog.reading)
    assert "points.csv: could not be read (MemoryError: cannot allocate 3 GiB)" in \
        dialog.summary.text()
    assert not dialog.buttons.button(QDialogButtonBox.Ok).isEnabled() and not dialog.choice_ok
    assert "MemoryError" in capsys.readouterr().err        # the traceback, for a bug report
