"""Draw your own data: clicks on the boundary and regression views add and erase points.

"Draw points" (the pencil; off until asked for, on when the data is already your own points)
shows the tools. A strip beside the decision boundary picks the class (up to six, in the views' class colours)
and the tool: Add (a click adds a point), Erase (a click removes the points near it; Shift-click
erases in any tool), Brush (a click drops a small seeded cloud), and Clear. Over the regression
curve, a click adds (x, y) and Shift-click or Erase removes. Every edit is one undoable edit of
the preset document (`point_edits`); the first one on generated data turns it into an editable
copy of its points, and the status line says so.

The views draw the document's points at once (the split is the data's own, `data.points`),
with the split the view does not show as hollow rings, so every click shows; the window sends
the new data to the worker (`TrainingControls`, a `SetData` command), which trains on it from the next
step without a reset. The GUI thread itself never trains.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QButtonGroup, QFileDialog, QHBoxLayout, QMessageBox,
                               QToolButton, QVBoxLayout, QWidget)

from nnplayground.data import DatasetError, load_dataset
from nnplayground.data.points import (KIND, LINE_RANGE, MAX_CLASSES, MAX_POINTS, PLANE_RANGE,
                                      covering_range, csv_text, split_points)
from nnplayground.presets import validation
from nnplayground.presets.io import atomic_write_bytes
from nnplayground.ui import document as D
from nnplayground.ui import point_edits as E
from nnplayground.ui.views.common import CLASS_COLOURS
from nnplayground.worker import snapshot as S

TOOLS = ("add", "erase", "brush")


def _line(*widgets, vertical=False) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box) if vertical else QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    for w in widgets:
        layout.addWidget(w)
    if vertical:
        layout.addStretch(1)
    return box


class PointStrip(QWidget):
    """The class picker and tools of one view. `classes`: how many class buttons (0: the
    line view, whose clicks give (x, y)); `brush`: offer the brush; `vertical`: two columns
    (classes, tools) beside the plot instead of a row over it."""

    def __init__(self, classes: int, brush: bool, vertical=False, parent=None):
        super().__init__(parent)
        self.class_group = QButtonGroup(self)
        self.class_buttons = []
        for c in range(classes):
            button = QToolButton()
            button.setCheckable(True)
            button.setFixedSize(20, 20)
            button.setToolTip(f"Clicks add points of class {c}")
            self.class_group.addButton(button, c)
            self.class_buttons.append(button)
        if self.class_buttons:
            self.class_buttons[0].setChecked(True)
        self.set_colours([CLASS_COLOURS[c] for c in range(classes)])
        self.tool_group = QButtonGroup(self)
        self.tool_buttons = {}
        tips = {"add": "A click adds a point (Shift-click erases)",
                "erase": "A click removes the points near it",
                "brush": "A click drops a small cloud of points"}
        for i, tool in enumerate(TOOLS if brush else TOOLS[:2]):
            button = QToolButton()
            button.setText(tool.capitalize())
            button.setCheckable(True)
            button.setToolTip(tips[tool])
            self.tool_group.addButton(button, i)
            self.tool_buttons[tool] = button
        self.tool_buttons["add"].setChecked(True)
        self.clear_button = QToolButton()
        self.clear_button.setText("Clear")
        self.clear_button.setToolTip("Remove every point (undoable)")
        self.setToolTip("Draw your own data: pick a class and a tool, then click the plot")
        # "Draw points" first, the tools behind it: off until asked for, a click on the plot
        # in a lesson edits nothing and the plot keeps the room the tools would take
        self.draw_button = QToolButton()
        self.draw_button.setText("\u270e" if vertical else "\u270e Draw points")
        self.draw_button.setCheckable(True)
        self.draw_button.setToolTip("Draw points: show the tools to add and erase points with "
                                    "the mouse")
        tools = [*self.tool_buttons.values(), self.clear_button]
        if vertical:
            # beside the square plot, in the room a dock wider than tall leaves there: no
            # taller than the plot's own minimum, so the window fits a 1280x720 screen in
            # presenter mode's large font as before
            self.tools = QWidget()
            columns = QHBoxLayout(self.tools)
            columns.setContentsMargins(0, 0, 0, 0)
            columns.setSpacing(4)
            columns.addWidget(_line(*self.class_buttons, vertical=True))
            columns.addWidget(_line(*tools, vertical=True))
            layout = QVBoxLayout(self)
            layout.addWidget(self.draw_button, 0, Qt.AlignmentFlag.AlignLeft)
        else:
            # one plain row: a row that wraps changes its height with the font, and the
            # window's arrangement after presenter mode would no longer be the one before
            self.tools = _line(*self.class_buttons, *tools)
            layout = QHBoxLayout(self)
            layout.addWidget(self.draw_button)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.tools)
        layout.addStretch(1)
        self.draw_button.toggled.connect(self.tools.setVisible)
        self.tools.setVisible(False)

    def set_colours(self, colours) -> None:
        for button, colour in zip(self.class_buttons, colours):
            c = QColor(*colour)
            button.setStyleSheet(
                f"QToolButton {{ background: {c.name()}; border: 2px solid {c.name()}; "
                "border-radius: 3px } QToolButton:checked { border: 3px solid #202020 }")

    @property
    def tool(self) -> str:
        return TOOLS[self.tool_group.checkedId()]

    @property
    def choice(self) -> int:
        return max(self.class_group.checkedId(), 0)

    def choose(self, c: int) -> None:
        self.class_buttons[c].setChecked(True)

    def set_task(self, task: str) -> None:
        """Six classes to pick from on classification data; on 2-D regression the first two
        buttons add the targets -1 (orange) and +1 (blue), the others are off."""
        regression = task == "regression"
        for c, button in enumerate(self.class_buttons):
            button.setEnabled(not regression or c < 2)
            button.setToolTip(f"Clicks add points of target {E.REGRESSION_TARGETS[c % 2]:+g}"
                              if regression else f"Clicks add points of class {c}")
        if regression and self.choice >= 2:
            self.choose(0)


class PointEditor(QObject):
    """Mouse editing of the points on the boundary and regression views of `window` (its
    document model, status bar and live views)."""

    def __init__(self, window, boundary, curve):
        super().__init__(window)
        self.window, self.model = window, window.model
        self.boundary, self.curve = boundary, curve
        self.plane_strip = PointStrip(MAX_CLASSES, brush=True, vertical=True)
        self.line_strip = PointStrip(0, brush=False)
        _beside(boundary.body.layout(), boundary.plot.parentWidget(), self.plane_strip)
        curve.body.layout().insertWidget(0, self.line_strip)
        self.plane_draw, self.line_draw = self.plane_strip.draw_button, self.line_strip.draw_button
        self._kind = None
        window.files.document_opened.connect(self._draw_if_own_points)
        self._draw_if_own_points()
        # the split the view does not show, as rings: a point added to it shows too
        self.others = pg.ScatterPlotItem(size=7, brush=None)
        boundary.plot.addItem(self.others)
        boundary.plot.scene().sigMouseClicked.connect(self._on_plane_clicked)
        curve.plot.scene().sigMouseClicked.connect(self._on_line_clicked)
        self.plane_strip.clear_button.clicked.connect(self.clear)
        self.line_strip.clear_button.clicked.connect(self.clear)
        boundary.train_radio.toggled.connect(self._draw_others)
        self.model.changed.connect(self._on_document_changed)
        if window.controller is not None:
            window.controller.data_changed.connect(self._show)
        self._on_document_changed()

    # -- mouse ------------------------------------------------------------------------------
    def _draw_if_own_points(self, *_):
        """An opened document shows the tools when its data is points of its own."""
        own = self.model.doc.get("dataset", {}).get("kind") == KIND
        self.plane_draw.setChecked(own)
        self.line_draw.setChecked(own)

    def _on_plane_clicked(self, event):
        if self.plane_draw.isChecked():
            self._clicked(event, self.boundary.plot, self.plane_strip)

    def _on_line_clicked(self, event):
        if self.line_draw.isChecked():
            self._clicked(event, self.curve.plot, self.line_strip)

    def _clicked(self, event, plot, strip):
        if event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        vb = plot.getViewBox()
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        p = vb.mapSceneToView(event.scenePos())
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        (x0, x1), (y0, y1) = vb.viewRange()
        self.edit_at(p.x(), p.y(), "erase" if shift else strip.tool, strip.choice,
                     scale=(x1 - x0, y1 - y0), bounds=(x0, x1, y0, y1))

    # -- edits ------------------------------------------------------------------------------
    def edit_at(self, x, y, tool, choice, scale, bounds=None):
        """One click's edit at (x, y) in data coordinates: one undo step."""
        spec = self.model.doc.get("dataset", {})
        if tool != "erase" and spec.get("kind") == KIND and \
                len(spec.get("points", [])) >= MAX_POINTS:
            self._say(f"A preset keeps at most {MAX_POINTS} points: erase some, or save the "
                      "data as CSV and open it as a file dataset")
            return

        def apply(doc):
            spec, source = E.points_spec(doc, self._folder())
            spec = copy.deepcopy(spec)
            if tool == "add":
                E.add(spec, [E.point_row(spec, x, y, E.label_value(spec, choice))])
            elif tool == "erase":
                E.erase_near(spec, (x, y), scale)
            else:
                E.add(spec, E.brush(spec, (x, y), E.label_value(spec, choice), scale, bounds))
            doc["dataset"] = spec
            return source
        self._edit({"add": "Add a point", "erase": "Erase points",
                    "brush": "Brush points"}[tool], apply)

    def clear(self):
        """Remove every point: one undo step (a copy of generated data first, like a click)."""
        def apply(doc):
            spec, source = E.points_spec(doc, self._folder())
            doc["dataset"] = {**copy.deepcopy(spec), "points": []}
            return source
        self._edit("Clear the points", apply)

    def _edit(self, text, apply):
        name = self.model.doc.get("dataset", {}).get("kind")
        try:
            source = self.model.edit(text, apply)
        except (E.NotEditable, DatasetError) as exc:
            self._say(f"Cannot draw here: {exc}")
            return
        if source is not None:
            self._say(f"The {name} data is now your own points: an editable copy of its "
                      f"{len(self.model.doc['dataset']['points'])} points (Ctrl+Z goes back)")

    def _folder(self):
        return D.document_folder(self.model.path)

    def _say(self, message):
        self.window.statusBar().showMessage(message, 8000)

    # -- drawing the document's points ----------------------------------------------------
    def _on_document_changed(self, *_):
        spec = self.model.doc.get("dataset", {})
        if spec.get("kind") == KIND and self._kind != KIND:    # chosen in the Data panel, say
            self.plane_draw.setChecked(True)
            self.line_draw.setChecked(True)
        self._kind = spec.get("kind")
        self.plane_strip.set_task(validation.task_of(spec) or "classification")
        info = points_info(spec)
        if info is None:
            self.others.clear()
            return
        self._show(info)

    def _show(self, info):
        """Draw `info`'s points: the document's, or the data the worker trains on now (after
        undoing back to generated data, say)."""
        if info.kind not in ("plane", "line"):
            return
        view = self.boundary if info.kind == "plane" else self.curve
        old = view.info

        def frame(i):
            """What a view sets up once per dataset: the plane, the task, the class legend."""
            return (i.kind, i.task, i.extent, i.n_classes)
        if old is not None and frame(old) == frame(info):
            view.show_points(info)
        else:
            view.set_dataset(info)
        self._draw_others()

    def _draw_others(self, *_):
        info = self.boundary.info
        if info is None or info.kind != "plane" or \
                self.model.doc.get("dataset", {}).get("kind") != KIND:
            self.others.clear()
            return
        train = self.boundary.train_radio.isChecked()
        pts = info.points_test if train else info.points_train
        y = info.y_test if train else info.y_train
        if info.task == "classification":
            pens = [pg.mkPen(CLASS_COLOURS[int(c) % len(CLASS_COLOURS)], width=1.5) for c in y]
        else:
            pens = [pg.mkPen(CLASS_COLOURS[int(v > 0)], width=1.5) for v in np.ravel(y)]
        self.others.setData(pos=pts, pen=pens, brush=None)


def _beside(layout, box, strip) -> None:
    """Put `strip` left of `box` (the view's plot box) in its place in `layout`."""
    index = layout.indexOf(box)
    stretch = layout.stretch(index)
    layout.removeWidget(box)
    row = QWidget()
    inner = QHBoxLayout(row)
    inner.setContentsMargins(0, 0, 0, 0)
    inner.addWidget(strip, 0, Qt.AlignmentFlag.AlignTop)
    inner.addWidget(box, 1)
    layout.insertWidget(index, row, stretch)


def points_info(spec: dict) -> S.DatasetInfo | None:
    """What the views draw of a `points` spec, whatever its count (None for other data or
    malformed rows): the same split and plane as the worker's `dataset_info` of its data."""
    if spec.get("kind") != KIND:
        return None
    task, inputs = spec.get("task"), spec.get("inputs", 2)
    try:
        raw, y, train = split_points(spec.get("points", []), task, inputs,
                                     spec.get("train_fraction", 0.5), spec.get("seed", 0))
    except (TypeError, ValueError):
        return None
    lo, hi = covering_range(raw, PLANE_RANGE if inputs == 2 else LINE_RANGE)
    kind = "plane" if inputs == 2 else "line"
    n_classes = max(2, int(y.max(initial=0)) + 1) if task == "classification" else None
    raw = raw.astype(np.float32)
    return S.DatasetInfo(
        name=KIND, task=task, kind=kind, n_classes=n_classes,
        feature_names=tuple(spec.get("features") or ("x1", "x2")[:inputs]),
        points_train=raw[train], y_train=y[train], points_test=raw[~train], y_test=y[~train],
        extent=(lo, hi, lo, hi) if kind == "plane" else (lo, hi, 0.0, 1.0))


# -- the window's side ------------------------------------------------------------------------

def data_rows(doc: dict, base_dir=None):
    """Every point of the document's data (raw inputs (N, 1 or 2), labels or targets) and its
    task; raises E.NotEditable for data that is not points on a plane or a line."""
    spec = doc.get("dataset", {})
    if spec.get("kind") == KIND:
        raw, y, _train = split_points(spec["points"], spec["task"], spec.get("inputs", 2))
        return raw, y, spec["task"]
    ds = load_dataset(spec, base_dir=base_dir)
    if ds.points_train is None or ds.points_test is None:
        raise E.NotEditable(f"the dataset {ds.name!r} is not points on a plane or a line")
    points = np.concatenate([ds.points_train, ds.points_test])
    y = np.concatenate([np.asarray(ds.y_train).reshape(len(ds.y_train), -1),
                        np.asarray(ds.y_test).reshape(len(ds.y_test), -1)])
    return points, y, ds.task


def save_data_csv(window, path: str | None = None) -> str | None:
    """File > Save data as CSV: every point of the current data, written atomically in the
    format the CSV loader reads (x1,x2,label or x1,x2,target). Returns the path written."""
    folder = D.document_folder(window.model.path)
    try:
        points, y, task = data_rows(window.model.doc, folder)
    except (E.NotEditable, DatasetError) as exc:
        QMessageBox.warning(window, "Save data as CSV", f"Only points on a plane or a line can "
                            f"be saved as CSV: {exc}")
        return None
    if path is None:
        start = str(Path(folder or ".") / f"{window.model.doc.get('name', 'data')}.csv")
        path, _ = QFileDialog.getSaveFileName(window, "Save data as CSV", start,
                                              "CSV files (*.csv)")
        if not path:
            return None
    try:
        atomic_write_bytes(path, csv_text(points, y, task).encode("utf-8"))
    except OSError as exc:
        QMessageBox.warning(window, "Save data as CSV", f"Could not write {path}: {exc}")
        return None
    window.statusBar().showMessage(f"Saved {len(points)} points to {path}", 8000)
    return path
