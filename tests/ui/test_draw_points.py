"""Draw your own data: real mouse clicks on the boundary and regression views add and erase
points of the chosen class, every edit is one undo step, and the worker trains on them."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication

from nnplayground.data import load_dataset
from nnplayground.data.files import load_file, read_csv
from nnplayground.data.points import KIND
from nnplayground.presets import load_builtin, load_preset
from nnplayground.worker.snapshot import dataset_info


@pytest.fixture
def controller():
    from nnplayground.worker import TrainingController
    ctl = TrainingController()
    yield ctl
    ctl.shutdown()


def three_class_doc(points=()):
    """xor's network with three softmax outputs, on hand-placed points."""
    doc = load_builtin("xor")
    out = doc["model"]["nodes"][-1]
    out["params"].update(units=3, activation="softmax")
    doc["loss"] = "cross_entropy"
    doc["dataset"] = {"kind": KIND, "task": "classification", "inputs": 2,
                      "points": [list(p) for p in points], "train_fraction": 0.5, "seed": 0}
    return doc


def _shown(qtbot, window, name):
    dock = window.view_docks[name]
    dock.show()
    dock.raise_()
    view = window.live_views.views[name]
    qtbot.waitUntil(lambda: view.plot.isVisible() and view.plot.width() > 100)
    editor = window.point_editor
    toggle = editor.plane_draw if name == "boundary" else editor.line_draw
    if not toggle.isChecked():                  # generated data: "Draw points" is off
        tick(qtbot, toggle)
    QApplication.processEvents()
    return view


def tick(qtbot, button):
    """A real click on a "Draw points" button, which turns it on."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert button.isChecked()


def click(qtbot, plot, x, y, modifier=Qt.KeyboardModifier.NoModifier):
    """A real click on the plot's viewport at the pixel of data point (x, y)."""
    scene = plot.getViewBox().mapViewToScene(QPointF(x, y))
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, modifier,
                     plot.mapFromScene(scene))


def loaded(qtbot, window, controller):
    """The worker has the window's document, and no reload of it is still due (a reload
    would answer the next edit with a new run instead of a data change)."""
    training = window.training
    training.load_into_controller()
    qtbot.waitUntil(lambda: not training._reload_timer.isActive() and controller.state == "idle"
                    and controller.dataset is not None and training.loaded_doc is not None,
                    timeout=15000)


def rows(window):
    return window.model.doc["dataset"]["points"]


def drawn(view, editor):
    """Every point the boundary view shows: filled (the chosen split) and rings (the other)."""
    filled = view.scatter.data["x"], view.scatter.data["y"]
    rings = editor.others.data["x"], editor.others.data["y"]
    return len(filled[0]) + len(rings[0])


def test_clicks_add_points_of_the_chosen_class_and_undo_restores(make_window, qtbot):
    window = make_window(three_class_doc())
    view = _shown(qtbot, window, "boundary")
    editor = window.point_editor
    strip = editor.plane_strip
    for c, (x, y) in enumerate([(-3, -3), (3, 3), (3, -3)]):
        qtbot.mouseClick(strip.class_buttons[c], Qt.MouseButton.LeftButton)
        click(qtbot, view.plot, x, y)
    got = rows(window)
    assert [r[2] for r in got] == [0, 1, 2]
    for (px, py, _c), (x, y) in zip(got, [(-3, -3), (3, 3), (3, -3)]):
        assert abs(px - x) < 0.2 and abs(py - y) < 0.2     # within a pixel or two
    assert drawn(view, editor) == 3
    assert window.model.undo_stack.count() == 3          # one undo step per click
    window.act_undo.trigger()
    assert [r[2] for r in rows(window)] == [0, 1]
    assert drawn(view, editor) == 2


def test_shift_click_and_the_eraser_remove_the_points_near_it(make_window, qtbot):
    window = make_window(three_class_doc([(-3, -3, 0), (-2.9, -3.1, 0), (3, 3, 1), (0, 4, 2)]))
    view = _shown(qtbot, window, "boundary")
    click(qtbot, view.plot, -3, -3, Qt.KeyboardModifier.ShiftModifier)
    assert sorted(r[2] for r in rows(window)) == [1, 2]
    qtbot.mouseClick(window.point_editor.plane_strip.tool_buttons["erase"],
                     Qt.MouseButton.LeftButton)
    click(qtbot, view.plot, 0, 4)
    assert [r[2] for r in rows(window)] == [1]
    click(qtbot, view.plot, -5, 5)          # nothing near: nothing removed, no undo step
    assert len(rows(window)) == 1
    assert window.model.undo_stack.count() == 2
    window.act_undo.trigger()
    window.act_undo.trigger()
    assert len(rows(window)) == 4


def test_the_brush_drops_a_seeded_cloud_and_clear_empties(make_window, qtbot):
    window = make_window(three_class_doc())
    view = _shown(qtbot, window, "boundary")
    strip = window.point_editor.plane_strip
    qtbot.mouseClick(strip.class_buttons[2], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(strip.tool_buttons["brush"], Qt.MouseButton.LeftButton)
    click(qtbot, view.plot, 2, -2)
    cloud = np.array(rows(window))
    assert len(cloud) == 8 and set(cloud[:, 2]) == {2}
    assert np.all(np.hypot(cloud[:, 0] - 2, cloud[:, 1] + 2) < 2.0)
    assert cloud[:, :2].std(axis=0).min() > 0.05          # a cloud, not one spot
    first = copy.deepcopy(rows(window))
    window.act_undo.trigger()
    click(qtbot, view.plot, 2, -2)
    assert rows(window) == first                          # seeded: the same click, the same cloud
    qtbot.mouseClick(strip.clear_button, Qt.MouseButton.LeftButton)
    assert rows(window) == [] and drawn(view, window.point_editor) == 0
    assert any("at least 2" in p for _node, p in window.status.problems)
    window.act_undo.trigger()
    assert len(rows(window)) == 8


def test_the_first_click_on_generated_data_makes_an_editable_copy(make_window, qtbot,
                                                                   fake_controller):
    window = make_window(load_builtin("xor"))
    # what the worker answers a load with: xor's points on the plane
    fake_controller.dataset_ready.emit(dataset_info(load_dataset(window.model.doc["dataset"])))
    view = _shown(qtbot, window, "boundary")
    before = window.model.snapshot()
    click(qtbot, view.plot, 1, 1)
    spec = window.model.doc["dataset"]
    assert spec["kind"] == KIND and len(spec["points"]) == before["dataset"]["n_samples"] + 1
    assert "now your own points" in window.statusBar().currentMessage()
    window.act_undo.trigger()
    assert window.model.doc == before


def test_the_network_trains_on_the_points_as_they_change(make_window, controller, qtbot,
                                                          monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    # an error dialog would wait for a click forever: fail with its message instead
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: pytest.fail(
        f"{title}: {text}"))
    start = [(-3, -3, 0), (-2, -4, 0), (3, 3, 1), (4, 2, 1), (3, -3, 2), (4, -4, 2)]
    window = make_window(three_class_doc(start), controller=controller)
    loaded(qtbot, window, controller)
    view = _shown(qtbot, window, "boundary")
    window.training.act_step.trigger()
    qtbot.waitUntil(lambda: controller.latest_snapshot is not None
                    and controller.latest_snapshot.step == 1, timeout=15000)
    weights = np.array(controller.latest_snapshot.weights["h1"]["W"])
    n_before = len(controller.dataset.y_train) + len(controller.dataset.y_test)
    qtbot.mouseClick(window.point_editor.plane_strip.tool_buttons["brush"],
                     Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(controller.data_changed, timeout=15000) as changed:
        click(qtbot, view.plot, -3, 3)
    info = changed.args[0]
    assert len(info.y_train) + len(info.y_test) == n_before + 8
    window.training.act_step.trigger()
    qtbot.waitUntil(lambda: controller.latest_snapshot.step == 2, timeout=15000)
    # the run went on (weights kept, not reset) and its trainer holds the new points
    assert not np.allclose(controller.latest_snapshot.weights["h1"]["W"], 0)
    assert controller.latest_snapshot.step == 2
    trainer = controller._thread._exp.trainer
    assert len(trainer.x_train) + len(trainer.x_test) == n_before + 8
    assert np.any(np.array(controller.latest_snapshot.weights["h1"]["W"]) != weights)
    # Undo is a data change too: the worker trains on the earlier points again
    with qtbot.waitSignal(controller.data_changed, timeout=15000) as changed:
        window.act_undo.trigger()
    assert len(changed.args[0].y_train) + len(changed.args[0].y_test) == n_before
    assert drawn(view, window.point_editor) == n_before


def test_undoing_the_copy_of_generated_data_trains_on_it_again(make_window, controller, qtbot):
    window = make_window(load_builtin("xor"), controller=controller)
    loaded(qtbot, window, controller)
    view = _shown(qtbot, window, "boundary")
    with qtbot.waitSignal(controller.data_changed, timeout=15000) as changed:
        click(qtbot, view.plot, 1, 1)
    assert changed.args[0].name == KIND
    assert len(changed.args[0].y_train) + len(changed.args[0].y_test) == 501
    with qtbot.waitSignal(controller.data_changed, timeout=15000) as changed:
        window.act_undo.trigger()
    assert changed.args[0].name == "xor"
    # the boundary shows xor's own training points again, and no rings
    assert len(view.scatter.data) == len(changed.args[0].y_train)
    assert len(window.point_editor.others.data) == 0
    window.training.act_step.trigger()
    qtbot.waitUntil(lambda: controller.latest_snapshot is not None
                    and controller.latest_snapshot.step == 1, timeout=15000)
    assert len(controller._thread._exp.trainer.x_train) == len(changed.args[0].y_train)


def test_points_save_and_reopen_exactly(make_window, qtbot, tmp_path):
    window = make_window(three_class_doc())
    view = _shown(qtbot, window, "boundary")
    strip = window.point_editor.plane_strip
    for c, (x, y) in enumerate([(-3.3, 1.7), (2.2, -4.1), (0.5, 0.25)]):
        strip.choose(c)
        click(qtbot, view.plot, x, y)
    path = tmp_path / "drawn.json"
    assert window.files.save_to(str(path))
    assert load_preset(path)["dataset"] == window.model.doc["dataset"]
    again = make_window()
    assert again.files.open_path(str(path))
    assert again.model.doc["dataset"] == window.model.doc["dataset"]


def test_save_data_as_csv_round_trips_through_the_csv_loader(make_window, qtbot, tmp_path):
    from nnplayground.ui.views.point_editor import save_data_csv
    window = make_window(three_class_doc([(-3.25, 1.5, 0), (2.125, -4.0, 1), (0.1, 0.2, 2),
                                          (5.9, -5.9, 1)]))
    path = tmp_path / "points.csv"
    assert save_data_csv(window, str(path)) == str(path)
    x, y, names, task = read_csv(path)
    assert names == ["x1", "x2"] and task == "classification"
    assert np.column_stack([x, y]).tolist() == [[-3.25, 1.5, 0], [2.125, -4.0, 1],
                                                [0.1, 0.2, 2], [5.9, -5.9, 1]]
    assert load_file(path).n_classes == 3
    # generated data is written whole: training and test points
    window.model.replace(load_builtin("regression-sine"))
    assert save_data_csv(window, str(path))
    x, y, names, task = read_csv(path)
    assert names == ["x1"] and task == "regression"
    assert len(x) == window.model.doc["dataset"]["n_samples"]


def test_a_click_on_the_regression_view_adds_x_y(make_window, qtbot):
    doc = load_builtin("regression-sine")
    doc["dataset"] = {"kind": KIND, "task": "regression", "inputs": 1,
                      "points": [[-0.5, 0.2], [0.5, -0.2]], "seed": 0}
    window = make_window(doc)
    view = _shown(qtbot, window, "curve")
    view.plot.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)
    QApplication.processEvents()
    click(qtbot, view.plot, 0.25, 0.75)
    x, y = rows(window)[-1]
    assert abs(x - 0.25) < 0.02 and abs(y - 0.75) < 0.02
    shown = len(view.train.data) + len(view.test.data)
    assert shown == 3
    click(qtbot, view.plot, -0.5, 0.2, Qt.KeyboardModifier.ShiftModifier)
    assert rows(window) == [[0.5, -0.2], rows(window)[-1]] and len(rows(window)) == 2
    window.act_undo.trigger()
    assert len(rows(window)) == 3


def test_choosing_points_in_the_data_panel_makes_an_editable_copy(make_window, qtbot):
    window = make_window(load_builtin("spiral"))
    combo = window.dataset_panel.fields[("dataset", "kind")][0]
    combo.setCurrentText("points")
    spec = window.model.doc["dataset"]
    assert spec["kind"] == KIND and len(spec["points"]) == 500
    assert combo.currentText() == "points"
    window.act_undo.trigger()
    assert window.model.doc["dataset"]["kind"] == "spiral" and combo.currentText() == "spiral"
    window.model.replace(load_builtin("mnist-mlp"))
    combo.setCurrentText("points")          # images: nothing to draw on, nothing changes
    assert window.model.doc["dataset"]["kind"] == "mnist" and combo.currentText() == "mnist"
    assert "No points" in window.dataset_panel.note.text()


def test_on_2d_regression_data_the_picker_adds_targets_minus_and_plus_one(make_window, qtbot,
                                                                          fake_controller):
    window = make_window(load_builtin("regression-plane"))
    fake_controller.dataset_ready.emit(dataset_info(load_dataset(window.model.doc["dataset"])))
    view = _shown(qtbot, window, "boundary")
    strip = window.point_editor.plane_strip
    assert [b.isEnabled() for b in strip.class_buttons] == [True, True] + [False] * 4
    qtbot.mouseClick(strip.class_buttons[1], Qt.MouseButton.LeftButton)
    click(qtbot, view.plot, 2, 2)
    qtbot.mouseClick(strip.class_buttons[0], Qt.MouseButton.LeftButton)
    click(qtbot, view.plot, -2, -2)
    spec = window.model.doc["dataset"]
    assert spec["kind"] == KIND and spec["task"] == "regression"
    assert [r[2] for r in spec["points"][-2:]] == [1.0, -1.0]


def test_draw_points_is_off_on_generated_data_and_on_for_your_own_points(make_window, qtbot,
                                                                         fake_controller):
    """A click on xor's boundary edits nothing until "Draw points" is on; the tools then
    show. A document of your own points opens with them shown."""
    window = make_window(load_builtin("xor"))
    fake_controller.dataset_ready.emit(dataset_info(load_dataset(window.model.doc["dataset"])))
    dock = window.view_docks["boundary"]
    dock.show()
    dock.raise_()
    view = window.live_views.views["boundary"]
    qtbot.waitUntil(lambda: view.plot.isVisible() and view.plot.width() > 100)
    editor = window.point_editor
    assert not editor.plane_draw.isChecked() and not editor.plane_strip.tools.isVisible()
    before = window.model.snapshot()
    click(qtbot, view.plot, 1, 1)
    assert window.model.doc == before and window.model.undo_stack.count() == 0
    tick(qtbot, editor.plane_draw)
    assert editor.plane_strip.tools.isVisible()
    QApplication.processEvents()
    click(qtbot, view.plot, 1, 1)
    assert window.model.doc["dataset"]["kind"] == KIND

    window.model.undo_stack.setClean()
    assert window.files.open_document(three_class_doc([(0, 0, 1)]))
    qtbot.waitUntil(lambda: window.model.doc["dataset"].get("points") == [[0, 0, 1]])
    assert editor.plane_draw.isChecked() and editor.plane_strip.tools.isVisible()
    window.files.open_builtin("circle", ask=False)
    qtbot.waitUntil(lambda: window.model.doc["dataset"]["kind"] == "circle")
    assert not editor.plane_draw.isChecked() and not editor.plane_strip.tools.isVisible()


def test_the_backprop_sample_range_follows_the_points_drawn_and_erased(make_window,
                                                                        controller, qtbot):
    """Drawn points change the training set while the run goes on (no Reset): the
    back-propagation view offers exactly its samples, keeping the chosen one while it exists
    and taking the last one when it is gone."""
    start = [(-3, -3, 0), (-2, -4, 0), (3, 3, 1), (4, 2, 1), (3, -3, 2), (4, -4, 2)]
    window = make_window(three_class_doc(start), controller=controller)
    loaded(qtbot, window, controller)
    view = _shown(qtbot, window, "boundary")
    box = window.live_views.views["backprop"].sample_box
    assert box.maximum() == len(controller.dataset.y_train) - 1
    box.setValue(1)
    strip = window.point_editor.plane_strip
    qtbot.mouseClick(strip.tool_buttons["brush"], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(controller.data_changed, timeout=15000) as changed:
        click(qtbot, view.plot, -3, 3)
    grown = len(changed.args[0].y_train)
    assert grown > len(start) // 2
    qtbot.waitUntil(lambda: box.maximum() == grown - 1)
    assert box.value() == 1                             # still a training sample: kept
    box.setValue(box.maximum())                         # one of the new points
    assert box.value() == grown - 1
    qtbot.mouseClick(strip.tool_buttons["erase"], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(controller.data_changed, timeout=15000) as changed:
        click(qtbot, view.plot, -3, 3)
    shrunk = len(changed.args[0].y_train)
    assert 0 < shrunk < grown
    qtbot.waitUntil(lambda: box.maximum() == shrunk - 1)
    assert box.value() == shrunk - 1                    # the chosen sample is gone: the last
