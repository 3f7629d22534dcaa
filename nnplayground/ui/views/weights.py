"""Weights: histograms of weights and gradients per layer, and image-shaped dense weights."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout

from nnplayground.ui.views.common import (BLUE, DIVERGING, ORANGE, LiveView, WideWatcher, light,
                                          mosaic, place_plots, set_title)
from nnplayground.worker import snapshot as S

BINS = 40
MAX_UNIT_TILES = 64


def nice_ceil(v):
    """The smallest of 1, 2, 5 x 10^k that is >= v (v > 0): axis bounds that change rarely."""
    if not np.isfinite(v) or v <= 0:
        return 1.0
    base = 10.0 ** np.floor(np.log10(v))
    return float(next(f * base for f in (1, 2, 5, 10) if f * base >= v * (1 - 1e-9)))


class HistogramAxis:
    """A symmetric bin range +-R and a count axis 0..C, both moved only in 1-2-5 steps.

    The range grows at once but shrinks only when the values use less than a tenth of it, and
    the count axis only grows (until the layer changes), so the axes are rarely redrawn.

    Fixed bins also make successive frames comparable: the bars grow and move, not the grid.
    """

    def __init__(self, plot):
        self.plot = plot
        plot.disableAutoRange()
        self.half_width = None
        self.top = None
        self.recent = 0.0       # decaying maximum of |values| over the last frames

    def reset(self):
        self.half_width = self.top = None
        self.recent = 0.0

    def histogram(self, values):
        values = values[np.isfinite(values)]
        biggest = float(np.abs(values).max()) if values.size else 1.0
        # Mini-batch gradients jump by 10x from step to step: follow a slowly decaying maximum.
        self.recent = max(biggest, 0.97 * self.recent)
        m = nice_ceil(self.recent)
        if self.half_width is None or m > self.half_width or m < self.half_width / 10:
            self.half_width = m
            self.top = None
        counts, edges = np.histogram(values, bins=BINS, range=(-self.half_width, self.half_width))
        top = nice_ceil(float(counts.max()) * 1.1) if counts.max() else 1.0
        if self.top is None or top > self.top:
            self.top = top
            self.plot.setRange(xRange=(-self.half_width, self.half_width), yRange=(0, top),
                               padding=0)
        return edges, counts.astype(float)


class HistogramView(LiveView):
    """Distribution of one layer's weights and of their last gradients."""

    title = "Weight histograms"
    parts = frozenset({S.VIEW_HISTOGRAMS})

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(2, 2, 2, 2)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Parameter:"))
        self.combo = QComboBox()
        self.combo.setToolTip("Which layer's parameter to show")
        self.combo.currentIndexChanged.connect(self._on_layer_changed)
        bar.addWidget(self.combo, 1)
        layout.addLayout(bar)
        self.graphs = light(pg.GraphicsLayoutWidget())
        layout.addWidget(self.graphs)
        self.w_plot = self.graphs.addPlot(row=0, col=0)
        self.g_plot = self.graphs.addPlot(row=1, col=0)
        self.side_by_side = False
        WideWatcher(self.graphs, self._arrange)
        set_title(self.w_plot, "Weights")
        set_title(self.g_plot, "Gradients (last step)")
        self.w_plot.setLabel("left", "count")
        self.g_plot.setLabel("left", "count")
        self.w_hist = pg.PlotCurveItem([0.0, 1.0], [0.0], stepMode="center", fillLevel=0,
                                       brush=pg.mkBrush(*BLUE, 160), pen=pg.mkPen(BLUE))
        self.g_hist = pg.PlotCurveItem([0.0, 1.0], [0.0], stepMode="center", fillLevel=0,
                                       brush=pg.mkBrush(*ORANGE, 160), pen=pg.mkPen(ORANGE))
        self.w_plot.addItem(self.w_hist)
        self.g_plot.addItem(self.g_hist)
        self.w_range, self.g_range = HistogramAxis(self.w_plot), HistogramAxis(self.g_plot)
        self._keys = []
        self._last = None

    def _arrange(self, side_by_side):
        """Weights above gradients in a tall dock; side by side in a wide, short one (xor at
        1280x720 gives this view about 530 x 170 px: stacked, each histogram had 20 px)."""
        if side_by_side == self.side_by_side:
            return
        self.side_by_side = side_by_side
        place_plots(self.graphs.ci, [self.w_plot, self.g_plot], side_by_side)

    def applies_to(self, info):
        return True

    def on_dataset(self, info):
        self._keys = []

    def on_snapshot(self, snapshot):
        keys = [(n, p) for n, params in snapshot.weights.items() for p in params]
        if keys != self._keys:
            self._keys = keys
            self.combo.blockSignals(True)
            self.combo.clear()
            self.combo.addItems([f"{n} / {p}" for n, p in keys])
            self.combo.blockSignals(False)
        self._last = snapshot
        self._draw()

    def _draw(self):
        s, i = self._last, self.combo.currentIndex()
        if s is None or not (0 <= i < len(self._keys)):
            return
        node, name = self._keys[i]
        for hist, rng, values in ((self.w_hist, self.w_range, s.weights[node][name]),
                                  (self.g_hist, self.g_range, s.gradients.get(node, {}).get(name))):
            if values is None:
                hist.setData(np.array([0.0, 1.0]), np.array([0.0]))
            else:
                hist.setData(*rng.histogram(np.ravel(values)))

    def _on_layer_changed(self, _index):
        self.w_range.reset()
        self.g_range.reset()
        self._draw()


class UnitWeightsView(LiveView):
    """For the first dense layer fed by images: each unit's incoming weights as an image."""

    title = "Unit weights"

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(2, 2, 2, 2)
        self.caption = QLabel(" ")
        layout.addWidget(self.caption)
        self.graphs = light(pg.GraphicsLayoutWidget())
        layout.addWidget(self.graphs)
        vb = self.graphs.addViewBox(lockAspect=True, enableMouse=False)
        vb.invertY(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(DIVERGING.getLookupTable(nPts=256))
        vb.addItem(self.image)
        self.node = None
        self.image_shape = None

    def applies_to(self, info):
        return info.kind == "image"

    def placeholder_text(self, info):
        return "Unit weights are drawn as images for a dense layer fed by images (MNIST)."

    def on_dataset(self, info):
        self.node = None
        self.image_shape = info.images_test.shape[2:]

    @staticmethod
    def _first_dense_on_pixels(weights, pixels):
        """The first Dense layer if it sees the pixels themselves, else "".

        Weights come in the model's topological order. A Dense after a Conv2D sees feature
        maps, even when their size happens to be a multiple of the image's (mnist-cnn's
        16x7x7 = 784 = 28x28): drawing those weights as images would mislead.
        """
        for node, params in weights.items():
            W = params.get("W")
            if W is None:
                continue
            if W.ndim != 2:
                return ""            # a conv layer comes first
            return node if W.shape[0] % pixels == 0 and W.shape[0] // pixels <= 3 else ""
        return ""

    def on_snapshot(self, snapshot):
        h, w = self.image_shape
        if self.node is None:
            self.node = self._first_dense_on_pixels(snapshot.weights, h * w)
        if not self.node:
            self.caption.setText("This network has no dense layer that sees the image directly.")
            return
        W = snapshot.weights[self.node]["W"]
        n = min(W.shape[1], MAX_UNIT_TILES)
        tiles = W[: h * w, :n].T.reshape(n, h, w)
        m = np.abs(tiles).reshape(n, -1).max(axis=1)[:, None, None]
        img = mosaic(tiles / np.maximum(m, 1e-12) * 0.5 + 0.5, normalise=False)
        self.image.setImage(img, levels=(0.0, 1.0), autoLevels=False)
        self.caption.setText(f"{self.node}: weights of the first {n} of {W.shape[1]} units "
                             f"(blue positive, orange negative)")
