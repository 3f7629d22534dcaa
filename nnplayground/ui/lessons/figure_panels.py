"""Lessons 3, 8 and 14: activation curves, initialisation histograms, Keras code.

Each panel draws numbers computed by `nnplayground.lessons` (no maths here). The histograms
are computed on a background thread: 8 settings x 5 layers x 1000 x 100 activations take long
enough (~0.1-0.3 s) to stutter a projector if done on the GUI thread.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout,
                               QWidget)

from nnplayground.lessons.activation_curves import activation_curves
from nnplayground.lessons.catalog import LessonError
from nnplayground.lessons.init_histograms import INITS, histograms
from nnplayground.lessons.keras_code import keras_code
from nnplayground.ui.tasks import TaskThread, stop_thread
from nnplayground.ui.views.axes import readable_ticks
from nnplayground.ui.views.common import TEXT

from .common import compact, light, pen


class ActivationPanel(QWidget):
    """Every activation function beside its derivative (what back-propagation multiplies by)."""

    title = "Activation functions"

    def __init__(self, settings: dict | None = None, parent=None):
        super().__init__(parent)
        settings = dict(settings or {})
        kwargs = {}
        if settings.get("functions"):
            kwargs["functions"] = tuple(settings["functions"])
        if settings.get("range"):
            kwargs["x_range"] = tuple(settings["range"])
        if settings.get("points"):
            kwargs["points"] = int(settings["points"])
        self.curves = activation_curves(**kwargs)
        self.graphs = light(pg.GraphicsLayoutWidget())
        self.f_plot = self.graphs.addPlot(row=0, col=0, title="f(x)")
        self.d_plot = self.graphs.addPlot(row=0, col=1, title="f\u2032(x), the derivative")
        # A key above the plots rather than a legend inside: small plots have no free corner.
        self.key = QLabel("  ".join(
            f'<span style="color: {pen(i).color().name()}; font-weight: bold">\u2014 {name}'
            "</span>" for i, name in enumerate(self.curves)))
        self.key.setWordWrap(True)
        self.items = {}
        for i, (name, curve) in enumerate(self.curves.items()):
            f = self.f_plot.plot(curve.x, curve.y, pen=pen(i), name=name)
            d = self.d_plot.plot(curve.x, curve.dy, pen=pen(i))
            self.items[name] = (f, d)
        for plot in (self.f_plot, self.d_plot):
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setLabel("bottom", "x")
        self.f_plot.setYRange(-1.5, 3.0)
        self.d_plot.setYRange(-0.1, 1.2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.key)
        layout.addWidget(self.graphs, 1)


class InitHistogramsPanel(QWidget):
    """A grid of activation histograms: rows = initialisations, columns = layers."""

    title = "Initialisation histograms"

    def __init__(self, settings: dict | None = None, parent=None):
        super().__init__(parent)
        self.settings = dict(settings or {})
        self.activation_box = compact(QComboBox(), 8)
        for act in self.settings.get("activations", ["sigmoid", "relu"]):
            self.activation_box.addItem(act, act)
        self.activation_box.setToolTip("The activation function of every layer")
        self.status = QLabel("Computing the histograms\u2026")
        self.status.setWordWrap(True)
        self.graphs = light(pg.GraphicsLayoutWidget())
        self.graphs.setMinimumHeight(220)     # four rows of histograms a class can read
        top = QHBoxLayout()
        top.addWidget(QLabel("Activation:"))
        top.addWidget(self.activation_box)
        top.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.graphs, 1)
        self.stats = None
        self.bars = {}
        self._thread = None
        self.activation_box.currentIndexChanged.connect(lambda _i: self._draw())
        self.compute()

    def compute(self) -> None:
        """Start the computation off the GUI thread; the grid is drawn when it arrives."""
        s = self.settings
        kwargs = {k: s[k] for k in ("layers", "units", "samples", "bins") if k in s}
        kwargs["activations"] = tuple(s.get("activations", ("sigmoid", "relu")))
        kwargs["inits"] = tuple(s.get("inits", tuple(INITS)))
        stop_thread(self._thread)
        self._thread = TaskThread(lambda: histograms(**kwargs), self)
        self._thread.done.connect(self._on_done)
        self._thread.failed.connect(lambda m: self.status.setText(f"Could not compute: {m}"))
        self._thread.start()

    def _on_done(self, stats) -> None:
        self.stats = stats
        self._draw()

    def _draw(self) -> None:
        if self.stats is None:
            return
        act = self.activation_box.currentData()
        rows = [(init, layers) for (a, init), layers in self.stats.items() if a == act]
        self.graphs.clear()
        self.bars = {}
        # the layers' names in a header row of their own: as the first row's plot titles they
        # took that row's height, and its histograms got half the others' (11 px in presenter
        # mode at 1280x720)
        for c, st in enumerate(rows[0][1] if rows else ()):
            self.graphs.addLabel(f"{st.layer}", row=0, col=c + 1, color=TEXT)
        for r, (init, layers) in enumerate(rows, start=1):
            # the row's name across, left of its row: turned up the side of a short row,
            # "std 0.01" and "std 1" ran into each other at 1280x720
            self.graphs.addLabel(init, row=r, col=0, color=pen(r - 1).color(), bold=True)
            for c, st in enumerate(layers):
                plot = self.graphs.addPlot(row=r, col=c + 1)
                plot.plot(st.edges, st.counts, stepMode="center", fillLevel=0,
                          brush=pen(r - 1).color(), pen=pen(r - 1, 1))
                plot.hideAxis("left")
                # every histogram spans outputs 0 to 1: the bottom row's axis serves the
                # column, and the rows above get its height (15 px each in presenter mode at
                # 1280x720 with an axis under every one)
                if r < len(rows):
                    plot.hideAxis("bottom")
                else:
                    readable_ticks(plot.getAxis("bottom"))
                plot.setMouseEnabled(False, False)
                self.bars[(init, st.layer)] = st
        saturated = {init: np.mean([st.outer_mass for st in layers]) for init, layers in rows}
        self.status.setText(f"{act}: share of outputs below 0.1 or above 0.9 \u2014 " + ", ".join(
            f"{init} {share:.0%}" for init, share in saturated.items()))

    def shutdown(self) -> None:
        """Join the computation thread (before the panel or the window goes away)."""
        stop_thread(self._thread)
        self._thread = None


class KerasCodePanel(QWidget):
    """The Keras program equivalent to the network on the canvas, regenerated on every edit."""

    title = "Keras code"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.editor = QPlainTextEdit()
        self.editor.setReadOnly(True)
        font = QFontDatabase.systemFont(QFontDatabase.FixedFont)
        font.setStyleHint(QFont.Monospace)
        self.editor.setFont(font)
        # Wrapped, not scrolled sideways: a dock beside the diagram is narrower than the code.
        self.editor.setLineWrapMode(QPlainTextEdit.WidgetWidth)
        self.editor.setToolTip("The same network in Keras: add, compile, fit, evaluate, predict "
                               "(read-only; change the diagram and this follows)")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.editor)

    def show_document(self, doc: dict) -> None:
        try:
            text = keras_code(doc)
        except LessonError as exc:
            text = f"# This network has no Keras equivalent yet:\n# {exc}\n"
        except Exception as exc:    # a half-built graph: say so instead of failing the edit
            text = f"# No Keras code for this network while it is incomplete ({exc!r})\n"
        if text != self.editor.toPlainText():
            self.editor.setPlainText(text)

    def code(self) -> str:
        return self.editor.toPlainText()


__all__ = ["ActivationPanel", "InitHistogramsPanel", "KerasCodePanel"]
