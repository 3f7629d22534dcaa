"""What a class at the back of the room would see: every visible text whole, every view big enough.

`audit(window)` walks the shown widgets of a main window and returns an `Audit`: the texts it
checked (labels, buttons, check boxes, tabs, dock titles, group titles, combo boxes, the
diagram's block labels) and, for each one cut, elided, clipped or too small to read, a line
naming it. Used by tests/ui/test_layout_fit.py (in a subprocess per screen size) and by the
screenshot script.

A text "fits" when its widget is at least as large as the text needs (QFontMetrics against the
widget's rectangle, the way the widget itself lays it out) and no ancestor that cannot scroll
clips it. Readable means at least `min_pt` points (11 at 1280x720; the window's font scales
with the screen, so this is the floor).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QRect
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import (QAbstractButton, QAbstractScrollArea, QCheckBox, QComboBox,
                               QDockWidget, QGroupBox, QLabel, QPushButton, QRadioButton,
                               QStyle, QStyleOptionButton, QTabBar, QToolBar, QToolButton,
                               QWidget)

MIN_PT = 11.0
SLACK = 1           # pixels of rounding allowed
MIN_PLOT_PX = 40    # the least plotting area, each way, in which a class can follow a curve
MIN_MULTIPLE_PX = 16   # the same for one of 8 or more small plots compared by their shape


@dataclass
class Audit:
    checked: int = 0
    cut: list[str] = field(default_factory=list)
    small: list[str] = field(default_factory=list)
    views: list[str] = field(default_factory=list)      # views too small for their content
    status: list[str] = field(default_factory=list)     # status-bar messages cut (not failed)
    window: list[str] = field(default_factory=list)     # the window outside the screen

    def problems(self) -> list[str]:
        return self.window + self.cut + self.small + self.views


def shown(widget: QWidget) -> bool:
    """Visible to the user: shown, not in a hidden tab, some of it on screen."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def _name(widget: QWidget, text: str) -> str:
    chain, w = [], widget
    while w is not None and len(chain) < 4:
        chain.append(w.objectName() or type(w).__name__)
        w = w.parentWidget()
    return f"{text!r} in {'/'.join(reversed(chain))}"


def _in_scroll_area(widget: QWidget) -> bool:
    w = widget.parentWidget()
    while w is not None:
        if isinstance(w, QAbstractScrollArea):
            return True
        w = w.parentWidget()
    return False


def _clipped(widget: QWidget) -> bool:
    """Part of the widget hidden by an ancestor's edge (not by a scroll area, which scrolls)."""
    if _in_scroll_area(widget):
        return False
    visible = widget.visibleRegion().boundingRect()
    full = widget.rect()
    return visible.width() < full.width() - SLACK or visible.height() < full.height() - SLACK


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _label_needs(label: QLabel) -> tuple[int, int]:
    if label.wordWrap():
        return 0, label.heightForWidth(label.width())
    hint = label.sizeHint()
    return hint.width(), hint.height()


def _button_needs(button: QAbstractButton) -> tuple[int, int]:
    if isinstance(button, (QCheckBox, QRadioButton, QToolButton)):
        hint = button.sizeHint()
        return hint.width(), button.fontMetrics().height()
    # A push button's size hint has a style minimum width (80 in Fusion); the text itself
    # needs its advance plus the style's margins.
    option = QStyleOptionButton()
    option.initFrom(button)
    fm = button.fontMetrics()
    margin = button.style().pixelMetric(QStyle.PM_ButtonMargin, option, button)
    icon = button.iconSize().width() + 4 if not button.icon().isNull() else 0
    return fm.horizontalAdvance(_plain(button.text())) + icon + margin, fm.height()


class Auditor:
    def __init__(self, window, min_pt: float = MIN_PT):
        self.window = window
        self.min_pt = min_pt
        self.result = Audit()

    def text(self, widget, text, needs_w, needs_h, have: QRect | None = None, font=None,
             clip=True):
        text = text.strip()
        if not text:
            return
        self.result.checked += 1
        have = have or widget.rect()
        name = _name(widget, text)
        if needs_w > have.width() + SLACK or needs_h > have.height() + SLACK:
            self.result.cut.append(f"{name}: needs {needs_w}x{needs_h}, has "
                                   f"{have.width()}x{have.height()}")
        elif clip and _clipped(widget):
            self.result.cut.append(f"{name}: clipped by its container")
        pt = (font or widget.font()).pointSizeF()
        if 0 < pt < self.min_pt - 0.05:
            self.result.small.append(f"{name}: {pt:.1f} pt")

    def run(self) -> Audit:
        self._window_on_screen()
        for widget in self.window.findChildren(QWidget):
            if not shown(widget):
                self._squeezed(widget)
                continue
            if isinstance(widget, QLabel):
                w, h = _label_needs(widget)
                self.text(widget, widget.text(), w, h)
            elif isinstance(widget, QAbstractButton) and not (
                    isinstance(widget, QToolButton) and widget.objectName().startswith("qt_")):
                w, h = _button_needs(widget)
                if not isinstance(widget, QPushButton) and not widget.text():
                    continue
                self.text(widget, widget.text(), w, h)
            elif isinstance(widget, QTabBar):
                self._tabs(widget)
            elif isinstance(widget, QComboBox):
                fm = widget.fontMetrics()
                arrow = widget.style().pixelMetric(QStyle.PM_ScrollBarExtent) + 8
                self.text(widget, widget.currentText(),
                          fm.horizontalAdvance(widget.currentText()) + arrow, fm.height())
            elif isinstance(widget, QGroupBox) and widget.title():
                fm = widget.fontMetrics()
                extra = 24 if widget.isCheckable() else 8
                self.text(widget, widget.title(),
                          fm.horizontalAdvance(_plain(widget.title())) + extra, fm.height())
            elif isinstance(widget, QDockWidget) and widget.titleBarWidget() is None:
                self._dock_title(widget)
            elif isinstance(widget, QToolBar):
                ext = widget.findChild(QToolButton, "qt_toolbar_ext_button")
                if ext is not None and ext.isVisible():
                    self.result.cut.append(f"toolbar {widget.objectName()}: actions hidden "
                                           "behind its extension button")
        self._status_message()
        self._diagram()
        self._views()
        self._plots()
        return self.result

    def _plots(self):
        """A plot laid out past its widget's edge (axes and tick labels too large for the
        room it got): its far side, a matrix's last column, a histogram's last row, is out
        of sight. Checked on what draws (the axes and the plotting area), not the margins.
        And a plot squeezed to a strip: lesson 12's layer health once drew three plots of 0 px
        each, the weight histograms two of 20 px; no class reads a curve in less than
        MIN_PLOT_PX (small multiples, compared by their shape: MIN_MULTIPLE_PX)."""
        import pyqtgraph as pg
        for widget in self.window.findChildren(pg.GraphicsView):
            if not shown(widget.viewport()):        # the view itself is all viewport
                continue
            inside = widget.rect().adjusted(-SLACK, -SLACK, SLACK, SLACK)
            plots = [p for p in widget.scene().items()
                     if isinstance(p, pg.PlotItem) and p.isVisible()]
            least = MIN_MULTIPLE_PX if len(plots) >= 8 else MIN_PLOT_PX
            for plot in plots:
                self.result.checked += 1
                title = plot.titleLabel.text if plot.titleLabel.isVisible() else ""
                name = f"plot {_name(widget, title or type(widget).__name__)}"
                parts = [plot.getViewBox()] + [a["item"] for a in plot.axes.values()
                                               if a["item"].isVisible()]
                boxes = [widget.mapFromScene(part.mapRectToScene(part.rect())).boundingRect()
                         for part in parts]
                area = boxes[0]         # the view box: where the curves are drawn
                if area.height() < least or area.width() < least:
                    self.result.cut.append(
                        f"{name}: only {area.width():.0f}x{area.height():.0f} px to plot in "
                        f"(at least {least})")
                    continue
                out = next(((part, box) for part, box in zip(parts, boxes)
                            if not inside.contains(box)), None)
                if out is not None:
                    self.result.cut.append(
                        f"{name}: its {type(out[0]).__name__} reaches {out[1].getRect()}, out "
                        f"of the widget's {widget.width()}x{widget.height()}")

    def _squeezed(self, widget):
        """A shown widget with text that its layout squeezed to nothing (a combo box row got
        no height once): its parent shows, it does not."""
        text = widget.text() if isinstance(widget, (QLabel, QAbstractButton)) else \
            widget.currentText() if isinstance(widget, QComboBox) else ""
        if not text or not widget.isVisible():
            return
        chain, w = [], widget
        while w is not None and not shown(w):
            chain.append(w)
            w = w.parentWidget()
        if w is not None and any(c.width() <= 1 or c.height() <= 1 for c in chain):
            self.result.checked += 1
            self.result.cut.append(f"{_name(widget, text)}: squeezed to nothing")

    def _window_on_screen(self):
        w = self.window
        screen = w.screen().availableGeometry()
        frame = w.frameGeometry()
        if not screen.contains(frame):
            self.result.window.append(f"window {frame.getRect()} outside the screen "
                                      f"{screen.getRect()}")
        if w.minimumSizeHint().width() > screen.width() or \
                w.minimumSizeHint().height() > screen.height():
            self.result.window.append(f"window cannot shrink below "
                                      f"{w.minimumSizeHint().toTuple()} on {screen.getRect()}")

    def _status_message(self):
        """The status bar's message gets the room its permanent widgets leave."""
        bar = self.window.statusBar()
        message = bar.currentMessage()
        if not message or not shown(bar):
            return
        taken = sum(w.width() + 4 for w in bar.findChildren(QWidget)
                    if w.parentWidget() is bar and shown(w))
        fm = bar.fontMetrics()
        if fm.horizontalAdvance(message) + 12 > bar.width() - taken:
            self.result.status.append(f"status message {message!r} cut")

    def _tabs(self, bar: QTabBar):
        for i in range(bar.count()):
            if not bar.isTabVisible(i):
                continue
            rect = bar.tabRect(i)
            need = bar.tabSizeHint(i)
            self.text(bar, bar.tabText(i), need.width(), 0, rect, clip=False)
            if not bar.rect().contains(rect):
                self.result.cut.append(f"tab {bar.tabText(i)!r} scrolled out of its bar")

    def _dock_title(self, dock: QDockWidget):
        fm = dock.fontMetrics()
        buttons = sum(b.width() for b in dock.findChildren(QAbstractButton)
                      if b.parentWidget() is dock and b.isVisible())
        area = dock.width() - buttons - 2 * dock.style().pixelMetric(
            QStyle.PM_DockWidgetTitleMargin, None, dock)
        title = dock.windowTitle()
        self.text(dock, title, fm.horizontalAdvance(title), 0, QRect(0, 0, area, fm.height()),
                  clip=False)

    def _diagram(self):
        view = getattr(self.window, "view", None)
        if view is None or not shown(view):
            return
        from nnplayground.ui.diagram_items import NodeItem
        scale = view.transform().m11()
        viewport = view.viewport().rect()
        for item in view.scene().items():
            if not isinstance(item, NodeItem):
                continue
            for text, font, width in item.text_lines():
                self.result.checked += 1
                name = f"block {item.node_id!r} text {text!r}"
                if QFontMetricsF(font).horizontalAdvance(text) > width + 0.5:
                    self.result.cut.append(f"{name}: elided in its block")
                if font.pointSizeF() * scale < self.min_pt - 0.05:
                    self.result.small.append(f"{name}: {font.pointSizeF() * scale:.1f} pt "
                                             "on screen")
            box = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
            if not viewport.contains(box):      # the fit shows the whole network
                self.result.cut.append(f"block {item.node_id!r} outside the diagram view")

    def _views(self):
        hub = getattr(self.window, "live_views", None)
        if hub is None:
            return
        for name in hub.visible_views():
            view = hub.views[name]
            check = getattr(view, "content_problems", None)
            if check is not None and view.info is not None and view.applies_to(view.info):
                self.result.views += [f"view {name}: {p}" for p in check()]


def audit(window, min_pt: float = MIN_PT) -> Audit:
    return Auditor(window, min_pt).run()


# -- the sweep: run in a subprocess per screen (the offscreen platform's screen is fixed) -----

def screen_config(width: int, height: int, dpr: float = 1.0) -> str:
    """A QT_QPA_PLATFORM value: the offscreen platform with one screen of this size."""
    import json
    import tempfile
    path = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump({"screens": [{"name": "projector", "x": 0, "y": 0, "width": width,
                            "height": height, "logicalDpi": 96, "logicalBaseDpi": 96,
                            "dpr": dpr}]}, path)
    path.close()
    return f"offscreen:configfile={path.name}"


def _wait(app, condition, timeout=60.0):
    import time
    end = time.monotonic() + timeout      # a bound on a hang, not a timing assertion
    while not condition() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)
    return condition()


def _train_a_moment(app, window, steps=20):
    c = window.controller
    _wait(app, lambda: c.state != "loading" and window.training.loaded_doc is not None)
    if not window.training.act_play.isEnabled():
        return
    start = c.latest_snapshot.step if c.latest_snapshot is not None else 0
    window.training.play_pause()
    _wait(app, lambda: not c.running or (c.latest_snapshot is not None
                                         and c.latest_snapshot.step >= start + steps))
    if c.running:
        c.pause()
    _wait(app, lambda: not c.running)
    for _ in range(5):
        app.processEvents()


def _panel_plot(window):
    """The plotting area of the lesson panel's plot (the race's contour), [width, height] in
    pixels, or None when no lesson panel with a plot shows."""
    import pyqtgraph as pg
    plot = getattr(window.lessons.panel, "plot", None)
    if not isinstance(plot, pg.PlotItem) or not shown(window.lessons.panel):
        return None
    size = plot.getViewBox().size()
    return [round(size.width()), round(size.height())]


def _filters_sizes(window):
    """The Filters and feature maps view's pictures as shown: {"input": the test digit's
    side, "kernel": a filter's side, "map": a feature map's side} in pixels, or None when the
    view or its maps are not shown."""
    view = window.live_views.views.get("filters")
    if view is None or not shown(view.maps_image) or view.maps_image.tiles is None:
        return None
    return {"input": view.input_image.target().height(),
            "kernel": round(view.filter_image.tile_side()),
            "map": round(view.maps_image.tile_side())}


def _layout_state(window):
    from PySide6.QtWidgets import QDockWidget
    docks = {d.objectName(): (d.isVisible(), d.geometry().getRect() if shown(d) else None)
             for d in window.findChildren(QDockWidget) if d.parent() is window}
    return {"geometry": window.geometry().getRect(), "font": window.font().pointSizeF(),
            "full": window.isFullScreen(), "docks": docks, "style": window.styleSheet()}


def sweep(targets, presenter=True) -> list[dict]:
    """Opens each target (a preset name or a lesson number) in one window, trains a moment and
    audits; with `presenter`, also in presenter mode and after leaving it."""
    import tempfile
    from pathlib import Path

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from nnplayground.ui.main_window import MainWindow
    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="nnp-layout-"))
    settings = QSettings(str(folder / "settings.ini"), QSettings.IniFormat)
    window = MainWindow(settings=settings)
    window.show()
    _wait(app, lambda: window.isVisible(), 5)
    results = []

    def record(target, mode):
        # A frame delivered in the last processEvents() has set the status text, but the
        # relayout it posted runs on the next pass: let the window settle as a screen would.
        for _ in range(3):
            QApplication.sendPostedEvents()
            app.processEvents()
        a = audit(window)
        results.append({"target": str(target), "mode": mode, "checked": a.checked,
                        "problems": a.problems(), "status": a.status,
                        "font_scale": window.lessons.presenter.font_scale,
                        "picture": window.lessons.presenter._picture_side(),
                        "curves": window.lessons.presenter._curves_height(),
                        "screen_height": window.screen().availableGeometry().height(),
                        "panel_plot": _panel_plot(window),
                        "filters": _filters_sizes(window)})

    opened = []
    window.files.document_opened.connect(opened.append)
    for target in targets:
        opened.clear()
        if str(target).isdigit():
            window.lessons.open_lesson(int(target), ask=False)
        else:
            window.files.open_builtin(str(target), ask=False)
        # the document is replaced once the worker has built its run (it may refuse it)
        _wait(app, lambda: opened, 120)
        _train_a_moment(app, window)
        window.view.fit()
        app.processEvents()
        record(target, "window")
        if presenter:
            window.settings.sync()
            before_file = (folder / "settings.ini").read_bytes() \
                if (folder / "settings.ini").exists() else b""
            before = _layout_state(window)
            window.lessons.presenter.action.setChecked(True)
            _wait(app, lambda: window.isFullScreen(), 5)
            for _ in range(10):
                app.processEvents()
            record(target, "presenter")
            window.lessons.presenter.action.setChecked(False)
            _wait(app, lambda: not window.isFullScreen() and not window.window_layout.settling,
                  5)
            for _ in range(10):
                app.processEvents()
            after = _layout_state(window)
            window.settings.sync()
            after_file = (folder / "settings.ini").read_bytes() \
                if (folder / "settings.ini").exists() else b""
            record(target, "after presenter")
            if after != before:
                changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
                results[-1]["problems"].append(f"layout not restored: {changed}")
            if after_file != before_file:
                results[-1]["problems"].append("presenter mode changed the settings file")
    window.model.undo_stack.setClean()
    window.controller.shutdown()
    window.close()
    window.deleteLater()
    app.processEvents()
    return results


if __name__ == "__main__":
    import json
    import sys

    from PySide6.QtCore import QtMsgType, qInstallMessageHandler
    warnings = []

    def _handler(kind, _context, text):
        if kind not in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg) and \
                "propagateSizeHints" not in text:
            warnings.append(text)
    qInstallMessageHandler(_handler)
    out = sweep(sys.argv[1].split(","), presenter=sys.argv[2] == "presenter")
    print(json.dumps({"results": out, "qt_warnings": warnings}))
