"""Every view updates for every built-in preset; the drawing pad classifies a stroke."""

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QMainWindow

from nnplayground.presets import builtin_presets, load_builtin
from nnplayground.ui.views import install_views
from nnplayground.worker import TrainingController
from nnplayground.worker.snapshot import ALL_VIEWS

# What each kind of data must show: view name -> the snapshot field it needs (None: always).
EXPECTED = {
    "plane": {"metrics": None, "boundary": "boundary", "units": "units", "histograms": None,
              "confusion": "confusion"},
    "line": {"metrics": None, "curve": "curve", "histograms": None},
    "image": {"metrics": None, "histograms": None, "filters": None, "predictions":
              "predictions", "confusion": "confusion", "unit_weights": None, "drawpad": None},
}


@pytest.fixture
def window(qtbot):
    win = QMainWindow()
    controller = TrainingController(win)
    docks = install_views(win, controller)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    yield win, controller, docks
    controller.shutdown()


def _load_and_step(qtbot, controller, doc):
    with qtbot.waitSignal(controller.dataset_ready, timeout=30_000):
        controller.load(doc)
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=30_000)
    controller.set_visible_views(ALL_VIEWS)    # tabbed docks too: the test draws every view
    with qtbot.waitSignal(controller.snapshot_ready, timeout=30_000):
        controller.step()
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=30_000)
    return controller.latest_snapshot


@pytest.mark.parametrize("name", [p.name for p in builtin_presets()])
def test_every_view_updates_for_every_builtin_preset(qtbot, window, name):
    win, controller, docks = window
    snapshot = _load_and_step(qtbot, controller, load_builtin(name))
    info = controller.dataset
    hub = win.live_views
    expected = dict(EXPECTED.get(info.kind, {"metrics": None, "histograms": None}))
    if info.task == "regression":
        expected.pop("confusion", None)
    assert snapshot.step == 1 and len(snapshot.step_points) >= 1
    for view_name, field in expected.items():
        view = hub.views[view_name]
        assert view.applies_to(info), view_name
        assert docks[view_name].isVisibleTo(win), f"{view_name} dock hidden for {name}"
        hidden = len(controller.latest_snapshot.weights) > 1
        if field is not None and (field != "units" or hidden):
            assert getattr(snapshot, field) is not None and len(getattr(snapshot, field))
        before = view.updates
        view.show_snapshot(snapshot)
        assert view.updates == before + 1
    for view_name, view in hub.views.items():   # the rest say why they are empty
        if view_name not in expected:
            assert not docks[view_name].isVisibleTo(win), f"{view_name} shown for {name}"
    assert f"step {snapshot.step}" in hub.status.text()
    if info.kind == "plane":
        assert snapshot.boundary.shape == (50, 50) and np.isfinite(snapshot.boundary).all()
        assert hub.views["boundary"].image.image is not None
    if info.kind == "image" and snapshot.filters is not None:
        assert hub.views["filters"].maps_image.image is not None


def _stroke(widget, points):
    def send(kind, p, buttons):
        event = QMouseEvent(kind, QPointF(*p), widget.mapToGlobal(QPointF(*p)),
                            Qt.MouseButton.LeftButton, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(widget, event)
    send(QEvent.Type.MouseButtonPress, points[0], Qt.MouseButton.LeftButton)
    for p in points[1:]:
        send(QEvent.Type.MouseMove, p, Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseButtonRelease, points[-1], Qt.MouseButton.NoButton)


def test_drawing_pad_classifies_a_synthetic_stroke(qtbot, window):
    win, controller, docks = window
    _load_and_step(qtbot, controller, load_builtin("mnist-mlp"))
    pad = win.live_views.views["drawpad"]
    # A vertical bar: a "1", drawn as a user would, in one stroke.
    with qtbot.waitSignal(controller.classified, timeout=10_000):
        _stroke(pad.canvas, [(140, 50 + 10 * i) for i in range(19)])
    qtbot.waitUntil(lambda: pad.probabilities is not None)
    probs = pad.probabilities
    assert probs.shape == (10,) and abs(float(probs.sum()) - 1) < 1e-4
    assert pad.canvas.gray().max() == 255
    assert pad.answer.text().startswith("It is a ")
    assert sum(bar.value() for bar in pad.bars) > 900     # the bars show the probabilities
    pad.clear_button.click()
    assert pad.canvas.gray().max() == 0


def test_drawing_pad_opens_a_digit_image(qtbot, window, tmp_path):
    from PIL import Image
    win, controller, docks = window
    _load_and_step(qtbot, controller, load_builtin("mnist-mlp"))
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
    snapshot = _load_and_step(qtbot, controller, load_builtin("xor"))
    boundary = win.live_views.views["boundary"]
    boundary.show_snapshot(snapshot)
    train_points = boundary.scatter.data["x"].copy()
    boundary.test_radio.setChecked(True)
    assert not np.array_equal(boundary.scatter.data["x"], train_points)
    boundary.discrete_box.setChecked(True)
    assert set(np.unique(boundary.image.image)) <= {0.0, 1.0}
    metrics = win.live_views.views["metrics"]
    metrics.show_snapshot(snapshot)
    metrics.log_box.setChecked(True)
    assert metrics.loss_plot.ctrl.logYCheck.isChecked()
    # hover readout: the mouse over the loss plot at step 1 reads that step's loss
    middle = metrics.loss_plot.vb.viewRect().center().y()
    scene_pos = metrics.loss_plot.vb.mapViewToScene(QPointF(1, middle))
    metrics._on_mouse_moved(scene_pos)
    assert metrics.readout.text() == f"step 1: training loss {snapshot.step_points[0, 1]:.4g}"


def test_clicking_a_hidden_unit_enlarges_it(qtbot, window):
    from PySide6.QtCore import QPointF
    from PySide6.QtTest import QTest
    from nnplayground.worker.snapshot import GRID
    win, controller, docks = window
    snapshot = _load_and_step(qtbot, controller, load_builtin("xor"))
    units = win.live_views.views["units"]
    units.show_snapshot(snapshot)
    docks["units"].raise_()
    qtbot.waitUntil(lambda: units.grid.isVisible() and units.grid.width() > 100)
    units.grid_vb.autoRange(padding=0)     # lay the tiles out now rather than at the next paint
    step = GRID + units.PAD
    centre = units.tiles.mapToScene(QPointF(1 * step + GRID / 2, 1 * step + GRID / 2))
    QTest.mouseClick(units.grid.viewport(), Qt.MouseButton.LeftButton,
                     pos=units.grid.mapFromScene(centre))
    assert units.selected == ("h2", 1)
    expected = snapshot.units["h2"][1]
    assert np.allclose(units.big_image.image, units._normalised(expected))
    assert "h2, unit 2" in units.caption.text()


def test_a_view_shown_while_paused_is_drawn_at_once(qtbot, window):
    win, controller, docks = window
    _load_and_step(qtbot, controller, load_builtin("regression-sine"))
    win.live_views._parts = set(ALL_VIEWS)     # what _load_and_step told the worker
    histograms = win.live_views.views["histograms"]
    docks["histograms"].hide()
    # the worker is told (after the layout settles) and stops computing the gradients
    qtbot.waitUntil(lambda: "histograms" not in win.live_views._parts)
    before = histograms.updates
    with qtbot.waitSignal(controller.snapshot_ready, timeout=10_000) as blocker:
        docks["histograms"].show()
    assert blocker.args[0].gradients           # gradients computed for the newly shown view
    qtbot.waitUntil(lambda: histograms.updates > before)
    assert histograms.g_hist.yData is not None and histograms.g_hist.yData.sum() > 0
