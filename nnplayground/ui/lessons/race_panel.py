"""Lesson 6: the optimizer race, drawn on the function's contour plot and animated by step.

The race itself is `nnplayground.lessons.optimizer_race` (the engine's own optimizers, a few
milliseconds for five paths), so only the drawing lives here: a light filled contour of
f(x, y), one path per optimizer, and a step slider that Play advances so a class can watch
SGD zig-zag while Adam heads for the minimum.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy,
                               QSlider, QVBoxLayout, QWidget)

from nnplayground.lessons import optimizer_race as R

from nnplayground.ui.views.common import WideWatcher, WrapRow

from .common import compact, light, pen

BACKGROUND = pg.ColorMap([0.0, 1.0], [(250, 250, 255), (190, 205, 235)])
PLAY_INTERVAL_MS = 120
# The legend stands right of the plot unless the plot is narrower than this times its
# height: above it, its rows took 50 to 75 px of a 230 px plot (lesson 6 presented at 1280x720)
LEGEND_BESIDE = 1.3


def legend_entry(label: str, lr: float | None, arrival: int | None) -> str:
    """A racer's legend entry: its name, its learning rate unless all share one (the readout
    says it then), and how many steps it took to reach the minimum. Short: beside the plot,
    every character of the widest entry is taken from the contour's width."""
    rate = "" if lr is None else f" (lr {lr:g})"
    return f"{label}{rate}: {'never' if arrival is None else arrival}"


class OptimizerRacePanel(QWidget):
    """Function and line-up choices, contour plot with paths, step slider and Play/Pause."""

    title = "Optimizer race"

    def __init__(self, settings: dict | None = None, parent=None):
        super().__init__(parent)
        settings = dict(settings or {})
        self.steps = int(settings.get("steps", 30))
        self.tolerance = float(settings.get("tolerance", 0.1))
        self.function_box = compact(QComboBox())
        for name in settings.get("functions") or list(R.FUNCTIONS):
            self.function_box.addItem(f"f(x, y) = {R.get_function(name).formula}", name)
        self.function_box.setToolTip("The function the optimizers minimise")
        index = self.function_box.findData(settings.get("function"))
        self.function_box.setCurrentIndex(max(index, 0))
        # The lesson's start point belongs to the lesson's function; others start at their own.
        self.start = (settings.get("function"), settings.get("start"))
        self.lineup_box = compact(QComboBox())
        # The lesson's line-ups first: the race opens on the one its notes discuss first.
        for lineup in settings.get("line_ups", []):
            self.lineup_box.addItem(lineup["label"],
                                    [tuple(pair) for pair in lineup["optimizers"]])
        self.lineup_box.addItem("each its own learning rate (tuned)", None)
        self.lineup_box.setToolTip("The optimizers and their learning rates")
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(0, self.steps)
        self.slider.setToolTip("How many update steps to show")
        self.play_button = QPushButton("Play")
        self.play_button.setToolTip("Animate the race step by step")
        self.step_label = QLabel()
        self.readout = QLabel()
        self.readout.setWordWrap(True)
        # The legend in a row above the contour plot: inside, it hid the paths that overshoot.
        self.plot_widget = light(pg.GraphicsLayoutWidget())
        self.plot_widget.setMinimumHeight(170)     # the race is what the class watches
        self.legend = pg.LegendItem(colCount=3, labelTextColor="k", verSpacing=-4)
        self.legend.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.plot_widget.ci.addItem(self.legend, row=0, col=0)
        self.plot = self.plot_widget.ci.addPlot(row=1, col=0)
        self.legend_beside = False
        WideWatcher(self.plot_widget, self._place_legend, ratio=LEGEND_BESIDE)
        self.plot.setLabel("bottom", "x")
        self.plot.setLabel("left", "y")
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.isocurves = []
        self.paths: dict[str, pg.PlotDataItem] = {}
        self.heads: dict[str, pg.ScatterPlotItem] = {}
        self.minimum = pg.ScatterPlotItem(symbol="star", size=18, brush=pg.mkBrush("k"))
        self.plot.addItem(self.minimum)
        self.timer = QTimer(self, interval=PLAY_INTERVAL_MS)
        self.timer.timeout.connect(self._on_tick)
        top = QHBoxLayout()     # stacked when narrow (presenter mode): never cut
        top.addWidget(WrapRow(self.function_box, self.lineup_box), 1)
        bar = QHBoxLayout()
        bar.addWidget(self.play_button)
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.step_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.plot_widget, 1)
        layout.addLayout(bar)
        layout.addWidget(self.readout)
        self.function_box.currentIndexChanged.connect(lambda _i: self.recompute())
        self.lineup_box.currentIndexChanged.connect(lambda _i: self.recompute())
        self.slider.valueChanged.connect(self._on_step_changed)
        self.play_button.clicked.connect(self.toggle_play)
        self.result = None
        self.recompute()

    def _place_legend(self, beside):
        """The legend in one column right of the plot when the panel is wide and short (lesson
        6 at 1280x720: above it, its two rows left the contour plot a 50 px strip), in rows
        above the plot otherwise."""
        if beside == self.legend_beside:
            return
        self.legend_beside = beside
        layout = self.plot_widget.ci
        layout.removeItem(self.legend)
        layout.removeItem(self.plot)
        self.legend.setColumnCount(1 if beside else 3)
        if beside:
            layout.addItem(self.plot, row=0, col=0)
            layout.addItem(self.legend, row=0, col=1)
            # at the top, its rows as tall as their text: stretched to the plot's height, each
            # sample line sat under its name, nearer the next name
            layout.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignTop)
        else:
            layout.addItem(self.legend, row=0, col=0)
            layout.addItem(self.plot, row=1, col=0)

    def recompute(self) -> None:
        """Run the race for the chosen function and line-up, redraw, rewind to step 0."""
        name = self.function_box.currentData()
        fn = R.get_function(name)
        # A learning rate too large for the function overflows on purpose: race() stops that
        # path where it leaves the finite numbers, which is the lesson, not a warning.
        with np.errstate(over="ignore", invalid="ignore"):
            self.result = R.race(name, steps=self.steps,
                                 start=self.start[1] if name == self.start[0] else None,
                                 optimizers=self.lineup_box.currentData(),
                                 tolerance=self.tolerance)
        xs, ys, z = R.contour_grid(name, n=160)
        shown = np.log1p(z - z.min())
        self.image.setImage(shown.T, levels=(shown.min(), shown.max()))
        self.image.setLookupTable(BACKGROUND.getLookupTable(nPts=256))
        self.image.setRect(QRectF(xs[0], ys[0], xs[-1] - xs[0], ys[-1] - ys[0]))
        for item in self.isocurves:
            self.plot.removeItem(item)
        self.isocurves = []
        for level in np.quantile(shown, [0.03, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9]):
            iso = pg.IsocurveItem(data=shown.T, level=float(level),
                                  pen=pg.mkPen((110, 120, 150), width=1))
            iso.setParentItem(self.image)
            self.isocurves.append(iso)
        for item in list(self.paths.values()) + list(self.heads.values()):
            self.plot.removeItem(item)
        self.legend.clear()
        self.paths, self.heads = {}, {}
        rates = {label: spec.get("lr") for label, spec in self.result.optimizers.items()}
        shared = len(set(rates.values())) == 1
        for i, label in enumerate(self.result.paths):
            self.paths[label] = self.plot.plot([], [], pen=pen(i, 2.5))
            self.legend.addItem(self.paths[label], legend_entry(
                label, None if shared else rates[label], self.result.steps_to_minimum[label]))
            head = pg.ScatterPlotItem(size=10, brush=pen(i).color(), pen=pg.mkPen("k"))
            self.plot.addItem(head)
            self.heads[label] = head
        self.minimum.setData([fn.minimum[0]], [fn.minimum[1]])
        self.plot.setRange(xRange=fn.x_range, yRange=fn.y_range, padding=0)
        self.readout.setText(f"After each name: steps to within {self.tolerance:g} of "
                             "\u2605, the minimum")
        self.slider.setValue(0)
        self._on_step_changed(0)

    def _on_step_changed(self, step: int) -> None:
        self.step_label.setText(f"step {step} / {self.steps}")
        for label, path in self.result.paths.items():
            shown = path[: step + 1]
            self.paths[label].setData(shown[:, 0], shown[:, 1])
            self.heads[label].setData([shown[-1, 0]], [shown[-1, 1]])

    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
        else:
            if self.slider.value() >= self.steps:
                self.slider.setValue(0)
            self.timer.start()
        self.play_button.setText("Pause" if self.timer.isActive() else "Play")

    def _on_tick(self) -> None:
        if self.slider.value() >= self.steps:
            self.toggle_play()
            return
        self.slider.setValue(self.slider.value() + 1)

    def shown_points(self) -> dict[str, int]:
        """{optimizer: number of path points drawn} - grows with the step."""
        return {label: len(item.getData()[0] if item.getData()[0] is not None else [])
                for label, item in self.paths.items()}


__all__ = ["OptimizerRacePanel"]
