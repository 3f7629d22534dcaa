"""The data import dialog reads its file and checks the chosen columns off the GUI thread: it
shows at once, the window's event loop keeps running while the file is read or a choice
checked, Cancel stops the read between two chunks of the file and drops the result, only the
newest choice's check is shown, and a refused file is said as before. The reader and the
table's check are injected and held on Events, so "while the file is read" lasts as long as
the test wants, on any machine; that a read stopped early is told by the chunks it read."""

from __future__ import annotations

import copy
import sys
import threading
from dataclasses import fields
from functools import partial

import pytest
import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from nnplayground.data import DatasetError
from nnplayground.data.files import DataTable, ReadCancelled, read_table
from nnplayground.presets import load_builtin
from nnplayground.ui.data_import import ERROR_STYLE, DataImportDialog
from nnplayground.worker.priority import TRAINING_NICENESS, niceness

HUNG = 60.0     # seconds a held reader waits at most: a bound for a broken test, not a timing


class HeldReader:
    """`read_table`, held until `release` is set (`started` says it is being read)."""

    def __init__(self, read=read_table):
        self.started = threading.Event()
        self.release = threading.Event()
        self._read = read

    def __call__(self, path, keep_going):
        self.started.set()
        self.release.wait(HUNG)
        return self._read(path, keep_going)


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


def settle(qtbot, dialog):
    """The file read and its first choice checked."""
    qtbot.waitUntil(lambda: not dialog.reading and not dialog.checking)


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


class ChunkReader:
    """`read_table` in 16-byte chunks, counting them (`chunks`: how many were asked for) and
    held before chunk `hold_at` until `release` is set (`held` says it got there);
    `outcome` is "read" or "cancelled" once it is over."""

    CHUNK = 16

    @classmethod
    def all_chunks(cls, path) -> int:
        """The chunks a whole read asks for: every one with data, and the empty one."""
        return -(-path.stat().st_size // cls.CHUNK) + 1

    def __init__(self, hold_at: int):
        self.hold_at = hold_at
        self.chunks = 0
        self.held = threading.Event()
        self.release = threading.Event()
        self.outcome = None

    def __call__(self, path, keep_going):
        def counted():
            self.chunks += 1
            if self.chunks == self.hold_at:
                self.held.set()
                self.release.wait(HUNG)
            return keep_going()
        try:
            table = read_table(path, counted, chunk_bytes=self.CHUNK)
        except ReadCancelled:
            self.outcome = "cancelled"
            raise
        self.outcome = "read"
        return table


@pytest.fixture
def chunked():
    reader = ChunkReader(hold_at=3)
    yield reader
    reader.release.set()


def test_cancel_while_reading_stops_the_read_between_chunks_and_changes_nothing(
        make_window, qtbot, points, chunked, monkeypatch, capsys):
    """Through the Data panel, which deletes the dialog once closed: Cancel clicked while the
    third chunk is awaited closes the dialog at once; the read then stops before that chunk
    (3 of the file's 24 asked for), the thread ends and deletes itself, and nothing changed."""
    from nnplayground.ui import panels
    monkeypatch.setattr(panels, "DataImportDialog", partial(DataImportDialog, read=chunked))
    assert ChunkReader.all_chunks(points) > 20
    window = make_window(load_builtin("xor"))
    before = copy.deepcopy(window.model.doc)
    panel = window.dataset_panel
    dialog = panel.open_data_file(str(points))
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(chunked.held.is_set)
    thread = dialog.read_thread
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Cancel), Qt.LeftButton)
    assert panel.import_dialog is None
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog))     # deleted by the panel
    assert thread.isRunning() and chunked.outcome is None      # held in the reader

    chunked.release.set()
    qtbot.waitUntil(lambda: not shiboken6.isValid(thread))     # finished, deleted itself
    assert chunked.outcome == "cancelled" and chunked.chunks == 3
    assert window.model.doc == before and not window.model.undo_stack.canUndo()
    assert panel.kind.currentText() == "xor"
    assert "Traceback" not in capsys.readouterr().err          # a cancel is no error


def test_a_read_not_cancelled_reads_every_chunk(qtbot, points):
    """The same reader left alone reads the file to its end: the count above is a stop."""
    reader = ChunkReader(hold_at=0)
    dialog = open_dialog(qtbot, points, reader)
    settle(qtbot, dialog)
    assert reader.outcome == "read"
    assert reader.chunks == ChunkReader.all_chunks(points)
    assert dialog.table.n_rows == 30 and dialog.choice_ok


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

    def refuse(path, keep_going):
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
    def fail(path, keep_going):
        raise MemoryError("cannot allocate 3 GiB")
    dialog = open_dialog(qtbot, points, fail)
    qtbot.waitUntil(lambda: not dialog.reading)
    assert "points.csv: could not be read (MemoryError: cannot allocate 3 GiB)" in \
        dialog.summary.text()
    assert not dialog.buttons.button(QDialogButtonBox.Ok).isEnabled() and not dialog.choice_ok
    assert "MemoryError" in capsys.readouterr().err        # the traceback, for a bug report


class CheckWatch:
    """A reader whose table records each check of a choice (`calls`: the thread it ran on
    and the input columns asked for) and holds it until `gate` is set (set: no wait)."""

    def __init__(self):
        self.calls = []
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, path, keep_going):
        table = read_table(path, keep_going)
        watch = self

        class Watched(DataTable):
            def select(self, inputs=None, target=None, task=None):
                watch.calls.append((threading.current_thread(), list(inputs)))
                watch.gate.wait(HUNG)
                return super().select(inputs, target, task)
        return Watched(**{f.name: getattr(table, f.name) for f in fields(table)})


@pytest.fixture
def watch():
    watched = CheckWatch()
    yield watched
    watched.gate.set()


def toggle(qtbot, dialog, row):
    """A real click on an input's row, then Space: its tick box flips."""
    rect = dialog.inputs.visualItemRect(dialog.inputs.item(row))
    qtbot.mouseClick(dialog.inputs.viewport(), Qt.LeftButton, pos=rect.center())
    QTest.keyClick(dialog.inputs, Qt.Key_Space)


def test_the_chosen_columns_are_checked_off_the_gui_thread(qtbot, points, watch):
    """The first check runs on the reading thread; a later one on a thread of its own while
    the event loop runs, nothing accepted meanwhile, the summary updated once it is done."""
    dialog = open_dialog(qtbot, points, watch)
    settle(qtbot, dialog)
    gui = threading.current_thread()
    assert len(watch.calls) == 1 and watch.calls[0][0] is not gui
    assert dialog.summary.text().startswith("30 rows, 2 inputs")

    watch.gate.clear()
    toggle(qtbot, dialog, 1)                                    # x2 off
    qtbot.waitUntil(lambda: len(watch.calls) == 2)
    assert watch.calls[1][0] is not gui and watch.calls[1][1] == ["x1"]
    assert dialog.checking and not dialog.choice_ok
    assert not dialog.ok_button.isEnabled()
    fired = []
    QTimer.singleShot(0, lambda: fired.append(dialog.checking))
    qtbot.waitUntil(lambda: bool(fired))                        # the GUI thread runs on
    assert fired == [True]

    with qtbot.waitSignal(dialog.checked):
        watch.gate.set()
    assert not dialog.checking and dialog.choice_ok and dialog.ok_button.isEnabled()
    assert dialog.summary.text().startswith("30 rows, 1 input;")


def test_only_the_newest_choice_is_checked_and_shown(qtbot, points, watch):
    """Choices made while a check runs wait for it; then only the newest is checked."""
    dialog = open_dialog(qtbot, points, watch)
    settle(qtbot, dialog)
    watch.gate.clear()
    toggle(qtbot, dialog, 1)                                    # x2 off: being checked
    qtbot.waitUntil(lambda: len(watch.calls) == 2)
    toggle(qtbot, dialog, 0)                                    # x1 off: no input at all
    toggle(qtbot, dialog, 1)                                    # x2 on again
    assert dialog.chosen_inputs() == [1] and dialog.checking
    with qtbot.waitSignal(dialog.checked):
        watch.gate.set()
    assert [inputs for _, inputs in watch.calls] == [["x1", "x2"], ["x1"], ["x2"]]
    assert dialog.choice_ok and dialog.summary.text().startswith("30 rows, 1 input;")
    assert dialog.spec("points.csv")["input_columns"] == ["x2"]


def test_a_dialog_closed_while_checking_ignores_the_late_check(qtbot, points, watch):
    dialog = open_dialog(qtbot, points, watch)
    settle(qtbot, dialog)
    watch.gate.clear()
    toggle(qtbot, dialog, 1)
    qtbot.waitUntil(lambda: len(watch.calls) == 2)
    thread = dialog.check_thread
    heard = []
    dialog.checked.connect(lambda: heard.append(True))
    QTest.keyClick(dialog, Qt.Key_Escape)
    assert not dialog.isVisible() and not dialog.checking
    watch.gate.set()
    qtbot.waitUntil(lambda: not shiboken6.isValid(thread))
    assert not heard and not dialog.choice_ok


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_the_reading_thread_runs_nicer_than_the_gui_thread(qtbot, points):
    """As the training thread does: on a busy machine the window gets a core first."""
    seen = {}

    def read(path, keep_going):
        seen["nice"] = niceness(threading.get_native_id())
        return read_table(path, keep_going)
    dialog = open_dialog(qtbot, points, read)
    settle(qtbot, dialog)
    gui = niceness(threading.get_native_id())
    assert seen["nice"] == min(gui + TRAINING_NICENESS, 19)
