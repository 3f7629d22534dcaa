"""2-D data: the network's output over the input plane, and every hidden unit's output.

TensorFlow Playground style: orange for class 0 / negative, blue for class 1 / positive, the
data points drawn over the heatmap. With more than two classes each pixel takes the colour of
the class predicted there, paler where the network is less sure (`views.classes`).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QBoxLayout, QCheckBox, QLabel, QRadioButton, QVBoxLayout

from nnplayground.ui.views.classes import ClassLegend, class_colour, class_image
from nnplayground.ui.views.common import (DIVERGING, FONT_PT, TEXT, LiveView, SquareBox, WrapRow,
                                          light, unit_map_levels)
from nnplayground.worker import snapshot as S


SMOOTH = 4    # the plane is drawn at SMOOTH times the resolution it was computed at
MAX_POINTS = 2000   # data points drawn over the plane, at most


def _rect(extent):
    return QRectF(extent[0], extent[2], extent[1] - extent[0], extent[3] - extent[2])


def smooth_plane(samples, scale=SMOOTH):
    """The model's output over the plane, (n, n) or (n, n, K) values at the n x n points of
    `snapshot.plane_grid` (the extent's edges included), as an (n*scale, n*scale[, K]) image
    whose pixel centres tile the extent: each pixel bilinearly interpolated from the four
    samples around it.

    Drawn as it was computed, each sample filled a square cell, so a 50 x 50 grid showed a
    staircase boundary 5 to 9 px a step on a projector, and every cell sat up to half a cell
    off its sample (the samples span the extent edge to edge, the cells tile it). Between two
    samples the network's output is smooth on the scale of a cell, and the 0.5 line of the
    interpolated image is the smooth curve the class should see. NaNs stay local."""
    samples = np.asarray(samples)
    n = samples.shape[0]
    m = n * scale
    at = (np.arange(m) + 0.5) / m * (n - 1)      # each pixel centre in sample coordinates
    lo = np.minimum(at.astype(np.intp), n - 2)
    t = (at - lo).astype(np.float32)
    shape = (m,) + (1,) * (samples.ndim - 1)
    rows = samples[lo] * (1 - t).reshape(shape) + samples[lo + 1] * t.reshape(shape)
    shape = (1, m) + (1,) * (samples.ndim - 2)
    return (rows[:, lo] * (1 - t).reshape(shape) + rows[:, lo + 1] * t.reshape(shape)) \
        .astype(samples.dtype, copy=False)


class BoundaryView(LiveView):
    """Output heatmap under the training or test points (classification or 2-D regression)."""

    title = "Decision boundary"
    parts = frozenset({S.VIEW_BOUNDARY})

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(2, 2, 2, 2)
        self.train_radio = QRadioButton("Training data")
        self.test_radio = QRadioButton("Test data")
        self.train_radio.setChecked(True)
        self.discrete_box = QCheckBox("Discretise output")
        self.train_radio.setToolTip("Draw the training points over the heatmap")
        self.test_radio.setToolTip("Draw the test points over the heatmap")
        self.discrete_box.setToolTip("Show only the predicted class instead of the probability")
        # the options wrap under each other in a narrow dock rather than being cut
        layout.addWidget(WrapRow(self.train_radio, self.test_radio, self.discrete_box))
        self.legend = ClassLegend()
        layout.addWidget(self.legend)
        self.plot = light(pg.PlotWidget())
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "x1")
        self.plot.setLabel("left", "x2")
        layout.addWidget(SquareBox(self.plot), 1)
        self.thinned = QLabel("")           # says so when not every point is drawn
        self.thinned.setVisible(False)
        layout.addWidget(self.thinned)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(DIVERGING.getLookupTable(nPts=256))
        self.plot.addItem(self.image)
        # more than two classes: an RGB image, each pixel in its predicted class's colour
        self.class_image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.class_image)
        self.scatter = pg.ScatterPlotItem(size=6, pen=pg.mkPen("w", width=0.8))
        self.scatter.setToolTip("Data points: colour is the class (see the legend) or target")
        self.plot.addItem(self.scatter)
        self.train_radio.toggled.connect(self._on_split_changed)
        self.discrete_box.toggled.connect(self._on_discrete_changed)
        self._last = None
        self._levels = (0.0, 1.0)
        # A unit's map shown large while the mouse is over it in the diagram: an image of its
        # own over the boundary (which stays as it was underneath), under the points.
        self.unit_map = pg.ImageItem(axisOrder="row-major")
        self.unit_map.setZValue(1)
        self.unit_map.hide()
        self.scatter.setZValue(2)
        self.plot.addItem(self.unit_map)

    def applies_to(self, info):
        return info.kind == "plane"

    def placeholder_text(self, info):
        return "The decision boundary is drawn for datasets with two inputs (x1, x2)."

    def on_dataset(self, info):
        self.discrete_box.setEnabled(info.task == "classification")
        if info.task == "classification":
            self._levels = (0.0, 1.0)
            self.title = "Decision boundary"
        else:
            y = np.concatenate([info.y_train.ravel(), info.y_test.ravel()])
            self._levels = (float(y.min()), float(y.max()) if y.max() > y.min() else 1.0)
        self._rect = _rect(info.extent)
        self.plot.setRange(xRange=info.extent[:2], yRange=info.extent[2:], padding=0)
        self._last = None
        self.image.clear()
        self.class_image.clear()
        classes = info.task == "classification"
        self.legend.set_classes([f"class {k}" for k in range(info.n_classes or 2)]
                                if classes else ())
        self.plot.setRange(xRange=info.extent[:2], yRange=info.extent[2:], padding=0)
        self._draw_points()

    def show_points(self, info):
        """Other points on the same plane (drawn by hand): redrawn, the heatmap kept."""
        self.info = info
        self._draw_points()

    def _draw_points(self):
        """The chosen split's points over the heatmap, at most MAX_POINTS of them (evenly
        spread through the file's order), each class or level's brush made once: an imported
        file of 100,000 points held the window for 4 s making a brush per point, and a class
        sees no more in 100,000 dots than in 2,000."""
        info = self.info
        train = self.train_radio.isChecked()
        pts = np.asarray(info.points_train if train else info.points_test)
        y = np.ravel(info.y_train if train else info.y_test)
        n = len(y)
        if n > MAX_POINTS:
            keep = np.linspace(0, n - 1, MAX_POINTS).astype(np.intp)
            pts, y = pts[keep], y[keep]
        if info.task == "classification":
            classes = y.astype(np.intp)
            palette = [pg.mkBrush(class_colour(k)) for k in range(int(classes.max(initial=0)) + 1)]
        else:
            lo, hi = self._levels
            classes = np.rint(255 * np.clip((y - lo) / max(hi - lo, 1e-12), 0, 1)).astype(np.intp)
            palette = [pg.mkBrush(*c) for c in DIVERGING.map(np.linspace(0, 1, 256), mode="byte")]
        self.scatter.setData(pos=pts, brush=[palette[k] for k in classes])
        split = "training" if train else "test"
        self.thinned.setText(f"{len(y):,} of {n:,} {split} points shown" if n > MAX_POINTS
                             else "")
        self.thinned.setVisible(n > MAX_POINTS)

    def on_snapshot(self, snapshot):
        if snapshot.boundary is None:
            return
        self._last = snapshot.boundary
        self._draw_image()

    def _draw_image(self):
        if self._last is None:
            return
        img = smooth_plane(self._last)
        discrete = self.discrete_box.isChecked() and self.info.task == "classification"
        many = img.ndim == 3          # (n, n, K) probabilities of K > 2 classes
        self.image.setVisible(not many)
        self.class_image.setVisible(many)
        if many:
            self.class_image.setImage(class_image(img, discrete), autoLevels=False,
                                      levels=(0, 255), rect=self._rect)
            return
        if discrete:
            img = (img > 0.5).astype(np.float32)
        self.image.setImage(img, levels=self._levels, autoLevels=False, rect=self._rect)

    def show_unit_map(self, image, lut):
        """Show a unit's map (GRID x GRID in [0, 1], row 0 at the bottom of the plane) in the
        colours of `lut` (256, 3), as the diagram draws it, over the boundary until
        `clear_unit_map`: a hidden unit's on the orange-blue scale (0.5 = zero output), a
        class's probability from white to the class's colour."""
        if self.info is None or not self.applies_to(self.info):
            return
        self.unit_map.setLookupTable(lut)
        self.unit_map.setImage(smooth_plane(image), levels=(0.0, 1.0), autoLevels=False,
                               rect=self._rect)
        self.unit_map.show()

    def clear_unit_map(self):
        self.unit_map.hide()

    def _on_split_changed(self, _checked):
        if self.info is not None and self.applies_to(self.info):
            self._draw_points()

    def _on_discrete_changed(self, _on):
        self._draw_image()


class UnitsView(LiveView):
    """A small heatmap per hidden unit over the input plane; click one to enlarge it.

    All units are drawn into one image (a row per layer): one ImageItem redraws far faster
    than a ViewBox per unit.
    """

    title = "Hidden units"
    parts = frozenset({S.VIEW_UNITS})
    PAD = 8

    def __init__(self, parent=None):
        super().__init__(parent)
        outer = QVBoxLayout(self.body)
        outer.setContentsMargins(2, 2, 2, 2)
        self.caption = QLabel("Click a unit to enlarge it")
        self.caption.setWordWrap(True)
        outer.addWidget(self.caption)
        # Tiles and the enlarged unit side by side in a wide dock, one over the other in a
        # tall one (see resizeEvent), so neither is squeezed to a strip.
        layout = self.split = QBoxLayout(QBoxLayout.TopToBottom)
        outer.addLayout(layout, 1)
        self.grid = light(pg.GraphicsLayoutWidget())
        self.grid.setToolTip("Each hidden unit's output over the input plane (rows: layers); "
                             "click one to enlarge it")
        layout.addWidget(self.grid, 3)
        # The layer names live in a narrow box of their own, its y linked to the tiles': inside
        # the tiles' box they were cut ("ı1") by its edge and overlapped when rows were small.
        self.label_vb = self.grid.addViewBox(row=0, col=0, enableMouse=False)
        self.label_vb.setXRange(0, 1, padding=0)
        self.label_vb.invertY(True)
        self.grid_vb = self.grid.addViewBox(row=0, col=1, lockAspect=True, enableMouse=False)
        self.grid_vb.invertY(True)
        self.label_vb.setYLink(self.grid_vb)
        self.grid.ci.layout.setHorizontalSpacing(2)
        self.grid_vb.sigTransformChanged.connect(self._fit_labels)
        self.grid_vb.sigResized.connect(self._fit_tiles)
        self.tiles = pg.ImageItem(axisOrder="row-major")
        self.tiles.setLookupTable(DIVERGING.getLookupTable(nPts=256))
        self.tiles.mouseClickEvent = self._on_tiles_clicked
        self.grid_vb.addItem(self.tiles)
        self.big = light(pg.GraphicsLayoutWidget())
        big_vb = self.big.addViewBox(lockAspect=True, enableMouse=False)
        self.big_image = pg.ImageItem(axisOrder="row-major")
        self.big_image.setLookupTable(DIVERGING.getLookupTable(nPts=256))
        big_vb.addItem(self.big_image)
        self.big_box = SquareBox(self.big)
        layout.addWidget(self.big_box, 2)
        self.layout_keys = []      # [(node_id, n_units)] row by row
        self.labels = []
        self.selected = None
        self._last = {}

    def applies_to(self, info):
        return info.kind == "plane"

    def placeholder_text(self, info):
        return "Hidden-unit images are drawn for small dense networks on two-input datasets."

    def on_dataset(self, info):
        self.layout_keys = []
        for label in self.labels:
            self.label_vb.removeItem(label)
        self.labels = []
        self.tiles.clear()
        self.big_image.clear()

    def _relayout(self, units):
        for label in self.labels:
            self.label_vb.removeItem(label)
        self.labels = []
        self.layout_keys = [(k, v.shape[0]) for k, v in units.items()]
        step = S.GRID + self.PAD
        for row, (node_id, _n) in enumerate(self.layout_keys):
            label = pg.TextItem(node_id, color=TEXT, anchor=(1, 0.5))
            label.textItem.document().setDocumentMargin(0)   # its box is then the text's
            label.setPos(1, row * step + S.GRID / 2)
            self.label_vb.addItem(label)
            self.labels.append(label)
        if self.selected not in [(k, i) for k, n in self.layout_keys for i in range(n)]:
            self.selected = (self.layout_keys[0][0], 0)
        self._fit_labels()

    def resizeEvent(self, event):  # noqa: N802
        wide = self.width() > 1.4 * self.height()
        self.split.setDirection(QBoxLayout.LeftToRight if wide else QBoxLayout.TopToBottom)
        super().resizeEvent(event)

    def tiles_rect(self) -> QRectF:
        """The tiles' extent in the image's coordinates (every unit of every layer)."""
        if not self.layout_keys:
            return QRectF()
        step = S.GRID + self.PAD
        cols = max(n for _k, n in self.layout_keys)
        return QRectF(0, 0, cols * step - self.PAD, len(self.layout_keys) * step - self.PAD)

    def _fit_tiles(self, *_):
        """Every tile in view, kept to the top left next to the layer names: the range is set
        from the box's size each time it changes (auto-range, once pinned, stopped following
        resizes and cut units off: spiral showed 4 1/2 of 8 at 1600x1000)."""
        rect = self.tiles_rect()
        size = self.grid_vb.size()
        if rect.isEmpty() or size.width() < 2 or size.height() < 2:
            return
        units_per_px = max(rect.width() / size.width(), rect.height() / size.height())
        self.grid_vb.setRange(QRectF(0, 0, size.width() * units_per_px,
                                     size.height() * units_per_px), padding=0)

    def content_problems(self) -> list[str]:
        """Tiles outside the visible box (for the layout test)."""
        rect = self.tiles_rect()
        if rect.isEmpty() or not self.grid.isVisible():
            return []
        shown = self.grid_vb.viewRect()
        problems = []
        if shown.right() < rect.right() - 0.5 or shown.bottom() < rect.bottom() - 0.5 or \
                shown.left() > 0.5 or shown.top() > 0.5:
            problems.append(f"hidden-unit tiles {rect.getRect()} not all in view "
                            f"{shown.getRect()}")
        tile_px = S.GRID / max(self.grid_vb.viewPixelSize()[0], 1e-9)
        if tile_px < 12:
            problems.append(f"hidden-unit tiles only {tile_px:.0f} px")
        return problems

    def _fit_labels(self, *_):
        """Layer names as tall as a row allows (7 to 13 px), every k-th one when rows are
        too small for a legible name each; the label column as wide as the longest name."""
        if not self.labels:
            return
        try:
            row_px = (S.GRID + self.PAD) / max(self.grid_vb.viewPixelSize()[1], 1e-9)
        except Exception:   # not laid out yet (no size): try again at the next transform
            return
        # as large as the rows allow, up to the view's own font (which presenter mode enlarges)
        pixels = int(min(max(0.7 * row_px, 7), max(FONT_PT, self.font().pointSizeF()) * 4 / 3))
        font = QFont()
        font.setPixelSize(pixels)
        every = max(1, int(np.ceil((QFontMetrics(font).height() + 1) / max(row_px, 1e-9))))
        for row, label in enumerate(self.labels):
            label.setFont(font)
            label.setVisible(row % every == 0)
        width = max(QFontMetrics(font).horizontalAdvance(label.textItem.toPlainText())
                    for label in self.labels) + 10
        if abs(self.label_vb.maximumWidth() - width) > 1:
            self.label_vb.setMinimumWidth(width)
            self.label_vb.setMaximumWidth(width)

    def on_snapshot(self, snapshot):
        units = snapshot.units
        self.big_box.setVisible(bool(units))
        if not units:
            self.caption.setText("This network has no small hidden dense layer to draw.")
            return
        if self.layout_keys != [(k, v.shape[0]) for k, v in units.items()]:
            self._relayout(units)
            self._fit_tiles()
        self._last = units
        step = S.GRID + self.PAD
        cols = max(n for _k, n in self.layout_keys)
        canvas = np.full((len(self.layout_keys) * step - self.PAD, cols * step - self.PAD),
                         np.nan, np.float32)
        for row, (node_id, n) in enumerate(self.layout_keys):
            for k in range(n):
                # flipped: row 0 of a unit image is the bottom of the plane, and this view
                # draws its rows downwards
                canvas[row * step:row * step + S.GRID, k * step:k * step + S.GRID] = \
                    unit_map_levels(units[node_id][k])[::-1]
        self.tiles.setImage(np.nan_to_num(canvas, nan=0.5), levels=(0, 1), autoLevels=False)
        self._draw_big()

    def _draw_big(self):
        if self.selected is None or not self._last:
            return
        node_id, k = self.selected
        self.big_image.setImage(smooth_plane(unit_map_levels(self._last[node_id][k])),
                                levels=(0, 1), autoLevels=False)
        self.caption.setText(f"{node_id}, unit {k + 1} enlarged; click a unit to choose")

    def _on_tiles_clicked(self, event):
        step = S.GRID + self.PAD
        pos = event.pos()
        row, col = int(pos.y() // step), int(pos.x() // step)
        if 0 <= row < len(self.layout_keys) and 0 <= col < self.layout_keys[row][1]:
            self.select((self.layout_keys[row][0], col))
        event.accept()

    def select(self, key):
        self.selected = key
        self._draw_big()
