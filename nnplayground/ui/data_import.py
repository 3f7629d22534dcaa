"""Data > Open data file…: a CSV or .npz becomes the preset's dataset, after a look at it.

The dialog shows the file's first rows, lets the user choose the input columns, the label or
target column and the task (guessed from the labels, overridable), and lists what is wrong with
the file or the choice (a ragged row, text in a chosen column, no rows: by line) before anything
changes. It reads the file with `nnplayground.data.files`, the reader `load_file` uses, so it
says exactly what training would. Accepting makes one undoable edit: the dataset, and the
network's input and output fitted to the data.

The file is read on a background thread (`ui/tasks.TaskThread`): a 50 MB CSV takes seconds,
during which the window, its training views included, goes on drawing and the dialog's Cancel
works: it stops the read between two chunks of the file (`read_table`'s `keep_going`), so a
cancelled read frees its core at once, and nothing changes. Checking a choice of columns
(`check_choice`: every row of the chosen columns read as numbers, 50-350 ms for half a million
rows) runs off the GUI thread too, the first on the reading thread, each later one on a thread
of its own; while a check is under way nothing can be accepted, and only the newest choice's
check is shown.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QListWidget, QListWidgetItem, QProgressBar, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from nnplayground.data import DatasetError
from nnplayground.data.files import TASKS, DataTable, ReadCancelled, csv_rows, read_table
from nnplayground.presets.validation import output_node
from nnplayground.ui import document as D
from nnplayground.ui.tasks import TaskThread

PREVIEW_ROWS = 20
FILE_FILTER = "Data files (*.csv *.npz);;CSV (*.csv);;NumPy archives (*.npz);;All files (*)"
ERROR_STYLE = "color: #b00020"


@dataclass(frozen=True)
class Choice:
    """The columns chosen, by index, and the task (None: guessed from the labels)."""

    inputs: tuple[int, ...]
    target: int
    task: str | None = None


@dataclass(frozen=True)
class Check:
    """What `check_choice` found for `choice`: why it is refused (`problem`), or the task and
    what the network must take (`input_shape`) and give (`n_classes`, None for a regression,
    and `n_targets` values per sample)."""

    choice: Choice
    problem: str = ""
    task: str = ""
    input_shape: tuple = ()
    n_classes: int | None = None
    n_targets: int = 1


@dataclass(frozen=True)
class FileRead:
    """What reading the file found: its table and the first choice's check, or why it is
    refused (`problem`) and its first lines as they are (`raw_rows`: (line number, cells), to
    show where a ragged row is)."""

    table: DataTable | None
    problem: str = ""
    raw_rows: tuple = ()
    check: Check | None = None


def first_choice(table: DataTable, current: dict) -> Choice:
    """The choice the dialog opens with: the current dataset's columns and task when it is
    this file already, else the table's defaults (the last column as the target)."""
    target = current.get("target_column")
    try:
        t = table.index(target if target is not None else table.default_target(), "target")
    except DatasetError:
        t = len(table.columns) - 1
    chosen = current.get("input_columns")
    try:
        picked = {table.index(ref, "inputs") for ref in
                  (chosen if chosen is not None else table.default_inputs(table.reference(t)))}
    except DatasetError:
        picked = set(range(len(table.columns)))
    task = current.get("task") if current.get("task") in TASKS else None
    return Choice(tuple(sorted(picked - {t})), t, task)


def check_choice(table: DataTable, choice: Choice) -> Check:
    """Off the GUI thread: the chosen columns read as training will read them
    (`DataTable.select`), and what they ask of the network."""
    refs = [table.reference(i) for i in choice.inputs]
    try:
        x, y, task, _names = table.select(refs, table.reference(choice.target), choice.task)
    except DatasetError as exc:
        return Check(choice, problem=str(exc))
    return Check(choice, task=task,
                 input_shape=tuple(x.shape[1:]) if x.ndim > 1 else (1,),
                 n_classes=max(2, int(y.max()) + 1) if task == "classification" else None,
                 n_targets=int(np.prod(y.shape[1:], dtype=int)))


def read_file(path: Path, current: dict, stop: threading.Event, read=read_table):
    """Runs on the reading thread: `read(path, keep_going)` and the first choice's check; or
    the refusal and the file's first lines; None once `stop` is set (the read cut short)."""
    try:
        table = read(path, lambda: not stop.is_set())
    except ReadCancelled:
        return None
    except DatasetError as exc:
        return FileRead(None, str(exc), tuple(_raw_rows(path)))
    return FileRead(table, check=check_choice(table, first_choice(table, current)))


def _raw_rows(path: Path) -> list:
    """A file the table cannot be made of (ragged rows): its first CSV lines as they are."""
    if path.suffix.lower() != ".csv":
        return []
    try:
        return csv_rows(path, PREVIEW_ROWS)
    except DatasetError:
        return []


class DataImportDialog(QDialog):
    """Preview and column choice for one data file. `spec()` is the dataset it describes once
    `choice_ok`; `input_shape`, `n_classes` (None: a regression) and `n_targets` what the
    network must take and give.

    The dialog shows at once; the file is read on a background thread meanwhile (`reading`,
    `read_thread`), and `read_finished` is emitted once the preview and the choices are filled
    in or the file is refused. Each choice is checked off the GUI thread (`checking`,
    `check_thread`); `checked` is emitted when the newest choice's check is shown."""

    read_finished = Signal()
    checked = Signal()

    def __init__(self, path, current: dict | None = None, parent=None, read=read_table):
        """`current`: the document's dataset when it is this file already (its columns, task,
        split and seed are kept). `read(path, keep_going) -> DataTable` reads the file (on the
        reading thread; `read_table`'s signature); it raises DatasetError for a file it
        refuses, and ReadCancelled once `keep_going()` says no."""
        super().__init__(parent)
        self.path = Path(path)
        self.current = dict(current or {})
        self.table: DataTable | None = None
        self.reading = True
        self.checking = False
        self.check_thread: TaskThread | None = None
        self.setWindowTitle(f"Open data file: {self.path.name}")
        self.resize(760, 560)
        self.choice_ok = False
        self.input_shape: tuple = ()
        self.n_classes: int | None = None
        self.n_targets = 1                  # a regression's values per sample
        self._task_guessed = True

        layout = QVBoxLayout(self)
        where = QLabel(str(self.path))
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(where)
        self.preview = QTableWidget()
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.preview.setToolTip(f"The file's first {PREVIEW_ROWS} rows")
        layout.addWidget(self.preview, 2)
        form = QFormLayout()
        self.inputs = QListWidget()
        self.inputs.setToolTip("Tick the columns the network reads")
        self.inputs.setMaximumHeight(120)
        form.addRow("Inputs", self.inputs)
        self.target = QComboBox()
        self.target.setToolTip("The column the network learns to predict")
        form.addRow("Label / target", self.target)
        self.task = QComboBox()
        self.task.addItems(TASKS)
        self.task.setCurrentIndex(-1)       # no labels read yet, no guess to show
        self.task.setToolTip("Classification: whole-number classes 0, 1, 2, ...; regression: "
                             "real-valued targets. Guessed from the labels; choose to override")
        form.addRow("Task", self.task)
        layout.addLayout(form)
        self.summary = QLabel(f"Reading {self.path.name}\u2026")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)        # busy: the reader cannot say how far it is
        self.progress.setTextVisible(False)
        self.progress.setToolTip("Reading the file; Cancel stops reading it")
        layout.addWidget(self.progress)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Use this data")
        self.ok_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for widget in (self.inputs, self.target, self.task):
            widget.setEnabled(False)

        stop = threading.Event()
        self.read_thread = TaskThread(partial(read_file, self.path, self.current, stop, read),
                                      stop=stop)
        self.read_thread.done.connect(self._on_read)
        self.read_thread.failed.connect(self._on_read_failed)
        self.read_thread.start_detached()

    # -- reading ----------------------------------------------------------------------------
    def done(self, result: int) -> None:
        """Closed (Cancel, Esc, the close button, or accepted): a read still running is
        stopped, a check still running left to finish; their results are dropped."""
        self._stop_reading()
        self.check_thread = None
        self.checking = False
        super().done(result)

    def _stop_reading(self) -> bool:
        """True when a read was still awaited (and now no longer is)."""
        was, self.reading = self.reading, False
        if was:
            self.read_thread.stop()         # ends within a chunk; its result is dropped
        self.read_thread = None
        self.progress.hide()
        return was

    def _on_read(self, read: FileRead | None) -> None:
        if not self._stop_reading() or read is None:
            return                          # cancelled meanwhile
        if read.table is None:
            self._show_raw_rows(read.raw_rows)
            self._refuse(read.problem)
        else:
            self.table = read.table
            for widget in (self.inputs, self.target, self.task):
                widget.setEnabled(True)
            self._fill(read.check.choice)
            self.inputs.itemChanged.connect(self._on_choice_changed)
            self.target.currentIndexChanged.connect(self._on_target_changed)
            self.task.activated.connect(self._on_task_chosen)
            self._show_check(read.check)
        self.read_finished.emit()
        if read.table is not None:
            self.checked.emit()

    def _on_read_failed(self, message: str) -> None:
        """Not a refusal of the file's contents (those are DatasetErrors) but the reader
        failing (out of memory, a bug): said as it is, nothing changes."""
        if not self._stop_reading():
            return
        self._refuse(f"{self.path}: could not be read ({message}); nothing was changed")
        self.read_finished.emit()

    # -- filling ----------------------------------------------------------------------------
    def _show_raw_rows(self, rows) -> None:
        """A file the table cannot be made of (ragged rows): its lines as they are."""
        width = max((len(cells) for _, cells in rows), default=0)
        self.preview.setColumnCount(width)
        self.preview.setRowCount(len(rows))
        self.preview.setVerticalHeaderLabels([f"line {n}" for n, _ in rows])
        for r, (_, cells) in enumerate(rows):
            for c, text in enumerate(cells):
                self.preview.setItem(r, c, QTableWidgetItem(text))

    def _fill(self, choice: Choice) -> None:
        table = self.table
        rows = table.preview(PREVIEW_ROWS)
        self.preview.setColumnCount(len(table.columns))
        self.preview.setRowCount(len(rows))
        self.preview.setHorizontalHeaderLabels(list(table.columns))
        if table.format == "csv":
            self.preview.setVerticalHeaderLabels([f"line {n}" for n in table.lines[:len(rows)]])
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.preview.setItem(r, c, QTableWidgetItem(text))
        for i, name in enumerate(table.columns):
            self.target.addItem(name, i)
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if i in choice.inputs
                               else Qt.CheckState.Unchecked)
            self.inputs.addItem(item)
        self.target.setCurrentIndex(choice.target)
        self._keep_target_out(choice.target)
        if choice.task is not None:
            self.task.setCurrentText(choice.task)
            self._task_guessed = False

    # -- choosing ---------------------------------------------------------------------------
    def chosen_inputs(self) -> list[int]:
        return [i for i in range(self.inputs.count())
                if self.inputs.item(i).checkState() == Qt.CheckState.Checked]

    def choice(self) -> Choice:
        """What the widgets show now."""
        return Choice(tuple(self.chosen_inputs()), self.target.currentIndex(),
                      None if self._task_guessed else self.task.currentText())

    def _on_target_changed(self, index: int) -> None:
        """The target is not an input; its labels decide the task again, unless chosen."""
        self._keep_target_out(index)
        self._check()

    def _keep_target_out(self, index: int) -> None:
        """The target's entry in the inputs list: unticked and greyed out."""
        self.inputs.blockSignals(True)
        for i in range(self.inputs.count()):
            item = self.inputs.item(i)
            if i == index:
                item.setCheckState(Qt.CheckState.Unchecked)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            else:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEnabled)
        self.inputs.blockSignals(False)

    def _on_task_chosen(self, _index: int) -> None:
        self._task_guessed = False
        self._check()

    def _on_choice_changed(self, *_args) -> None:
        self._check()

    def _check(self) -> None:
        """The choice changed: nothing can be accepted until it is checked, off the GUI
        thread. One check runs at a time; one that comes back for an older choice starts
        the newest choice's."""
        self.checking = True
        self.choice_ok = False
        self.ok_button.setEnabled(False)
        if self.check_thread is None:
            self._start_check()

    def _start_check(self) -> None:
        self.check_thread = TaskThread(partial(check_choice, self.table, self.choice()))
        self.check_thread.done.connect(self._on_checked)
        self.check_thread.failed.connect(self._on_check_failed)
        self.check_thread.start_detached()

    def _on_checked(self, check: Check) -> None:
        if self.check_thread is None:
            return                          # closed meanwhile
        self.check_thread = None
        if check.choice != self.choice():
            self._start_check()             # chosen again meanwhile
            return
        self.checking = False
        self._show_check(check)
        self.checked.emit()

    def _on_check_failed(self, message: str) -> None:
        if self.check_thread is None:
            return
        self.check_thread = None
        self.checking = False
        self._refuse(f"{self.path}: the chosen columns could not be checked ({message})")
        self.checked.emit()

    def _show_check(self, check: Check) -> None:
        """Says what is wrong with the choice, by line, or what the network will be."""
        if check.problem:
            self._refuse(check.problem)
            return
        self.task.setCurrentText(check.task)
        self.input_shape = check.input_shape
        self.n_classes = check.n_classes
        self.n_targets = check.n_targets
        what = (f"classification, {self.n_classes} classes" if self.n_classes else
                "regression")
        guessed = " (guessed from the labels)" if self._task_guessed else ""
        if len(self.input_shape) == 1:
            n = self.input_shape[0]
            inputs = f"{n} input{'' if n == 1 else 's'}"
        else:
            inputs = "inputs of shape " + "\u00d7".join(map(str, self.input_shape))
        self.summary.setStyleSheet("")
        self.summary.setText(f"{self.table.n_rows} rows, {inputs}; {what}{guessed}. The "
                             "network's input and output are fitted to the data; Undo "
                             "brings back the current data.")
        self.choice_ok = True
        self.ok_button.setEnabled(True)

    def _refuse(self, message: str) -> None:
        self.choice_ok = False
        if self._task_guessed:              # no labels read, no guess to show
            self.task.setCurrentIndex(-1)
        self.summary.setStyleSheet(ERROR_STYLE)
        self.summary.setText(message)
        self.ok_button.setEnabled(False)

    def spec(self, data_path: str) -> dict:
        """The dataset this dialog describes, naming the file as `data_path`."""
        table = self.table
        return {"kind": "file", "path": data_path, "task": self.task.currentText(),
                "input_columns": [table.reference(i) for i in self.chosen_inputs()],
                "target_column": table.reference(self.target.currentIndex()),
                "train_fraction": self.current.get("train_fraction", 0.8),
                "seed": self.current.get("seed", 0)}


def fit_network_to_data(doc: dict, input_shape: tuple, n_classes: int | None,
                        n_targets: int = 1) -> None:
    """In place: the Input node takes `input_shape`, and a Dense output gives what the task
    needs (`fit_output_to_classes` for classes, `n_targets` linear units with mse for a
    regression); other outputs are left for the user to fit."""
    nodes = doc.get("model", {}).get("nodes", [])
    for node in nodes:
        if node.get("type") == "Input":
            node.setdefault("params", {})["shape"] = list(input_shape)
    if n_classes is not None:
        D.fit_output_to_classes(doc, n_classes)
        return
    out = output_node(doc.get("model", {}))
    if out is not None and out.get("type") == "Dense":
        out.setdefault("params", {}).update(units=n_targets, activation="identity")
        doc["loss"] = "mse"


def use_data_file(doc: dict, spec: dict, dialog: DataImportDialog) -> None:
    """In place: `doc` trains on the file `spec` describes, its network fitted to the data
    the dialog read."""
    doc["dataset"] = dict(spec)
    fit_network_to_data(doc, dialog.input_shape, dialog.n_classes, dialog.n_targets)
    if doc.get("training", {}).get("augmentation"):     # images only; a file is not one
        doc["training"].pop("augmentation")
