"""1-D regression: the data points and the network's curve over the input range."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout

from nnplayground.ui.views.common import BLUE, FONT_PT, ORANGE, TEXT, LiveView, light
from nnplayground.worker import snapshot as S


class CurveView(LiveView):
    title = "Regression curve"
    parts = frozenset({S.VIEW_CURVE})

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(2, 2, 2, 2)
        self.plot = light(pg.PlotWidget())
        # top-left, where a sine's data rarely is; translucent so a curve there still shows
        self.plot.addLegend(offset=(10, 10), labelTextColor=TEXT, labelTextSize=f"{FONT_PT}pt",
                            brush=(255, 255, 255, 200), pen=(200, 200, 200))
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setLabel("bottom", "x")
        self.plot.setLabel("left", "y")
        layout.addWidget(self.plot)
        self.train = pg.ScatterPlotItem(size=5, brush=pg.mkBrush(ORANGE), pen=None,
                                        name="training data")
        self.test = pg.ScatterPlotItem(size=5, brush=pg.mkBrush(*BLUE, 120), pen=None,
                                       name="test data")
        self.plot.addItem(self.train)
        self.plot.addItem(self.test)
        self.curve = self.plot.plot(name="network", pen=pg.mkPen((20, 20, 20), width=2.5))

    def applies_to(self, info):
        return info.kind == "line"

    def placeholder_text(self, info):
        return "The regression curve is drawn for datasets with one input."

    def on_dataset(self, info):
        self.show_points(info)
        self.curve.setData([], [])

    def show_points(self, info):
        """Other points on the same line (drawn by hand): redrawn, the curve kept."""
        self.info = info
        self.train.setData(info.points_train[:, 0], info.y_train[:, 0])
        self.test.setData(info.points_test[:, 0], info.y_test[:, 0])

    def on_snapshot(self, snapshot):
        if snapshot.curve is not None:
            self.curve.setData(*snapshot.curve)
