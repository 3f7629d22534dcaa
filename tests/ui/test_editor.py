"""The diagram editor: building from the palette, connecting, problems shown in place, undo."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from nnplayground.engine import check_graph
from nnplayground.presets import load_builtin
from nnplayground.ui import document as D
from nnplayground.ui.diagram_items import WeightLine
from nnplayground.worker import Snapshot


def drop_layer(window, node_type: str, view_pos: QPoint) -> None:
    """Delivers the events a drag from the palette ends with: enter, then drop."""
    palette = window.layer_palette
    mime = palette.mimeData([palette.findItems(node_type, Qt.MatchExactly)[0]])
    with warnings.catch_warnings():   # Qt 6 marks the QPoint constructor deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(view_pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(window.view.viewport(), enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(view_pos), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(window.view.viewport(), event)


def drag_wire(qtbot, window, src: str, dst: str) -> None:
    """A real mouse drag from src's output port to dst's block."""
    scene, view = window.scene, window.view
    start = view.mapFromScene(scene.nodes[src].out_scene_pos())
    end = view.mapFromScene(scene.nodes[dst].in_scene_pos() + QPointF(20, 0))
    vp = view.viewport()
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, start)
    QTest.mouseMove(vp, (start + end) / 2)
    QTest.mouseMove(vp, end)
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, end)


def test_build_xor_2_4_1_from_an_empty_canvas(make_window, qtbot):
    window = make_window()
    assert window.model.doc["model"]["nodes"] == []
    assert not window.training.act_play.isEnabled()
    drop_layer(window, "Input", QPoint(200, 300))
    drop_layer(window, "Dense", QPoint(420, 300))
    drop_layer(window, "Dense", QPoint(640, 300))
    nodes = window.model.doc["model"]["nodes"]
    assert [n["type"] for n in nodes] == ["Input", "Dense", "Dense"]
    x, h, out = (n["id"] for n in nodes)
    # the second Dense becomes the 1-unit sigmoid output through the properties panel
    window.scene.select_node(out)
    window.properties.widgets["units"].setValue(1)
    window.properties.widgets["activation"].setCurrentText("sigmoid")
    window.view.fit()
    drag_wire(qtbot, window, x, h)
    assert [n["inputs"] for n in window.model.doc["model"]["nodes"]] == [[], [x], []]
    drag_wire(qtbot, window, h, out)        # the second wire by a real drag too
    model = window.model.doc["model"]
    assert [n["inputs"] for n in model["nodes"]] == [[], [x], [h]]
    assert model["nodes"][0]["params"] == {"shape": [2]}
    assert model["nodes"][1]["params"] == {"units": 4, "activation": "tanh"}
    assert model["nodes"][2]["params"] == {"units": 1, "activation": "sigmoid"}
    report = check_graph(model)
    assert report.ok and report.shapes[out] == (1,)
    assert window.status.ok and window.training.act_play.isEnabled()
    assert window.problems.count() == 0
    # the diagram draws the 2x4 and 4x1 weights unit to unit
    assert [len(r) for r in window.scene.weight_lines[(x, h)]] == [4, 4]
    assert [len(r) for r in window.scene.weight_lines[(h, out)]] == [1, 1, 1, 1]
    assert window.scene.nodes[out].out_shape == (1,)


def test_dense_fed_an_image_is_red_with_the_message_and_blocks_play(make_window):
    doc = D.empty_document()
    doc.update(dataset={"kind": "mnist", "source": "sample"}, loss="cross_entropy")
    D.add_node(doc, "Input", (0, 0), {"shape": [1, 28, 28]})
    window = make_window(doc)
    window.scene.add_layer("Dense", QPointF(230, 0))
    assert window.training.act_play.isEnabled() is False or window.status.ok   # not yet connected: ok
    window.scene.connect_nodes("x", "dense1")
    item = window.scene.nodes["dense1"]
    assert item.problem, "the Dense fed an image must be flagged"
    assert item.toolTip() == item.problem
    messages = [window.problems.item(i).text() for i in range(window.problems.count())]
    assert any("dense1" in m for m in messages)
    assert not window.training.act_play.isEnabled() and not window.training.act_step.isEnabled()
    window.training.play_pause()
    assert "play" not in window.controller.names()
    # the fix: a Flatten in between; everything turns valid again
    window.scene.add_layer("Flatten", QPointF(100, 200))
    window.scene.connect_nodes("x", "flatten1")
    window.scene.connect_nodes("flatten1", "dense1")
    assert window.scene.nodes["dense1"].problem is None or "softmax" in \
        window.scene.nodes["dense1"].problem    # the shapes are fine now; the loss is not
    window.scene.select_node("dense1")
    window.properties.widgets["units"].setValue(10)
    window.properties.widgets["activation"].setCurrentText("softmax")
    assert window.scene.nodes["dense1"].problem is None
    assert window.training.act_play.isEnabled()


def _check_undo(window, action):
    before = copy.deepcopy(window.model.doc)
    action()
    after = copy.deepcopy(window.model.doc)
    assert after != before, "the action must change the document"
    window.act_undo.trigger()
    assert window.model.doc == before
    window.act_redo.trigger()
    assert window.model.doc == after
    window.act_undo.trigger()
    assert window.model.doc == before
    window.act_redo.trigger()


def test_undo_and_redo_of_every_kind_of_edit_restore_the_exact_document(make_window):
    window = make_window(load_builtin("xor"))
    scene = window.scene
    _check_undo(window, lambda: scene.add_layer("Dropout", QPointF(300, 300)))
    _check_undo(window, lambda: scene.disconnect_nodes("h1", "h2"))
    _check_undo(window, lambda: scene.connect_nodes("h1", "dropout1"))
    scene.select_node("h2")
    _check_undo(window, scene.delete_selection)
    scene.select_node("h1")
    _check_undo(window, lambda: window.properties.widgets["units"].setValue(7))
    _check_undo(window, lambda: window.properties.widgets["activation"].setCurrentText("relu"))
    _check_undo(window, lambda: scene.change_units("h1", +1))
    _check_undo(window, scene.duplicate_selection)
    _check_undo(window, scene.tidy)
    _check_undo(window, window.dataset_panel.regenerate)
    _check_undo(window, lambda: window.dataset_panel.fields[("dataset", "noise")][0].setValue(25))
    _check_undo(window, lambda: window.training_panel.fields[("optimizer", "lr")][0].setValue(0.3))
    _check_undo(window, lambda: window.training_panel.fields[(None, "loss")][0]
                .setCurrentText("mse"))

    def move():   # two drags of the same node merge into one undo step
        scene.nodes["out"].setPos(700, 40)
        scene.commit_moves()
        scene.nodes["out"].setPos(720, 80)
        scene.commit_moves()
    before = copy.deepcopy(window.model.doc)
    _check_undo(window, move)
    window.act_undo.trigger()
    assert window.model.doc == before
    old_pos = D.node_by_id(before, "out")["pos"]
    assert window.model.undo_stack.command(window.model.undo_stack.index()).text() == "Move out"
    assert scene.nodes["out"].pos() == QPointF(*old_pos)


def test_keyboard_delete_and_shortcuts_for_undo_redo(make_window, qtbot):
    window = make_window(load_builtin("xor"))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)   # shortcuts need it
    window.scene.select_node("h2")
    window.view.setFocus()
    before = copy.deepcopy(window.model.doc)
    QTest.keyClick(window.view, Qt.Key_Delete)
    assert "h2" not in window.scene.nodes
    QTest.keyClick(window.view, Qt.Key_Z, Qt.ControlModifier)
    assert window.model.doc == before
    QTest.keyClick(window.view, Qt.Key_Y, Qt.ControlModifier)
    assert "h2" not in window.scene.nodes
    QTest.keyClick(window.view, Qt.Key_Z, Qt.ControlModifier)
    QTest.keyClick(window.view, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert "h2" not in window.scene.nodes


def test_selected_edge_is_disconnected_by_delete(make_window):
    window = make_window(load_builtin("xor"))
    window.scene.clearSelection()
    window.scene.edges[("h1", "h2")].setSelected(True)
    window.act_delete.trigger()
    assert D.node_by_id(window.model.doc, "h2")["inputs"] == []
    assert set(window.scene.nodes) == {"x", "h1", "h2", "out"}


def test_plus_minus_buttons_change_units_and_redraw_units(make_window):
    window = make_window(load_builtin("xor"))
    item = window.scene.nodes["h1"]
    minus, plus = item.buttons
    plus._callback()
    plus._callback()
    assert D.node_by_id(window.model.doc, "h1")["params"]["units"] == 6
    assert len(window.scene.nodes["h1"].units) == 6
    assert [len(r) for r in window.scene.weight_lines[("x", "h1")]] == [6, 6]
    minus._callback()
    assert D.node_by_id(window.model.doc, "h1")["params"]["units"] == 5


def test_large_layers_collapse_to_a_block(make_window):
    window = make_window(load_builtin("xor"))
    window.scene.select_node("h1")
    window.properties.widgets["units"].setValue(64)
    assert window.scene.nodes["h1"].units == []
    assert ("x", "h1") not in window.scene.weight_lines and ("h1", "h2") not in \
        window.scene.weight_lines


def test_weight_lines_follow_snapshots_without_being_recreated(make_window):
    window = make_window(load_builtin("xor"))
    lines = window.scene.weight_lines[("x", "h1")]
    ids = [id(line) for row in lines for line in row]
    w = np.array([[2.0, -1.0, 0.1, 0.0], [-2.0, 0.5, 1.0, -0.1]])
    snap = Snapshot(step=1, epoch=0, steps_per_second=0.0, step_points=np.zeros((0, 2)),
                    epoch_records=(), last_epoch=None, task="classification", lr=0.03,
                    weights={"h1": {"W": w, "b": np.zeros(4)}})
    window.controller.snapshot_ready.emit(snap)
    window.controller.snapshot_ready.emit(snap)
    assert [id(line) for row in window.scene.weight_lines[("x", "h1")] for line in row] == ids
    strong, weak = lines[0][0], lines[0][2]
    assert strong.pen().widthF() > weak.pen().widthF()
    assert strong.pen().color().blue() > strong.pen().color().red()      # positive: blue
    assert lines[1][0].pen().color().red() > lines[1][0].pen().color().blue()  # negative: orange
    assert "+2.0000" in strong.toolTip() and "-2.0000" in lines[1][0].toolTip()
    assert isinstance(strong, WeightLine)


def test_tidy_layout_layers_by_depth(make_window):
    doc = load_builtin("xor")
    for n in doc["model"]["nodes"]:
        n["pos"] = [0, 0]
    window = make_window(doc)
    window.scene.tidy()
    xs = [n["pos"][0] for n in window.model.doc["model"]["nodes"]]
    assert xs == sorted(xs) and len(set(xs)) == 4


def test_skip_connection_with_add_and_refused_loop(make_window):
    window = make_window(load_builtin("xor"))
    s = window.scene
    s.add_layer("Add", QPointF(500, 200))
    s.connect_nodes("h1", "add1")
    s.select_node("h1")
    window.properties.widgets["units"].setValue(2)
    s.connect_nodes("h2", "add1")
    assert D.node_by_id(window.model.doc, "add1")["inputs"] == ["h1", "h2"]
    assert "not connected to the output" in s.nodes["add1"].problem
    s.connect_nodes("add1", "out")    # a single-input layer's old wire is replaced
    assert D.node_by_id(window.model.doc, "out")["inputs"] == ["add1"]
    assert s.nodes["add1"].problem is None and window.status.ok
    messages = []
    s.status_message.connect(messages.append)
    assert not s.connect_nodes("add1", "h1")   # would close a loop
    assert messages and "loop" in messages[0]


def test_live_changes_go_to_the_worker_and_structure_reloads(make_window, qtbot):
    window = make_window()
    assert window.files.open_builtin("xor", ask=False)
    ctl = window.controller
    assert ctl.names().count("load") == 1
    window.training_panel.fields[("optimizer", "lr")][0].setValue(0.1)
    assert ctl.calls[-1][0] == "hyper" and ctl.calls[-1][2]["lr"] == pytest.approx(0.1)
    window.scene.change_units("h1", +1)
    qtbot.waitUntil(lambda: ctl.names().count("load") == 2, timeout=2000)
    assert ctl.calls[-1][1][0]["model"]["nodes"][1]["params"]["units"] == 5


def test_every_control_has_a_tooltip(make_window):
    from PySide6.QtWidgets import (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit,
                                   QListWidget)
    window = make_window(load_builtin("xor"))
    for node_id in ("x", "h1"):
        window.scene.select_node(node_id)   # builds the properties form
        docks = [window.dock_layers, window.dock_training, window.dock_data,
                 window.dock_properties, window.dock_problems]
        kinds = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QListWidget)
        missing = [f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"
                   for dock in docks for kind in kinds for w in dock.findChildren(kind)
                   if w.isVisibleTo(dock) and not w.toolTip() and not w.parent().toolTip()]
        assert missing == []
    for action in window.toolbar.actions():
        assert action.isSeparator() or action.toolTip()
    for menu in window.menuBar().findChildren(type(window.files.recent_menu)):
        for action in menu.actions():
            assert action.isSeparator() or action.menu() or action.toolTip(), action.text()


def test_space_s_r_keys_drive_training(make_window, qtbot):
    window = make_window(load_builtin("xor"))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.view.setFocus()
    ctl = window.controller
    QTest.keyClick(window.view, Qt.Key_Space)
    assert ctl.names()[-1] == "play" and window.training.act_play.text() == "Pause"
    QTest.keyClick(window.view, Qt.Key_Space)
    assert ctl.names()[-1] == "pause"
    QTest.keyClick(window.view, Qt.Key_S)
    assert ctl.names()[-1] == "step"
    QTest.keyClick(window.view, Qt.Key_R)
    assert ctl.names()[-1] in ("reset", "load")
    QTest.keyClick(window.view, Qt.Key_F11)
    assert window.isFullScreen()
    QTest.keyClick(window.view, Qt.Key_F11)
    assert not window.isFullScreen()


def test_preset_level_problems_pin_to_nodes_and_block_play(make_window):
    window = make_window(load_builtin("xor"))
    window.dataset_panel.fields[("dataset", "kind")][0].setCurrentText("mnist")
    assert "[1, 28, 28]" in window.scene.nodes["x"].problem
    assert not window.training.act_play.isEnabled()
    window.act_undo.trigger()
    window.training_panel.fields[(None, "loss")][0].setCurrentText("cross_entropy")
    assert "softmax" in window.scene.nodes["out"].problem
    assert not window.training.act_play.isEnabled()
    window.act_undo.trigger()
    assert window.status.ok and window.training.act_play.isEnabled()


@pytest.mark.parametrize("button, reloads", [("Yes", True), ("No", False)])
def test_structural_edit_during_training_asks_before_restarting(make_window, qtbot, monkeypatch,
                                                                button, reloads):
    from PySide6.QtWidgets import QMessageBox
    window = make_window(load_builtin("xor"))
    ctl = window.controller
    qtbot.waitUntil(lambda: "load" in ctl.names())
    window.training.act_play.trigger()
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[1]) or getattr(QMessageBox, button))
    loads = ctl.names().count("load")
    window.training_panel.fields[("optimizer", "lr")][0].setValue(0.1)   # live: no question
    window.scene.change_units("h1", +1)
    qtbot.waitUntil(lambda: asked == ["Restart training?"])
    assert (ctl.names().count("load") == loads + 1) is reloads
    assert any(name == "hyper" and kw["lr"] == pytest.approx(0.1) for name, _, kw in ctl.calls)


def test_typed_shapes_are_parsed_and_bad_text_is_explained(make_window):
    window = make_window(load_builtin("xor"))
    window.scene.select_node("x")
    field = window.properties.widgets["shape"]
    assert field.text() == "2"
    field.setText("1, 28, 28")
    field.editingFinished.emit()
    assert D.node_by_id(window.model.doc, "x")["params"]["shape"] == [1, 28, 28]
    assert window.scene.nodes["x"].problem          # xor data gives 2 features, not images
    field.setText("1, -28")
    field.editingFinished.emit()
    assert "positive whole numbers" in window.properties.error.text()
    assert D.node_by_id(window.model.doc, "x")["params"]["shape"] == [1, 28, 28]
    window.act_undo.trigger()
    assert field.text() == "2" and window.status.ok
    assert not window.windowIcon().isNull()


def _context_menu(scene, scene_pos, choose: list[str]):
    """Builds the scene's right-click menu at scene_pos and triggers the entry at `choose`."""
    menu = scene.context_menu(scene_pos)
    entries = [a.text() for a in menu.actions()]
    current = menu
    for text in choose[:-1]:
        current = next(a.menu() for a in current.actions() if a.text() == text)
    next(a for a in current.actions() if a.text() == choose[-1]).trigger()
    return entries


def test_context_menus_add_disconnect_and_set_output(make_window):
    window = make_window(load_builtin("xor"))
    scene = window.scene
    entries = _context_menu(scene, QPointF(200, 600), ["Add layer", "Dropout"])
    assert "Tidy layout" in entries
    assert D.node_by_id(window.model.doc, "dropout1")["pos"] == [200, 600]
    h2 = scene.nodes["h2"]
    entries = _context_menu(scene, h2.mapToScene(20, 20), ["Disconnect h1 \u2192 h2"])
    assert "Delete" in entries and "Duplicate" in entries
    assert D.node_by_id(window.model.doc, "h2")["inputs"] == []
    _context_menu(scene, scene.nodes["dropout1"].mapToScene(20, 20),
                  ["Set as output"])
    assert window.model.doc["model"]["output"] == "dropout1"
    window.act_undo.trigger()
    assert window.model.doc["model"]["output"] == "out"


def test_dragging_a_block_with_the_mouse_is_one_undoable_move(make_window):
    window = make_window(load_builtin("xor"))
    view, item = window.view, window.scene.nodes["h2"]
    old = list(D.node_by_id(window.model.doc, "h2")["pos"])
    start = view.mapFromScene(item.mapToScene(30, 12))    # the block's title
    end = start + QPoint(60, 90)
    vp = view.viewport()
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, start)
    for k in range(1, 6):
        QTest.mouseMove(vp, start + (end - start) * k / 5)
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, end)
    new = D.node_by_id(window.model.doc, "h2")["pos"]
    assert new != old and new == [round(item.pos().x()), round(item.pos().y())]
    edge = window.scene.edges[("h2", "out")]
    assert edge.path().pointAtPercent(0) == item.out_scene_pos()   # wires follow the block
    window.act_undo.trigger()
    assert D.node_by_id(window.model.doc, "h2")["pos"] == old
    assert not window.model.undo_stack.canUndo()


def test_optimizer_type_switches_live_without_a_question_or_a_reload(make_window, qtbot,
                                                                     monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    window = make_window(load_builtin("xor"))
    ctl = window.controller
    qtbot.waitUntil(lambda: "load" in ctl.names())
    window.training.act_play.trigger()
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[1]))
    loads = ctl.names().count("load")
    window.training_panel.fields[("optimizer", "type")][0].setCurrentText("adam")
    qtbot.waitUntil(lambda: "optimizer" in ctl.names())
    spec = [args[0] for name, args, _ in ctl.calls if name == "optimizer"][-1]
    assert spec == window.model.doc["optimizer"] and spec["type"] == "adam"
    qtbot.wait(300)                          # longer than the reload timer's 150 ms
    assert asked == [] and ctl.names().count("load") == loads
    assert "weights are kept" in window.statusBar().currentMessage()
    window.training.reset()                           # fresh weights, the switched optimizer stays
    assert ctl.names()[-1] == "reset" and ctl.names().count("load") == loads
