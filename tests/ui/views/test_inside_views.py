"""Issue 15's views in the window: the mistakes browser (a real click on a confusion cell),
"Why this prediction" following the drawing pad, and layer health drawn over training."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from nnplayground.engine.metrics import predicted_classes
from nnplayground.worker.snapshot import ALL_VIEWS
from view_helpers import load, show_apart, small_doc, step, stroke

pytestmark = pytest.mark.window_size(1400, 900)


def _trained_a_little(qtbot, controller, steps=3):
    load(qtbot, controller, small_doc("mnist-mlp", train_limit=256, test_limit=300))
    controller.set_visible_views(ALL_VIEWS)
    for _ in range(steps):
        snapshot = step(qtbot, controller)
    return snapshot


def _click_cell(qtbot, confusion, row, col):
    plot = confusion.plot
    qtbot.waitUntil(lambda: plot.isVisible() and plot.width() > 100)
    scene = plot.getViewBox().mapViewToScene(QPointF(col + 0.5, row + 0.5))
    QTest.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=plot.mapFromScene(scene))


def test_a_confusion_cell_lists_exactly_its_test_images(qtbot, window):
    win, controller, docks = window
    snapshot = _trained_a_little(qtbot, controller)
    views = win.live_views.views
    show_apart(win, docks, ["confusion"])
    views["confusion"].show_snapshot(snapshot)
    c = snapshot.confusion
    probs = snapshot.confusion_probabilities
    y = controller.dataset.y_test[:len(probs)]
    pred = predicted_classes(probs)
    off = [(r, k) for r in range(10) for k in range(10) if r != k and c[r, k] > 0]
    cells = [max(off, key=lambda rc: c[rc]), (int(np.argmax(np.diag(c))),) * 2]
    for row, col in cells:
        _click_cell(qtbot, views["confusion"], row, col)
        mistakes = views["mistakes"]
        listed = [mistakes.list.item(i).data(Qt.ItemDataRole.UserRole)
                  for i in range(mistakes.list.count())]
        assert len(listed) == c[row, col]
        assert listed == [i for i in range(len(y)) if y[i] == row and pred[i] == col]
        assert f"{c[row, col]} test images of a {row}" in mistakes.caption.text()


def test_choosing_a_mistake_opens_it_on_the_pad_and_explains_it(qtbot, window):
    win, controller, docks = window
    snapshot = _trained_a_little(qtbot, controller)
    views = win.live_views.views
    show_apart(win, docks, ["confusion", "mistakes", "explain"])
    views["confusion"].show_snapshot(snapshot)
    c = snapshot.confusion
    row, col = max(((r, k) for r in range(10) for k in range(10) if r != k),
                   key=lambda rc: c[rc])
    _click_cell(qtbot, views["confusion"], row, col)
    mistakes = views["mistakes"]
    qtbot.waitUntil(lambda: mistakes.list.isVisible() and mistakes.list.count() > 0)
    item = mistakes.list.item(0)
    index = item.data(Qt.ItemDataRole.UserRole)
    rect = mistakes.list.visualItemRect(item)
    with qtbot.waitSignal(controller.explained, timeout=30_000):
        QTest.mouseClick(mistakes.list.viewport(), Qt.MouseButton.LeftButton,
                         pos=rect.center())
    explain = views["explain"]
    qtbot.waitUntil(lambda: explain.explanation is not None
                    and explain.source.startswith(f"test image {index}"), timeout=30_000)
    image = controller.dataset.images_test[index]
    assert np.array_equal(explain.explanation.x[0], image)
    assert explain.explanation.target == col       # the answer the cell counted
    assert explain.headline.text().startswith(f"Test image {index} (a {row}): a {col}")
    assert views["drawpad"].canvas.gray().max() > 0     # shown on the pad too


def test_a_drawn_digit_is_explained_and_the_slider_shows_the_nudge(qtbot, window):
    win, controller, docks = window
    _trained_a_little(qtbot, controller)
    views = win.live_views.views
    show_apart(win, docks, ["drawpad", "explain"])
    pad, explain = views["drawpad"], views["explain"]
    qtbot.waitUntil(lambda: explain.isVisible())
    with qtbot.waitSignal(controller.explained, timeout=30_000):
        stroke(pad.canvas, [(140, 50 + 10 * i) for i in range(19)])
    qtbot.waitUntil(lambda: explain.explanation is not None, timeout=30_000)
    e = explain.explanation
    assert explain.headline.text().startswith(f"The drawn digit: a {e.target}")
    top = explain.slider.maximum()
    assert top == len(e.nudge_steps) - 1
    explain.slider.setValue(top)
    shown = [b.value() / 1000 for b in explain.bars]
    assert np.allclose(shown, e.nudge_probabilities[top], atol=1e-3)
    assert explain.nudge_label.text() == f"{e.nudge_steps[top]:.2f}"


def test_layer_health_draws_every_layer_over_the_steps(qtbot, window):
    win, controller, docks = window
    show_apart(win, docks, ["health"])
    load(qtbot, controller, small_doc("mnist-mlp", train_limit=256, test_limit=100))
    health = win.live_views.views["health"]
    for _ in range(3):
        step(qtbot, controller)
    qtbot.waitUntil(lambda: ("grad_norm", "out") in health.curves, timeout=30_000)
    xs, _ = health.curves[("grad_norm", "h1")].getData()
    assert len(xs) >= 2 and list(xs) == sorted(xs)
    assert ("dead", "h1") in health.curves and ("saturated", "h1") not in health.curves
    assert health.caption.text().startswith("Now: ")


def test_back_propagation_steps_with_the_keys_and_shows_the_engines_numbers(qtbot, window):
    win, controller, docks = window
    show_apart(win, docks, ["backprop"])
    load(qtbot, controller, small_doc("xor"))
    view = win.live_views.views["backprop"]
    qtbot.waitUntil(lambda: view.isVisible())
    view.sample_box.setValue(5)
    with qtbot.waitSignal(controller.walked, timeout=30_000) as blocker:
        qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    sample, stages = blocker.args[1]
    assert sample == 5
    assert [s.kind for s in stages] == ["forward"] * 3 + ["loss"] + ["backward"] * 3 + \
        ["update"] * 3
    assert view.position.text() == "stage 1 of 10"
    first = stages[0]
    shown = [float(view.units.item(r, 0).text()) for r in range(view.units.rowCount())]
    assert np.allclose(shown, first.arrays["z"], atol=1e-4)
    for _ in range(4):       # to the first backward stage: the output layer's
        QTest.keyClick(view, Qt.Key.Key_Right)
    assert view.position.text() == "stage 5 of 10"
    back = stages[4]
    assert back.kind == "backward" and back.node_id == "out"
    grads = np.vstack([back.arrays["dW"], back.arrays["db"][None, :]])
    shown = [[float(view.weights.item(r, c).text()) for c in range(view.weights.columnCount())]
             for r in range(view.weights.rowCount())]
    assert np.allclose(shown, grads, atol=1e-4)
    QTest.keyClick(view, Qt.Key.Key_Left)
    assert view.position.text() == "stage 4 of 10"
    for _ in range(9):
        QTest.keyClick(view, Qt.Key.Key_Right)
    assert view.position.text() == "stage 10 of 10" and not view.next_button.isEnabled()
    assert "after the update" in view.headline.text()


def test_every_layer_shows_each_layers_activations_gradients_and_every_conv_filter(
        qtbot, window):
    win, controller, docks = window
    show_apart(win, docks, ["layers"])
    load(qtbot, controller, small_doc("mnist-cnn"))
    step(qtbot, controller)
    view = win.live_views.views["layers"]
    qtbot.waitUntil(lambda: view.isVisible() and len(view._filters) == 2, timeout=30_000)
    view.index_box.setValue(7)
    with qtbot.waitSignal(controller.explained, timeout=30_000) as blocker:
        qtbot.mouseClick(view.show_button, Qt.MouseButton.LeftButton)
    e = blocker.args[1]
    assert np.array_equal(e.x[0], controller.dataset.images_test[7])
    convs = [n for n, (a, _) in e.layers.items() if a.ndim == 3 and n in view._filters]
    assert len(convs) == 2                           # not only the first conv layer
    for node, (activation, gradient) in e.layers.items():
        shown = view.items[(node, "activation")].image
        assert shown is not None and shown.size >= activation.size, node
        if gradient is not None:
            assert view.items[(node, "gradient")].image is not None, node
    for node in convs:
        w = controller.latest_snapshot.weights[node]["W"]
        assert view.items[(node, "filters")].image.size >= w.size


def _health_snapshot(step, layers):
    from types import SimpleNamespace

    from nnplayground.engine.health import LayerHealth
    return SimpleNamespace(step=step, rewound=False, replay=False, health=tuple(
        LayerHealth(f"d{i}", "sigmoid", None, 0.5, 10.0 ** -i) for i in range(layers)))


def test_layer_health_of_a_deep_sigmoid_stack_fits_a_short_wide_dock(qtbot):
    """Lesson 12 at 1280x720: twelve sigmoid layers in a dock about 530 x 290 px. The figure no
    layer has (dead ReLUs) is left out and said so, the other two stand side by side with room
    for their curves, and the colours run by depth, every layer named in its colour."""
    from nnplayground.ui.views.health import HealthView, depth_colour

    view = HealthView()
    qtbot.addWidget(view)
    view.resize(530, 290)
    view.show()
    qtbot.waitExposed(view)
    view.on_dataset(None)
    for at in (10, 20, 30):
        view.on_snapshot(_health_snapshot(at, 12))
    qtbot.wait(50)
    assert view.shown == ["saturated", "grad_norm"]
    assert "no ReLU layer (not drawn)" in view.caption.text()
    assert ("dead", "d0") not in view.curves
    saturated, norm = (view.plots[k].vb.sceneBoundingRect() for k in view.shown)
    assert abs(saturated.top() - norm.top()) < 1 and saturated.right() <= norm.left()
    for box in (saturated, norm):
        assert box.height() >= 100 and box.width() >= 150
        assert view.graphs.mapFromScene(box).boundingRect().right() <= view.graphs.width()
    colours = [view.curves[("grad_norm", f"d{i}")].opts["pen"].color().getRgb()[:3]
               for i in range(12)]
    assert colours == [depth_colour(i, 12) for i in range(12)]
    lightness = [sum(c) for c in colours]
    assert lightness[0] < lightness[6] < lightness[11]         # dark first layer, light last
    legend = view.legend.text()
    assert [legend.index(f"d{i}<") for i in range(12)] == sorted(
        legend.index(f"d{i}<") for i in range(12))
    assert f"rgb({','.join(map(str, colours[11]))})" in legend
    # a tall dock stacks them
    view.resize(330, 600)
    qtbot.waitUntil(lambda: not view.side_by_side)
    qtbot.wait(50)
    saturated, norm = (view.plots[k].vb.sceneBoundingRect() for k in view.shown)
    assert saturated.bottom() <= norm.top()
