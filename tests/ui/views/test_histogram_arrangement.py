"""The weight and gradient histograms share a wide, short dock side by side and a tall one
stacked, like the loss and accuracy plots."""

from nnplayground.ui.views.weights import HistogramView


def _rects(view):
    return (view.w_plot.vb.sceneBoundingRect(), view.g_plot.vb.sceneBoundingRect())


def test_a_wide_short_view_puts_the_histograms_side_by_side_and_a_tall_one_stacks_them(qtbot):
    view = HistogramView()
    qtbot.addWidget(view)
    view.show()
    view.resize(530, 200)                     # xor's share at 1280x720
    qtbot.waitUntil(lambda: view.side_by_side)
    qtbot.waitUntil(lambda: _rects(view)[1].left() >= _rects(view)[0].right() - 1)
    weights, gradients = _rects(view)
    assert abs(weights.top() - gradients.top()) < 2
    assert weights.height() > 80, "each histogram gets the whole height, not half of it"

    view.resize(420, 700)
    qtbot.waitUntil(lambda: not view.side_by_side)
    qtbot.waitUntil(lambda: _rects(view)[1].top() >= _rects(view)[0].bottom() - 1)
    weights, gradients = _rects(view)
    assert abs(weights.left() - gradients.left()) < 2
