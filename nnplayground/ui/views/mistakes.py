"""The mistakes browser: the test images of one cell of the confusion matrix.

Clicking a cell of the confusion matrix (`ConfusionView.cell_clicked`) lists exactly the test
images counted in it, each with the network's probability bars; clicking one sends it to the
drawing pad and to "Why this prediction" (`image_chosen`).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout

from nnplayground.engine.metrics import predicted_classes
from nnplayground.ui.views.common import BLUE, ImageClassifierView
from nnplayground.ui.views.drawpad import percent

ZOOM = 2                 # each digit drawn 56 x 56
BAR_W, BAR_GAP = 7, 2    # one bar per class beside the digit
MAX_LISTED = 500         # a cell of an untrained network can hold most of the test set


def cell_indices(y_true, probabilities, row, col):
    """Indices of the test samples with true class `row` predicted as `col`: exactly those
    the confusion matrix counts in cell (row, col) (same outputs, same rule)."""
    y_true = np.asarray(y_true)[:len(probabilities)]
    pred = predicted_classes(probabilities)
    return np.nonzero((y_true == row) & (pred == col))[0]


def tile(image, probs, true, pred):
    """A QPixmap: the digit (dark on white) and the probability of each class as a bar,
    the true class's bar blue, the predicted one's red when it is wrong."""
    h, w = image.shape
    n = len(probs)
    width = ZOOM * w + 6 + n * (BAR_W + BAR_GAP)
    height = ZOOM * h
    ink = np.ascontiguousarray((255 * (1 - np.clip(image, 0, 1))).astype(np.uint8))
    digit = QImage(ink.tobytes(), w, h, w, QImage.Format.Format_Grayscale8)
    pixmap = QPixmap(width, height)
    pixmap.fill(QColor("white"))
    painter = QPainter(pixmap)
    painter.drawImage(0, 0, digit.scaled(ZOOM * w, ZOOM * h))
    for k, p in enumerate(probs):
        colour = (QColor(*BLUE) if k == true else QColor(214, 39, 40) if k == pred
                  else QColor(150, 150, 150))
        bar = max(1, int(round(float(p) * (height - 2))))
        x = ZOOM * w + 6 + k * (BAR_W + BAR_GAP)
        painter.fillRect(x, height - bar, BAR_W, bar, colour)
    painter.end()
    return pixmap


class MistakesView(ImageClassifierView):
    """The test images of the confusion-matrix cell last clicked."""

    title = "Mistakes"
    placeholder = "The mistakes browser lists test images of image classification (MNIST)."
    image_chosen = Signal(int)     # a test image's index

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(2, 2, 2, 2)
        self.caption = QLabel("Click a cell of the confusion matrix to list its test images")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.list = QListWidget()
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setIconSize(QSize(ZOOM * 28 + 6 + 10 * (BAR_W + BAR_GAP), ZOOM * 28))
        self.list.setSpacing(4)
        self.list.itemClicked.connect(self._on_item_clicked)
        layout.addWidget(self.list, 1)
        self.indices = np.zeros(0, np.int64)

    def on_dataset(self, info):
        self.list.clear()
        self.indices = np.zeros(0, np.int64)

    def show_cell(self, row, col, probabilities):
        """List the test images counted in cell (row, col) of the matrix computed from
        `probabilities` (the outputs for the first n test images)."""
        if self.info is None or probabilities is None:
            return
        self.indices = cell_indices(self.info.y_test, probabilities, row, col)
        n = len(self.indices)
        what = (f"{n} test images of a {row} taken for a {col}" if row != col
                else f"{n} test images of a {row} recognised")
        more = f"; the first {MAX_LISTED} shown" if n > MAX_LISTED else ""
        self.caption.setText(f"{what}{more}. Blue bar: the true class; red: the answer. "
                             f"Click one to see why.")
        self.list.clear()
        pred = predicted_classes(probabilities)
        for i in self.indices[:MAX_LISTED]:
            probs = probabilities[i] if probabilities.shape[1] > 1 else \
                np.array([1 - probabilities[i, 0], probabilities[i, 0]])
            item = QListWidgetItem(QIcon(tile(self.info.images_test[i].mean(axis=0), probs,
                                              row, int(pred[i]))), f"#{i}")
            item.setData(Qt.ItemDataRole.UserRole, int(i))
            item.setToolTip(f"test image {i}: a {row}, answered {int(pred[i])} "
                            f"({percent(probs[int(pred[i])])}%)")
            self.list.addItem(item)

    def _on_item_clicked(self, item):
        self.image_chosen.emit(int(item.data(Qt.ItemDataRole.UserRole)))
