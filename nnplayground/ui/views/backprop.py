"""Back-propagation step by step: one SGD update of a small dense network on one sample.

The worker computes every stage (`controller.walk_through`, `engine.backprop`) on a copy of
the network the views show; this view steps through them with Next / Previous (the buttons,
or the Right / Left keys): forward layer by layer (each unit's weighted sum z and output y),
the loss, backward layer by layer (each unit's error signal delta and each weight's gradient,
coloured by sign and size), then the update (weights before and after, and the loss again).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem

from nnplayground.ui.views.common import BLUE, ORANGE, LiveView, chooser_layout, push_button


def number(v):
    return f"{float(v):+.4f}"


def tint(value, scale):
    """Orange for negative, blue for positive, stronger for larger |value| (TF Playground)."""
    a = min(abs(float(value)) / scale, 1.0) if scale > 0 else 0.0
    r, g, b = BLUE if value >= 0 else ORANGE
    mix = (int(255 + (c - 255) * 0.6 * a) for c in (r, g, b))
    return QBrush(QColor(*mix))


class BackpropView(LiveView):
    """Step through forward, loss, backward and update for one training sample."""

    title = "Back-propagation step by step"
    # the stage's numbers for the diagram's weight lines and units: ({node: {"W", "b"}},
    # what the lines show, what the units show), e.g. gradients after a backward stage
    stage_shown = Signal(object, str, str)

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.start_button = push_button("Step through", "Compute one update on this sample, "
                                        "stage by stage", self._on_start_clicked)
        self.previous_button = push_button("◀ Previous", "The previous stage (Left key)",
                                           self.previous)
        self.next_button = push_button("Next ▶", "The next stage (Right key)", self.next)
        self.position = QLabel("")
        layout, self.sample_box = chooser_layout(
            self.body, "Training sample:", "Which training sample the update is made on",
            self.start_button, self.previous_button, self.next_button, self.position)
        self.headline = QLabel("Press Step through to follow one update of the network")
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet("font-weight: bold")
        layout.addWidget(self.headline)
        self.units = QTableWidget()
        self.units.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.units, 1)
        self.weights_caption = QLabel("")
        layout.addWidget(self.weights_caption)
        self.weights = QTableWidget()
        self.weights.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.weights, 1)
        for key, slot in ((Qt.Key.Key_Right, self.next), (Qt.Key.Key_Left, self.previous)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.stages, self.index, self.sample, self.pending = [], 0, None, None
        controller.walked.connect(self._on_walked)
        controller.data_changed.connect(self._on_data_changed)
        self._sync_buttons()

    def applies_to(self, info):
        return info.kind in ("plane", "line", "other")

    def placeholder_text(self, info):
        return "Back-propagation is stepped through for small dense networks on 2-D data."

    def on_dataset(self, info):
        self._set_sample_range(info)
        self.stages, self.index = [], 0
        self.units.clear()
        self.weights.clear()
        self._sync_buttons()

    def _on_data_changed(self, info):
        """Points drawn or erased: the run goes on with a new training set, so every sample of
        it can be chosen now (no Reset needed); the stages shown stay, they are the chosen
        sample's update as it was computed."""
        if self.info is not None and self.applies_to(info):
            self.info = info
            self._set_sample_range(info)

    def _set_sample_range(self, info):
        """The training samples of `info`; the chosen one is kept while it exists, else the
        last one is chosen (QSpinBox clamps)."""
        self.sample_box.setRange(0, max(len(info.y_train) - 1, 0))

    # -- stepping ------------------------------------------------------------------------

    def _on_start_clicked(self):
        self.pending = self.controller.walk_through(self.sample_box.value())

    def _on_walked(self, request_id, answer):
        if request_id != self.pending:
            return
        if isinstance(answer, str):
            self.stages = []
            self.headline.setText(answer)
            self._sync_buttons()
            return
        self.sample, self.stages = answer
        self.show_stage(0)
        self.setFocus()

    def next(self):
        if self.stages and self.index + 1 < len(self.stages):
            self.show_stage(self.index + 1)

    def previous(self):
        if self.stages and self.index > 0:
            self.show_stage(self.index - 1)

    def _sync_buttons(self):
        self.previous_button.setEnabled(bool(self.stages) and self.index > 0)
        self.next_button.setEnabled(bool(self.stages) and self.index + 1 < len(self.stages))
        self.position.setText(f"stage {self.index + 1} of {len(self.stages)}"
                              if self.stages else "")

    # -- drawing -------------------------------------------------------------------------

    def show_stage(self, index):
        self.index = index
        stage = self.stages[index]
        loss = "" if stage.loss is None else (
            f"; loss on sample {self.sample} after the update: {stage.loss:.5f}"
            if stage.kind == "update" else f": {stage.loss:.5f}")
        self.headline.setText(f"{stage.title}{loss}")
        a = stage.arrays
        if stage.kind == "forward":
            self._unit_table(["weighted sum z", "output y"], [a["z"], a["y"]])
            self._weight_table(None, None)
        elif stage.kind == "loss":
            self._unit_table(["output", "target"],
                             [a["output"], self._target(a["output"], a["target"])])
            self._weight_table(None, None)
        elif stage.kind == "backward":
            columns, values = [], []
            if "dy" in a:
                columns.append("dL/dy")
                values.append(a["dy"])
            columns.append("error signal δ = dL/dz")
            values.append(a["delta"])
            self._unit_table(columns, values)
            self._weight_table("weight gradients dL/dW (rows: inputs, columns: units; "
                               "last row: bias)", self._with_bias(a["dW"], a.get("db")))
        else:
            self._unit_table([], [])
            before = self._with_bias(a["W_before"], a.get("b_before"))
            after = self._with_bias(a["W_after"], a.get("b_after"))
            self._weight_table("weights before → after the update", after, before)
        self._sync_buttons()
        self._colour_diagram()

    def _colour_diagram(self):
        """The weight lines of the diagram show the stage's numbers: the weights during the
        forward pass, each weight's gradient (and each unit's delta) once the backward pass
        has reached its layer, the new weights after the update."""
        shown = {}
        for stage in self.stages[:self.index + 1]:
            a = stage.arrays
            if stage.kind == "backward":
                shown[stage.node_id] = {"W": a["dW"], "b": a["delta"]}
            elif stage.kind == "update":
                shown[stage.node_id] = {"W": a["W_after"], "b": a["b_after"]}
        kind = self.stages[self.index].kind
        if kind in ("forward", "loss"):
            self.stage_shown.emit({s.node_id: {"W": s.arrays["W_before"], "b": s.arrays[
                "b_before"]} for s in self.stages if s.kind == "update"}, "weight", "bias")
        elif kind == "backward":
            self.stage_shown.emit(shown, "gradient dL/dW", "error signal delta")
        else:
            self.stage_shown.emit(shown, "updated weight", "updated bias")

    @staticmethod
    def _target(output, target):
        """The target per output unit: one-hot for a class index and several units."""
        target = np.asarray(target, np.float64)
        if target.ndim == 0 and len(output) > 1:
            return np.eye(len(output))[int(target)]
        return np.broadcast_to(target, output.shape)

    @staticmethod
    def _with_bias(w, b):
        return w if b is None else np.vstack([w, b[None, :]])

    def _unit_table(self, columns, values):
        self.units.clear()
        n = len(values[0]) if values else 0
        self.units.setRowCount(n)
        self.units.setColumnCount(len(columns))
        self.units.setHorizontalHeaderLabels(columns)
        self.units.setVerticalHeaderLabels([f"unit {j + 1}" for j in range(n)])
        for c, column in enumerate(values):
            scale = float(np.max(np.abs(column))) if len(column) else 0.0
            for r, v in enumerate(column):
                item = QTableWidgetItem(number(v))
                item.setBackground(tint(v, scale))
                self.units.setItem(r, c, item)
        self.units.resizeColumnsToContents()

    def _weight_table(self, caption, matrix, before=None):
        self.weights_caption.setText(caption or "")
        self.weights.clear()
        if matrix is None:
            self.weights.setRowCount(0)
            self.weights.setColumnCount(0)
            return
        rows, cols = matrix.shape
        self.weights.setRowCount(rows)
        self.weights.setColumnCount(cols)
        self.weights.setHorizontalHeaderLabels([f"unit {j + 1}" for j in range(cols)])
        self.weights.setVerticalHeaderLabels([f"in {i + 1}" for i in range(rows - 1)]
                                             + ["bias"])
        change = matrix if before is None else matrix - before
        scale = float(np.max(np.abs(change))) if change.size else 0.0
        for r in range(rows):
            for c in range(cols):
                text = number(matrix[r, c]) if before is None else \
                    f"{number(before[r, c])} → {number(matrix[r, c])}"
                item = QTableWidgetItem(text)
                item.setBackground(tint(change[r, c], scale))
                self.weights.setItem(r, c, item)
        self.weights.resizeColumnsToContents()
