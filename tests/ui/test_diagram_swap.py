"""Swapping whole networks: every lesson and built-in preset after one another, by File > Open
and by undoable edits (lesson steps do that), with undo and redo across each swap.

Replacing lesson 6's network by xor's used to crash the process: the diagram moved a block
while weight lines still pointed at unit circles that had been deleted. After every swap the
scene must hold exactly the document's blocks, connections and weight lines, each line ending
on the rims of the right unit circles, and nothing else.
"""

from __future__ import annotations

import math

import pytest

from nnplayground.lessons import catalog as C
from nnplayground.presets import builtin_presets, load_builtin
from nnplayground.ui.diagram_items import UNIT_RADIUS, drawn_units


def _all_documents():
    lessons = [(f"lesson {i.number}", C.preset_document(C.load_lesson(i.number)))
               for i in C.list_lessons()]
    return lessons + [(p.name, load_builtin(p.name)) for p in builtin_presets()]


def _distance(p, q) -> float:
    return math.hypot(p.x() - q.x(), p.y() - q.y())


def assert_scene_matches(scene, doc, label):
    nodes = {n["id"]: n for n in doc["model"]["nodes"]}
    assert set(scene.nodes) == set(nodes), label
    assert set(scene.edges) == {(s, n["id"]) for n in nodes.values() for s in n["inputs"]}, label
    n_lines = 0
    for (src, dst), rows in scene.weight_lines.items():
        a, b = scene.nodes[src], scene.nodes[dst]
        assert (len(rows), len(rows[0])) == (drawn_units(nodes[src]), drawn_units(nodes[dst]))
        assert (len(a.units), len(b.units)) == (len(rows), len(rows[0])), label
        for i, row in enumerate(rows):
            for j, line in enumerate(row):
                assert line.scene() is scene
                assert _distance(line.line().p1(), a.unit_scene_pos(i)) == \
                    pytest.approx(UNIT_RADIUS, abs=0.01), (label, src, dst, i, j)
                assert _distance(line.line().p2(), b.unit_scene_pos(j)) == \
                    pytest.approx(UNIT_RADIUS, abs=0.01), (label, src, dst, i, j)
                n_lines += 1
    for node_id, item in scene.nodes.items():   # placed where the document says, if it does
        if "pos" in nodes[node_id]:
            assert item.pos().x() == nodes[node_id]["pos"][0], label
    if scene.is_automatic():                     # else by the automatic layout, no overlaps
        blocks = sorted((item.sceneBoundingRect() for item in scene.nodes.values()),
                        key=lambda r: (r.top(), r.left()))
        for i, a in enumerate(blocks):
            assert not any(a.adjusted(3, 3, -3, -3).intersects(b.adjusted(3, 3, -3, -3))
                           for b in blocks[i + 1:]), label
    # Nothing stale left behind: the only top-level items are the ones the scene knows.
    top = [item for item in scene.items() if item.parentItem() is None]
    assert len(top) == len(scene.nodes) + len(scene.edges) + n_lines, label


@pytest.fixture
def window(qtbot, settings):
    """A window without training or live views: the diagram is what is tested here."""
    from nnplayground.ui.main_window import MainWindow
    window = MainWindow(controller=None, settings=settings, create_controller=False)
    qtbot.addWidget(window, before_close_func=lambda w: w.model.undo_stack.setClean())
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_every_network_replaces_every_other_without_crashing(window):
    documents = _all_documents()
    assert len(documents) >= 20
    model, scene = window.model, window.scene
    stack = model.undo_stack
    previous = None
    for label, doc in documents:          # swaps as undoable edits, undone and redone
        model.edit(f"Swap to {label}", lambda d, doc=doc: (d.clear(), d.update(doc)))
        assert_scene_matches(scene, doc, label)
        if previous is not None:
            stack.undo()
            assert_scene_matches(scene, previous[1], f"undo to {previous[0]}")
            stack.redo()
            assert_scene_matches(scene, doc, f"redo to {label}")
        previous = (label, doc)
    while stack.canUndo():                # all the way back, across every swap
        stack.undo()
    assert not model.doc["model"]["nodes"]
    assert_scene_matches(scene, model.doc, "the empty start")
    for label, doc in reversed(documents):    # and as File > Open does it
        model.replace(doc, None)
        assert_scene_matches(scene, doc, f"open {label}")


def test_lesson_six_then_xor_through_the_open_paths(window):
    """The reported crash, through the paths a user takes."""
    assert window.lessons.open_lesson(6, ask=False)
    assert window.files.open_builtin("xor", ask=False)
    assert_scene_matches(window.scene, load_builtin("xor"), "xor after lesson 6")
    assert window.lessons.number is None


def test_fit_shows_a_long_network_whole(window, qtbot):
    """Lesson 8's eight blocks in a 760-pixel diagram: all in view without scroll bars, as
    compact blocks whose text is still 11 pt on screen; a short network (xor) shows whole at
    full detail."""
    window.lessons.open_lesson(8, ask=False)
    window.view.setFixedWidth(760)
    qtbot.waitUntil(lambda: window.view.viewport().width() <= 760, timeout=2_000)
    window.view.fit()
    zoom = window.view.transform().m11()
    assert zoom < window.view.text_scale
    shown = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert shown.adjusted(-1, -1, 1, 1).contains(window.scene.itemsBoundingRect())
    assert window.view.horizontalScrollBar().maximum() == 0
    for item in window.scene.nodes.values():
        assert item.compact()
        assert all(font.pointSizeF() * zoom >= 11 - 0.05 for _t, font, _w in item.text_lines())
    window.files.open_builtin("xor", ask=False)
    qtbot.waitUntil(lambda: "h1" in window.scene.nodes, timeout=2_000)
    window.view.fit()
    shown = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert shown.adjusted(-1, -1, 1, 1).contains(window.scene.itemsBoundingRect())


def test_fit_shows_the_whole_of_an_input_taller_than_the_view(window, qtbot):
    """Circle's Input lists seven features; in a 200-pixel-high diagram it is taller than the
    view at readable text. Fit zooms out to show the whole block, its name included."""
    window.files.open_builtin("circle", ask=False)
    qtbot.waitUntil(lambda: "x" in window.scene.nodes, timeout=2_000)
    window.view.setFixedHeight(200)
    qtbot.waitUntil(lambda: window.view.viewport().height() <= 200, timeout=2_000)
    window.view.fit()
    shown = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    block = window.scene.nodes["x"].sceneBoundingRect()
    assert shown.contains(block)
    assert window.scene.nodes["x"].text_lines()[0][0] == "Input"
