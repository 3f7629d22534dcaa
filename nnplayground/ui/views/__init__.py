"""Live views of a training run, each in a dock of the main window.

`install_views(window, controller)` creates every view once, docks it, connects it to the
controller's snapshots and tells the worker which views are visible (so it computes only what
they draw). The window's layout (ui/layout.py) decides which views show; a view that has
nothing to draw for the loaded dataset is hidden when the data arrives. The user can hide or
show any of them from the View menu (the docks' toggleViewActions).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from nnplayground.ui.views.backprop import BackpropView
from nnplayground.ui.views.common import cache_axes
from nnplayground.ui.views.drawpad import DrawPadView
from nnplayground.ui.views.explain import ExplainView
from nnplayground.ui.views.health import HealthView
from nnplayground.ui.views.layers import LayersView
from nnplayground.ui.views.metrics import MetricsView, StatusWidget
from nnplayground.ui.views.mistakes import MistakesView
from nnplayground.ui.views.mnist import (ConfusionView, FiltersView, PredictionsView,
                                         has_conv_layer)
from nnplayground.ui.views.plane import BoundaryView, UnitsView
from nnplayground.ui.views.regression import CurveView
from nnplayground.ui.views.timeline import Timeline
from nnplayground.ui.views.transformed import TransformedView
from nnplayground.ui.record_dialog import add_save_png_action
from nnplayground.ui.views.weights import HistogramView, UnitWeightsView

__all__ = ["ViewHub", "install_views"]


class ViewHub(QObject):
    """Fans snapshots out to the visible views and keeps the worker told what is visible."""

    def __init__(self, window, controller, views, docks, status):
        super().__init__(window)
        self.controller, self.views, self.docks, self.status = controller, views, docks, status
        self._kind = None
        self._parts = None
        self.extra_parts = frozenset()   # parts others draw from the snapshots (the diagram)
        self.has_conv = None       # whether the loaded model has a Conv2D (None: not known yet)
        controller.snapshot_ready.connect(self._on_snapshot)
        controller.dataset_ready.connect(self._on_dataset)
        controller.cleared.connect(self._on_cleared)
        for dock in docks.values():
            dock.visibilityChanged.connect(self._on_visibility_changed)
        if controller.dataset is not None:
            self._on_dataset(controller.dataset)
            if controller.latest_snapshot is not None:
                self._on_snapshot(controller.latest_snapshot)
        self._send_parts()

    def visible_views(self):
        return [name for name, dock in self.docks.items()
                if dock.isVisible() and not dock.visibleRegion().isEmpty()]

    def _on_visibility_changed(self, *_):
        # A dock's visible region is only updated after this signal, once Qt has laid the docks
        # out (sometimes a paint later): look soon, and again a little later. Every snapshot
        # checks again too (`_send_parts`), which catches the rest while training.
        # (the hub as context object: a pending call is dropped if the window goes away)
        QTimer.singleShot(0, self, self._send_parts)
        QTimer.singleShot(100, self, self._send_parts)

    def add_parts(self, parts):
        """Ask the worker for `parts` whatever is visible (the diagram draws from them too)."""
        self.extra_parts = frozenset(self.extra_parts | parts)
        self._send_parts()

    def _send_parts(self, visible=None):
        parts = set(self.extra_parts)
        for name in visible if visible is not None else self.visible_views():
            parts |= self.views[name].parts
        if parts != self._parts:
            self._parts = parts
            self.controller.set_visible_views(parts)

    def _on_dataset(self, info):
        kind_changed = (info.kind, info.task) != self._kind
        self._kind = (info.kind, info.task)
        if kind_changed:
            self.has_conv = None
        for name, view in self.views.items():
            view.set_dataset(info)
            # The window's layout shows the views a document asks for; a view with nothing to
            # draw for this data goes away (View still lists it, with its placeholder).
            if not view.applies_to(info):
                self.docks[name].setVisible(False)
        if kind_changed:
            self._raise_first_applicable()
        # No replay of controller.latest_snapshot here: on a load it is still the previous
        # model's (the worker announces the data first, then publishes), and drawing it on the
        # new data showed, e.g., xor's 2x2 confusion matrix on MNIST.

    def _on_cleared(self):
        """No run any more (File > New): no view and no status text may show the old one."""
        self._kind = None
        self.has_conv = None
        for view in self.views.values():
            view.clear_run()
        self.status.clear_run()

    def _raise_first_applicable(self):
        for name in ("boundary", "curve", "filters", "metrics"):
            dock = self.docks[name]
            if dock.isVisible():
                dock.raise_()
                break

    def _sync_filters_dock(self, snapshot):
        """The filters dock only for a model with a Conv2D: hidden (and its View menu entry
        disabled) for a dense network on images, shown again when a Conv2D is added.

        Decided from the snapshot's weights (only conv kernels are 4-D), which every snapshot
        carries, so the hidden view needs no snapshots of its own to find out.
        """
        if self._kind is None or self._kind[0] != "image":
            self.docks["filters"].toggleViewAction().setEnabled(True)
            return
        has_conv = has_conv_layer(snapshot.weights)
        dock = self.docks["filters"]
        dock.toggleViewAction().setEnabled(has_conv)
        if has_conv != self.has_conv:
            self.has_conv = has_conv
            dock.setVisible(has_conv)
        elif not has_conv and dock.isVisible():    # e.g. the window showed a preset's views
            dock.hide()

    def _on_snapshot(self, snapshot):
        self._sync_filters_dock(snapshot)
        self.status.show_snapshot(snapshot)
        visible = self.visible_views()
        for name in visible:
            self.views[name].show_snapshot(snapshot)
        self._send_parts(visible)


def _views(controller):
    return {
        "metrics": MetricsView(),
        "boundary": BoundaryView(),
        "units": UnitsView(),
        "curve": CurveView(),
        "histograms": HistogramView(),
        "unit_weights": UnitWeightsView(),
        "filters": FiltersView(controller),
        "predictions": PredictionsView(),
        "confusion": ConfusionView(),
        "drawpad": DrawPadView(controller),
        "explain": ExplainView(controller),
        "mistakes": MistakesView(),
        "health": HealthView(),
        "backprop": BackpropView(controller),
        "layers": LayersView(controller),
        "transformed": TransformedView(),
    }


# Where each dock goes; docks sharing a group are tabbed together.
_PLACES = {
    "metrics": (Qt.DockWidgetArea.RightDockWidgetArea, "a"),
    "boundary": (Qt.DockWidgetArea.RightDockWidgetArea, "b"),
    "curve": (Qt.DockWidgetArea.RightDockWidgetArea, "b"),
    "filters": (Qt.DockWidgetArea.RightDockWidgetArea, "b"),
    "units": (Qt.DockWidgetArea.BottomDockWidgetArea, "c"),
    "predictions": (Qt.DockWidgetArea.BottomDockWidgetArea, "c"),
    "drawpad": (Qt.DockWidgetArea.BottomDockWidgetArea, "c"),
    "histograms": (Qt.DockWidgetArea.BottomDockWidgetArea, "d"),
    "unit_weights": (Qt.DockWidgetArea.BottomDockWidgetArea, "d"),
    "confusion": (Qt.DockWidgetArea.BottomDockWidgetArea, "d"),
    "explain": (Qt.DockWidgetArea.BottomDockWidgetArea, "c"),
    "mistakes": (Qt.DockWidgetArea.BottomDockWidgetArea, "d"),
    "health": (Qt.DockWidgetArea.RightDockWidgetArea, "a"),
    "backprop": (Qt.DockWidgetArea.RightDockWidgetArea, "a"),
    "layers": (Qt.DockWidgetArea.BottomDockWidgetArea, "c"),
    "transformed": (Qt.DockWidgetArea.BottomDockWidgetArea, "d"),
}


class CompactStatus(StatusWidget):
    """The status line, shortened to what fits beside the status bar's message.

    Its parts ("Epoch 3", "step 914", "3,610 steps/s", "batch loss ...", "loss a / b",
    "accuracy a / b (training / test)") are dropped least important first when the bar is
    narrow (1280x720, presenter mode's large font) or a message needs the room ("Finished 40
    epochs; press Play to train further"), so neither is cut.
    """

    SEPARATOR = "  \u00b7  "
    DROP = ("steps/s", "batch loss", "step ", " (training / test)", "loss ")

    def __init__(self, bar):
        self._bar = bar
        self._full = ""
        super().__init__()
        bar.messageChanged.connect(self._fit)
        bar.installEventFilter(self)

    def setText(self, text):  # noqa: N802
        self._full = text
        self._fit()

    def _room(self) -> int:
        bar = self._bar
        message = bar.currentMessage()
        used = bar.fontMetrics().horizontalAdvance(message) + 40 if message else 0
        others = sum(w.width() + 6 for w in bar.findChildren(QWidget)
                     if w.parentWidget() is bar and w is not self and w.isVisible())
        # 40: the bar's own margins, spacing and size grip, which its layout keeps to itself
        # (24 left a 20,361 steps/s line 10 px short at 1920x1080 at DPR 2)
        return max(bar.width() - used - others - 40, 120)

    def _fit(self, *_):
        text = self._full
        fm = self.fontMetrics()
        for drop in self.DROP:
            if fm.horizontalAdvance(text) <= self._room():
                break
            if drop.startswith(" "):
                text = text.replace(drop, "")
            else:
                text = self.SEPARATOR.join(p for p in text.split(self.SEPARATOR)
                                           if drop not in p)
        super().setText(text)
        self.setToolTip(self._full)

    def eventFilter(self, obj, event):  # noqa: N802
        if obj is self._bar and event.type() == event.Type.Resize:
            self._fit()
        return False

    def changeEvent(self, event):  # noqa: N802
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self._fit()


def install_views(window: QMainWindow, controller) -> dict[str, QDockWidget]:
    """Create the live views as docks of `window`, wired to `controller`; add the status widget.

    Returns {name: dock}; names: metrics, boundary, units, curve, histograms, unit_weights,
    filters, predictions, confusion, drawpad, explain, mistakes, health, backprop, layers,
    transformed. The hub that routes snapshots is kept as
    `window.live_views` (a ViewHub) so tests and the benchmark can reach the views.
    """
    views = _views(controller)
    docks, groups = {}, {}
    for name, view in views.items():
        dock = QDockWidget(view.title, window)
        dock.setObjectName(f"view_{name}")     # lets QMainWindow.saveState restore the layout
        dock.setWidget(view)
        cache_axes(view)
        area, group = _PLACES[name]
        if group in groups:
            window.tabifyDockWidget(groups[group], dock)
        else:
            window.addDockWidget(area, dock)
            groups[group] = dock
        dock.toggleViewAction().setToolTip(f"Show or hide the {view.title.lower()} view")
        add_save_png_action(view)
        docks[name] = dock
    # The input plane is the view people watch: give it more height than the loss curves.
    window.resizeDocks([docks["metrics"], docks["boundary"]], [300, 500], Qt.Orientation.Vertical)
    status = CompactStatus(window.statusBar())
    window.statusBar().addPermanentWidget(status)
    window.live_views = ViewHub(window, controller, views, docks, status)
    window.live_views.timeline = Timeline(controller)     # the scrubber, under the plots
    views["metrics"].body.layout().addWidget(window.live_views.timeline)
    window.live_views.timeline.attach(views["metrics"].loss_plot)
    _connect_inside_views(views, docks)
    return docks


def _connect_inside_views(views, docks):
    """The drawing pad's digits are explained; a confusion cell lists its test images in the
    mistakes browser, and a chosen one goes to the drawing pad and is explained."""
    explain, mistakes, drawpad = views["explain"], views["mistakes"], views["drawpad"]
    explain.follow(drawpad)
    # tabbed in last, they would be the tabs in front: keep the earlier ones there
    for name in ("metrics", "drawpad", "confusion"):
        docks[name].raise_()

    def show_cell(row, col, probabilities):
        docks["mistakes"].show()
        docks["mistakes"].raise_()
        mistakes.show_cell(row, col, probabilities)

    def choose(index):
        info = mistakes.info
        drawpad.show_digit(info.images_test[index])
        docks["explain"].show()
        docks["explain"].raise_()
        explain.explain_image(info.images_test[index],
                              f"test image {index} (a {int(info.y_test[index])})")

    views["confusion"].cell_clicked.connect(show_cell)
    mistakes.image_chosen.connect(choose)
