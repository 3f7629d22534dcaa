"""A drawing pad: draw a digit with the mouse or a pen, see the network's answer per stroke.

The live model belongs to the training thread, so the pad never runs it: each stroke is
preprocessed the MNIST way here and sent to the worker (`controller.classify`), which answers
with the probabilities between training steps.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import (QFileDialog, QGridLayout, QHBoxLayout, QLabel, QMessageBox,
                               QProgressBar, QSizePolicy, QVBoxLayout, QWidget)

from nnplayground.ui.views.common import ImageClassifierView, push_button

PAD_SIZE = 280
MIN_SIDE = 168
STROKE_WIDTH = 22


def percent(p) -> int:
    """A probability as a whole percentage, rounded half up. The headline and every bar say
    it by this one rule (a bar's own "%p" truncates: 99.55% read 99% under a headline of 100%).
    """
    return int(math.floor(100 * float(p) + 0.5))


class Canvas(QWidget):
    """A square black canvas that records white strokes; emits nothing, calls `on_stroke`."""

    def __init__(self, on_stroke, parent=None):
        super().__init__(parent)
        # Drawn scaled to the widget (a square at its top left), recorded at PAD_SIZE, so the
        # pad fits a 1280x720 screen and grows on larger ones.
        self.setMinimumSize(MIN_SIDE, MIN_SIDE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip("Draw a digit here with the mouse or a pen")
        self.setAttribute(Qt.WidgetAttribute.WA_TabletTracking, True)
        self.image = QImage(PAD_SIZE, PAD_SIZE, QImage.Format.Format_Grayscale8)
        self.image.fill(0)
        self._last = None
        self._on_stroke = on_stroke

    def sizeHint(self):  # noqa: N802
        return QSize(PAD_SIZE, PAD_SIZE)

    def side(self) -> int:
        return max(1, min(self.width(), self.height()))

    def to_image(self, pos: QPointF) -> QPointF:
        """A point on the widget in the recorded image's pixels."""
        return pos * (PAD_SIZE / self.side())

    def clear(self):
        self.image.fill(0)
        self.update()

    def draw_line(self, a: QPointF, b: QPointF):
        painter = QPainter(self.image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(255, 255, 255), STROKE_WIDTH, Qt.PenStyle.SolidLine,
                            Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        painter.drawLine(a, b)
        painter.end()
        self.update()

    def gray(self) -> np.ndarray:
        """(PAD_SIZE, PAD_SIZE) uint8 copy of the drawing (ink 255 on 0)."""
        ptr = self.image.constBits()
        rows = np.frombuffer(ptr, np.uint8).reshape(PAD_SIZE, self.image.bytesPerLine())
        return rows[:, :PAD_SIZE].copy()

    def paintEvent(self, _event):
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(QRectF(0, 0, self.side(), self.side()), self.image)
        painter.end()

    def mousePressEvent(self, event):
        self._last = self.to_image(event.position())
        self.draw_line(self._last, self._last)

    def mouseMoveEvent(self, event):
        if self._last is not None:
            pos = self.to_image(event.position())
            self.draw_line(self._last, pos)
            self._last = pos

    def mouseReleaseEvent(self, _event):
        if self._last is not None:
            self._last = None
            self._on_stroke()

    def tabletEvent(self, event):
        # Pens arrive as tablet events; treat them like the mouse so strokes look the same.
        kind = event.type()
        if kind == event.Type.TabletPress:
            self.mousePressEvent(event)
        elif kind == event.Type.TabletMove:
            self.mouseMoveEvent(event)
        elif kind == event.Type.TabletRelease:
            self.mouseReleaseEvent(event)
        event.accept()


class DrawPadView(ImageClassifierView):
    title = "Drawing pad"
    placeholder = "The drawing pad classifies hand-drawn digits with an MNIST network."
    digit_classified = Signal(object)   # the (C, H, W) image just sent to be classified

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        layout = QHBoxLayout(self.body)
        left = QVBoxLayout()
        self.canvas = Canvas(self.classify_drawing)
        left.addWidget(self.canvas)
        buttons = QHBoxLayout()
        self.clear_button = push_button("Clear", "Erase the drawing", self._on_clear_clicked)
        self.open_button = push_button("Open image…", "Classify a digit from an image file "
                                       "(PNG, JPEG, ...)", self._on_open_clicked)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.open_button)
        left.addLayout(buttons)
        left.addStretch(1)
        layout.addLayout(left)
        right = QVBoxLayout()
        self.answer = QLabel("Draw a digit")
        big = self.answer.font()    # not a style sheet, which ignores the window's font size
        big.setPointSizeF(big.pointSizeF() * 1.35)
        big.setBold(True)
        self.answer.setFont(big)
        right.addWidget(self.answer)
        grid = QGridLayout()
        grid.setVerticalSpacing(2)      # ten rows that fit a 1280x720 screen
        self.bars = []
        for k in range(10):
            grid.addWidget(QLabel(str(k)), k, 0)
            bar = QProgressBar()
            bar.setRange(0, 1000)
            bar.setFormat("0%")
            bar.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            bar.setMaximumHeight(bar.fontMetrics().height() + 4)
            grid.addWidget(bar, k, 1)
            self.bars.append(bar)
        right.addLayout(grid)
        right.addStretch(1)
        layout.addLayout(right, 1)
        self.pending = None
        self._replayed = False     # the bars show a replayed moment of the history
        self.probabilities = None
        self.input_shape = (1, 28, 28)
        controller.classified.connect(self._on_classified)

    def on_dataset(self, info):
        self.input_shape = tuple(info.images_test.shape[1:])
        for k, bar in enumerate(self.bars):
            bar.setVisible(k < (info.n_classes or 10))

    def on_snapshot(self, snapshot):
        """A moment of the training history shows that moment's answer to the drawing; back
        to the live model, the drawing is asked about again."""
        if snapshot.replay and snapshot.drawing is not None:
            self._replayed = True
            self._on_classified(self.pending, snapshot.drawing)
        elif not snapshot.replay and self._replayed:
            self._replayed = False
            self.classify_drawing()

    def classify_drawing(self):
        from nnplayground.data.digits import preprocess_digit
        from nnplayground.data import DatasetError
        try:
            digit = preprocess_digit(self.canvas.gray())
        except DatasetError:
            self.answer.setText("Draw a digit")
            return
        self.classify(digit)

    def classify(self, digit):
        """Send a (28, 28) MNIST-style image to the worker; the answer arrives as a signal."""
        x = np.asarray(digit, dtype=np.float32).reshape((1, *self.input_shape))
        self.pending = self.controller.classify(x)
        self.digit_classified.emit(x[0])

    def _on_classified(self, request_id, probs):
        if request_id != self.pending:
            return          # an older stroke's answer: a newer one is on its way
        self.probabilities = probs
        if probs is None:
            self.answer.setText("No trained network loaded")
            return
        for k, bar in enumerate(self.bars):
            p = float(probs[k]) if k < len(probs) else 0.0
            bar.setValue(int(round(1000 * p)))
            bar.setFormat(f"{percent(p)}%")
        best = int(np.argmax(probs))
        self.answer.setText(f"It is a {best} ({percent(probs[best])}%)")

    def _on_clear_clicked(self):
        self.canvas.clear()
        self.answer.setText("Draw a digit")
        for bar in self.bars:
            bar.setValue(0)
            bar.setFormat("0%")

    def _on_open_clicked(self):
        path, _ = QFileDialog.getOpenFileName(self, "Open a digit image", "",
                                              "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif "
                                              "*.tiff *.webp);;All files (*)")
        if path:
            self.open_image(path)

    def open_image(self, path):
        from nnplayground.data import DatasetError
        from nnplayground.data.digits import load_digit_image
        try:
            digit = load_digit_image(path)
        except DatasetError as exc:
            QMessageBox.warning(self, "Could not read the image", str(exc))
            return
        self.show_digit(digit)

    def show_digit(self, digit):
        """Put a (1, 28, 28) image in [0, 1] on the pad (enlarged) and classify it."""
        digit = np.asarray(digit, dtype=np.float32).reshape(1, 28, 28)
        self.canvas.clear()
        img = QImage((255 * digit[0]).astype(np.uint8).tobytes(), 28, 28, 28,
                     QImage.Format.Format_Grayscale8)
        painter = QPainter(self.canvas.image)
        painter.drawImage(self.canvas.rect(), img)
        painter.end()
        self.canvas.update()
        self.classify(digit[0])
