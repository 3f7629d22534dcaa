"""The dataset panel and the training panel: forms over the preset's settings.

Both edit the document through undoable edits (consecutive changes of one field merge) and
re-sync from it with signals blocked, so undo and file loads show up here without echoing back.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import (QAbstractScrollArea, QApplication, QComboBox, QDoubleSpinBox,
                               QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QPushButton, QSizePolicy, QSpinBox, QToolButton, QVBoxLayout,
                               QWidget)

from nnplayground.data import resolve_data_path
from nnplayground.presets.datapath import data_path_for_file
from nnplayground.ui import document as D
from nnplayground.ui.augment_box import AugmentationBox
from nnplayground.ui.data_import import FILE_FILTER, DataImportDialog, use_data_file
from nnplayground.ui.tasks import TaskThread
from nnplayground.ui.undo import DocumentModel
from nnplayground.ui.views.classes import class_colour
from nnplayground.worker.pace import DEFAULT_SPEED, DESCRIPTIONS, SPEEDS

OPEN_FILE = "open data file"   # kind combo entries that are not a generator's kind
CURRENT = "data in use"
CLASS_BRUSHES = [pg.mkBrush(245, 147, 34), pg.mkBrush(8, 119, 189)]
PREVIEW_POINTS = 1000           # the Data panel draws at most this many training points


def load_preview(key, spec: dict, folder):
    """(key, spec, the Dataset or the exception refusing it): off the GUI thread for a file.
    A relative file path is read from the preset's folder."""
    from nnplayground.data import load_dataset
    try:
        return key, spec, load_dataset(spec, base_dir=folder)
    except Exception as exc:    # any DatasetError or missing module: said, the app stays up
        return key, spec, exc


def _set_key(doc: dict, section: str, key: str, value) -> None:
    doc.setdefault(section, {})[key] = value


def _accepted_keys(kind) -> set | None:
    """Parameters a dataset kind takes, from the data package (None when it cannot say)."""
    try:
        from nnplayground.data import dataset_defaults
        return set(dataset_defaults(kind))
    except Exception:   # unknown kind or older data package: allow everything, validation reports
        return None


class _Form(QGroupBox):
    """A group of fields, each bound to doc[section][key] (or doc[key] when section is None)."""

    def __init__(self, title: str, model: DocumentModel, parent=None):
        super().__init__(title, parent)
        self.model = model
        self.fields: dict[tuple, QWidget] = {}
        self.setFlat(True)
        self.layout_ = QVBoxLayout(self)
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        model.changed.connect(self.sync)

    def _bind(self, label: str, section, key, widget: QWidget, tip: str, default=None):
        widget.setToolTip(tip)
        lab = QLabel(label)
        lab.setToolTip(tip)
        self.form.addRow(lab, widget)
        self.fields[(section, key)] = (widget, default)
        if isinstance(widget, QComboBox):
            widget.currentTextChanged.connect(lambda v: self._set(section, key, v))
        elif isinstance(widget, QSpinBox):
            widget.valueChanged.connect(lambda v: self._set(section, key, int(v)))
        else:
            widget.valueChanged.connect(lambda v: self._set(section, key, float(v)))
        return widget

    def _set(self, section, key, value) -> None:
        def apply(d):
            if section is None:
                d[key] = value
            else:
                _set_key(d, section, key, value)
        name = key if section is None else f"{section}.{key}"
        self.model.edit(f"{name} = {value}", apply, merge_key=("field", section, key))

    def sync(self, *_args) -> None:
        doc = self.model.doc
        for (section, key), (w, default) in self.fields.items():
            value = doc.get(key, default) if section is None else \
                doc.get(section, {}).get(key, default)
            w.blockSignals(True)
            if isinstance(w, QComboBox):
                w.setCurrentText(str(value))
            elif value is not None:
                w.setValue(value)
            w.blockSignals(False)


def _spin(lo, hi, step=1):
    w = QSpinBox()
    w.setRange(lo, hi)
    w.setSingleStep(step)
    return w


def _dspin(lo, hi, step, decimals):
    w = QDoubleSpinBox()
    w.setRange(lo, hi)
    w.setSingleStep(step)
    w.setDecimals(decimals)
    return w


class PassWheel(QObject):
    """Hands wheel events over a plot to the scroll area around it (the panel scrolls) instead
    of letting the plot take them: pyqtgraph's view boxes accept every wheel event, even with
    the mouse disabled, so they never reached the panel."""

    def __init__(self, plot: QAbstractScrollArea):
        super().__init__(plot)
        self.plot = plot
        plot.viewport().installEventFilter(self)

    def eventFilter(self, obj, event):  # noqa: N802
        if event.type() != QEvent.Type.Wheel:
            return False
        area = self.plot.parentWidget()
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is not None:
            QApplication.sendEvent(area.verticalScrollBar(), event)
        return True


def _data_title(spec: dict) -> str:
    """The combo's entry for data no generator makes: "File: points.csv", or the kind."""
    if spec.get("kind") == "file":
        return f"File: {Path(str(spec.get('path') or '?')).name}"
    return str(spec.get("kind"))


def describe_file_data(spec: dict, ds) -> str:
    """What the Data panel says of a file dataset: rows, columns and task."""
    rows = len(ds.x_train) + len(ds.x_test)
    chosen = spec.get("input_columns")
    inputs = ", ".join(map(str, chosen)) if chosen else "every column but the target"
    target = spec.get("target_column") or "the last column"
    task = f"classification, {ds.n_classes} classes" if ds.task == "classification" \
        else "regression"
    shape = "\u00d7".join(map(str, ds.input_shape))
    return (f"{ds.name}: {rows} rows; inputs ({shape}): {inputs}; target: {target}; {task}. "
            "Open data file\u2026 again to choose other columns.")


class DatasetPanel(_Form):
    """Dataset kind, noise, training share, size and seed, with a preview of the data."""

    def __init__(self, model: DocumentModel, parent=None):
        super().__init__("", model, parent)   # the dock's title names it
        self.kind = kind = QComboBox()
        for name in D.DATASET_KINDS:
            kind.addItem(name, name)
        kind.insertSeparator(kind.count())
        kind.addItem("Open data file\u2026", OPEN_FILE)
        tip = "Which data the network learns: a generator, or your own CSV or .npz file"
        kind.setToolTip(tip)
        label = QLabel("Dataset")
        label.setToolTip(tip)
        self.form.addRow(label, kind)
        self.fields[("dataset", "kind")] = (kind, None)
        kind.currentIndexChanged.connect(self._on_kind_chosen)
        self.file_info = QLabel()
        self.file_info.setWordWrap(True)
        self.form.addRow(self.file_info)
        self.act_open_data = QAction("Open &data file\u2026", self)
        self.act_open_data.setToolTip("Train on your own CSV or .npz file: preview it, choose "
                                      "its columns (undoable)")
        self.act_open_data.triggered.connect(lambda: self.open_data_file())
        self.import_dialog = None
        self._bind("Noise %", "dataset", "noise", _spin(0, 50, 5),
                   "Noise added to the points (0-50 %, as in TensorFlow Playground)", 0)
        share = _dspin(0.1, 0.9, 0.1, 2)
        self._bind("Training share", "dataset", "train_fraction", share,
                   "Share of the points used for training; the rest is the test set", 0.5)
        self._bind("Classes", "dataset", "n_classes", _spin(2, 6),
                   "How many classes blobs and spirals make (2 to 6); the output layer "
                   "follows", 3)
        self._bind("Points", "dataset", "n_samples", _spin(4, 100000, 50),
                   "How many points the generator makes", 500)
        self._bind("Data seed", "dataset", "seed", _spin(0, 2**31 - 1),
                   "Same seed, same points", 0)
        self.regen = regen = QPushButton("Regenerate")
        regen.setToolTip("New random points: the next data seed (undoable)")
        regen.clicked.connect(self.regenerate)
        self.layout_.addWidget(regen)
        self.open_file = QToolButton()
        self.open_file.setDefaultAction(self.act_open_data)
        self.open_file.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.layout_.addWidget(self.open_file)
        self.save_csv = QPushButton("Save data as CSV\u2026")
        self.save_csv.setToolTip("Write the current data points to a CSV file (x1,x2,label), "
                                 "which a file dataset reads back")
        self.layout_.addWidget(self.save_csv)
        self.plot = pg.PlotWidget()
        self.plot.setToolTip("Preview of the training data (hollow: test data)")
        self.plot.setMinimumHeight(170)
        self.plot.setBackground("w")
        self.plot.setAspectLocked(False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        # A preview, not a plot to explore: the mouse wheel scrolls the panel (zooming made
        # the data a speck), and dragging does nothing.
        self.plot.setMouseEnabled(False, False)
        self._pass_wheel = PassWheel(self.plot)
        self.scatter = pg.ScatterPlotItem(size=5, pen=None)
        self.images = pg.ImageItem()
        self.plot.addItem(self.scatter)
        self.plot.addItem(self.images)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #55606e")
        # At the top, where it is seen: "the bundled MNIST sample is in use" sat under the
        # preview at the bottom of a scrolled panel.
        self.layout_.insertWidget(0, self.note)
        self.layout_.addWidget(self.plot)
        self.augmentation = AugmentationBox(model)      # shows itself for image data only
        self.layout_.addWidget(self.augmentation)
        self._preview_key = None
        self.preview_thread: TaskThread | None = None     # reading a file for the preview
        model.changed.connect(self.update_preview)
        self.sync()
        self.update_preview()       # the document it starts with is shown too

    def _set(self, section, key, value) -> None:
        """Changing the kind keeps only the parameters the new kind accepts (MNIST takes no
        noise), so the document stays loadable; the output layer follows the number of
        classes; other fields edit as usual."""
        if key == "n_classes":
            def apply_classes(d):
                _set_key(d, "dataset", "n_classes", value)
                D.fit_output_to_classes(d)
            return self.model.edit(f"dataset.n_classes = {value}", apply_classes,
                                   merge_key=("field", section, key))
        if key != "kind":
            return super()._set(section, key, value)
        if value == "points":            # draw your own: start from a copy of these points
            return self._to_points()
        accepted = _accepted_keys(value)

        def apply(d):
            old = d.get("dataset", {})
            d["dataset"] = {"kind": value, **{k: v for k, v in old.items()
                                              if k != "kind" and (accepted is None or k in accepted)}}
            D.fit_output_to_classes(d)
        old = self.model.doc.get("dataset", {})
        text = f"dataset = {value}"
        if old.get("kind") == "file":     # named, so the Undo menu says what comes back
            text = f"Replace data file {Path(str(old.get('path'))).name} with {value}"
        self.model.edit(text, apply)

    def _on_kind_chosen(self, index: int) -> None:
        choice = self.kind.itemData(index)
        if choice == OPEN_FILE:
            self._sync_kind()          # the data in use, until a file is accepted
            QTimer.singleShot(0, self.open_data_file)
        elif choice not in (CURRENT, None):
            self._set("dataset", "kind", choice)

    def _sync_kind(self) -> None:
        """The combo names the data in use: a generator, or an entry for the open file (or
        other data no generator makes), never a generator it is not."""
        spec = self.model.doc.get("dataset", {})
        kind = spec.get("kind")
        combo = self.kind
        combo.blockSignals(True)
        old = combo.findData(CURRENT)
        if old >= 0:
            combo.removeItem(old)
        if kind in D.DATASET_KINDS:
            combo.setCurrentIndex(combo.findData(kind))
        else:
            at = len(D.DATASET_KINDS)
            combo.insertItem(at, _data_title(spec), CURRENT)
            combo.setItemData(at, str(spec.get("path", kind)), Qt.ItemDataRole.ToolTipRole)
            combo.setCurrentIndex(at)
        combo.blockSignals(False)
        self.file_info.setVisible(kind == "file")

    def open_data_file(self, path=None):
        """Data > Open data file…: the file dialog (unless `path` is given), then the import
        dialog, which changes the document only when accepted. Returns the import dialog."""
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Open data file", self._data_folder(),
                                                  FILE_FILTER)
            if not path:
                return None
        spec = self.model.doc.get("dataset", {})
        same = spec.get("kind") == "file" and self._data_path(spec) == Path(path).resolve()
        dialog = DataImportDialog(path, spec if same else None, self.window())
        dialog.accepted.connect(lambda: self._use_file(dialog))
        dialog.finished.connect(self._on_import_finished)
        self.import_dialog = dialog
        dialog.open()
        return dialog

    def _on_import_finished(self) -> None:
        self.import_dialog.deleteLater()
        self.import_dialog = None

    def _data_path(self, spec: dict) -> Path | None:
        if not isinstance(spec.get("path"), str):
            return None
        return Path(resolve_data_path(spec["path"], D.document_folder(self.model.path))).resolve()

    def _data_folder(self) -> str:
        """Where the file dialog starts: the open data file's folder, else the preset's."""
        spec = self.model.doc.get("dataset", {})
        current = self._data_path(spec) if spec.get("kind") == "file" else None
        if current is not None and current.parent.is_dir():
            return str(current.parent)
        return D.document_folder(self.model.path) or ""

    def _use_file(self, dialog: DataImportDialog) -> None:
        """One undoable edit: the dataset names the file (relative to the preset when it has
        a file, as saving would write it), and the network's input and output fit the data."""
        data_path = str(dialog.path.absolute())
        if self.model.path:
            data_path = data_path_for_file(data_path, self.model.path)
        spec = dialog.spec(data_path)
        self.model.edit(f"Open data file {dialog.path.name}",
                        lambda d: use_data_file(d, spec, dialog))

    def _to_points(self) -> None:
        from nnplayground.ui import point_edits as E
        folder = D.document_folder(self.model.path)

        def apply(d):
            d["dataset"] = E.points_spec(d, folder)[0]
        try:
            self.model.edit("dataset = points (an editable copy)", apply)
        except Exception as exc:    # images, a file of many columns: say why, change nothing
            self.note.setText(f"No points to draw on: {exc}")
            self.sync()

    def sync(self, *_args) -> None:
        super().sync()
        self._sync_kind()
        accepted = _accepted_keys(self.model.doc.get("dataset", {}).get("kind"))
        for (_section, key), (widget, _default) in self.fields.items():
            widget.setEnabled(key == "kind" or accepted is None or key in accepted)
        self.regen.setEnabled(accepted is None or "seed" in accepted)

    def regenerate(self) -> None:
        seed = int(self.model.doc.get("dataset", {}).get("seed", 0)) + 1
        self.model.edit(f"Regenerate data (seed {seed})",
                        lambda d: _set_key(d, "dataset", "seed", seed))

    def update_preview(self, *_args) -> None:
        """Toy data is generated here (milliseconds); a user's file is read on a background
        thread (a 50 MB CSV takes seconds), the newest document's only; images come from the
        worker's DatasetInfo."""
        spec = dict(self.model.doc.get("dataset", {}))
        folder = D.document_folder(self.model.path)
        key = repr((sorted(spec.items()), folder))
        if key == self._preview_key:
            return
        self._preview_key = key
        if spec.get("kind") in D.IMAGE_DATASETS:
            self.scatter.clear()
            self.note.setText("Sample images appear when the data has loaded")
            return
        if spec.get("kind") == "file":
            self.preview_thread = TaskThread(partial(load_preview, key, spec, folder))
            self.preview_thread.done.connect(self._on_preview_loaded)
            self.preview_thread.start_detached()
            return
        self._show_preview(spec, load_preview(key, spec, folder)[2])

    def _on_preview_loaded(self, loaded) -> None:
        key, spec, result = loaded
        if key == self._preview_key:        # else the document has changed meanwhile
            self.preview_thread = None
            self._show_preview(spec, result)

    def _show_preview(self, spec: dict, ds) -> None:
        """`ds`: the Dataset, or the exception that refused it."""
        if isinstance(ds, Exception):
            self.scatter.clear()
            self.note.setText(f"No preview: {ds}")
            self.file_info.setText(f"{_data_title(spec)}: cannot be read (see above)")
            return
        self.images.clear()
        self.note.setText(getattr(ds, "note", "") or "")
        if spec.get("kind") == "file":
            self.file_info.setText(describe_file_data(spec, ds))
        self._show_points(np.asarray(ds.x_train), np.asarray(ds.y_train), ds.task)

    def _show_points(self, x, y, task) -> None:
        """At most PREVIEW_POINTS of them, evenly through the data: a preview (every one of
        416,000 points took pyqtgraph 50 s on the GUI thread)."""
        if x.ndim != 2 or x.shape[1] == 0:
            self.scatter.clear()
            return
        every = max(1, -(-len(x) // PREVIEW_POINTS))
        x, y = x[::every], np.asarray(y)[::every]
        if x.shape[1] == 1:
            pts = np.column_stack([x[:, 0], np.asarray(y, dtype=float).reshape(len(x), -1)[:, 0]])
            brushes = [CLASS_BRUSHES[1]] * len(x)
        else:
            pts = x[:, :2]
            if task == "classification":
                brushes = [pg.mkBrush(class_colour(c)) for c in y]   # as in the views
            else:
                v = np.asarray(y, dtype=float).reshape(len(x), -1)[:, 0]
                brushes = [CLASS_BRUSHES[int(t >= np.median(v))] for t in v]
        self._image_mode(False)
        self.scatter.setData(pos=pts, brush=brushes)
        self.plot.autoRange()

    def _image_mode(self, images: bool) -> None:
        """Square pixels and no axes for sample images; free aspect and axes for points."""
        self.plot.setAspectLocked(images)
        for axis in ("left", "bottom"):
            self.plot.showAxis(axis, not images)

    def show_dataset_info(self, info) -> None:
        """Called with the worker's DatasetInfo: draws a mosaic of test images for image data."""
        images = getattr(info, "images_test", None)
        if images is None or getattr(info, "kind", "") != "image":
            return
        self.augmentation.set_images(images)
        tiles = np.asarray(images[:16])[:, 0]
        n, h, w = tiles.shape
        cols = 4
        rows = (n + cols - 1) // cols
        mosaic = np.zeros((rows * (h + 2), cols * (w + 2)), dtype=np.float32)
        for k, tile in enumerate(tiles):
            r, c = divmod(k, cols)
            mosaic[r * (h + 2):r * (h + 2) + h, c * (w + 2):c * (w + 2) + w] = tile
        self.scatter.clear()
        self._image_mode(True)
        self.images.setImage(mosaic.T[:, ::-1], levels=(0, 1))
        self.plot.autoRange()
        self.note.setText(getattr(info, "note", "") or f"{info.name}: sample test images")


class TrainingPanel(_Form):
    """Loss, optimizer, learning rate, batch size, L1/L2, seed, epochs, and the run buttons."""

    def __init__(self, model: DocumentModel, actions: list, parent=None):
        super().__init__("", model, parent)
        loss = QComboBox()
        loss.addItems(D.LOSSES)
        self._bind("Loss", None, "loss", loss, "What training minimises")
        opt = QComboBox()
        opt.addItems(D.OPTIMIZERS)
        self._bind("Optimizer", "optimizer", "type", opt, "How the weights are updated")
        self._bind("Learning rate", "optimizer", "lr", _dspin(0.00001, 10.0, 0.01, 5),
                   "Step size of each update; too high diverges, too low crawls (live)")
        self._bind("Batch size", "training", "batch_size", _spin(1, 100000),
                   "Examples per update (live)", 10)
        self._bind("L1", "regularization", "l1", _dspin(0.0, 10.0, 0.001, 5),
                   "Penalty on |w|: pushes weights to exactly zero (live)", 0.0)
        self._bind("L2", "regularization", "l2", _dspin(0.0, 10.0, 0.001, 5),
                   "Penalty on w\u00b2: keeps weights small (live)", 0.0)
        self._bind("Seed", "training", "seed", _spin(0, 2**31 - 1),
                   "Seed of the initial weights and shuffling: same seed, same run", 0)
        self._bind("Epochs", "training", "epochs", _spin(1, 1000000),
                   "Training stops after this many passes over the data", 100)
        speed = QComboBox()
        for i, name in enumerate(SPEEDS):
            speed.addItem(name)
            speed.setItemData(i, DESCRIPTIONS[name], Qt.ItemDataRole.ToolTipRole)
        self._bind("Speed", "display", "speed", speed,
                   "How fast Play trains: slow lets a class follow the boundary epoch by "
                   "epoch; the results are the same at every speed (live)", DEFAULT_SPEED)
        # the same choice for the Train menu: each action picks the combo's entry
        self.speed_actions = QActionGroup(self)
        for name in SPEEDS:
            action = QAction(name.capitalize(), self.speed_actions, checkable=True)
            action.setToolTip(DESCRIPTIONS[name])
            action.triggered.connect(lambda _checked=False, n=name: speed.setCurrentText(n))
        speed.currentTextChanged.connect(self._check_speed_action)
        row = QHBoxLayout()
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setMinimumHeight(34)
            # sharing the row: room for "Pause" when Play turns into it (cut at 3840x2160)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            row.addWidget(button)
        self.layout_.addLayout(row)
        self.layout_.addStretch(1)
        self.sync()

    def sync(self, *_args) -> None:
        super().sync()       # (with the combo's signals blocked: tick the menu's entry here)
        self._check_speed_action(self.fields[("display", "speed")][0].currentText())

    def _check_speed_action(self, name: str) -> None:
        for action in self.speed_actions.actions():
            action.setChecked(action.text().lower() == name)
