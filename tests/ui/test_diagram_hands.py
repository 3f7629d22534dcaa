"""Hands on the network (issue 13), with real mouse events on the diagram's viewport:
input features toggled by clicking, weights and biases typed into the live model, and the
units' neuron maps, one of which the boundary view shows large while the mouse is over it."""

from __future__ import annotations

import colorsys

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from nnplayground.presets import load_builtin
from nnplayground.ui.diagram_items import UNIT_RADIUS, UNIT_SPACING
from nnplayground.ui.diagram_features import input_features, toggle_feature
from nnplayground.ui.views.classes import class_colour, class_ramp
from nnplayground.ui.views.common import DIVERGING
from nnplayground.ui.views.plane import smooth_plane
from nnplayground.worker import snapshot as S
from nnplayground.worker.live import ParameterEdit


def click(window, scene_pos: QPointF) -> None:
    """A real left click where `scene_pos` is on screen (scrolled into view first)."""
    view = window.view
    view.ensureVisible(scene_pos.x() - 1, scene_pos.y() - 1, 2, 2, 40, 40)
    QTest.mouseClick(view.viewport(), Qt.LeftButton, Qt.NoModifier,
                     view.mapFromScene(scene_pos))


def move_until(window, qtbot, scene_pos: QPointF, done) -> None:
    """Real mouse moves onto `scene_pos` until done() (the window may still be settling its
    layout and move the diagram under the mouse; a user's hand would follow)."""
    view = window.view

    def moved():
        view.ensureVisible(scene_pos.x() - 1, scene_pos.y() - 1, 2, 2, 40, 40)
        target = view.mapFromScene(scene_pos)
        QTest.mouseMove(view.viewport(), target + QPoint(2, 0))
        QTest.mouseMove(view.viewport(), target)
        return done()
    qtbot.waitUntil(moved)


def row_pos(window, node_id: str, row: int) -> QPointF:
    unit = window.scene.nodes[node_id].rows[row]
    return unit.mapToScene(unit.rect().center())


# -- input features ---------------------------------------------------------------------------

def test_clicking_an_input_feature_turns_it_on_and_widens_the_input(make_window, qtbot,
                                                                    fake_controller):
    window = make_window(load_builtin("xor"))
    scene = window.scene
    x = scene.nodes["x"]
    assert [r.unit for r in x.rows] == [0, 1, None, None, None, None, None]
    assert x.rows[2].opacity() < 1 and x.rows[0].opacity() == 1
    before = window.model.snapshot()

    click(window, row_pos(window, "x", 4))                       # x1*x2
    doc = window.model.doc
    assert doc["dataset"]["features"] == ["x1", "x2", "x1*x2"]
    assert doc["model"]["nodes"][0]["params"]["shape"] == [3]
    assert window.status.shapes["x"] == (3,)
    assert len(x.units) == 3 and x.rows[4].unit == 2 and x.rows[4].opacity() == 1
    rows = scene.weight_lines[("x", "h1")]
    assert (len(rows), len(rows[0])) == (3, 4)
    # the line of the new input column starts at the x1*x2 row
    start, centre = rows[2][0].line().p1(), x.unit_scene_pos(2)
    assert centre == row_pos(window, "x", 4)
    assert np.hypot(start.x() - centre.x(), start.y() - centre.y()) == \
        pytest.approx(UNIT_RADIUS, abs=0.01)
    assert window.model.undo_stack.undoText() == "Input feature x1*x2 on"
    # a structural edit: the worker rebuilds the network with three inputs
    qtbot.waitUntil(lambda: any(c[0] == "load" and c[1][0]["model"]["nodes"][0]["params"]
                                ["shape"] == [3] for c in fake_controller.calls))

    window.act_undo.trigger()
    assert window.model.doc == before
    assert len(x.units) == 2 and len(scene.weight_lines[("x", "h1")]) == 2


def test_the_worker_rebuilds_the_network_with_the_clicked_features(make_window, controller,
                                                                    qtbot):
    window = make_window(controller=controller)
    _open_xor(window, controller, qtbot)
    assert controller.latest_snapshot.weights["h1"]["W"].shape == (2, 4)
    click(window, row_pos(window, "x", 5))                       # sin(x1)
    qtbot.waitUntil(lambda: controller.latest_snapshot is not None
                    and controller.latest_snapshot.weights["h1"]["W"].shape == (3, 4),
                    timeout=15000)
    assert controller.dataset.feature_names == ("x1", "x2", "sin(x1)")
    window.act_undo.trigger()
    qtbot.waitUntil(lambda: controller.latest_snapshot is not None
                    and controller.latest_snapshot.weights["h1"]["W"].shape == (2, 4),
                    timeout=15000)
    assert controller.dataset.feature_names == ("x1", "x2")


def test_the_last_feature_stays_on_and_the_status_bar_says_why(make_window):
    window = make_window(load_builtin("xor"))
    click(window, row_pos(window, "x", 1))                       # x2 off: x1 alone
    assert window.model.doc["dataset"]["features"] == ["x1"]
    depth = window.model.undo_stack.count()
    click(window, row_pos(window, "x", 0))                       # x1 is the last one
    assert window.model.doc["dataset"]["features"] == ["x1"]
    assert window.model.undo_stack.count() == depth
    message = window.statusBar().currentMessage()
    assert "x1 is the only input feature left" in message and "Turn another" in message
    assert "last one" in window.scene.nodes["x"].rows[0].toolTip()


def test_features_are_offered_only_where_the_data_can_take_them():
    xor = load_builtin("xor")
    assert input_features(xor).on == ("x1", "x2")
    spiral = load_builtin("spiral")
    assert len(input_features(spiral).on) == 7
    for name in ("mnist-mlp", "regression-sine"):
        assert input_features(load_builtin(name)) is None
    broken = load_builtin("xor")
    broken["model"]["nodes"][0]["params"]["shape"] = [3]      # the checker's problem to show
    assert input_features(broken) is None
    toggle_feature(spiral, "sin(x1)")
    assert spiral["dataset"]["features"] == ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x2)"]
    assert spiral["model"]["nodes"][0]["params"]["shape"] == [6]


# -- typing a weight or a bias ---------------------------------------------------------------

def _open_xor(window, controller, qtbot):
    assert window.files.open_builtin("xor", ask=False)
    qtbot.waitUntil(lambda: controller.dataset is not None and controller.state == "idle"
                    and controller.latest_snapshot is not None, timeout=15000)


def _prediction(controller, qtbot, point):
    """The live model's output at one input point, asked of the worker."""
    answers = {}
    controller.classified.connect(lambda rid, p: answers.__setitem__(rid, p))
    rid = controller.classify(np.array([point], dtype=np.float32))
    qtbot.waitUntil(lambda: rid in answers, timeout=5000)
    return float(np.ravel(answers[rid])[0])


def _type_into_editor(window, qtbot, text):
    editor = window.view.value_editor
    qtbot.waitUntil(editor.isVisible)
    assert editor.hasFocus()
    QTest.keyClick(editor, Qt.Key_A, Qt.ControlModifier)
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, Qt.Key_Return)
    assert not editor.isVisible()


def test_typing_a_weight_changes_the_prediction_and_undo_puts_it_back(make_window, controller,
                                                                       qtbot):
    window = make_window(controller=controller)
    _open_xor(window, controller, qtbot)
    point = (3.0, -2.0)
    before = _prediction(controller, qtbot, point)
    old_w = float(controller.latest_snapshot.weights["out"]["W"][1, 0])
    line = window.scene.weight_lines[("h2", "out")][1][0]
    assert line.value == pytest.approx(old_w)

    click(window, line.line().center())
    assert window.view.value_editor.text() == f"{old_w:.6g}"
    _type_into_editor(window, qtbot, "4.5")
    qtbot.waitUntil(lambda: float(controller.latest_snapshot.weights["out"]["W"][1, 0]) == 4.5,
                    timeout=5000)
    qtbot.waitUntil(lambda: line.value == 4.5)
    assert line.toolTip().startswith("weight out.W[1, 0] = +4.5000")
    after = _prediction(controller, qtbot, point)
    assert abs(after - before) > 1e-3
    # the same change computed by hand from the snapshot's weights (tanh, tanh, sigmoid)
    w = controller.latest_snapshot.weights
    h = np.tanh(np.array(point) @ w["h1"]["W"] + w["h1"]["b"])
    h = np.tanh(h @ w["h2"]["W"] + w["h2"]["b"])
    assert after == pytest.approx(1 / (1 + np.exp(-(h @ w["out"]["W"] + w["out"]["b"])[0])),
                                  abs=1e-5)
    assert window.model.undo_stack.undoText() == "Set out.W[1, 0] = 4.5"

    window.act_undo.trigger()
    qtbot.waitUntil(lambda: float(controller.latest_snapshot.weights["out"]["W"][1, 0])
                    == pytest.approx(old_w), timeout=5000)
    assert _prediction(controller, qtbot, point) == pytest.approx(before, abs=1e-6)


def test_clicking_a_unit_sets_its_bias_and_a_bad_number_is_refused(make_window, controller,
                                                                    qtbot):
    window = make_window(controller=controller)
    _open_xor(window, controller, qtbot)
    click(window, row_pos(window, "h1", 2))
    editor = window.view.value_editor
    qtbot.waitUntil(editor.isVisible)
    QTest.keyClick(editor, Qt.Key_A, Qt.ControlModifier)
    QTest.keyClicks(editor, "big")
    QTest.keyClick(editor, Qt.Key_Return)
    assert editor.isVisible() and "not a number" in editor.toolTip()
    depth = window.model.undo_stack.count()
    QTest.keyClick(editor, Qt.Key_Escape)
    assert not editor.isVisible() and window.model.undo_stack.count() == depth

    click(window, row_pos(window, "h1", 2))
    _type_into_editor(window, qtbot, "-1.25")
    qtbot.waitUntil(lambda: float(controller.latest_snapshot.weights["h1"]["b"][2]) == -1.25,
                    timeout=5000)
    qtbot.waitUntil(lambda: "bias -1.2500" in window.scene.nodes["h1"].rows[2].toolTip())


def test_the_editor_offers_the_weight_even_while_the_lines_show_gradients(make_window,
                                                                          controller, qtbot):
    """The back-propagation step-through restyles the lines with dL/dW and the units with
    deltas: a click still edits (and undo restores) the live model's numbers."""
    window = make_window(controller=controller)
    _open_xor(window, controller, qtbot)
    weights = controller.latest_snapshot.weights
    window.scene.set_weights({"out": {"W": np.full((2, 1), 0.125), "b": np.full(1, -7.0)}},
                             "gradient dL/dW", "error signal delta")
    line = window.scene.weight_lines[("h2", "out")][0][0]
    assert line.value == 0.125
    click(window, line.line().center())
    qtbot.waitUntil(window.view.value_editor.isVisible)
    assert window.view.value_editor.text() == f"{float(weights['out']['W'][0, 0]):.6g}"
    QTest.keyClick(window.view.value_editor, Qt.Key_Escape)
    click(window, row_pos(window, "out", 0))
    qtbot.waitUntil(window.view.value_editor.isVisible)
    assert window.view.value_editor.text() == f"{float(weights['out']['b'][0]):.6g}"


def test_no_number_is_typed_into_a_moment_of_the_history(make_window, controller, qtbot):
    window = make_window(controller=controller)
    _open_xor(window, controller, qtbot)
    controller.step()
    qtbot.waitUntil(lambda: controller.latest_snapshot.step == 1, timeout=5000)
    controller.show_checkpoint(0)
    qtbot.waitUntil(lambda: controller.latest_snapshot.replay, timeout=5000)
    click(window, window.scene.weight_lines[("h2", "out")][0][0].line().center())
    assert not window.view.value_editor.isVisible()
    assert "Continue from here" in window.statusBar().currentMessage()


def test_a_parameter_the_model_lacks_is_refused_by_name(controller, qtbot):
    errors = []
    controller.error_occurred.connect(lambda title, message: errors.append((title, message)))
    loaded = []
    controller.load(load_builtin("xor"), done=loaded.append)
    qtbot.waitUntil(lambda: loaded == [None], timeout=15000)
    controller.set_parameter(ParameterEdit("h1", "W", (7, 0), 1.0))
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert errors[0][0] == "Could not set the number"
    assert "h1.W[7, 0]" in errors[0][1] and "(2, 4)" in errors[0][1]


# -- neuron maps -----------------------------------------------------------------------------

def plane_pixels(boundary) -> np.ndarray:
    """The boundary view's plot area as drawn on screen, (H, W, 3) ints."""
    vb = boundary.plot.getViewBox()
    rect = boundary.plot.mapFromScene(vb.sceneBoundingRect()).boundingRect()
    image = boundary.plot.grab(rect).toImage().convertToFormat(QImage.Format.Format_RGB32)
    bits = np.frombuffer(image.constBits(), np.uint32)      # 0xAARRGGBB each
    argb = bits.reshape(image.height(), image.bytesPerLine() // 4)[:, :image.width()]
    return np.stack([(argb >> shift) & 0xFF for shift in (16, 8, 0)], axis=-1).astype(int)

def test_units_show_their_maps_and_hovering_one_shows_it_large(make_window, controller, qtbot):
    window = make_window(controller=controller)
    _open_xor(window, controller, qtbot)
    scene = window.scene
    boundary = window.live_views.views["boundary"]
    qtbot.waitUntil(lambda: all(r.image is not None for r in scene.nodes["h1"].rows),
                    timeout=10000)
    snapshot = controller.latest_snapshot
    # the hidden units' maps are the snapshot's, the output's is the boundary itself
    unit = scene.nodes["h1"].rows[1]
    images = snapshot.units["h1"]
    m = np.abs(images[1]).max()
    expected = 0.5 + 0.5 * images[1] / m if images[1].min() < 0 else images[1] / m
    np.testing.assert_allclose(unit.map, expected, atol=1e-6)
    np.testing.assert_allclose(scene.nodes["out"].rows[0].map, snapshot.boundary, atol=1e-6)
    assert all(r.image is not None for r in scene.nodes["x"].rows)      # x1 ... sin(x2)

    qtbot.waitUntil(lambda: boundary.image.image is not None)     # the boundary is drawn
    above, away = row_pos(window, "h1", 1), row_pos(window, "h1", 1) + QPointF(0, -60)
    # twice: the window may still be settling its docks the first time (the plot moves)
    for _ in range(2):
        plain = plane_pixels(boundary)
        assert not boundary.unit_map.isVisible()
        move_until(window, qtbot, above, boundary.unit_map.isVisible)
        np.testing.assert_allclose(boundary.unit_map.image, smooth_plane(unit.map))
        np.testing.assert_array_equal(boundary.unit_map.lut,
                                      DIVERGING.getLookupTable(nPts=256))
        hovered = plane_pixels(boundary)
        move_until(window, qtbot, away, lambda: not boundary.unit_map.isVisible())
        after = plane_pixels(boundary)
    assert hovered.shape == plain.shape == after.shape
    assert (np.abs(hovered - plain).max(axis=2) > 40).mean() > 0.2     # another picture
    np.testing.assert_array_equal(after, plain)                         # the boundary again


def _off_ramp(pixels: np.ndarray, colour) -> np.ndarray:
    """Each pixel's distance (RGB levels) from the line of colours white to `colour`."""
    white = np.full(3, 255.0)
    direction = np.asarray(colour, np.float64) - white
    t = np.clip(((pixels - white) @ direction) / (direction @ direction), 0.0, 1.0)
    return np.linalg.norm(pixels - (white + t[..., None] * direction), axis=-1)


def test_each_class_unit_maps_its_probability_in_its_class_colour(make_window, controller,
                                                                  qtbot):
    """A softmax output of three classes: unit k's map is p(class k | x), white to class k's
    colour (the colour of class k's region and points), and hovering it shows it large."""
    window = make_window(controller=controller)
    assert window.files.open_builtin("spiral3", ask=False)
    qtbot.waitUntil(lambda: controller.dataset is not None and controller.state == "idle"
                    and controller.latest_snapshot is not None, timeout=15000)
    for step in range(1, 6):
        with qtbot.waitSignal(controller.snapshot_ready, timeout=10000,
                              check_params_cb=lambda snap, step=step: snap.step == step):
            controller.step()
    snapshot = controller.latest_snapshot
    out = window.scene.nodes["out"]
    qtbot.waitUntil(lambda: out.rows[0].map is not None
                    and np.array_equal(out.rows[0].map, snapshot.boundary[..., 0]))
    p = snapshot.boundary
    assert p.shape == (S.GRID, S.GRID, 3)
    hues = [colorsys.rgb_to_hsv(*np.divide(class_colour(k), 255))[0] for k in range(3)]
    for k, row in enumerate(out.rows):
        np.testing.assert_array_equal(row.map, p[..., k])
        assert row.image is not None and row.image.width() == S.GRID
        # where class k is likeliest the map is class k's colour, as strong as p(k) is there
        i, j = np.unravel_index(np.argmax(p[..., k]), p[..., k].shape)
        drawn = row.image.pixelColor(int(j), S.GRID - 1 - int(i))     # image row 0: the top
        rgb = np.array([drawn.red(), drawn.green(), drawn.blue()])
        expected = 255 - p[i, j, k] * (255 - np.array(class_colour(k)))
        assert np.abs(rgb - expected).max() <= 1.5
        hue = colorsys.rgb_to_hsv(*(rgb / 255))[0]
        distance = [min(abs(hue - h), 1 - abs(hue - h)) for h in hues]
        assert np.argmin(distance) == k and distance[k] < 0.02
        # white where the network rules class k out, the full colour at p = 1
        assert row.lut[0].tolist() == [255, 255, 255]
        assert row.lut[-1].tolist() == list(class_colour(k))

    boundary = window.live_views.views["boundary"]
    qtbot.waitUntil(lambda: boundary.class_image.image is not None)
    # a first hover the window may still settle its docks under (the plot moves)
    move_until(window, qtbot, row_pos(window, "out", 0), boundary.unit_map.isVisible)
    for k in range(3):
        above = row_pos(window, "out", k)
        away = above + QPointF(0, -60 - k * UNIT_SPACING)
        move_until(window, qtbot, away, lambda: not boundary.unit_map.isVisible())
        plain = plane_pixels(boundary)
        assert not boundary.unit_map.isVisible()
        move_until(window, qtbot, above, boundary.unit_map.isVisible)
        np.testing.assert_array_equal(boundary.unit_map.image, smooth_plane(p[..., k]))
        np.testing.assert_array_equal(boundary.unit_map.lut, class_ramp(k))
        hovered = plane_pixels(boundary)
        # on screen: the plane (where no point covers it) in class k's white to colour
        changed = np.abs(hovered - plain).max(axis=2) > 8
        on_ramp = (_off_ramp(hovered[changed], class_colour(k)) < 12).mean()
        assert changed.mean() > 0.2 and on_ramp > 0.8       # (0.92 seen; another class: 0.01)
    move_until(window, qtbot, away, lambda: not boundary.unit_map.isVisible())
    np.testing.assert_array_equal(plane_pixels(boundary), plain)      # the boundary again


def test_two_softmax_units_map_each_class_in_its_colour(window_on_worker, controller, qtbot):
    """Two output units of two classes (lesson 4's softmax): the snapshot carries p(class 1)
    only; unit 1 maps it and unit 0 maps 1 - p(class 1), each in its class's colour, where the
    boundary view paints that class (before, both showed plain circles)."""
    doc = load_builtin("xor")
    out = next(n for n in doc["model"]["nodes"] if n["id"] == "out")
    out["params"].update(units=2, activation="softmax")
    doc["loss"] = "cross_entropy"
    window = window_on_worker(doc)
    with qtbot.waitSignal(controller.snapshot_ready, timeout=10000,
                          check_params_cb=lambda snap: snap.step == 1):
        controller.step()
    p = controller.latest_snapshot.boundary
    assert p.shape == (S.GRID, S.GRID)                      # p(class 1) alone
    rows = window.scene.nodes["out"].rows
    assert len(rows) == 2
    qtbot.waitUntil(lambda: rows[1].map is not None and np.array_equal(rows[1].map, p))
    np.testing.assert_allclose(rows[0].map, 1.0 - p, atol=1e-6)
    for k, row in enumerate(rows):
        assert row.image is not None
        np.testing.assert_array_equal(row.lut, class_ramp(k))
