"""The transformed space (ConvNetJS): the input plane as a hidden layer sees it.

Grid lines of the input plane and the training points, drawn where a chosen layer sends them:
at two of its units' outputs, or at the layer's top two principal components. As the network
trains, the space bends and stretches until the classes lie apart, and the last hidden layer
is where a straight line (the output unit) can cut them.

The worker computes every coordinate (`snapshot.LayerSpace`, for every small layer at once);
this view only picks the layer and the two axes, so switching is instant, even when paused.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QLabel, QSpinBox, QVBoxLayout

from nnplayground.ui.views.classes import ClassLegend, class_colour
from nnplayground.ui.views.common import DIVERGING, LiveView, SquareBox, WrapRow, light
from nnplayground.worker import snapshot as S

UNITS, PCA = "Two units", "Principal components"
LINE_PEN = (150, 156, 162)


def polyline(lines: np.ndarray):
    """(L, G, 2) separate lines -> x, y arrays with a NaN between lines (one plot item draws
    them all, `connect="finite"`)."""
    gap = np.full((lines.shape[0], 1, 2), np.nan, np.float32)
    flat = np.concatenate([lines, gap], axis=1).reshape(-1, 2)
    return flat[:, 0], flat[:, 1]


class TransformedView(LiveView):
    """Grid lines and training points in a layer's space (2-D data only)."""

    title = "Transformed space"
    parts = frozenset({S.VIEW_TRANSFORMED})

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(2, 2, 2, 2)
        self.layer_box = QComboBox()
        self.layer_box.setToolTip("The layer whose space is drawn")
        self.axes_box = QComboBox()
        self.axes_box.addItems([UNITS, PCA])
        self.axes_box.setToolTip("Axes: two of the layer's units, or the two directions along "
                                 "which its outputs vary most (principal components)")
        self.unit_x, self.unit_y = QSpinBox(), QSpinBox()
        for spin, axis in ((self.unit_x, "horizontal"), (self.unit_y, "vertical")):
            spin.setRange(1, S.MAX_SPACE_UNITS)
            spin.setPrefix("unit ")
            spin.setToolTip(f"The unit on the {axis} axis")
        self.unit_y.setValue(2)
        layout.addWidget(WrapRow(QLabel("Layer"), self.layer_box, self.axes_box, self.unit_x,
                                 self.unit_y))
        self.legend = ClassLegend()
        layout.addWidget(self.legend)
        self.plot = light(pg.PlotWidget())
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setToolTip("Grid lines of the input plane and the training points, where "
                             "the chosen layer sends them")
        layout.addWidget(SquareBox(self.plot), 1)
        self.lines = pg.PlotDataItem(pen=pg.mkPen(LINE_PEN, width=1), connect="finite")
        self.plot.addItem(self.lines)
        self.scatter = pg.ScatterPlotItem(size=6, pen=pg.mkPen("w", width=0.8))
        self.plot.addItem(self.scatter)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self._last = {}
        self._brushes = []
        self._brush_labels = None      # the labels `_brushes` were made for
        self._shown_labels = None
        self.layer_box.currentIndexChanged.connect(self._on_choice_changed)
        self.axes_box.currentIndexChanged.connect(self._on_choice_changed)
        self.unit_x.valueChanged.connect(self._on_choice_changed)
        self.unit_y.valueChanged.connect(self._on_choice_changed)

    def applies_to(self, info):
        return info.kind == "plane"

    def placeholder_text(self, info):
        return "The transformed space is drawn for datasets with two inputs (x1, x2)."

    def on_dataset(self, info):
        self._last = {}
        self._brush_labels = None
        self.lines.clear()
        self.scatter.clear()
        classes = info.task == "classification"
        self.legend.set_classes([f"class {k}" for k in range(info.n_classes or 2)]
                                if classes else ())
        self.caption.setText("Train (or press Play) to see the space.")

    def _point_brushes(self, labels):
        """The points' colours: their classes', or the diverging map over the targets (made
        again only when the labels change, e.g. points drawn by hand)."""
        if self._brush_labels is not None and np.array_equal(labels, self._brush_labels):
            return self._brushes
        if self.info.task == "classification":
            self._brushes = [pg.mkBrush(class_colour(c)) for c in labels]
        else:
            y = np.asarray(labels, dtype=np.float64)
            t = (y - y.min()) / max(float(y.max() - y.min()), 1e-12) if len(y) else y
            self._brushes = [pg.mkBrush(*c) for c in DIVERGING.map(t, mode="byte")]
        self._brush_labels = np.array(labels)
        return self._brushes

    def on_snapshot(self, snapshot):
        spaces = snapshot.spaces
        if not spaces:
            if snapshot.replay and self._last:
                self.caption.setText("The training history does not keep the transformed "
                                     "space: this is the latest one.")
            return
        if list(spaces) != list(self._last):
            self._set_layers(spaces)
        self._last = spaces
        self._draw()

    def _set_layers(self, spaces):
        """Offer the new layers, keeping the chosen one if it is still there; else the last
        hidden layer (the space the output unit cuts with a straight line)."""
        chosen = self.layer_box.currentText()
        names = list(spaces)
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        self.layer_box.addItems(names)
        default = names[-2] if len(names) > 1 else names[0]
        self.layer_box.setCurrentText(chosen if chosen in names else default)
        self.layer_box.blockSignals(False)

    def choose(self, layer: str, units=None) -> None:
        """Show `layer` with units (i, j) (0-based) as the axes, or its principal components
        when `units` is None."""
        self.layer_box.setCurrentText(layer)
        self.axes_box.setCurrentText(PCA if units is None else UNITS)
        if units is not None:
            self.unit_x.setValue(units[0] + 1)
            self.unit_y.setValue(units[1] + 1)
        self._draw()

    def axes(self):
        """(layer, (i, j) 0-based units or None for principal components) now shown."""
        if self.axes_box.currentText() == PCA:
            return self.layer_box.currentText(), None
        return self.layer_box.currentText(), (self.unit_x.value() - 1, self.unit_y.value() - 1)

    def _on_choice_changed(self, *_):
        self._draw()

    def _labels(self, bottom, left):
        """Axis titles, set only when they change (a new title re-lays the plot out)."""
        if (bottom, left) != self._shown_labels:
            self._shown_labels = (bottom, left)
            self.plot.setLabel("bottom", bottom)
            self.plot.setLabel("left", left)

    def _draw(self):
        layer = self.layer_box.currentText()
        space = self._last.get(layer)
        if space is None:
            return
        width = space.points.shape[1]
        pca = self.axes_box.currentText() == PCA
        for spin in (self.unit_x, self.unit_y):
            spin.blockSignals(True)
            spin.setMaximum(width)
            spin.setEnabled(not pca)
            spin.blockSignals(False)
        _layer, units = self.axes()
        if pca:
            points, lines = space.pca_points, space.pca_lines
            a, b = (float(v) * 100 for v in space.explained)
            self._labels(f"component 1 ({a:.0f}% of the variance)", f"component 2 ({b:.0f}%)")
            self.caption.setText(f"{layer}: its {width} units' outputs seen along their two "
                                 f"main directions")
        else:
            i, j = (min(u, width - 1) for u in units)
            points, lines = space.points[:, [i, j]], space.lines[:, :, [i, j]]
            self._labels(f"{layer} unit {i + 1}", f"{layer} unit {j + 1}")
            self.caption.setText(f"{layer}: the input plane's grid and the training points "
                                 f"at units {i + 1} and {j + 1}")
        self.lines.setData(*polyline(lines))
        self.scatter.setData(pos=points, brush=self._point_brushes(space.labels))
        both = np.concatenate([points, lines.reshape(-1, 2)]).astype(np.float64)
        lo, hi = both.min(axis=0), both.max(axis=0)
        pad = 0.05 * np.maximum(hi - lo, 1e-6)
        (x0, y0), (x1, y1) = (lo - pad).tolist(), (hi + pad).tolist()
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
