"""Loss and accuracy (or RMSE) for training and test data, per step and per epoch."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout

from nnplayground.ui.views.common import (BLUE, ORANGE, LiveView, StableRange, WideWatcher,
                                          legend_row, light, place_plots)

MAX_POINTS = 4_000    # per-step points kept; older ones are merged pairwise (mean) beyond this


class PointBuffer:
    """Growing (x, y) series that halves its resolution instead of growing without bound.

    xor trains ~7,000 steps a second; a plot of millions of points would make every redraw
    slower, so once full, neighbouring points are averaged and later points are pooled the same.
    """

    def __init__(self, limit=MAX_POINTS):
        self.limit = limit
        self.data = np.zeros((0, 2))
        self.stride = 1
        self._pending = np.zeros((0, 2))

    def clear(self):
        self.data, self.stride, self._pending = np.zeros((0, 2)), 1, np.zeros((0, 2))

    def extend(self, points):
        if len(points) == 0:
            return
        pooled = np.concatenate([self._pending, points])
        usable = len(pooled) - len(pooled) % self.stride
        if usable:
            means = pooled[:usable].reshape(-1, self.stride, 2).mean(axis=1)
            self.data = np.concatenate([self.data, means])
        self._pending = pooled[usable:]
        while len(self.data) > self.limit:
            even = len(self.data) - len(self.data) % 2
            self.data = np.concatenate([self.data[:even].reshape(-1, 2, 2).mean(axis=1),
                                        self.data[even:]])
            self.stride *= 2


class EpochTable:
    """Epoch records as growing numpy columns: appending is amortised O(1) and reading a column
    is a view, so a frame's cost does not grow with the thousands of epochs xor runs."""

    def __init__(self):
        self.records = []
        self._columns = {}
        self._n = 0

    def __len__(self):
        return self._n

    def extend(self, records):
        for record in records:
            for key, value in record.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    self._store(key, float(value))
            self._n += 1
            self.records.append(record)

    def _store(self, key, value):
        column = self._columns.get(key)
        if column is None:
            column = self._columns[key] = np.full(64, np.nan)
        if self._n >= len(column):
            column = self._columns[key] = np.concatenate([column, np.full(len(column), np.nan)])
        column[self._n] = value

    def column(self, key):
        column = self._columns.get(key)
        return column[:self._n] if column is not None else np.full(self._n, np.nan)


def _nice_above(n):
    """The next of 10, 20, 50, 100, 200, ... above n: the epoch axis grows in few steps."""
    bound = 10
    while bound <= n:
        for factor in (2, 2.5, 2):
            bound *= factor
            if bound > n:
                break
    return bound


class MetricsView(LiveView):
    title = "Loss and accuracy"

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(2, 2, 2, 2)
        bar = QHBoxLayout()
        self.log_box = QCheckBox("Log scale")
        self.log_box.setToolTip("Show the loss on a logarithmic axis")
        self.log_box.toggled.connect(self._on_log_changed)
        self.readout = QLabel(" ")
        self.readout.setToolTip("Move the mouse over a plot to read its values")
        bar.addWidget(self.log_box)
        bar.addWidget(self.readout, 1)
        layout.addLayout(bar)
        self.graphs = light(pg.GraphicsLayoutWidget())
        layout.addWidget(self.graphs)
        # One legend, in a row of its own above the plots: inside a plot it covered the curves
        # and lost its first entry off the edge of a narrow dock. Both plots use the same
        # colours (orange training, blue test), so one legend with short names serves both.
        self.legend = legend_row(self.graphs.ci, row=0, columns=3)
        self.loss_plot = self.graphs.addPlot(row=1, col=0)
        self.loss_plot.setLabel("left", "loss")
        self.loss_plot.setLabel("bottom", "step")
        self.metric_plot = self.graphs.addPlot(row=2, col=0)
        self.metric_plot.setLabel("left", "accuracy")
        self.metric_plot.setLabel("bottom", "epoch")
        self.side_by_side = False
        WideWatcher(self.graphs, self._arrange)
        self.graphs.setMinimumHeight(150)
        # the batch losses of the branch "Continue from here" left, faint and dashed
        self.branch_curve = self.loss_plot.plot(pen=pg.mkPen((205, 205, 205), width=1,
                                                             style=Qt.PenStyle.DashLine))
        self.branch_curve.setToolTip("the earlier branch, before Continue from here")
        self.step_curve = self.loss_plot.plot(pen=pg.mkPen((150, 150, 150), width=1))
        self.train_curve = self.loss_plot.plot(pen=pg.mkPen(ORANGE, width=2))
        self.test_curve = self.loss_plot.plot(pen=pg.mkPen(BLUE, width=2))
        self.train_metric = self.metric_plot.plot(pen=pg.mkPen(ORANGE, width=2))
        self.test_metric = self.metric_plot.plot(pen=pg.mkPen(BLUE, width=2))
        for curve, name in ((self.step_curve, "each batch"), (self.train_curve, "training"),
                            (self.test_curve, "test")):
            self.legend.addItem(curve, name)
        for item, tip in ((self.step_curve, "training loss of each mini-batch"),
                          (self.train_curve, "training data, evaluated after each epoch"),
                          (self.test_curve, "test data, evaluated after each epoch")):
            item.setToolTip(tip)
        for plot in (self.loss_plot, self.metric_plot):
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.loss_range = StableRange(self.loss_plot)
        self.metric_range = StableRange(self.metric_plot)
        self.steps = PointBuffer()
        self.epochs = EpochTable()
        self.metric_key = "accuracy"

    def _arrange(self, side_by_side):
        """Loss above accuracy in a tall dock; side by side in a wide, short one (the plane
        layout at 1280x720 gives this view about 400x250 px: stacked, each plot kept about 30 px
        of curve, too little to read from the back of a room)."""
        if side_by_side == self.side_by_side:
            return
        self.side_by_side = side_by_side
        layout = self.graphs.ci
        layout.removeItem(self.legend)
        layout.addItem(self.legend, row=0, col=0, colspan=2 if side_by_side else 1)
        place_plots(layout, [self.loss_plot, self.metric_plot], side_by_side, row=1)

    def on_dataset(self, info):
        self.steps.clear()
        self.epochs = EpochTable()
        self.metric_key = "accuracy" if info.task == "classification" else "rmse"
        self.metric_plot.setLabel("left", self.metric_key if self.metric_key == "accuracy"
                                  else "RMSE")
        if self.metric_key == "accuracy":
            self.metric_plot.setYRange(0, 1.02)
            self.metric_plot.enableAutoRange(y=False)
        else:
            self.metric_plot.enableAutoRange(y=True)
        self.loss_range.reset()
        self.metric_range.reset()
        self._epoch_bound = None
        for curve in (self.branch_curve, self.step_curve, self.train_curve, self.test_curve,
                      self.train_metric, self.test_metric):
            curve.setData([], [])

    def on_snapshot(self, snapshot):
        if snapshot.rewound or (snapshot.step == 0 and not len(snapshot.step_points)
                                and len(self.epochs)):
            left = self.steps.data if snapshot.rewound else np.zeros((0, 2))
            self.on_dataset(self.info)        # a reset or a new branch: draw the plots afresh
            self.branch_curve.setData(left[:, 0], left[:, 1])
        if len(snapshot.step_points):
            self.steps.extend(snapshot.step_points)
            self.step_curve.setData(self.steps.data[:, 0], self.steps.data[:, 1])
        if snapshot.epoch_records:
            self.epochs.extend(snapshot.epoch_records)
            self._draw_epochs()
        self._update_ranges()

    def _update_ranges(self):
        xs, ys = [self.steps.data[:, 0]], [self.steps.data[:, 1]]
        if len(self.epochs):
            steps, epochs = self._column("step"), self._column("epoch")
            for split in ("train", "test"):
                xs.append(steps)
                ys.append(self._column(f"{split}_loss"))
            if self.metric_key == "accuracy":
                bound = _nice_above(epochs[-1])
                if bound != self._epoch_bound:       # only when it changes: axes stay cached
                    self._epoch_bound = bound
                    self.metric_plot.setXRange(0, bound, padding=0)
            else:
                self.metric_range.update(
                    np.concatenate([epochs, epochs]), np.concatenate(
                        [self._column("train_rmse"), self._column("test_rmse")]))
        self.loss_range.update(np.concatenate(xs), np.concatenate(ys))

    def _column(self, key):
        return self.epochs.column(key)

    def _draw_epochs(self):
        steps = self._column("step")
        epochs = self._column("epoch")
        # One epoch is a single point, which a line does not draw: mark it until there are two
        # (mnist-cnn's screenshot after its first epoch showed an empty accuracy plot).
        dots = len(epochs) == 1
        for curve, x, key, colour in ((self.train_curve, steps, "train_loss", ORANGE),
                                      (self.test_curve, steps, "test_loss", BLUE),
                                      (self.train_metric, epochs, f"train_{self.metric_key}",
                                       ORANGE),
                                      (self.test_metric, epochs, f"test_{self.metric_key}",
                                       BLUE)):
            curve.setData(x, self._column(key), symbol="o" if dots else None, symbolSize=7,
                          symbolBrush=colour, symbolPen=None)

    def _on_log_changed(self, on):
        self.loss_plot.setLogMode(y=on)
        self.loss_range.reset()
        self._update_ranges()

    def _on_mouse_moved(self, pos):
        for plot in (self.loss_plot, self.metric_plot):
            if plot.sceneBoundingRect().contains(pos):
                x = plot.vb.mapSceneToView(pos).x()
                self.readout.setText(self._describe(plot, x))
                return

    def _describe(self, plot, x):
        if plot is self.loss_plot:
            text = f"step {x:,.0f}"
            if len(self.steps.data):
                i = int(np.clip(np.searchsorted(self.steps.data[:, 0], x), 0,
                                len(self.steps.data) - 1))
                text += f": training loss {self.steps.data[i, 1]:.4g}"
            return text
        records = self.epochs.records
        if not records:
            return f"epoch {x:.0f}"
        e = records[int(np.clip(round(x) - records[0]["epoch"], 0, len(records) - 1))]
        key = self.metric_key
        return (f"epoch {e['epoch']}: {key} training {e.get('train_' + key, np.nan):.4g}, "
                f"test {e.get('test_' + key, np.nan):.4g}; loss training "
                f"{e.get('train_loss', np.nan):.4g}, test {e.get('test_loss', np.nan):.4g}")


class StatusWidget(QLabel):
    """Status-bar text: epoch, step, steps per second, training/test loss and metric."""

    NO_RUN = "No training yet"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setText(self.NO_RUN)
        self.setToolTip("Epoch, step, training speed and the latest evaluation")

    def show_snapshot(self, s):
        parts = [f"{'History: epoch' if s.replay else 'Epoch'} {s.epoch}", f"step {s.step:,}"]
        if s.steps_per_second > 0:
            parts.append(f"{s.steps_per_second:,.0f} steps/s")
        if len(s.step_points):
            parts.append(f"batch loss {s.step_points[-1, 1]:.4f}")
        e = s.last_epoch
        if e:
            parts.append(f"loss {e.get('train_loss', np.nan):.4f} / "
                         f"{e.get('test_loss', np.nan):.4f}")
            if "test_accuracy" in e:
                parts.append(f"accuracy {100 * e.get('train_accuracy', np.nan):.1f}% / "
                             f"{100 * e['test_accuracy']:.1f}%")
            elif "test_rmse" in e:
                parts.append(f"RMSE {e.get('train_rmse', np.nan):.4f} / {e['test_rmse']:.4f}")
            parts[-1] += " (training / test)"
        self.setText("  ·  ".join(parts))

    def clear_run(self):
        self.setText(self.NO_RUN)
