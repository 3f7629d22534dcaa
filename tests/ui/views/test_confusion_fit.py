"""The confusion matrix stays whole in a small dock with a large font (presenter mode at
1920x1080 gave it 278 px): every column in sight, every count inside its cell."""

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtGui import QFont, QFontInfo
from PySide6.QtWidgets import QApplication

from nnplayground.ui.views.mnist import ConfusionView


def matrix():
    c = np.random.default_rng(0).integers(0, 9, (10, 10))
    np.fill_diagonal(c, 233)
    return c


@pytest.mark.parametrize("point_size", [11, 18])
def test_every_column_and_count_stays_in_sight(qtbot, point_size):
    view = ConfusionView()
    qtbot.addWidget(view)
    font = QFont(view.font())
    font.setPointSizeF(point_size)
    view.setFont(font)
    view.resize(300, 300)
    view.show()
    qtbot.waitExposed(view)
    view.on_snapshot(SimpleNamespace(confusion=matrix(), confusion_epoch=8, confusion_step=0,
                                     weights_from_file=False))
    QApplication.sendPostedEvents()       # the plot lays out its axes
    QApplication.processEvents()
    assert view.caption.text() == "Test set, after epoch 8"

    plot = view.plot
    laid_out = plot.mapFromScene(plot.getPlotItem().sceneBoundingRect()).boundingRect()
    assert plot.rect().adjusted(-1, -1, 1, 1).contains(laid_out), \
        f"the plot is laid out {laid_out.getRect()} in a widget of {plot.size().toTuple()}"

    box = plot.getViewBox()
    cell = 1 / box.viewPixelSize()[0]                       # a cell's width in pixels
    shown = [t for t in view.texts if t.isVisible()]
    assert shown, "the counts were all hidden"
    for t in shown:
        width = t.textItem.boundingRect().width() - 2 * t.textItem.document().documentMargin()
        assert width <= cell, \
            f"{t.textItem.toPlainText()!r} is {width:.0f} px wide in a {cell:.0f} px cell"


@pytest.mark.parametrize("screen, point_size, dock", [
    ("1280x720", 11 * 1.15, (814, 385)),        # presenting mnist-cnn, the dock measured
    ("1920x1080", 11 * 1.6, (1223, 630)),
])
def test_presenting_the_counts_take_the_presenter_font(qtbot, screen, point_size, dock):
    """In the dock presenter mode gives the matrix, every count is drawn in the presenter
    font, three digits included (in square cells at 1920x1080 they were 7 px against 23)."""
    view = ConfusionView()
    qtbot.addWidget(view)
    font = QFont(view.font())
    font.setPointSizeF(point_size)
    view.setFont(font)
    view.resize(*dock)
    view.show()
    qtbot.waitExposed(view)
    c = matrix()
    c[3, 3] = 987                                   # the widest count: three digits
    view.on_snapshot(SimpleNamespace(confusion=c, confusion_epoch=2, confusion_step=0,
                                     weights_from_file=False))
    QApplication.sendPostedEvents()
    QApplication.processEvents()
    presenter_px = QFontInfo(font).pixelSize()
    sizes = {t.textItem.font().pixelSize() for t in view.texts if t.isVisible()}
    assert sizes == {presenter_px}, (screen, sizes, presenter_px)
    width, height = view.cell_pixels()
    widest = max(view.texts, key=lambda t: len(t.textItem.toPlainText()))
    text_w = widest.textItem.boundingRect().width() - \
        2 * widest.textItem.document().documentMargin()
    assert text_w <= width, (screen, text_w, width)
    assert height >= presenter_px, (screen, height, presenter_px)
