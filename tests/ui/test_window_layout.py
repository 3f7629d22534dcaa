"""The window's designed layouts, what is saved of them, presenter mode's trace (none), and the
small things a class saw: F1's list, the Gallery's names, blocks without positions, the Data
panel's note and its preview under the mouse wheel."""

from __future__ import annotations

import copy

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from nnplayground.presets import load_builtin
from nnplayground.ui.layout import LAYOUT_VERSION


def _reopen(make_window_cls, controller, settings):
    from nnplayground.ui.main_window import MainWindow
    return MainWindow(controller=controller, settings=settings)


def test_reset_layout_brings_the_design_back(make_window, qtbot):
    window = make_window()
    window.files.open_builtin("xor", ask=False)
    boundary = window.view_docks["boundary"]
    window.addDockWidget(Qt.LeftDockWidgetArea, boundary)     # the user rearranges
    window.view_docks["metrics"].hide()
    window.act_reset_layout.trigger()
    assert window.dockWidgetArea(boundary) == Qt.RightDockWidgetArea
    assert boundary.isVisible() and window.view_docks["metrics"].isVisible()
    assert window.dockWidgetArea(window.dock_training) == Qt.LeftDockWidgetArea


def _closed_with_problems_hidden(make_window, fits=True):
    window = make_window()
    if fits:
        window.window_layout.fit_to_screen()
    window.dock_problems.hide()
    assert window.close()
    return window


def test_a_saved_layout_is_restored(make_window, settings, qtbot):
    window = _closed_with_problems_hidden(make_window)
    again = _reopen(None, window.controller, settings)
    qtbot.addWidget(again)
    assert again.dock_problems.isHidden()


def test_a_layout_from_another_version_is_discarded(make_window, settings, qtbot):
    window = _closed_with_problems_hidden(make_window)
    settings.setValue("layout_version", LAYOUT_VERSION - 1)
    again = _reopen(None, window.controller, settings)
    qtbot.addWidget(again)
    assert not again.dock_problems.isHidden()       # the designed layout shows it


def test_a_layout_that_does_not_fit_the_screen_is_discarded(make_window, settings, qtbot):
    window = _closed_with_problems_hidden(make_window, fits=False)    # 1600x1000 on 800 px
    again = _reopen(None, window.controller, settings)
    qtbot.addWidget(again)
    assert not again.dock_problems.isHidden()
    screen = again.screen().availableGeometry()
    assert again.width() <= screen.width() and again.height() <= screen.height()


def test_presenter_mode_is_never_written_to_the_settings(make_window, settings, qtbot):
    """Closing while presenting saves the layout from before presenting: the next launch has
    its Training panel, a normal window and the normal font."""
    window = make_window()
    window.window_layout.fit_to_screen()
    window.lessons.open_lesson(1, ask=False)
    font = window.font().pointSizeF()
    settings.sync()
    window.lessons.presenter.action.setChecked(True)
    assert window.isFullScreen() and not window.dock_training.isVisible()
    assert window.close()
    again = _reopen(None, window.controller, settings)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.dock_training.isVisible() and not again.isFullScreen()
    assert again.font().pointSizeF() == font


def test_f1_lists_every_shortcut(make_window, qtbot, monkeypatch):
    window = make_window()
    shown = {}
    monkeypatch.setattr(QMessageBox, "information",
                        lambda parent, title, text: shown.setdefault("text", text))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2_000)
    QTest.keyClick(window, Qt.Key_F1)
    text = shown["text"]
    for action in window.actions():
        for key in action.shortcuts():
            assert key.toString() in text, key.toString()
    for key in ("F5", "Esc", "PgDown / Right", "PgUp / Left", "Space", "F1"):
        assert key in text


def test_gallery_names_are_whole_without_a_horizontal_scroll_bar(qtbot):
    from nnplayground.ui.gallery import GalleryDialog
    dialog = GalleryDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    lst = dialog.list
    assert lst.horizontalScrollBar().maximum() == 0
    fm = lst.fontMetrics()
    for i in range(lst.count()):
        rect = lst.visualItemRect(lst.item(i))
        assert rect.right() <= lst.viewport().width()
        # whole: on one line when it fits, else wrapped onto more lines (taller)
        assert fm.horizontalAdvance(lst.item(i).text()) <= rect.width() or \
            rect.height() > 1.5 * fm.height()


def test_a_preset_without_positions_is_laid_out_by_depth(make_window, qtbot):
    from nnplayground.presets import load_builtin
    doc = copy.deepcopy(load_builtin("xor"))
    for node in doc["model"]["nodes"]:
        del node["pos"]
    window = make_window()
    window.files.open_document(doc)
    items = window.scene.nodes
    xs = [items[n].pos().x() for n in ("x", "h1", "h2", "out")]
    assert xs == sorted(xs) and len(set(xs)) == 4
    assert "pos" not in window.model.doc["model"]["nodes"][0]      # the picture only
    # dragging a block places it, and every other block where it is shown: one undo step
    shown = {n: [round(items[n].pos().x()), round(items[n].pos().y())] for n in items}
    items["h1"].setPos(items["h1"].pos() + QPointF(0, 40))
    window.scene.commit_moves()
    placed = {n["id"]: n["pos"] for n in window.model.doc["model"]["nodes"]}
    assert placed == {**shown, "h1": [shown["h1"][0], shown["h1"][1] + 40]}
    window.act_undo.trigger()
    assert not any("pos" in n for n in window.model.doc["model"]["nodes"])


def test_the_sample_note_is_at_the_top_of_the_data_panel(make_window):
    window = make_window()
    panel = window.dataset_panel
    panel.note.setText("The bundled MNIST sample is in use")
    assert panel.note.geometry().bottom() < panel.plot.geometry().top()
    assert panel.note.geometry().top() < panel.form.geometry().bottom()


def test_the_wheel_over_the_data_preview_scrolls_the_panel(make_window, qtbot):
    window = make_window()
    window.dock_data.show()
    window.dock_data.raise_()
    area = window.dock_data.widget()
    area.resize(area.width(), 160)              # short: the panel scrolls
    window.dock_data.setMaximumHeight(200)
    qtbot.waitUntil(lambda: area.verticalScrollBar().maximum() > 0, timeout=2_000)
    bar = area.verticalScrollBar()
    plot = window.dataset_panel.plot
    area.ensureWidgetVisible(plot)
    bar.setValue(bar.maximum() // 2)
    before_value, before_range = bar.value(), plot.getViewBox().viewRange()
    centre = plot.viewport().rect().center()
    event = QWheelEvent(QPointF(centre), QPointF(plot.viewport().mapToGlobal(centre)),
                        QPoint(0, 0), QPoint(0, -120), Qt.NoButton, Qt.NoModifier,
                        Qt.NoScrollPhase, False)
    QApplication.sendEvent(plot.viewport(), event)
    assert plot.getViewBox().viewRange() == before_range      # no zoom
    assert bar.value() > before_value                         # the panel scrolled down


def _deep_dense() -> dict:
    """xor's data through six hidden Dense layers, one column each: wider than 1280x720."""
    doc = load_builtin("xor")
    nodes = [{"id": "x", "type": "Input", "params": {"shape": [2]}, "inputs": [],
              "pos": [0, 0]}]
    for i in range(1, 7):
        nodes.append({"id": f"h{i}", "type": "Dense", "inputs": [nodes[-1]["id"]],
                      "params": {"units": 8, "activation": "tanh"}, "pos": [230 * i, 0]})
    nodes.append({"id": "out", "type": "Dense", "inputs": ["h6"], "pos": [230 * 7, 0],
                  "params": {"units": 1, "activation": "sigmoid"}})
    doc["model"] = {"nodes": nodes, "output": "out"}
    return doc


def _wheel(view, modifiers=Qt.NoModifier, dy=-120):
    centre = QPointF(view.viewport().rect().center())
    QApplication.sendEvent(view.viewport(), QWheelEvent(
        centre, QPointF(view.viewport().mapToGlobal(centre.toPoint())), QPoint(),
        QPoint(0, dy), Qt.NoButton, modifiers, Qt.NoScrollPhase, False))


@pytest.mark.parametrize("name", ["mnist-cnn", "six hidden layers"])
def test_a_wide_network_shows_whole_and_scrolls_when_zoomed_in(make_window, qtbot, monkeypatch,
                                                               name):
    """At 1280x720 Fit shows the whole network (compact blocks, text still readable) without
    scroll bars; zoomed in to full blocks the scroll bar shows, the wheel scrolls (sideways
    when there is nothing to scroll up and down) and Shift+wheel reaches the output end; F1
    says so."""
    window = make_window(_deep_dense() if name == "six hidden layers" else None)
    if name == "mnist-cnn":
        window.files.open_builtin("mnist-cnn", ask=False)
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.size().width() == 1280)
    for _ in range(5):  # the fits an opening (and a first show) schedule, in a chain
        QApplication.processEvents()
    view = window.view
    window.act_fit.trigger()                    # Ctrl+0
    bar, vertical = view.horizontalScrollBar(), view.verticalScrollBar()
    assert bar.maximum() == 0 and vertical.maximum() == 0
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.adjusted(-1, -1, 1, 1).contains(window.scene.itemsBoundingRect())
    while view.transform().m11() < view.text_scale:
        _wheel(view, Qt.ControlModifier, dy=120)     # Ctrl+wheel zooms
    assert bar.maximum() > 0
    start = (bar.value(), vertical.value())
    _wheel(view)        # down where the diagram is tall, else sideways
    assert (bar.value(), vertical.value()) != start
    for _ in range(100):
        _wheel(view, Qt.ShiftModifier)
    assert bar.value() == bar.maximum()
    out = window.scene.nodes["out" if name != "mnist-cnn" else window.model.doc["model"]["output"]]
    assert view.mapToScene(view.viewport().rect()).boundingRect().intersects(
        out.sceneBoundingRect())
    lines = "\n".join(window.shortcut_lines())
    assert "Ctrl+0  Fit diagram" in lines and "Shift+wheel  scroll a wide diagram" in lines
