"""Axis labels keep apart however short the axis: the loss plot at 1280x720 read
"200400600800"."""

import pyqtgraph as pg
import pytest
from PySide6.QtGui import QFont, QPainter, QPixmap

from nnplayground.ui.views.axes import readable_ticks
from nnplayground.ui.views.common import cache_axes


def _label_rects(axis):
    """The rectangles pyqtgraph draws the axis' tick labels in, left to right."""
    pixmap = QPixmap(10, 10)
    painter = QPainter(pixmap)
    painter.setFont(axis.style["tickFont"])
    try:
        _axis, _ticks, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return sorted((rect for rect, _flags, _text in texts), key=lambda r: r.left()), \
        [text for _rect, _flags, text in texts]


def _plot(qtbot, width, x_range, font_pt=10):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(width, 200)
    widget.setXRange(*x_range, padding=0)
    widget.show()
    qtbot.waitExposed(widget)
    axis = widget.getPlotItem().getAxis("bottom")
    font = QFont()
    font.setPointSize(font_pt)
    for side in ("left", "bottom"):
        widget.getPlotItem().getAxis(side).setStyle(tickFont=font)
    qtbot.wait(20)                      # laid out again for the font
    return widget, axis


@pytest.mark.parametrize("width, x_range, font_pt, labels", [(150, (0, 900), 10, 3),
                                                             (130, (0, 900), 10, 1),
                                                             (200, (0, 900), 16, 1)])
def test_tick_labels_of_a_short_axis_keep_apart(qtbot, width, x_range, font_pt, labels):
    """At least `labels` labels stay, none closer than 4 px to the next."""
    widget, axis = _plot(qtbot, width, x_range, font_pt)
    crowded, _ = _label_rects(axis)
    # pyqtgraph alone runs them together (what the class saw)
    assert any(a.right() + 4 > b.left() for a, b in zip(crowded, crowded[1:]))
    readable_ticks(axis)
    axis.picture = None
    rects, texts = _label_rects(axis)
    assert len(rects) >= labels, texts
    assert all(a.right() + 4 <= b.left() for a, b in zip(rects, rects[1:])), texts


@pytest.mark.parametrize("width, x_range", [(900, (0, 100)), (170, (0, 25_000)),
                                           (120, (0, 30))])
def test_labels_that_already_fit_keep_pyqtgraphs_own_ticks(qtbot, width, x_range):
    widget, axis = _plot(qtbot, width, x_range)
    size = axis.width()
    before = axis.tickSpacing(*x_range, size)
    readable_ticks(axis)
    assert axis.tickSpacing(*x_range, size) == before


def test_every_view_axis_gets_readable_ticks(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    cache_axes(widget)
    bottom = widget.getPlotItem().getAxis("bottom")
    assert "tickSpacing" in vars(bottom)
