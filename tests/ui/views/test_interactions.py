"""What users do with the views: draw or open a digit, toggle the boundary's options, read
the loss under the mouse, enlarge a hidden unit, show a hidden view while paused."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from nnplayground.ui.views.common import unit_map_levels
from nnplayground.ui.views.plane import smooth_plane
from nnplayground.worker.snapshot import ALL_VIEWS, GRID
from view_helpers import load, small_doc, step, stroke

pytestmark = pytest.mark.window_size(1400, 900)



def _load_and_step(qtbot, controller, name):
    load(qtbot, controller, small_doc(name))
    controller.set_visible_views(ALL_VIEWS)    # tabbed docks too: the test reads every view
    return step(qtbot, controller)


def test_drawing_pad_classifies_a_synthetic_stroke(qtbot, window):
    win, controller, docks = window
    _load_and_step(qtbot, controller, "mnist-mlp")
    pad = win.live_views.views["drawpad"]
    # A vertical bar: a "1", drawn as a user would, in one stroke.
    with qtbot.waitSignal(controller.classified, timeout=10_000):
        stroke(pad.canvas, [(140, 50 + 10 * i) for i in range(19)])
    qtbot.waitUntil(lambda: pad.probabilities is not None)
    probs = pad.probabilities
    assert probs.shape == (10,) and abs(float(probs.sum()) - 1) < 1e-4
    assert pad.canvas.gray().max() == 255
    assert pad.answer.text().startswith("It is a ")
    assert sum(bar.value() for bar in pad.bars) > 900     # the bars show the probabilities
    pad.clear_button.click()
    assert pad.canvas.gray().max() == 0
    assert all(bar.value() == 0 for bar in pad.bars)


def test_drawing_pad_headline_and_bars_round_alike(qtbot, fake_controller):
    """The headline said 100% while its bar said 99% (the bar truncated 99.55%)."""
    from nnplayground.ui.views.drawpad import DrawPadView
    pad = DrawPadView(fake_controller)
    qtbot.addWidget(pad)
    probs = np.full(10, 0.0045 / 9)
    probs[3] = 0.9955
    pad.pending = 7
    fake_controller.classified.emit(7, probs)
    assert pad.answer.text() == "It is a 3 (100%)"
    assert pad.bars[3].text() == "100%" and pad.bars[0].text() == "0%"
    probs[3], probs[4] = 0.4949, 0.5051 - 0.0045 * 8 / 9
    fake_controller.classified.emit(7, probs)
    assert pad.answer.text() == "It is a 4 (50%)" and pad.bars[4].text() == "50%"
    assert pad.bars[3].text() == "49%"


def test_drawing_pad_opens_a_digit_image(qtbot, window, tmp_path):
    from PIL import Image
    win, controller, docks = window
    _load_and_step(qtbot, controller, "mnist-mlp")
    pad = win.live_views.views["drawpad"]
    img = np.full((60, 40), 255, np.uint8)        # a dark "1" on white paper
    img[10:50, 18:23] = 0
    path = tmp_path / "one.png"
    Image.fromarray(img).save(path)
    with qtbot.waitSignal(controller.classified, timeout=10_000):
        pad.open_image(path)
    qtbot.waitUntil(lambda: pad.probabilities is not None)
    assert pad.canvas.gray().max() > 200


def test_boundary_toggles_and_log_scale(qtbot, window):
    win, controller, docks = window
    snapshot = _load_and_step(qtbot, controller, "xor")
    boundary = win.live_views.views["boundary"]
    assert np.array_equal(boundary.image.image, smooth_plane(snapshot.boundary))   # by the hub
    train_points = boundary.scatter.data["x"].copy()
    boundary.test_radio.setChecked(True)
    assert not np.array_equal(boundary.scatter.data["x"], train_points)
    boundary.discrete_box.setChecked(True)
    assert set(np.unique(boundary.image.image)) <= {0.0, 1.0}
    metrics = win.live_views.views["metrics"]
    metrics.log_box.setChecked(True)
    assert metrics.loss_plot.ctrl.logYCheck.isChecked()
    # hover readout: the mouse over the loss plot at step 1 reads that step's loss
    middle = metrics.loss_plot.vb.viewRect().center().y()
    scene_pos = metrics.loss_plot.vb.mapViewToScene(QPointF(1, middle))
    metrics._on_mouse_moved(scene_pos)
    assert metrics.readout.text() == f"step 1: training loss {snapshot.step_points[0, 1]:.4g}"


def test_loss_legend_sits_above_the_plots_whole(qtbot, window):
    """The legend used to cover the curves and lose its first entry off the plot's edge."""
    win, controller, docks = window
    _load_and_step(qtbot, controller, "xor")
    metrics = win.live_views.views["metrics"]
    docks["metrics"].raise_()
    qtbot.waitUntil(lambda: metrics.graphs.isVisible() and metrics.graphs.width() > 100)
    metrics.graphs.resize(320, 300)          # as narrow as the dock gets on a 1600 px screen
    qtbot.waitUntil(lambda: metrics.graphs.width() == 320)
    QApplication.processEvents()
    legend = metrics.legend
    names = [label.text for _sample, label in legend.items]
    assert names == ["each batch", "training", "test"]
    box = legend.sceneBoundingRect()
    assert box.bottom() <= metrics.loss_plot.vb.sceneBoundingRect().top() + 1, "over the data"
    for _sample, label in legend.items:
        r = label.sceneBoundingRect()
        assert r.left() >= 0 and r.right() <= 320, f"{label.text!r} cut off"
    axis = metrics.loss_plot.getAxis("left")
    assert axis.style["tickFont"].pointSize() >= 10
    assert axis.autoSIPrefixScale == 1.0 and axis.labelString().count("x0") == 0


def test_histogram_counts_are_not_scaled(qtbot, window):
    """pyqtgraph scaled a labelled axis by an SI prefix: 16 weights read as 16,000."""
    win, controller, docks = window
    _load_and_step(qtbot, controller, "xor")
    histograms = win.live_views.views["histograms"]
    docks["histograms"].raise_()
    qtbot.waitUntil(lambda: "histograms" in win.live_views.visible_views())
    # The worker already computes every view (_load_and_step), so raising the dock asks for
    # nothing new: the hub draws the histograms from the next step's snapshot.
    snapshot = step(qtbot, controller)
    qtbot.waitUntil(lambda: histograms.w_hist.getData()[1].sum() > 0, timeout=10_000)
    QApplication.processEvents()
    axis = histograms.w_plot.getAxis("left")
    top = axis.range[1]
    n = snapshot.weights["h1"]["W"].size
    counts = histograms.w_hist.getData()[1]
    assert counts.sum() == n and counts.max() <= top <= 2 * n
    assert axis.autoSIPrefixScale == 1.0
    values = [v for _spacing, ticks in axis.tickValues(*axis.range, 200) for v in ticks]
    labels = axis.tickStrings(values, axis.autoSIPrefixScale * axis.scale, 1)
    assert max(float(t) for t in labels) <= top


def test_clicking_a_hidden_unit_enlarges_it(qtbot, window):
    win, controller, docks = window
    snapshot = _load_and_step(qtbot, controller, "xor")
    units = win.live_views.views["units"]
    units.show_snapshot(snapshot)     # the dock is tabbed: draw it for the click
    docks["units"].raise_()
    qtbot.waitUntil(lambda: units.grid.isVisible() and units.grid.width() > 100)
    units.grid_vb.autoRange(padding=0)     # lay the tiles out now rather than at the next paint
    pitch = GRID + units.PAD
    centre = units.tiles.mapToScene(QPointF(1 * pitch + GRID / 2, 1 * pitch + GRID / 2))
    QTest.mouseClick(units.grid.viewport(), Qt.MouseButton.LeftButton,
                     pos=units.grid.mapFromScene(centre))
    assert units.selected == ("h2", 1)
    expected = snapshot.units["h2"][1]
    assert np.allclose(units.big_image.image, smooth_plane(unit_map_levels(expected)))
    assert "h2, unit 2" in units.caption.text()


def test_a_view_shown_while_paused_is_drawn_at_once(qtbot, window):
    win, controller, docks = window
    _load_and_step(qtbot, controller, "regression-sine")
    hub = win.live_views
    hub._parts = set(ALL_VIEWS)     # what _load_and_step told the worker
    histograms = hub.views["histograms"]
    docks["histograms"].hide()
    # the worker is told (after the layout settles) and stops computing the gradients
    qtbot.waitUntil(lambda: "histograms" not in hub._parts)
    histograms.g_hist.setData(np.array([0.0, 1.0]), np.array([0.0]))   # forget the last frame
    with qtbot.waitSignal(controller.snapshot_ready, timeout=10_000) as blocker:
        docks["histograms"].show()
    assert blocker.args[0].gradients           # gradients computed for the newly shown view
    qtbot.waitUntil(lambda: histograms.g_hist.getData()[1].sum() > 0)


def test_opening_another_preset_never_draws_the_last_models_snapshot(qtbot, window):
    """On a load the controller's latest snapshot is still the previous model's: drawing it
    on the new data put xor's 2x2 confusion matrix into MNIST's 10x10 (IndexError)."""
    win, controller, docks = window
    hub = win.live_views
    _load_and_step(qtbot, controller, "xor")
    assert len(hub.views["confusion"].texts) == 4
    drawn = []
    controller.snapshot_ready.connect(lambda s: drawn.append(s.confusion.shape))
    load(qtbot, controller, small_doc("mnist-mlp"))
    qtbot.waitUntil(lambda: len(drawn) >= 1, timeout=10_000)
    step(qtbot, controller)
    confusion = hub.views["confusion"]
    assert set(drawn) == {(10, 10)}
    assert len(confusion.texts) == 100
    assert [int(t.textItem.toPlainText()) for t in confusion.texts] == \
        list(controller.latest_snapshot.confusion.ravel())


def _points(curve) -> int:
    x = curve.getData()[0]
    return 0 if x is None else len(x)


def test_a_single_epoch_is_marked_so_it_shows(qtbot, window):
    """A line through one point draws nothing: after the first epoch the plots looked empty."""
    win, controller, docks = window
    metrics = win.live_views.views["metrics"]
    load(qtbot, controller, small_doc("xor"))
    for epochs in (1, 2):
        with qtbot.waitSignal(controller.snapshot_ready, timeout=30_000,
                              check_params_cb=lambda s, n=epochs: s.epoch == n):
            controller.step_epoch()
        # the view draws on its own timer after the snapshot: until then the curve is empty
        qtbot.waitUntil(lambda n=epochs: _points(metrics.train_metric) == n, timeout=10_000)
        marked = [c.opts["symbol"] for c in (metrics.train_curve, metrics.test_curve,
                                             metrics.train_metric, metrics.test_metric)]
        assert marked == (["o"] * 4 if epochs == 1 else [None] * 4)
