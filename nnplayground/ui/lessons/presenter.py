"""Presenter mode: the window as a projector needs it (View > Presenter mode, F5; Esc leaves).

Full screen at the screen's own size, fonts about 1.6x (less if the screen is too small for
that: the window is never larger than the screen, the decision boundary keeps at least
`PICTURE` of its height and the loss curves `CURVES`, so the class sees what the network does,
not only the text), the
diagram's text with them, curves twice
as thick, black on white with light dock title bars, and only what the lesson step needs: the
notes, the views the lesson names and its own panel; the editing and training docks go away
(the toolbar keeps Play, Step and Reset). PageDown/Right and PageUp/Left step through the
lesson; those keys are bound only while presenting, so they never steal the diagram's arrows.

Leaving puts back exactly the window that was there: its geometry, docks, sizes, font and
palette (the layout collaborator's snapshot). Nothing of presenter mode is ever written to the
settings: while presenting, the layout saves the arrangement from before (`WindowLayout.hold`).
Curves and axes created while presenting (a new run's curves, a lesson panel opened, a
comparison started) get the same style within a few hundred milliseconds: a timer restyles
what is new, which costs a walk over the plots' items and nothing when nothing changed.
"""

from __future__ import annotations

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QMainWindow

EDITING_DOCKS = ("dock_layers", "dock_properties", "dock_problems", "dock_data",
                 "dock_training")
FONT_SCALES = (1.6, 1.45, 1.3, 1.15)     # the largest whose window fits the screen is used
PICTURE = 0.3       # ... and leaves the decision boundary at least this share of its height
CURVES = 0.25       # ... and the loss and accuracy plots at least this share
FONT_SCALE = FONT_SCALES[0]
LINE_SCALE = 2.0
RESTYLE_MS = 300


def high_contrast(palette: QPalette) -> QPalette:
    """Black on white, yellow buttons, a dark blue selection: readable from the back of a
    room. A palette (not a style sheet) so that fonts keep following the window's: a style
    sheet fixes its widgets' fonts, which then stayed small after leaving."""
    p = QPalette(palette)
    for role, colour in ((QPalette.Window, "#ffffff"), (QPalette.WindowText, "#000000"),
                         (QPalette.Base, "#ffffff"), (QPalette.AlternateBase, "#f0f0f0"),
                         (QPalette.Text, "#000000"), (QPalette.Button, "#ffe066"),
                         (QPalette.ButtonText, "#000000"), (QPalette.Highlight, "#003f8c"),
                         (QPalette.HighlightedText, "#ffffff"), (QPalette.ToolTipBase, "#ffffff"),
                         (QPalette.ToolTipText, "#000000"), (QPalette.Mid, "#808080"),
                         (QPalette.Dark, "#404040"), (QPalette.Shadow, "#000000")):
        p.setColor(QPalette.Active, role, QColor(colour))
        p.setColor(QPalette.Inactive, role, QColor(colour))
    p.setColor(QPalette.Disabled, QPalette.ButtonText, QColor("#555555"))
    p.setColor(QPalette.Disabled, QPalette.WindowText, QColor("#555555"))
    return p


def _set_axis_label_style(axis, style: dict, restore=False) -> None:
    """An axis title in `style` (CSS), its room adjusted (pyqtgraph's setLabel without
    changing the text); `restore` puts back a style exactly as it was."""
    axis.labelStyle = style
    if not restore and "color" in style and not isinstance(style["color"], str):
        # a tuple (as setLabel(color=...) keeps it) is no CSS colour, and Qt then drops the
        # whole style, font size included
        axis.labelStyle = {**style, "color": pg.mkColor(style["color"]).name()}
    axis.label.setHtml(axis.labelString())
    axis._adjustSize()
    axis.picture = None
    axis.update()


def find_menu(window: QMainWindow, title: str):
    """The menu bar's menu called `title` (ignoring '&'), or None."""
    for action in window.menuBar().actions():
        if action.menu() is not None and action.text().replace("&", "") == title:
            return action.menu()
    return None


class PresenterMode(QObject):
    """Owns the Presenter mode action (F5) and the Esc / PageUp / PageDown bindings.

    `window` is the main window, `layout` its WindowLayout (snapshots, designed arrangement,
    what is saved), `view` the diagram view (its `text_scale` grows with the font, `fit()`),
    `step(+1 | -1)` moves the lesson, `lesson_doc()` is the open lesson's document or None,
    `document()` the document to present (the lesson's, else the one edited).
    """

    toggled = Signal(bool)

    def __init__(self, window: QMainWindow, layout, view, step, lesson_doc, document,
                 parent=None):
        super().__init__(parent or window)
        self.window = window
        self.layout = layout
        self.view = view
        self._document = document
        self._step = step               # callable(+1 | -1)
        self._lesson_doc = lesson_doc
        self._saved = None
        self.font_scale = 1.0
        self._restyle_timer = QTimer(self, interval=RESTYLE_MS)
        self._restyle_timer.timeout.connect(self.restyle_new_items)
        self.action = QAction("&Presenter mode", window, checkable=True)
        self.action.setShortcut(QKeySequence("F5"))
        self.action.setToolTip("Full screen, large fonts and thick lines, high contrast, only "
                               "what the lesson step needs; PageDown/PageUp or the arrow keys "
                               "step the lesson (F5, Esc leaves)")
        self.action.toggled.connect(self._on_toggled)
        window.addAction(self.action)
        view = find_menu(window, "View")
        if view is not None:
            view.addSeparator()
            view.addAction(self.action)
        self.act_leave = self._key_action("Leave presenter mode", ["Esc"],
                                          lambda: self.action.setChecked(False))
        self.act_next = self._key_action("Next lesson step (presenter mode)", ["PgDown", "Right"],
                                         lambda: self._step(+1))
        self.act_prev = self._key_action("Previous lesson step (presenter mode)",
                                         ["PgUp", "Left"], lambda: self._step(-1))

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
        snap = self.layout.snapshot()
        self.layout.hold(snap)          # closing while presenting saves this, not the show
        self._saved = {"layout": snap, "font": QFont(w.font()), "palette": QPalette(w.palette()),
                       "text_scale": self.view.text_scale, "pens": {}, "axes": {},
                       "presenter_font": None}
        w.setPalette(high_contrast(w.palette()))
        for action in (self.act_leave, self.act_next, self.act_prev):
            action.setEnabled(True)
        doc = self._document()
        screen = w.screen().availableGeometry()
        w.showFullScreen()
        for scale in FONT_SCALES + (1.0,):     # 1.0: the window as it was fitted the screen
            self.font_scale = scale
            font = QFont(self._saved["font"])
            font.setPointSizeF(font.pointSizeF() * scale)
            w.setFont(font)
            self.layout.arrange(doc, lesson=self._lesson_doc() is not None, presenting=True)
            QApplication.sendPostedEvents(None, QEvent.LayoutRequest)   # the new size hints
            w.layout().activate()
            QApplication.sendPostedEvents(None, QEvent.LayoutRequest)   # the docks' insides
            hint = w.minimumSizeHint()
            if hint.width() <= screen.width() and hint.height() <= screen.height() \
                    and self._picture_side() >= PICTURE * screen.height() \
                    and self._curves_height() >= CURVES * screen.height():
                break
        if not w.isFullScreen():    # a window too large for the screen left full screen
            w.showFullScreen()
        self._saved["presenter_font"] = QFont(w.font())
        self.view.text_scale = self._saved["text_scale"] * self.font_scale
        self.view.fit()
        self.restyle_new_items()
        self._restyle_timer.start()

    def _picture_side(self) -> float:
        """The side of the decision boundary's square as laid out now (infinite when the
        boundary is not shown). At 1280x720 the largest font left it 70 to 90 px: the class
        read the text but could not see what the network does."""
        hub = getattr(self.window, "live_views", None)
        view = hub.views.get("boundary") if hub is not None else None
        box = view.plot.parentWidget() if view is not None else None
        if box is None or not box.isVisible():
            return float("inf")
        return min(box.width(), box.height())

    def _curves_height(self) -> float:
        """The height of the loss and accuracy plots' widget as laid out now (infinite when
        the view is not shown): at 1280x720 the largest font left it 162 px, 45 px of it
        curve once the axes took their presenter font. The widget, not the plotting area, is
        measured: the axes get their presenter font only after the scale is chosen."""
        hub = getattr(self.window, "live_views", None)
        view = hub.views.get("metrics") if hub is not None else None
        if view is None or not view.graphs.isVisible():
            return float("inf")
        return view.graphs.height()

    def restyle_new_items(self) -> None:
        """Wider pens on every curve, and the presenter font for tick labels, axis titles and
        legend entries, remembered.

        Items styled before are skipped unless their view has set a new pen since (then that
        pen is the one to restore, and it is widened in turn).
        """
        if self._saved is None:
            return
        pens, axes = self._saved["pens"], self._saved["axes"]
        labels = self._saved.setdefault("labels", {})
        size = f"{self._saved['presenter_font'].pointSizeF():.1f}pt"
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
                elif isinstance(item, pg.AxisItem) and \
                        item.labelStyle.get("font-size") != size:   # new, or relabelled
                    item.setTickFont(self._saved["presenter_font"])
                    axes[item] = dict(item.labelStyle)
                    _set_axis_label_style(item, {**item.labelStyle, "font-size": size})
                elif isinstance(item, pg.LabelItem) and item not in labels:
                    labels[item] = dict(item.opts)      # legend entries, plot titles
                    item.setText(item.text, size=size)

    def _leave(self) -> None:
        w, saved = self.window, self._saved
        self._saved = None
        self._restyle_timer.stop()
        for action in (self.act_leave, self.act_next, self.act_prev):
            action.setEnabled(False)
        w.setPalette(saved["palette"])
        w.setFont(saved["font"])
        self.view.text_scale = saved["text_scale"]
        for item, (old, _new) in saved["pens"].items():
            if shiboken6.isValid(item):     # a curve deleted while presenting needs nothing
                item.setPen(old)
        for axis, style in saved["axes"].items():
            if shiboken6.isValid(axis):
                axis.setTickFont(None)
                _set_axis_label_style(axis, style, restore=True)
        for label, opts in saved.get("labels", {}).items():
            if shiboken6.isValid(label):
                label.opts = opts
                label.setText(label.text)
        self.layout.put_back(saved["layout"])
        self.layout.hold(None)
        self.view.fit()


__all__ = ["PresenterMode", "find_menu", "EDITING_DOCKS"]
