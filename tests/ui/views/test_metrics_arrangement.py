"""The loss and accuracy plots share a wide, short dock side by side and a tall one stacked."""

from nnplayground.ui.views.metrics import MetricsView


def _rects(view):
    return (view.loss_plot.sceneBoundingRect(), view.metric_plot.sceneBoundingRect())


def test_a_wide_short_view_puts_the_plots_side_by_side_and_a_tall_one_stacks_them(qtbot):
    view = MetricsView()
    qtbot.addWidget(view)
    view.show()
    view.resize(420, 260)                     # the plane layout's share at 1280x720
    qtbot.waitUntil(lambda: view.side_by_side)
    loss, metric = _rects(view)
    assert metric.left() >= loss.right() - 1 and abs(metric.top() - loss.top()) < 2
    assert loss.height() > 120, "each plot gets the whole height, not half of it"

    view.resize(420, 700)                     # a tall dock
    qtbot.waitUntil(lambda: not view.side_by_side)
    qtbot.waitUntil(lambda: _rects(view)[1].top() >= _rects(view)[0].bottom() - 1)
    loss, metric = _rects(view)
    assert abs(metric.left() - loss.left()) < 2

    view.resize(420, 260)                     # and back
    qtbot.waitUntil(lambda: view.side_by_side)
    qtbot.waitUntil(lambda: _rects(view)[1].left() >= _rects(view)[0].right() - 1)
