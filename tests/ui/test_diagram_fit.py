"""Fit diagram shows the whole network, readable: every preset and lesson in a 1280x720
window, wide networks as compact blocks, and editing still works on compact blocks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from nnplayground.lessons.catalog import list_lessons
from nnplayground.presets import builtin_presets
from nnplayground.ui.diagram import COLUMN, FIT_MARGIN
from nnplayground.ui.diagram_items import NODE_WIDTH, TEXT_PT

TARGETS = [info.name for info in builtin_presets()] + [str(i.number) for i in list_lessons()]


def _open(window, qtbot, target: str) -> None:
    if target.isdigit():
        window.lessons.open_lesson(int(target), ask=False)
    else:
        window.files.open_builtin(target, ask=False)
    qtbot.waitUntil(lambda: window.scene.nodes.keys() == {
        n["id"] for n in window.model.doc["model"]["nodes"]} and bool(window.scene.nodes))
    for _ in range(5):  # the fits an opening (and a first show) schedule, in a chain
        QApplication.processEvents()


def _on_screen_points(view) -> list[float]:
    """The point size on screen of every text line every block draws."""
    zoom = view.transform().m11()
    return [font.pointSizeF() * zoom for item in view.scene().nodes.values()
            for _text, font, _width in item.text_lines()]


def _outside(view) -> list[str]:
    shown = view.viewport().rect()
    return [node_id for node_id, item in view.scene().nodes.items()
            if not shown.contains(view.mapFromScene(item.sceneBoundingRect()).boundingRect())]


def _wheel(view, modifiers=Qt.NoModifier, dy=-120):
    centre = QPointF(view.viewport().rect().center())
    QApplication.sendEvent(view.viewport(), QWheelEvent(
        centre, QPointF(view.viewport().mapToGlobal(centre.toPoint())), QPoint(),
        QPoint(0, dy), Qt.NoButton, modifiers, Qt.NoScrollPhase, False))


@pytest.fixture
def small_window(make_window, qtbot):
    window = make_window()
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.size().width() == 1280)
    return window


def test_every_preset_and_lesson_fits_whole_and_readable(small_window, qtbot):
    """At 1280x720, after the fit each opening does: every block inside the view, no scroll
    bar, no block text under the readable size on screen (11 pt here)."""
    window, view = small_window, small_window.view
    readable = TEXT_PT * view.text_scale
    compact = []
    for target in TARGETS:
        _open(window, qtbot, target)
        view.fit()
        assert not _outside(view), f"{target}: blocks {_outside(view)} out of view"
        assert view.horizontalScrollBar().maximum() == 0, target
        assert view.verticalScrollBar().maximum() == 0, target
        points = _on_screen_points(view)
        assert not points or min(points) >= readable - 0.05, f"{target}: {min(points):.1f} pt"
        if view.transform().m11() < view.text_scale:
            compact.append(target)
    # the wide ones needed the compact blocks (before, they scrolled at 100 %)
    assert {"mnist-cnn", "mnist-best", "12"} <= set(compact)


def _one_row(name: str) -> dict:
    """A built-in network with its blocks placed in one row, 180 px apart (a user's)."""
    from nnplayground.presets import load_builtin
    from nnplayground.ui import document as D
    doc = load_builtin(name)
    D.tidy_layout(doc, column=180)
    return doc


def test_compact_blocks_follow_the_zoom(make_window, qtbot):
    """mnist-cnn placed in one row, in a small view: fitted, its blocks are compact (short
    lines at the readable size, no +/- buttons); zoomed in with Ctrl+wheel to readable text
    they are full again, the network scrolls sideways (Shift+wheel reaches the output end),
    and Fit shows it whole."""
    window = make_window(_one_row("mnist-cnn"))
    view = window.view
    view.setFixedSize(500, 300)
    qtbot.waitUntil(lambda: view.viewport().width() <= 500)
    window.act_fit.trigger()                                        # Ctrl+0
    hidden = window.scene.nodes["hidden"]
    assert view.transform().m11() < view.text_scale
    assert hidden.compact() and not any(b.isVisible() for b in hidden.buttons)
    conv = window.scene.nodes["conv1"]
    lines = [text for text, _font, _width in conv.text_lines()]
    assert lines[0].startswith("Conv") and "conv1" not in lines    # the id is dropped
    assert min(_on_screen_points(view)) >= TEXT_PT * view.text_scale - 0.05
    while view.transform().m11() < view.text_scale:
        _wheel(view, Qt.ControlModifier, dy=120)
    assert not hidden.compact() and all(b.isVisible() for b in hidden.buttons)
    assert conv.text_lines()[0][0] == "Conv2D"
    bar = view.horizontalScrollBar()
    assert bar.maximum() > 0
    for _ in range(200):
        _wheel(view, Qt.ShiftModifier)
    assert bar.value() == bar.maximum()
    out = window.scene.nodes["out"].sceneBoundingRect()
    assert view.mapToScene(view.viewport().rect()).boundingRect().intersects(out)
    window.act_fit.trigger()
    assert not _outside(view) and bar.maximum() == 0


def test_a_fitted_view_refits_when_resized_until_zoomed(make_window, qtbot):
    """The window settling (or presenter mode) resizes the view: a fitted view stays whole;
    after a Ctrl+wheel zoom the user's zoom is kept."""
    window = make_window()
    _open(window, qtbot, "mnist-best")
    view = window.view
    view.setFixedSize(700, 300)
    qtbot.waitUntil(lambda: view.viewport().width() <= 700)
    view.fit()
    view.setFixedSize(400, 250)
    qtbot.waitUntil(lambda: view.viewport().width() <= 400)
    assert not _outside(view)
    _wheel(view, Qt.ControlModifier, dy=120)
    zoom = view.transform().m11()
    view.setFixedSize(600, 250)
    qtbot.waitUntil(lambda: view.viewport().width() > 500)
    assert view.transform().m11() == pytest.approx(zoom)


def test_compact_blocks_drag_select_and_undo_with_the_mouse(make_window, qtbot):
    """Editing is unchanged on compact blocks: a real mouse drag moves a block (one undo step
    that puts it back), a click selects it; a click does not touch the document."""
    window = make_window(_one_row("mnist-cnn"))
    view, scene = window.view, window.scene
    view.setFixedSize(500, 300)
    qtbot.waitUntil(lambda: view.viewport().width() <= 500)
    view.fit()
    item = scene.nodes["pool1"]
    assert item.compact()
    before = list(item.node["pos"])
    vp = view.viewport()
    start = view.mapFromScene(item.sceneBoundingRect().center())
    QTest.mouseClick(vp, Qt.LeftButton, Qt.NoModifier, start)
    assert scene.selected_node_ids() == ["pool1"]
    assert window.model.undo_stack.count() == 0
    end = start + QPoint(0, 60)
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, start)
    for k in range(1, 6):
        QTest.mouseMove(vp, start + (end - start) * k / 5)
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, end)
    moved = window.model.doc["model"]["nodes"][2]["pos"]
    assert moved[0] == before[0] and moved[1] > before[1] + 100     # 60 px at a small zoom
    window.act_undo.trigger()
    assert window.model.doc["model"]["nodes"][2]["pos"] == before
    assert item.pos() == QPointF(*before)


def test_compact_input_names_its_features_at_the_readable_size_or_not_at_all(make_window,
                                                                             qtbot):
    """Circle's Input lists seven features beside their maps. Fitted a little below readable
    zoom, the names are drawn at the readable size on screen; in a much smaller view, where
    they would not fit their rows, they are hidden (the units' tooltips still name them)."""
    window = make_window()
    _open(window, qtbot, "circle")
    view, item = window.view, window.scene.nodes["x"]
    view.setFixedSize(560, 420)
    qtbot.waitUntil(lambda: view.viewport().width() <= 560)
    view.fit()
    zoom = view.transform().m11()
    assert item.compact() and zoom > 0.7
    labels = item._labels
    assert len(labels) == 7 and all(label.isVisible() for label in labels)
    assert all(label.font().pointSizeF() * zoom >= TEXT_PT * view.text_scale - 0.05
               for label in labels)
    assert all(label.sceneBoundingRect().left() >= item.sceneBoundingRect().left()
               for label in labels)                         # inside the block
    view.setFixedSize(300, 200)
    qtbot.waitUntil(lambda: view.viewport().width() <= 300)
    assert view.transform().m11() < 0.5                     # refitted as it shrank
    assert not any(label.isVisible() for label in labels)
    assert "x1" in item.rows[0].toolTip()


def _automatic(name: str) -> dict:
    from nnplayground.presets import load_builtin
    doc = load_builtin(name)
    for node in doc["model"]["nodes"]:
        node.pop("pos", None)
    return doc


def test_an_automatic_layout_wraps_for_the_view_and_only_in_the_picture(make_window, qtbot):
    """mnist-best without positions in a 3:2 view: its chain wraps into rows, so the fit is
    far larger than one row's; a wide view unwraps it as the view is resized; the document
    never gets a position from this."""
    window = make_window(_automatic("mnist-best"))
    view, scene = window.view, window.scene
    view.setFixedSize(600, 400)
    qtbot.waitUntil(lambda: view.viewport().width() <= 600)
    view.fit()
    rows = {round(item.pos().y()) for item in scene.nodes.values()}
    assert len(rows) > 1
    wrapped = view.transform().m11()
    assert wrapped > 1.8 * 580 / (12 * COLUMN + NODE_WIDTH + 2 * FIT_MARGIN)   # one row: 0.27
    assert not _outside(view) and min(_on_screen_points(view)) >= TEXT_PT * view.text_scale - 0.05
    view.setFixedSize(1500, 200)
    qtbot.waitUntil(lambda: view.viewport().width() > 1400)
    assert len({round(item.pos().y()) for item in scene.nodes.values()}) < len(rows)
    assert not _outside(view)
    assert not any("pos" in n for n in window.model.doc["model"]["nodes"])
    assert window.model.undo_stack.count() == 0


def test_placing_a_block_keeps_the_automatic_layout_as_shown(make_window, qtbot):
    """A real drag in an automatic layout writes every block's position as shown (one undo
    step; undo makes it automatic again); after it, resizing the view moves nothing."""
    window = make_window(_automatic("mnist-cnn"))
    view, scene = window.view, window.scene
    view.setFixedSize(500, 350)
    qtbot.waitUntil(lambda: view.viewport().width() <= 500)
    view.fit()
    shown = {k: (round(i.pos().x()), round(i.pos().y())) for k, i in scene.nodes.items()}
    vp = view.viewport()
    start = view.mapFromScene(scene.nodes["flat"].sceneBoundingRect().center())
    end = start + QPoint(0, 30)
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, start)
    for k in range(1, 6):
        QTest.mouseMove(vp, start + (end - start) * k / 5)
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, end)
    placed = {n["id"]: tuple(n["pos"]) for n in window.model.doc["model"]["nodes"]}
    assert {k: v for k, v in placed.items() if k != "flat"} == \
        {k: v for k, v in shown.items() if k != "flat"}
    assert placed["flat"][1] > shown["flat"][1]
    assert window.model.undo_stack.count() == 1
    view.setFixedSize(1500, 200)
    qtbot.waitUntil(lambda: view.viewport().width() > 1400)
    assert {k: (round(i.pos().x()), round(i.pos().y())) for k, i in scene.nodes.items()} \
        == placed
    window.act_undo.trigger()
    assert not any("pos" in n for n in window.model.doc["model"]["nodes"])


def test_tidy_layout_wraps_for_the_view(make_window, qtbot):
    """Tidy layout (a user's placed blocks, on request) wraps a long chain for this view, as
    one undo step."""
    from nnplayground.presets import load_builtin
    window = make_window(load_builtin("mnist-best"))
    view = window.view
    view.setFixedSize(600, 400)
    qtbot.waitUntil(lambda: view.viewport().width() <= 600)
    window.scene.tidy()
    assert len({n["pos"][1] for n in window.model.doc["model"]["nodes"]}) > 1
    window.act_undo.trigger()
    assert window.model.doc == load_builtin("mnist-best")


def test_wires_of_a_wrapped_chain_go_around_the_blocks(make_window, qtbot):
    """mnist-best wrapped into rows: the wire from the end of a row to the start of the next
    runs back along the gap between the rows, so no wire crosses a block it does not join."""
    window = make_window(_automatic("mnist-best"))
    view, scene = window.view, window.scene
    view.setFixedSize(600, 400)
    qtbot.waitUntil(lambda: view.viewport().width() <= 600)
    view.fit()
    assert len({round(item.pos().y()) for item in scene.nodes.values()}) > 1
    back = 0
    for (src, dst), edge in scene.edges.items():
        path = edge.path()
        back += path.pointAtPercent(1).x() < path.pointAtPercent(0).x()
        for node_id, item in scene.nodes.items():
            if node_id in (src, dst):
                continue
            inside = item.sceneBoundingRect().adjusted(4, 4, -4, -4)
            assert not any(inside.contains(path.pointAtPercent(k / 200)) for k in range(201)), \
                f"{src} -> {dst} crosses {node_id}"
    assert back >= 1


def test_compact_lines_keep_the_most_important_that_fit(qapp):
    """A compact Conv2D block: with room, type, activation and shape; narrower, the shortest
    variants ("Conv 16", the image size without its channels); lower, the activation goes
    first, then the shape; the type stays while anything fits."""
    from PySide6.QtGui import QFontMetricsF

    from nnplayground.ui.diagram_detail import compact_lines
    node = {"id": "c", "type": "Conv2D", "inputs": [],
            "params": {"filters": 16, "kernel": 3, "activation": "relu"}}

    def texts(pt, width, height):
        lines = compact_lines(node, (16, 28, 28), False, pt, width, height)
        for text, font, room, _colour in lines:
            assert QFontMetricsF(font).horizontalAdvance(text) <= room
            assert font.pointSizeF() == pt
        return [line[0] for line in lines]

    assert texts(11, 200, 200) == ["Conv 16 3\u00d73", "relu", "16\u00d728\u00d728"]
    wide = QFontMetricsF(compact_lines(node, (16, 28, 28), False, 20, 1000, 1000)[2][1])
    narrow = wide.horizontalAdvance("16\u00d728\u00d728") - 1
    assert texts(20, narrow, 200)[-1] == "28\u00d728"
    line = wide.height() + 2
    assert texts(20, 1000, 2 * line + 1) == ["Conv 16 3\u00d73", "16\u00d728\u00d728"]
    assert texts(20, 1000, line + 1) == ["Conv 16 3\u00d73"]
    assert texts(20, 1000, line - 1) == []


def _dense_batchnorm_relu():
    """mnist-mlp, automatic layout, its first hidden layer as lesson 9's Dense, BatchNorm,
    ReLU."""
    doc = _automatic("mnist-mlp")
    doc["model"]["nodes"][2:3] = [
        {"id": "h1", "type": "Dense", "params": {"units": 256, "activation": "identity"},
         "inputs": ["flat"]},
        {"id": "bn", "type": "BatchNorm", "params": {}, "inputs": ["h1"]},
        {"id": "act", "type": "Activation", "params": {"function": "relu"}, "inputs": ["bn"]}]
    doc["model"]["nodes"][5]["inputs"] = ["act"]
    return doc


def test_block_kinds_read_by_colour_where_no_name_fits(make_window, qtbot):
    """Lesson 9's rhythm in a view so small that no block's name fits: Dense, BatchNorm and
    ReLU blocks still differ, by the tint of their headers as drawn on screen."""
    from nnplayground.ui.diagram_detail import header_tint
    from nnplayground.ui.diagram_items import HEADER_HEIGHT
    window = make_window(_dense_batchnorm_relu())
    view = window.view
    view.setFixedSize(260, 90)
    qtbot.waitUntil(lambda: view.viewport().width() <= 260)
    view.fit()
    picture = view.viewport().grab().toImage()
    seen = {}
    for node_id in ("h1", "bn", "act"):
        item = window.scene.nodes[node_id]
        assert item.compact() and item.text_lines() == []       # no name fits
        spot = view.mapFromScene(item.mapToScene(NODE_WIDTH - 12, HEADER_HEIGHT - 12))
        seen[node_id] = picture.pixelColor(spot * picture.devicePixelRatio()).name()
    assert seen == {n: header_tint(t).name() for n, t in
                    [("h1", "Dense"), ("bn", "BatchNorm"), ("act", "Activation")]}
    assert len(set(seen.values())) == 3


def test_a_key_names_the_tints_while_blocks_have_no_room_for_names(make_window, qtbot):
    """Lesson 9 presented at 1280x720 showed eighteen tinted blocks and one name ("In"). A key
    in the view's corner names each hidden kind in its tint, at the readable size; zoomed in
    until the names fit, it goes away."""
    from nnplayground.ui.diagram_detail import header_tint, kind_name
    window = make_window(_dense_batchnorm_relu())
    view = window.view
    view.setFixedSize(800, 160)
    qtbot.waitUntil(lambda: view.viewport().width() <= 800)
    view.fit()
    key = view.key
    assert key.isVisible() and view.viewport().rect().contains(key.geometry())
    nodes = window.scene.nodes.values()
    hidden = {kind_name(item.node): header_tint(item.node["type"]).name()
              for item in nodes if item.name_hidden()}
    assert {"Dense", "relu"} <= set(hidden)
    text = key.text()
    for name, tint in hidden.items():
        assert f"background-color:{tint}'>&nbsp;{name}&nbsp;" in text
    assert text.count("background-color") == len(hidden)
    # the fit keeps the key's strip free: no block reaches under it
    under_key = view.mapToScene(key.geometry()).boundingRect()
    assert not any(item.sceneBoundingRect().intersects(under_key) for item in nodes)
    assert key.font().pointSizeF() == pytest.approx(TEXT_PT * view.text_scale)
    while view.transform().m11() < view.text_scale:
        _wheel(view, Qt.ControlModifier, dy=120)
    assert not any(item.name_hidden() for item in window.scene.nodes.values())
    assert not key.isVisible()
