"""Every layer for one image: each layer's activations and their gradients, and the filters of
every convolutional layer (ConvNetJS's view of a network).

The image is the one last explained (the drawing pad's digit, a test image chosen here or in
"Why this prediction", or a mistake): its `Explanation` carries every node's output and the
gradient of the answer's log-probability with respect to it. The filters come from the newest
snapshot's weights (every 4-D kernel).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QScrollArea

from nnplayground.ui.views.common import (DIVERGING, FONT_PT, GREYS, TEXT, ImageClassifierView,
                                          chooser_layout, light, mosaic, push_button)

LABEL_SIZE = f"{FONT_PT}pt"
ROW_HEIGHT = 130


def tiles(a):
    """An activation or gradient as (n, h, w) tiles: channels of a (C, H, W) map, or a flat
    vector laid out as one near-square tile."""
    a = np.asarray(a, np.float32)
    if a.ndim == 3:
        return a
    n = a.size
    cols = int(np.ceil(np.sqrt(n)))
    flat = np.full(cols * int(np.ceil(n / cols)), np.nan, np.float32)
    flat[:n] = a.ravel()
    return flat.reshape(1, -1, cols)


def signed_mosaic(t):
    """Tiles of signed values in [0, 1] around 0.5 (one scale for all: signs comparable)."""
    scale = float(np.nanmax(np.abs(t))) or 1.0
    return mosaic(np.nan_to_num(0.5 + 0.5 * t / scale, nan=0.5), normalise=False)


class LayersView(ImageClassifierView):
    """Activations, gradients and filters of every layer for one image."""

    title = "Every layer"
    placeholder = "Every layer is drawn for image classifiers (MNIST)."

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.show_button = push_button(
            "Show every layer", "Every layer's activations and gradients for this test image "
            "(a drawn digit or a mistake shows here too)", self._on_show_clicked)
        layout, self.index_box = chooser_layout(self.body, "Test image:",
                                                "Which test image's layers to show",
                                                self.show_button)
        self.caption = QLabel("Draw a digit, or pick a test image")
        layout.addWidget(self.caption)
        self.graphs = light(pg.GraphicsLayoutWidget())
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.graphs)
        layout.addWidget(scroll, 1)
        self.items = {}         # (node, "activation" | "gradient" | "filters") -> ImageItem
        self._nodes = None          # (layer ids, conv layer ids) the rows were built for
        self._filters = {}
        self._last = None           # the last explanation drawn
        controller.explained.connect(self._on_explained)

    def on_dataset(self, info):
        self.index_box.setRange(0, len(info.images_test) - 1)
        self.graphs.clear()
        self.items, self._nodes, self._filters, self._last = {}, None, {}, None

    def on_snapshot(self, snapshot):
        self._filters = {node: np.asarray(p["W"]) for node, p in snapshot.weights.items()
                         if "W" in p and np.ndim(p["W"]) == 4}
        if self._last is None:
            return
        if self._nodes is None or sorted(self._filters) != self._nodes[1]:
            self._on_explained(None, self._last)      # the rows change: draw them all
        else:
            self._draw_filters()

    def _on_show_clicked(self):
        if self.info is not None:
            i = self.index_box.value()
            self.controller.explain(self.info.images_test[i][None])

    def _build(self, nodes):
        """One row per layer: caption, activations, gradients (and filters for a conv)."""
        self.graphs.clear()
        self.items = {}
        for row, node in enumerate(nodes):
            self.graphs.addLabel(node, row=row, col=0, color=TEXT, size=LABEL_SIZE)
            for col, kind in enumerate(("activation", "gradient", "filters"), start=1):
                if kind == "filters" and node not in self._filters:
                    continue
                vb = self.graphs.addViewBox(row=row, col=col, lockAspect=True,
                                            enableMouse=False)
                vb.invertY(True)
                vb.setToolTip(f"{node}: {kind}s")
                item = pg.ImageItem(axisOrder="row-major")
                item.setLookupTable((GREYS if kind != "gradient" else DIVERGING)
                                    .getLookupTable(nPts=256))
                vb.addItem(item)
                self.items[(node, kind)] = item
        self.graphs.setMinimumHeight(ROW_HEIGHT * len(nodes))

    def _on_explained(self, _request_id, explanation):
        if explanation is None or self.info is None:
            return
        self._last = explanation
        layers = explanation.layers
        key = (list(layers), sorted(self._filters))
        if key != self._nodes:
            self._nodes = key
            self._build(list(layers))
        for node, (activation, gradient) in layers.items():
            self.items[(node, "activation")].setImage(mosaic(tiles(activation)),
                                                      levels=(0, 1), autoLevels=False)
            if gradient is not None:
                self.items[(node, "gradient")].setImage(signed_mosaic(tiles(gradient)),
                                                        levels=(0, 1), autoLevels=False)
            else:
                self.items[(node, "gradient")].clear()
        self._draw_filters()
        self.caption.setText(f"Answer {explanation.target}: each layer's outputs (grey) and "
                             f"the gradient of the answer's log-probability with respect to "
                             f"them (blue +, orange -); conv layers' filters at the right")

    def _draw_filters(self):
        for node, w in self._filters.items():
            item = self.items.get((node, "filters"))
            if item is not None:
                item.setImage(mosaic(w.reshape(-1, *w.shape[2:]), columns=w.shape[1]),
                              levels=(0, 1), autoLevels=False)
