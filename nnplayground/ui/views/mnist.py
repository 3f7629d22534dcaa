"""Image data: first conv filters and feature maps, a grid of test predictions, confusion."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontInfo, QFontMetrics, QFontMetricsF, QPainter
from PySide6.QtWidgets import (QComboBox, QGridLayout, QLabel, QSizePolicy, QVBoxLayout,
                               QWidget)

from nnplayground.ui.views.classes import class_colour
from nnplayground.ui.views.common import (ImageClassifierView, LiveView, MosaicImage,
                                          PixelImage, SquareBox, chooser_layout, grid_columns,
                                          light, to_qimage)
from nnplayground.worker import snapshot as S

FILTERS_CAPTION = "first conv layer's filters"
NO_CONV_CAPTION = "no convolutional layer"
NO_CONV_MAPS = "no convolutional layer: see Unit weights"
LABEL_FLOOR_PT = 11.0   # test-prediction labels never smaller (the layout audit's floor)
WIDE_CELLS = 1.6        # the confusion matrix at most this times as wide as tall


def has_conv_layer(weights) -> bool:
    """Whether a snapshot's model has a Conv2D layer: only conv kernels are 4-D
    (out_c, in_c, kh, kw). Every snapshot carries the weights, unlike the filters, which the
    worker skips while the view is hidden or between its refreshes of the heavy parts."""
    return any("W" in params and np.ndim(params["W"]) == 4 for params in weights.values())


def caption(text: str) -> QLabel:
    """A centred caption over a picture, in the window's font (presenter mode's too)."""
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    label.setWordWrap(True)
    return label


class FiltersView(LiveView):
    """The first Conv2D layer's kernels and the feature maps of one chosen test image, each
    picture as large as its part of the dock allows (the maps tiled to the dock's shape)."""

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
        self.input_image = PixelImage("the test image")
        self.filters_label = caption(FILTERS_CAPTION)
        self.filter_image = MosaicImage("first conv filters")
        self.maps_label = caption("feature maps")
        self.maps_image = MosaicImage("the chosen layer's feature maps of the test image")
        grid = QGridLayout()
        grid.addWidget(caption("test image"), 0, 0)
        grid.addWidget(self.input_image, 1, 0)
        grid.addWidget(self.filters_label, 2, 0)
        grid.addWidget(self.filter_image, 3, 0)
        grid.addWidget(self.maps_label, 0, 1)
        grid.addWidget(self.maps_image, 1, 1, 3, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 3)
        grid.setRowStretch(1, 1)
        grid.setRowStretch(3, 1)
        layout.addLayout(grid, 1)
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
        self.input_image.setImage(self.info.images_test[snapshot.image_index, 0], levels=(0, 1))
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
            self.filter_image.setTiles(f.reshape(-1, *f.shape[2:]))
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
        if text != label.text():
            label.setText(text)

    def _draw_maps(self):
        node = self.layer_box.currentText()
        if self._last is None or node not in self._last.feature_maps:
            return
        maps = self._last.feature_maps[node]
        self.maps_image.setTiles(maps)
        self._set_caption(self.maps_label,
                          f"{node}: {maps.shape[0]} maps of {maps.shape[1]}x{maps.shape[2]}")

    def _on_layer_changed(self, _index):
        self._draw_maps()

    def _on_image_changed(self, index):
        if self.controller is not None:
            self.controller.select_image(index)


class PredictionGrid(QWidget):
    """Test digits, each with "predicted (true)" under it in the window's font, as many
    columns as show them largest (`grid_columns`), drawn nearest-neighbour; a mistake framed
    and labelled in red. At 1280x720 six fixed columns left the digits 20 px."""

    PAD = 2         # the frame around a digit, in screen pixels
    GAP = 6         # between cells

    def __init__(self, parent=None):
        super().__init__(parent)
        self.images = None                  # (n, h, w) in [0, 1]
        self.labels: list[str] = []
        self.wrong = np.zeros(0, bool)
        self._qimages = []
        self.setMinimumSize(120, 80)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_predictions(self, images, pred, true):
        self.images = images
        self.wrong = pred != true
        self.labels = [f"{p} ({t})" for p, t in zip(pred, true)]
        self._qimages = [to_qimage(1.0 - image) for image in images]   # dark ink on paper
        self.update()

    def label_font(self) -> QFont:
        """The labels' font: the widget's, smaller (down to 11 pt, the readable floor) where
        its "7 (7)" would leave room for fewer columns than the digits' own best (presenting
        lesson 11 at 1.3x left the digits 14 px)."""
        font = QFont(self.font())
        if self.images is None or not len(self.images):
            return font
        n, h, w = self.images.shape
        extra = 2 * self.PAD + self.GAP
        columns = grid_columns(n, w + extra, h + extra, self.width(), self.height(),
                               QFontMetricsF(font).height() + self.GAP)
        room = self.width() / columns - self.GAP
        need = QFontMetricsF(font).horizontalAdvance("0 (0)")
        if need > room:
            size = font.pointSizeF()
            font.setPointSizeF(max(min(LABEL_FLOOR_PT, size), size * room / need))
        return font

    def _label_height(self) -> int:
        return QFontMetrics(self.label_font()).height()

    def layout_cells(self):
        """(columns, side): the grid's columns and each digit's side in pixels."""
        if self.images is None or not len(self.images):
            return 1, 0
        n, h, w = self.images.shape
        below = self._label_height() + self.GAP
        extra = 2 * self.PAD + self.GAP
        # no more columns than leave each label its width ("9 (9)" beside "7 (7)")
        label = QFontMetrics(self.label_font()).horizontalAdvance("0 (0)") + self.GAP
        most = max(1, self.width() // label)
        columns = grid_columns(n, w + extra, h + extra, self.width(), self.height(), below)
        if columns > most:
            columns = most
        rows = -(-n // columns)
        side = min(self.width() / columns, self.height() / rows - below) - extra
        return columns, max(1, int(side))

    def paintEvent(self, _event):  # noqa: N802
        if self.images is None:
            return
        columns, side = self.layout_cells()
        label_h = self._label_height()
        cell_w = self.width() / columns
        cell_h = side + 2 * self.PAD + self.GAP + label_h + self.GAP
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.setFont(self.label_font())
        for i, image in enumerate(self._qimages):
            r, c = divmod(i, columns)
            x = int(c * cell_w + (cell_w - side) / 2)
            y = int(r * cell_h)
            frame = QColor(220, 30, 30) if self.wrong[i] else QColor(200, 200, 200)
            painter.fillRect(x - self.PAD, y, side + 2 * self.PAD, side + 2 * self.PAD, frame)
            painter.drawImage(QRect(x, y + self.PAD, side, side), image)
            painter.setPen(QColor(200, 0, 0) if self.wrong[i] else QColor(30, 30, 30))
            painter.drawText(QRect(int(c * cell_w), y + side + 2 * self.PAD, int(cell_w),
                                   label_h), Qt.AlignmentFlag.AlignHCenter, self.labels[i])


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
        self.grid = PredictionGrid()
        layout.addWidget(self.grid, 1)
        self._shown = None        # (pred, true) drawn last: unchanged frames cost nothing

    @property
    def labels(self) -> list[str]:
        return self.grid.labels

    def on_dataset(self, info):
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
        self.grid.set_predictions(images, pred, true)
        wrong = int(np.sum(pred != true))
        mistakes = "1 mistake" if wrong == 1 else f"{wrong} mistakes"
        self.caption.setText(f"predicted (true) for {len(images)} test images: {mistakes}, "
                             "framed in red")


def count_pixel_size(font: QFont, widest: str, cell_w: float, cell_h: float) -> int:
    """The pixel size for a confusion count: `font`'s, or less so that `widest` takes at most
    90% of a cell's width and 80% of its height (its digits, about 0.73 of the pixel size, then
    take 58%) (`cell_w` x `cell_h` pixels)."""
    size = QFontInfo(font).pixelSize()
    sized = QFont(font)
    sized.setPixelSize(size)
    width = QFontMetricsF(sized).horizontalAdvance(widest)
    return max(1, int(min(size, size * 0.9 * cell_w / max(width, 1e-9), 0.8 * cell_h)))


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
        # cells wider than tall where the dock is wide: three-digit counts are wide (presenting
        # at 1280x720, square 29 px cells held them to 12 px, 55x33 px cells give the 17 px font)
        layout.addWidget(SquareBox(self.plot, wide=WIDE_CELLS), 1)
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
        """The counts in the view's font (presenter mode's when presenting), smaller only
        where a cell is too small for the widest count (ten classes in a short dock): a count
        never spills into its neighbours. Too small to read (under 7 px), they are hidden; the
        colours and a click on a cell still tell."""
        if not self.texts or self._last is None:
            return
        font = QFont(self.font())
        font.setPixelSize(count_pixel_size(self.font(), str(int(self._last.max())),
                                           *self.cell_pixels()))
        readable = font.pixelSize() >= 7
        for t in self.texts:
            t.setFont(font)
            t.setVisible(readable)

    def cell_pixels(self) -> tuple[float, float]:
        """A cell's width and height on screen, in pixels."""
        width, height = self.plot.getViewBox().viewPixelSize()   # view units per pixel
        return 1.0 / max(width, 1e-9), 1.0 / max(height, 1e-9)

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
