"""Presenter mode: F5 in, Esc out, bigger fonts and lines, editing docks hidden, keys step."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest

from nnplayground.ui.lessons.presenter import EDITING_DOCKS


def _dock(window, name):
    from PySide6.QtWidgets import QDockWidget
    return window.findChild(QDockWidget, name)


def _press(qtbot, window, key):
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=2_000)
    QTest.keyClick(window, key)


def test_presenter_mode_enlarges_hides_and_restores(lesson_window, qtbot):
    window, lessons = lesson_window
    lessons.open_lesson(7, ask=False)
    font_before = window.font().pointSizeF()
    palette_before = window.palette()
    visible_before = {n: _dock(window, n).isVisible() for n in EDITING_DOCKS}
    assert visible_before["dock_training"]
    curve = lessons.compare.plot.plot([0, 1], [1, 0], pen=pg.mkPen("k", width=2))
    _press(qtbot, window, Qt.Key_F5)
    assert lessons.presenter.active and lessons.presenter.action.isChecked()
    # as large as fits the screen (the test platform's is 800x600, too small for more than
    # 1x; tests/ui/test_layout_fit.py presents on projector and monitor sizes)
    scale = lessons.presenter.font_scale
    assert window.font().pointSizeF() == pytest.approx(scale * font_before)
    assert lessons.notes.browser.font().pointSizeF() == pytest.approx(scale * font_before)
    assert not any(_dock(window, n).isVisible() for n in EDITING_DOCKS)
    assert lessons.notes_dock.isVisible()
    assert window.isFullScreen()
    assert curve.opts["pen"].widthF() == 4.0
    assert window.view.text_scale == pytest.approx(scale)       # the diagram's text grows
    palette = window.palette()
    assert palette.color(QPalette.ColorRole.Window).name() == "#ffffff"
    assert palette.color(QPalette.ColorRole.WindowText).name() == "#000000"
    _press(qtbot, window, Qt.Key_Escape)
    assert not lessons.presenter.active and not lessons.presenter.action.isChecked()
    assert window.font().pointSizeF() == font_before
    assert lessons.notes.browser.font().pointSizeF() == font_before
    assert {n: _dock(window, n).isVisible() for n in EDITING_DOCKS} == visible_before
    assert not window.isFullScreen() and window.palette() == palette_before
    assert curve.opts["pen"].widthF() == 2.0


def test_f5_toggles_and_keys_step_only_while_presenting(lesson_window, qtbot):
    window, lessons = lesson_window
    lessons.open_lesson(7, ask=False)
    _press(qtbot, window, Qt.Key_PageDown)          # not presenting: no step
    assert lessons.position == 0
    _press(qtbot, window, Qt.Key_F5)
    assert lessons.presenter.active
    _press(qtbot, window, Qt.Key_PageDown)
    assert lessons.position == 1 and window.model.doc["training"]["batch_size"] == 1
    _press(qtbot, window, Qt.Key_Right)
    assert lessons.position == 2 and window.model.doc["training"]["batch_size"] == 10
    _press(qtbot, window, Qt.Key_PageUp)
    _press(qtbot, window, Qt.Key_Left)
    assert lessons.position == 0 and window.model.doc["training"]["batch_size"] == 10
    _press(qtbot, window, Qt.Key_F5)
    assert not lessons.presenter.active


def test_presenter_mode_is_in_the_view_menu(lesson_window):
    window, lessons = lesson_window
    from nnplayground.ui.lessons.presenter import find_menu
    view = find_menu(window, "View")
    assert lessons.presenter.action in view.actions()
    assert lessons.presenter.action.shortcut().toString() == "F5"


def test_curves_created_while_presenting_are_thick_too(lesson_window, qtbot):
    window, lessons = lesson_window
    lessons.open_lesson(7, ask=False)
    _press(qtbot, window, Qt.Key_F5)
    assert lessons.presenter.active
    curve = lessons.compare.plot.plot([0, 1], [1, 0], pen=pg.mkPen("k", width=2))
    qtbot.waitUntil(lambda: curve.opts["pen"].widthF() == 4.0, timeout=2_000)
    curve.setPen(pg.mkPen("r", width=3))            # a view restyles its own curve
    qtbot.waitUntil(lambda: curve.opts["pen"].widthF() == 6.0, timeout=2_000)
    assert curve.opts["pen"].color().name() == "#ff0000"
    gone = lessons.compare.plot.plot([0, 1], [0, 1])
    lessons.presenter.restyle_new_items()
    lessons.compare.plot.removeItem(gone)           # deleted while presenting: no error
    _press(qtbot, window, Qt.Key_Escape)
    assert curve.opts["pen"].widthF() == 3.0
