"""Image data: first conv filters and feature maps, a grid of test predictions, confusion."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout

from nnplayground.ui.views.classes import class_colour
from nnplayground.ui.views.common import (FONT_PT, GREYS, TEXT, ImageClassifierView, LiveView,
                                          SquareBox, chooser_layout, image_view_box, light,
                                          mosaic)
from nnplayground.worker import snapshot as S

GRID_COLUMNS = 6
FILTERS_CAPTION = "first conv layer's filters"
LABEL_SIZE = f"{FONT_PT}pt"
NO_CONV_CAPTION = "no convolutional layer"
NO_CONV_MAPS = "no convolutional layer: see Unit weights"


def has_conv_layer(weights) -> bool:
    """Whether a snapshot's model has a Conv2D layer: only conv kernels are 4-D
    (out_c, in_c, kh, kw). Every snapshot carries the weights, unlike the filters, which the
    worker skips while the view is hidden or between its refreshes of the heavy parts."""
    return any("W" in params and np.ndim(params["W"]) == 4 for params in weights.values())


class FiltersView(LiveView):
    """The first Conv2D layer's kernels and the feature maps of one chosen test image."""

    title = "Filters and feature maps"
    parts = frozenset({S.VIEW_FILTERS})

    def __init__(self, controller=None, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.layer_box = QComboBox()
        self.layer_box.setToolTip("Whose output (feature maps) to show")
        self.layer_box.currentIndexChanged.connect(self._on_layer_changed)
        layout, self.index_box = chooser_layout(
            self.body, "Test image:", "Which test image's feature maps to show",
            QLabel("Layer:"), (self.layer_box, 1))
        self.index_box.valueChanged.connect(self._on_image_changed)
        self.graphs = light(pg.GraphicsLayoutWidget())
        layout.addWidget(self.graphs)
        self.graphs.addLabel("test image", row=0, col=0, color=TEXT, size=LABEL_SIZE)
        _, self.input_image = image_view_box(self.graphs, 1, 0, "the test image")
        self.filters_label = self.graphs.addLabel(FILTERS_CAPTION, row=2, col=0, color=TEXT,
                                                  size=LABEL_SIZE)
        _, self.filter_image = image_view_box(self.graphs, 3, 0, "first conv filters")
        self.maps_label = self.graphs.addLabel("feature maps", row=0, col=1, color=TEXT,
                                               size=LABEL_SIZE)
        self.maps_vb = self.graphs.addViewBox(row=1, col=1, rowspan=3, lockAspect=True,
                                              enableMouse=False)
        self.maps_vb.invertY(True)
        self.maps_image = pg.ImageItem(axisOrder="row-major")
        self.maps_vb.addItem(self.maps_image)
        self.graphs.ci.layout.setColumnStretchFactor(0, 1)
        self.graphs.ci.layout.setColumnStretchFactor(1, 3)
        for item in (self.input_image, self.filter_image, self.maps_image):
            item.setLookupTable(GREYS.getLookupTable(nPts=256))
        self._nodes = []
        self._last = None
        self.has_conv = None       # unknown until the first snapshot of a loaded model

    def applies_to(self, info):
        return info.kind == "image"

    def placeholder_text(self, info):
        return "Filters and feature maps are drawn for image datasets (MNIST)."

    def on_dataset(self, info):
        self.index_box.blockSignals(True)
        self.index_box.setRange(0, len(info.images_test) - 1)
        self.index_box.blockSignals(False)
        self._nodes = []
        self._last = None
        self.has_conv = None
        self.filter_image.clear()
        self.maps_image.clear()

    def on_snapshot(self, snapshot):
        self.input_image.setImage(self.info.images_test[snapshot.image_index, 0],
                                  levels=(0, 1), autoLevels=False)
        has_conv = has_conv_layer(snapshot.weights)
        if has_conv != self.has_conv:
            self.has_conv = has_conv
            self._set_caption(self.filters_label, FILTERS_CAPTION if has_conv else NO_CONV_CAPTION)
            if not has_conv:
                self._nodes = []
                self.layer_box.clear()
                self.filter_image.clear()
                self.maps_image.clear()
                self._set_caption(self.maps_label, NO_CONV_MAPS)
        if not has_conv:
            return
        # A snapshot without filters (the worker skipped them this frame) keeps the last ones.
        if snapshot.filters is not None:
            f = snapshot.filters
            self.filter_image.setImage(mosaic(f.reshape(-1, *f.shape[2:]),
                                              columns=min(f.shape[0] * f.shape[1], 4)),
                                       levels=(0, 1), autoLevels=False)
        if snapshot.feature_maps:
            self._last = snapshot
            nodes = list(snapshot.feature_maps)
            if nodes != self._nodes:
                self._nodes = nodes
                self.layer_box.blockSignals(True)
                self.layer_box.clear()
                self.layer_box.addItems(nodes)
                self.layer_box.blockSignals(False)
            self._draw_maps()

    @staticmethod
    def _set_caption(label, text):
        if text != label.text:
            label.setText(text, color=TEXT, size=LABEL_SIZE)

    def _draw_maps(self):
        node = self.layer_box.currentText()
        if self._last is None or node not in self._last.feature_maps:
            return
        maps = self._last.feature_maps[node]
        self.maps_image.setImage(mosaic(maps), levels=(0, 1), autoLevels=False)
        self._set_caption(self.maps_label,
                          f"{node}: {maps.shape[0]} maps of {maps.shape[1]}x{maps.shape[2]}")

    def _on_layer_changed(self, _index):
        self._draw_maps()

    def _on_image_changed(self, index):
        if self.controller is not None:
            self.controller.select_image(index)


class PredictionsView(ImageClassifierView):
    """A grid of test images with predicted and true labels; mistakes framed in red."""

    title = "Test predictions"
    placeholder = "Test predictions are drawn for image classification (MNIST)."
    parts = frozenset({S.VIEW_PREDICTIONS})

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(2, 2, 2, 2)
        self.caption = QLabel("predicted (true); mistakes in red")
        self.caption.setWordWrap(True)      # its width is the dock's, not the sentence's
        layout.addWidget(self.caption)
        self.graphs = light(pg.GraphicsLayoutWidget())
        layout.addWidget(self.graphs)
        self.vb, self.image = image_view_box(self.graphs)
        self.labels = []
        self._shown = None        # (pred, true) drawn last: unchanged frames cost nothing

    def on_dataset(self, info):
        for label in self.labels:
            self.vb.removeItem(label)
        self.labels = []
        self._shown = None

    def on_snapshot(self, snapshot):
        if snapshot.predictions is None:
            return
        idx, pred, true = snapshot.predictions
        if self._shown is not None and np.array_equal(self._shown[0], pred) and \
                np.array_equal(self._shown[1], true):
            return
        self._shown = (pred, true)
        images = self.info.images_test[idx, 0]
        n, h, w = images.shape
        cell_h, cell_w, pad = h + 14, w + 14, 2     # room for "8 (3)" in 10 pt under a digit
        rows = int(np.ceil(n / GRID_COLUMNS))
        rgb = np.full((rows * cell_h, GRID_COLUMNS * cell_w, 3), 255, np.uint8)
        if not self.labels:
            for i in range(n):
                text = pg.TextItem(anchor=(0.5, 0))
                font = text.textItem.font()
                font.setPointSize(FONT_PT)
                text.setFont(font)
                self.vb.addItem(text)
                r, c = divmod(i, GRID_COLUMNS)
                text.setPos(c * cell_w + cell_w / 2, r * cell_h + h + pad)
                self.labels.append(text)
        for i in range(n):
            r, c = divmod(i, GRID_COLUMNS)
            y0, x0 = r * cell_h, c * cell_w
            wrong = pred[i] != true[i]
            frame = (220, 30, 30) if wrong else (200, 200, 200)
            x0 += (cell_w - w - 2 * pad) // 2          # the tile centred over its label
            rgb[y0:y0 + h + 2 * pad, x0:x0 + w + 2 * pad] = frame
            tile = (255 * (1 - images[i])).astype(np.uint8)   # dark ink on white paper
            rgb[y0 + pad:y0 + pad + h, x0 + pad:x0 + pad + w] = tile[..., None]
            self.labels[i].setText(f"{pred[i]} ({true[i]})",
                                   color=(200, 0, 0) if wrong else (30, 30, 30))
        self.image.setImage(rgb, levels=(0, 255), autoLevels=False)
        wrong = int(np.sum(pred != true))
        mistakes = "1 mistake" if wrong == 1 else f"{wrong} mistakes"
        self.caption.setText(f"predicted (true) for {n} test images: {mistakes}, framed in red")


class ConfusionView(LiveView):
    """The test confusion matrix (rows: true class, columns: predicted), from the last epoch."""

    title = "Confusion matrix"
    parts = frozenset({S.VIEW_CONFUSION})
    # a click on a cell: true class, predicted class, the outputs the matrix counted
    cell_clicked = Signal(int, int, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(2, 2, 2, 2)
        # Above the plot, not its title: a plot title as wide as the sentence made the plot
        # wider than its square in presenter mode, and its last column went out of sight.
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.caption)
        self.plot = light(pg.PlotWidget())
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.invertY(True)
        self.plot.setLabel("left", "true class")
        self.plot.setLabel("bottom", "predicted class")
        layout.addWidget(SquareBox(self.plot), 1)
        self.plot.getViewBox().sigTransformChanged.connect(self._fit_numbers)   # size, range
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(pg.ColorMap([0, 1], [(255, 255, 255), (8, 81, 156)])
                                  .getLookupTable(nPts=256))
        self.plot.addItem(self.image)
        # 2-D data: a band of class colours above the columns and left of the rows, the
        # colours of the points, the boundary and its legend
        self.bands = [pg.ImageItem(axisOrder="row-major") for _ in range(2)]
        for band in self.bands:
            self.plot.addItem(band)
        self.texts = []
        self._last = None
        self._epoch = None
        self._probabilities = None
        self.plot.scene().sigMouseClicked.connect(self._on_clicked)
        self.plot.setToolTip("Click a cell to list its test images")

    def _on_clicked(self, event):
        if self._last is None or event.button() != Qt.MouseButton.LeftButton:
            return
        point = self.plot.getViewBox().mapSceneToView(event.scenePos())
        k = self._last.shape[0]
        row, col = int(np.floor(point.y())), int(np.floor(point.x()))
        if 0 <= row < k and 0 <= col < k:
            self.cell_clicked.emit(row, col, self._probabilities)

    def applies_to(self, info):
        return info.task == "classification"

    def placeholder_text(self, info):
        return "The confusion matrix is drawn for classification."

    def on_dataset(self, info):
        for t in self.texts:
            self.plot.removeItem(t)
        for band in self.bands:
            band.clear()
        self.texts = []
        self._last = None
        self._epoch = None
        self._probabilities = None
        self.caption.clear()

    def changeEvent(self, event):  # noqa: N802
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:       # presenter mode's larger font
            self._fit_numbers()

    def _fit_numbers(self, *_args):
        """The counts in the view's font, smaller where a cell is too small for them (ten
        classes in a short dock, presenter mode's larger font): a count never spills into
        its neighbours. Too small to read (under 7 px), they are hidden; the colours and a
        click on a cell still tell."""
        if not self.texts or self._last is None:
            return
        width, height = self.plot.getViewBox().viewPixelSize()   # view units per pixel
        cell = 1.0 / max(width, height, 1e-9)                    # pixels per cell
        digits = len(str(int(self._last.max())))
        font = self.font()
        # a digit is about 0.6 of the font's pixel size wide: the widest count in 85% of
        # the cell's width, and at most 60% of its height
        fitting = min(0.85 * cell / (0.6 * digits), 0.6 * cell)
        font.setPixelSize(max(1, int(min(QFontInfo(font).pixelSize(), fitting))))
        readable = font.pixelSize() >= 7
        for t in self.texts:
            t.setFont(font)
            t.setVisible(readable)

    BAND = 0.16     # the class-colour bands' width, in cells

    def _draw_bands(self, k):
        """Class colours along the top (predicted) and the left (true) of a 2-D dataset's
        matrix; image data has no coloured points to match, so no bands."""
        if self.info is None or self.info.kind != "plane":
            return
        colours = np.array([class_colour(i) for i in range(k)], dtype=np.uint8)
        top, left = self.bands
        gap = 0.04
        top.setImage(colours[None, :, :], levels=(0, 255), autoLevels=False,
                     rect=QRectF(0, -gap - self.BAND, k, self.BAND))
        left.setImage(colours[:, None, :], levels=(0, 255), autoLevels=False,
                      rect=QRectF(-gap - self.BAND, 0, self.BAND, k))

    def on_snapshot(self, snapshot):
        c = snapshot.confusion
        if c is None:
            return
        when_key = (snapshot.confusion_epoch, snapshot.confusion_step,
                    snapshot.weights_from_file)
        if when_key != self._epoch:
            self._epoch = when_key
            epoch, step, from_file = when_key
            # short: the dock is narrow, and the axes already say rows are the true class.
            # A matrix refreshed on pause mid-epoch says its step, not "before training"; an
            # opened trained model's matrix is not "before training" either.
            when = (f"after epoch {epoch}" if epoch else
                    f"after step {step:,}" if step else
                    "the opened model's weights" if from_file else "before training")
            self.caption.setText(f"Test set, {when}")
        self._probabilities = getattr(snapshot, "confusion_probabilities", None)
        if self._last is not None and np.array_equal(c, self._last):
            return
        self._last = c
        k = c.shape[0]
        if len(self.texts) != k * k:
            for t in self.texts:
                self.plot.removeItem(t)
            self.texts = []
            for i in range(k * k):
                t = pg.TextItem(anchor=(0.5, 0.5))
                t.setPos(i % k + 0.5, i // k + 0.5)
                self.plot.addItem(t)
                self.texts.append(t)
            ticks = [(i + 0.5, str(i)) for i in range(k)]
            self.plot.getAxis("bottom").setTicks([ticks])
            self.plot.getAxis("left").setTicks([ticks])
            self._draw_bands(k)
        share = c / np.maximum(c.sum(axis=1, keepdims=True), 1)
        self.image.setImage(share.astype(np.float32), levels=(0, 1), autoLevels=False)
        for i, t in enumerate(self.texts):
            v = share.flat[i]
            t.setText(str(int(c.flat[i])), color=(255, 255, 255) if v > 0.5 else (0, 0, 0))
        self._fit_numbers()
