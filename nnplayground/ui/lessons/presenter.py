"""Presenter mode: the window as a projector needs it (View > Presenter mode, F5; Esc leaves).

Full screen, fonts about 1.6x, curves twice as thick, black-on-white high contrast, and only
what a demonstration needs: the editing docks (layers palette, properties, data, problems) are
hidden and come back as they were. PageDown/Right and PageUp/Left step through the lesson;
those keys are bound only while presenting, so they never steal the diagram's arrow keys.
Everything changed is remembered and restored on leaving, so presenting leaves no trace.
Curves and axes created while presenting (a new run's curves, a lesson panel opened, a
comparison started) get the same style within a few hundred milliseconds: a timer restyles
what is new, which costs a walk over the plots' items and nothing when nothing changed.
"""

from __future__ import annotations

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow

EDITING_DOCKS = ("dock_layers", "dock_properties", "dock_problems", "dock_data")
FONT_SCALE = 1.6
LINE_SCALE = 2.0
RESTYLE_MS = 300
HIGH_CONTRAST = """
QMainWindow, QDockWidget, QTextBrowser, QLabel, QTableWidget, QPlainTextEdit
    { color: black; background: white; }
QDockWidget::title { background: black; color: white; padding: 4px; }
QPushButton { color: black; background: #ffe066; border: 2px solid black; padding: 4px 12px; }
QPushButton:disabled { color: #555555; background: #dddddd; }
QToolBar { background: #f0f0f0; border-bottom: 2px solid black; }
"""


def find_menu(window: QMainWindow, title: str):
    """The menu bar's menu called `title` (ignoring '&'), or None."""
    for action in window.menuBar().actions():
        if action.menu() is not None and action.text().replace("&", "") == title:
            return action.menu()
    return None


class PresenterMode(QObject):
    """Owns the Presenter mode action (F5) and the Esc / PageUp / PageDown bindings."""

    toggled = Signal(bool)

    def __init__(self, window: QMainWindow, step, parent=None):
        super().__init__(parent or window)
        self.window = window
        self._step = step               # callable(+1 | -1)
        self._saved = None
        self._restyle_timer = QTimer(self, interval=RESTYLE_MS)
        self._restyle_timer.timeout.connect(self.restyle_new_items)
        self.action = QAction("&Presenter mode", window, checkable=True)
        self.action.setShortcut(QKeySequence("F5"))
        self.action.setToolTip("Full screen, large fonts and thick lines, high contrast, only "
                               "the essential controls; PageDown/PageUp step the lesson (F5, "
                               "Esc leaves)")
        self.action.toggled.connect(self._on_toggled)
        window.addAction(self.action)
        view = find_menu(window, "View")
        if view is not None:
            view.addSeparator()
            view.addAction(self.action)
        self.act_leave = self._key_action("Leave presenter mode", ["Esc"],
                                          lambda: self.action.setChecked(False))
        self.act_next = self._key_action("Next lesson step", ["PgDown", "Right"],
                                         lambda: self._step(+1))
        self.act_prev = self._key_action("Previous lesson step", ["PgUp", "Left"],
                                         lambda: self._step(-1))

    def _key_action(self, text, keys, slot) -> QAction:
        action = QAction(text, self.window)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.triggered.connect(slot)
        action.setEnabled(False)
        self.window.addAction(action)
        return action

    @property
    def active(self) -> bool:
        return self._saved is not None

    def _on_toggled(self, on: bool) -> None:
        if on and not self.active:
            self._enter()
        elif not on and self.active:
            self._leave()
        self.toggled.emit(on)

    def _enter(self) -> None:
        w = self.window
        docks = [d for d in (w.findChild(QDockWidget, n) for n in EDITING_DOCKS) if d]
        self._saved = {
            "font": QFont(w.font()), "style": w.styleSheet(),
            "full": w.isFullScreen(), "maximized": w.isMaximized(),
            "docks": [(d, d.isVisible()) for d in docks], "pens": {}, "axes": {},
            "presenter_font": None,
        }
        font = QFont(w.font())
        font.setPointSizeF(font.pointSizeF() * FONT_SCALE)
        w.setFont(font)
        w.setStyleSheet(HIGH_CONTRAST)
        for dock in docks:
            dock.hide()
        self._saved["presenter_font"] = font
        self.restyle_new_items()
        self._restyle_timer.start()
        for action in (self.act_leave, self.act_next, self.act_prev):
            action.setEnabled(True)
        w.showFullScreen()

    def restyle_new_items(self) -> None:
        """Wider pens on every curve and bigger tick labels on every axis, remembered.

        Items styled before are skipped unless their view has set a new pen since (then that
        pen is the one to restore, and it is widened in turn).
        """
        if self._saved is None:
            return
        pens, axes = self._saved["pens"], self._saved["axes"]
        for view in self.window.findChildren(pg.GraphicsView):
            for item in view.scene().items():
                if isinstance(item, pg.PlotDataItem):
                    current = pg.mkPen(item.opts["pen"])
                    styled = pens.get(item)
                    if styled is not None and current == styled[1]:
                        continue
                    new = pg.mkPen(current)
                    new.setWidthF(max(current.widthF(), 1.0) * LINE_SCALE)
                    item.setPen(new)
                    pens[item] = (current, new)
                elif isinstance(item, pg.AxisItem) and item not in axes:
                    item.setTickFont(self._saved["presenter_font"])
                    axes[item] = True

    def _leave(self) -> None:
        w, saved = self.window, self._saved
        self._saved = None
        self._restyle_timer.stop()
        for action in (self.act_leave, self.act_next, self.act_prev):
            action.setEnabled(False)
        w.setStyleSheet(saved["style"])
        w.setFont(saved["font"])
        for item, (old, _new) in saved["pens"].items():
            if shiboken6.isValid(item):     # a curve deleted while presenting needs nothing
                item.setPen(old)
        for axis in saved["axes"]:
            if shiboken6.isValid(axis):
                axis.setTickFont(None)
        for dock, visible in saved["docks"]:
            dock.setVisible(visible)
        if not saved["full"]:
            w.showMaximized() if saved["maximized"] else w.showNormal()


__all__ = ["PresenterMode", "find_menu", "EDITING_DOCKS"]
