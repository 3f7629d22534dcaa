"""Data > Open data file…: a CSV or .npz becomes the preset's dataset, after a look at it.

The dialog shows the file's first rows, lets the user choose the input columns, the label or
target column and the task (guessed from the labels, overridable), and lists what is wrong with
the file or the choice (a ragged row, text in a chosen column, no rows: by line) before anything
changes. It reads the file with `nnplayground.data.files`, the reader `load_file` uses, so it
says exactly what training would. Accepting makes one undoable edit: the dataset, and the
network's input and output fitted to the data.

The file is read on a background thread (`ui/tasks.TaskThread`): a 50 MB CSV takes seconds,
during which the window, its training views included, goes on drawing and the dialog's Cancel
works. A result that comes after Cancel is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QListWidget, QListWidgetItem, QProgressBar, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from nnplayground.data import DatasetError
from nnplayground.data.files import TASKS, DataTable, csv_rows, read_table
from nnplayground.presets.validation import output_node
from nnplayground.ui import document as D
from nnplayground.ui.tasks import TaskThread

PREVIEW_ROWS = 20
FILE_FILTER = "Data files (*.csv *.npz);;CSV (*.csv);;NumPy archives (*.npz);;All files (*)"
ERROR_STYLE = "color: #b00020"


@dataclass(frozen=True)
class FileRead:
    """What reading the file found: its table, or why it is refused (`problem`) and its first
    lines as they are (`raw_rows`: (line number, cells), to show where a ragged row is)."""

    table: DataTable | None
    problem: str = ""
    raw_rows: tuple = ()


def read_file(path: Path, read=read_table) -> FileRead:
    """Runs on the reading thread: `read(path)`, or the refusal and the file's first lines."""
    try:
        return FileRead(read(path))
    except DatasetError as exc:
        return FileRead(None, str(exc), tuple(_raw_rows(path)))


def _raw_rows(path: Path) -> list:
    """A file the table cannot be made of (ragged rows): its first CSV lines as they are."""
    if path.suffix.lower() != ".csv":
        return []
    try:
        return csv_rows(path)[:PREVIEW_ROWS]
    except DatasetError:
        return []


class DataImportDialog(QDialog):
    """Preview and column choice for one data file. `spec()` is the dataset it describes once
    `choice_ok`; `input_shape`, `n_classes` (None: a regression) and `n_targets` what the
    network must take and give.

    The dialog shows at once; the file is read on a background thread meanwhile (`reading`,
    `read_thread`), and `read_finished` is emitted once the preview and the choices are filled
    in or the file is refused."""

    read_finished = Signal()

    def __init__(self, path, current: dict | None = None, parent=None, read=read_table):
        """`current`: the document's dataset when it is this file already (its columns, task,
        split and seed are kept). `read(path) -> DataTable` reads the file (on the reading
        thread); it raises DatasetError for a file it refuses."""
        super().__init__(parent)
        self.path = Path(path)
        self.current = dict(current or {})
        self.table: DataTable | None = None
        self.reading = True
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
        self.progress.setToolTip("Reading the file; Cancel stops waiting for it")
        layout.addWidget(self.progress)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Use this data")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for widget in (self.inputs, self.target, self.task):
            widget.setEnabled(False)

        self.read_thread = TaskThread(partial(read_file, self.path, read))
        self.read_thread.done.connect(self._on_read)
        self.read_thread.failed.connect(self._on_read_failed)
        self.read_thread.start_detached()

    # -- reading ----------------------------------------------------------------------------
    def done(self, result: int) -> None:
        """Closed (Cancel, Esc, the close button, or accepted): a read still running is left
        to finish on its own, its result dropped."""
        self._stop_reading()
        super().done(result)

    def _stop_reading(self) -> bool:
        """True when a read was still awaited (and now no longer is)."""
        was, self.reading = self.reading, False
        self.read_thread = None
        self.progress.hide()
        return was

    def _on_read(self, read: FileRead) -> None:
        if not self._stop_reading():
            return                          # cancelled meanwhile
        if read.table is None:
            self._show_raw_rows(read.raw_rows)
            self._refuse(read.problem)
        else:
            self.table = read.table
            for widget in (self.inputs, self.target, self.task):
                widget.setEnabled(True)
            self._fill()
            self.inputs.itemChanged.connect(self._on_choice_changed)
            self.target.currentIndexChanged.connect(self._on_target_changed)
            self.task.activated.connect(self._on_task_chosen)
            self._check()
        self.read_finished.emit()

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

    def _fill(self) -> None:
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
        target = self.current.get("target_column")
        try:
            t = table.index(target if target is not None else table.default_target(), "target")
        except DatasetError:
            t = len(table.columns) - 1
        chosen = self.current.get("input_columns")
        try:
            picked = {table.index(ref, "inputs") for ref in
                      (chosen if chosen is not None else table.default_inputs(table.reference(t)))}
        except DatasetError:
            picked = set(range(len(table.columns))) - {t}
        for i, name in enumerate(table.columns):
            self.target.addItem(name, i)
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if i in picked and i != t
                               else Qt.CheckState.Unchecked)
            self.inputs.addItem(item)
        self.target.setCurrentIndex(t)
        self._keep_target_out(t)
        if self.current.get("task") in TASKS:
            self.task.setCurrentText(self.current["task"])
            self._task_guessed = False

    # -- choosing ---------------------------------------------------------------------------
    def chosen_inputs(self) -> list[int]:
        return [i for i in range(self.inputs.count())
                if self.inputs.item(i).checkState() == Qt.CheckState.Checked]

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
        """Reads the chosen columns as training will; says what is wrong, by line."""
        table = self.table
        refs = [table.reference(i) for i in self.chosen_inputs()]
        target = table.reference(self.target.currentIndex())
        task = None if self._task_guessed else self.task.currentText()
        try:
            x, y, task, _names = table.select(refs, target, task)
        except DatasetError as exc:
            self._refuse(str(exc))
            return
        self.task.setCurrentText(task)
        self.input_shape = tuple(x.shape[1:]) if x.ndim > 1 else (1,)
        self.n_classes = max(2, int(y.max()) + 1) if task == "classification" else None
        self.n_targets = int(np.prod(y.shape[1:], dtype=int))
        what = (f"classification, {self.n_classes} classes" if self.n_classes else
                "regression")
        guessed = " (guessed from the labels)" if self._task_guessed else ""
        if len(self.input_shape) == 1:
            n = self.input_shape[0]
            inputs = f"{n} input{'' if n == 1 else 's'}"
        else:
            inputs = "inputs of shape " + "\u00d7".join(map(str, self.input_shape))
        self.summary.setStyleSheet("")
        self.summary.setText(f"{table.n_rows} rows, {inputs}; {what}{guessed}. The "
                             "network's input and output are fitted to the data; Undo "
                             "brings back the current data.")
        self.choice_ok = True
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)

    def _refuse(self, message: str) -> None:
        self.choice_ok = False
        if self._task_guessed:              # no labels read, no guess to show
            self.task.setCurrentIndex(-1)
        self.summary.setStyleSheet(ERROR_STYLE)
        self.summary.setText(message)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)

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
