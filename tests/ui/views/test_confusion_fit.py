"""The confusion matrix stays whole in a small dock with a large font (presenter mode at
1920x1080 gave it 278 px): every column in sight, every count inside its cell."""

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtGui import QFont
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
    cell = 1 / max(box.viewPixelSize())                     # pixels per cell
    shown = [t for t in view.texts if t.isVisible()]
    assert shown, "the counts were all hidden"
    for t in shown:
        width = t.textItem.boundingRect().width() - 2 * t.textItem.document().documentMargin()
        assert width <= cell, \
            f"{t.textItem.toPlainText()!r} is {width:.0f} px wide in a {cell:.0f} px cell"
