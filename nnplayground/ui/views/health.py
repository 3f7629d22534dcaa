"""Layer health over training: dead ReLUs, saturated sigmoids and tanhs, gradient norms.

The worker measures every layer on the same first training samples about once a second
(`engine.health`, snapshot part "health"); this view draws the three figures of each layer
against the training step, one colour per layer, so that a class sees a network with std-1
sigmoids start saturated, a deep sigmoid stack's first layers get no gradient, and ReLUs die
when the learning rate is too high.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout

from nnplayground.ui.views.common import CLASS_COLOURS, LiveView, legend_row, light, set_title
from nnplayground.ui.views.metrics import PointBuffer
from nnplayground.worker import snapshot as S
from nnplayground.worker.builder import HEALTH_SAMPLES

MEASURED = f"{HEALTH_SAMPLES} training samples"

FIGURES = (("dead", "dead ReLU units (%)"), ("saturated", "saturated outputs (%)"),
           ("grad_norm", "gradient norm |dL/dW| (log)"))
ABSENT = {"dead": "dead ReLU units: no ReLU layer",
          "saturated": "saturated outputs: no sigmoid or tanh layer"}


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
        self.graphs = light(pg.GraphicsLayoutWidget())
        layout.addWidget(self.graphs, 1)
        self.legend = legend_row(self.graphs.ci, 0, columns=6)
        self.plots = {}
        for row, (key, label) in enumerate(FIGURES, start=1):
            plot = self.graphs.addPlot(row=row, col=0)
            plot.showGrid(x=True, y=True, alpha=0.2)
            set_title(plot, label)
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            if key == "grad_norm":
                plot.setLogMode(y=True)
                plot.setLabel("bottom", "step")
            else:
                plot.setYRange(0, 100)
            self.plots[key] = plot
        self.curves = {}        # (figure, node) -> PlotDataItem
        self.series = {}        # (figure, node) -> PointBuffer
        self.latest = None      # the newest snapshot's (LayerHealth, ...)

    def applies_to(self, info):
        return True

    def on_dataset(self, info):
        for plot in self.plots.values():
            plot.clear()
        self.legend.clear()
        self.curves, self.series, self.latest = {}, {}, None

    def on_snapshot(self, snapshot):
        if snapshot.rewound:
            self.on_dataset(self.info)
        if snapshot.health is None or snapshot.replay or snapshot.health is self.latest:
            return
        self.latest = snapshot.health
        for i, layer in enumerate(snapshot.health):
            colour = CLASS_COLOURS[i % len(CLASS_COLOURS)]
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
                    if not any(k[1] == layer.node_id for k in self.curves if k != curve_key):
                        self.legend.addItem(curve, layer.node_id)
                buffer = self.series[curve_key]
                buffer.extend(np.array([[snapshot.step, value]], float))
                self.curves[curve_key].setData(buffer.data[:, 0], buffer.data[:, 1])
        for key, label in FIGURES[:2]:
            present = any(getattr(h, key) is not None for h in snapshot.health)
            set_title(self.plots[key], label if present else ABSENT[key])
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
        return "Now: " + "; ".join(parts) if parts else f"Measured on {MEASURED}"
