"""Layer health over training: dead ReLUs, saturated sigmoids and tanhs, gradient norms.

The worker measures every layer on the same first training samples about once a second
(`engine.health`, snapshot part "health"); this view draws the three figures of each layer
against the training step, so that a class sees a network with std-1 sigmoids start
saturated, a deep sigmoid stack's first layers get no gradient, and ReLUs die when the learning
rate is too high.

Colours follow depth (dark purple for the first layer to orange for the output), not a palette
of unrelated hues: a deep network has more layers than any palette has colours (lesson 12's
twelve repeated four of them), and vanishing gradients then read as an ordered fan, the darker
curves lowest. A figure no layer has (dead units without a ReLU) is not drawn; the others
stand side by side in a wide, short dock (lesson 12 at 1280x720 had three stacked plots of
0 px each).
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout

from nnplayground.ui.views.common import (LiveView, WideWatcher, light, place_plots,
                                          set_title)
from nnplayground.ui.views.metrics import PointBuffer
from nnplayground.worker import snapshot as S
from nnplayground.worker.builder import HEALTH_SAMPLES

MEASURED = f"{HEALTH_SAMPLES} training samples"

FIGURES = (("dead", "dead ReLU units (%)"), ("saturated", "saturated outputs (%)"),
           ("grad_norm", "gradient norm |dL/dW| (log)"))
ABSENT = {"dead": "no ReLU layer", "saturated": "no sigmoid or tanh layer"}
DEPTH = pg.colormap.get("plasma")
DEEPEST = 0.85      # plasma's last yellows are too pale on the white plots


def depth_colour(i, layers):
    """The colour of layer i (0 = first) of `layers`: along plasma, from dark to orange."""
    t = DEEPEST * i / max(layers - 1, 1)
    return tuple(int(c) for c in DEPTH.map(t, mode="byte")[:3])


class HealthView(LiveView):
    """Per layer: share of dead units, share of saturated outputs, and the gradient norm."""

    title = "Layer health"
    parts = frozenset({S.VIEW_HEALTH})

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(2, 2, 2, 2)
        self.caption = QLabel(f"Measured on {MEASURED} as the network trains")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        # the layers' names in their colours, wrapped like text: a plot legend of twelve
        # layers ran off the side of the dock
        self.legend = QLabel("")
        self.legend.setWordWrap(True)
        layout.addWidget(self.legend)
        self.graphs = light(pg.GraphicsLayoutWidget())
        self.graphs.setMinimumHeight(150)
        layout.addWidget(self.graphs, 1)
        self.plots = {}
        for key, label in FIGURES:
            plot = pg.PlotItem()
            plot.showGrid(x=True, y=True, alpha=0.2)
            set_title(plot, label)
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            plot.setLabel("bottom", "step")
            if key == "grad_norm":
                plot.setLogMode(y=True)
            else:
                plot.setYRange(0, 100)
            self.plots[key] = plot
        self.shown = [key for key, _ in FIGURES]     # the figures drawn, in FIGURES' order
        self.side_by_side = False
        self._arrange(False)
        WideWatcher(self.graphs, self._arrange)
        self.curves = {}        # (figure, node) -> PlotDataItem
        self.series = {}        # (figure, node) -> PointBuffer
        self.latest = None      # the newest snapshot's (LayerHealth, ...)

    def _arrange(self, side_by_side=None):
        """The shown figures one above the other in a tall dock, side by side in a wide one."""
        if side_by_side is not None:
            self.side_by_side = side_by_side
        place_plots(self.graphs.ci, [self.plots[key] for key in self.shown], self.side_by_side)

    def _show_figures(self, health):
        """Draw only the figures some layer has; say in the plots' place which are left out."""
        shown = [key for key, _ in FIGURES
                 if key == "grad_norm" or any(getattr(h, key) is not None for h in health)]
        if shown != self.shown:
            self.shown = shown
            self._arrange()

    def applies_to(self, info):
        return True

    def on_dataset(self, info):
        for plot in self.plots.values():
            plot.clear()
        self.legend.setText("")
        self.curves, self.series, self.latest = {}, {}, None
        self.caption.setText(f"Measured on {MEASURED} as the network trains")

    def on_snapshot(self, snapshot):
        if snapshot.rewound:
            self.on_dataset(self.info)
        if snapshot.health is None or snapshot.replay or snapshot.health is self.latest:
            return
        self.latest = snapshot.health
        self._show_figures(snapshot.health)
        layers = len(snapshot.health)
        self.legend.setText("layers, first to last: " + " ".join(
            "<span style='color: rgb({},{},{})'>&#9632;&nbsp;{}</span>".format(
                *depth_colour(i, layers), html.escape(h.node_id))
            for i, h in enumerate(snapshot.health)))
        for i, layer in enumerate(snapshot.health):
            colour = depth_colour(i, len(snapshot.health))
            for key, _ in FIGURES:
                value = getattr(layer, key)
                if value is None or (key == "grad_norm" and value <= 0):
                    continue
                value = value if key == "grad_norm" else 100.0 * value
                curve_key = (key, layer.node_id)
                if curve_key not in self.curves:
                    curve = self.plots[key].plot(pen=pg.mkPen(colour, width=2),
                                                 name=layer.node_id)
                    self.curves[curve_key] = curve
                    self.series[curve_key] = PointBuffer(2000)
                buffer = self.series[curve_key]
                buffer.extend(np.array([[snapshot.step, value]], float))
                self.curves[curve_key].setData(buffer.data[:, 0], buffer.data[:, 1])
        self.caption.setText(self._summary(snapshot.health))

    @staticmethod
    def _summary(health):
        """One line a teacher can read out: the worst of each symptom right now."""
        parts = []
        dead = [(h.dead, h.node_id) for h in health if h.dead is not None]
        if dead:
            share, node = max(dead)
            parts.append(f"{node} {100 * share:.0f}% dead")
        sat = [(h.saturated, h.node_id) for h in health if h.saturated is not None]
        if sat:
            share, node = max(sat)
            parts.append(f"{node} {100 * share:.0f}% saturated")
        norms = [h.grad_norm for h in health if h.grad_norm]
        if len(norms) >= 2 and norms[0] > 0:
            parts.append(f"gradient last/first {norms[-1] / norms[0]:.3g}")
        absent = [ABSENT[key] for key in ABSENT if all(getattr(h, key) is None for h in health)]
        if absent:
            parts.append(" and ".join(absent) + " (not drawn)")
        return "Now: " + "; ".join(parts) if parts else f"Measured on {MEASURED}"
