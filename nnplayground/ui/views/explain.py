"""Why this prediction: saliency, gradient x input, occlusion and the adversarial nudge.

The view explains one image at a time: the drawing pad's digit (it follows the pad), a test
image chosen by number, or one picked in the mistakes browser. The worker computes the
explanation (`controller.explain`, `engine.explain`) between training steps; the view only
paints: the maps drawn over the digit, and a slider that moves the image along the sign of the
gradient with the probabilities the worker computed for every position of the slider.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QGridLayout, QHBoxLayout, QLabel, QProgressBar, QSizePolicy,
                               QSlider)

from nnplayground.ui.views.common import (FONT_PT, TEXT, ImageClassifierView, chooser_layout,
                                          image_view_box, light, push_button)
from nnplayground.ui.views.drawpad import percent

LABEL_SIZE = f"{FONT_PT}pt"
RED = np.array([214, 39, 40], np.float32)
BLUE = np.array([8, 119, 189], np.float32)
PAPER = 255.0


def paper(digit):
    """(H, W) image in [0, 1] -> (H, W, 3) float RGB: dark ink on white paper, faded so
    that a map drawn over it stands out."""
    grey = PAPER - 150.0 * np.clip(digit, 0, 1)
    return np.repeat(grey[..., None], 3, axis=2)


def overlay(digit, heat, colour=RED):
    """The digit with `heat` (H, W) in [0, 1] painted over it in `colour`."""
    a = np.clip(heat, 0, 1)[..., None]
    return (paper(digit) * (1 - a) + colour * a).astype(np.uint8)


def signed_overlay(digit, values):
    """Positive values red, negative blue, over the digit; scaled by the largest magnitude."""
    scale = float(np.max(np.abs(values))) or 1.0
    v = values / scale
    out = paper(digit)
    for colour, part in ((RED, np.clip(v, 0, 1)), (BLUE, np.clip(-v, 0, 1))):
        a = part[..., None]
        out = out * (1 - a) + colour * a
    return out.astype(np.uint8)


def upsample(grid, shape):
    """A coarse map (rows, cols) stretched over an image of `shape` (H, W), block by block."""
    rows, cols = grid.shape
    h, w = shape
    return np.kron(grid, np.ones((h // rows, w // cols), np.float32))[:h, :w]


class ExplainView(ImageClassifierView):
    """Saliency, gradient x input, occlusion and the FGSM nudge for one image."""

    title = "Why this prediction"
    placeholder = "Why this prediction explains image classifiers (MNIST)."

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.test_button = push_button("Explain test image", "Explain the network's answer "
                                       "for this test image", self._on_test_clicked)
        layout, self.index_box = chooser_layout(self.body, "Test image:",
                                                "Which test image to explain", self.test_button)
        self.headline = QLabel("Draw a digit on the drawing pad, or pick a test image")
        self.headline.setStyleSheet("font-size: 15px; font-weight: bold")
        self.headline.setWordWrap(True)
        self.headline.setMinimumWidth(120)
        layout.addWidget(self.headline)
        self.graphs = light(pg.GraphicsLayoutWidget())
        self.graphs.setMinimumHeight(90)
        layout.addWidget(self.graphs, 1)
        self.images = {}
        captions = {"saliency": "saliency |gradient|", "gxi": "gradient x input",
                    "occlusion": "occlusion: drop when covered", "nudged": "nudged image"}
        for col, (key, caption) in enumerate(captions.items()):
            self.graphs.addLabel(caption, row=0, col=col, color=TEXT, size=LABEL_SIZE)
            _, item = image_view_box(self.graphs, 1, col, caption)
            self.images[key] = item
        nudge = QHBoxLayout()
        nudge.addWidget(QLabel("Adversarial nudge:"))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setToolTip("Move every pixel by this much against the gradient of the "
                               "answer (FGSM), and watch the probabilities")
        self.slider.valueChanged.connect(self._on_nudge_changed)
        nudge.addWidget(self.slider, 1)
        self.nudge_label = QLabel("0.00")
        nudge.addWidget(self.nudge_label)
        layout.addLayout(nudge)
        grid = QGridLayout()
        self.bars = []
        for k in range(10):
            grid.addWidget(QLabel(str(k)), k // 5, 2 * (k % 5))
            bar_ = QProgressBar()
            bar_.setRange(0, 1000)
            bar_.setFormat("0%")
            bar_.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            grid.addWidget(bar_, k // 5, 2 * (k % 5) + 1)
            self.bars.append(bar_)
        layout.addLayout(grid)
        self.explanation = None
        self.pending = None
        self.source = ""
        self._unexplained = None
        controller.explained.connect(self._on_explained)

    def on_dataset(self, info):
        self.index_box.setRange(0, len(info.images_test) - 1)
        self.explanation = None
        for k, b in enumerate(self.bars):
            b.setVisible(k < (info.n_classes or 10))

    # -- asking --------------------------------------------------------------------------

    def explain_image(self, x, source):
        """Ask the worker to explain x (C, H, W) or (1, C, H, W); `source` names it."""
        x = np.asarray(x, np.float32)
        self.source = source
        self.pending = self.controller.explain(x.reshape((1, *x.shape[-3:])))

    def follow(self, drawpad):
        """Explain every digit the drawing pad classifies (when shown; a hidden view
        explains the last one once it is shown)."""
        drawpad.digit_classified.connect(self._on_digit_drawn)

    def _on_digit_drawn(self, digit):
        self._unexplained = digit
        if self.isVisible():
            self._unexplained = None
            self.explain_image(digit, "the drawn digit")

    def showEvent(self, event):
        super().showEvent(event)
        if self._unexplained is not None:
            self._on_digit_drawn(self._unexplained)

    def _on_test_clicked(self):
        if self.info is not None:
            i = self.index_box.value()
            self.explain_image(self.info.images_test[i],
                               f"test image {i} (a {int(self.info.y_test[i])})")

    # -- drawing -------------------------------------------------------------------------

    def _on_explained(self, request_id, explanation):
        if request_id != self.pending:
            return
        self.explanation = e = explanation
        if e is None:
            self.headline.setText("No trained network loaded")
            return
        digit = e.x[0].mean(axis=0)
        top = float(np.max(e.saliency)) or 1.0
        self.images["saliency"].setImage(overlay(digit, e.saliency / top), levels=(0, 255))
        self.images["gxi"].setImage(signed_overlay(digit, e.grad_times_input), levels=(0, 255))
        occlusion = upsample(e.occlusion, digit.shape)
        self.images["occlusion"].setImage(signed_overlay(digit, occlusion), levels=(0, 255))
        p = e.probabilities[e.target]
        if e.flip_eps is None:
            flip = (f"no nudge up to {e.nudge_steps[-1]:.2f} changes the answer")
        else:
            k = int(np.searchsorted(e.nudge_steps, e.flip_eps))
            new = int(np.argmax(e.nudge_probabilities[k]))
            flip = (f"a nudge of {e.flip_eps:.2f} per pixel (pixels run from 0 to 1) "
                    f"makes it a {new}")
        self.headline.setText(f"{self.source[:1].upper()}{self.source[1:]}: "
                              f"a {e.target} ({percent(p)}%); {flip}")
        self.slider.blockSignals(True)
        self.slider.setRange(0, len(e.nudge_steps) - 1)
        self.slider.setValue(0)
        self.slider.blockSignals(False)
        self._on_nudge_changed(0)

    def _on_nudge_changed(self, k):
        e = self.explanation
        if e is None:
            return
        from nnplayground.engine.explain import nudged
        eps = float(e.nudge_steps[k])
        image = nudged(e.x, e.direction, eps)[0].mean(axis=0)
        self.images["nudged"].setImage((PAPER * (1 - image)).astype(np.uint8), levels=(0, 255))
        self.nudge_label.setText(f"{eps:.2f}")
        probs = e.nudge_probabilities[k]
        best = int(np.argmax(probs))
        for j, b in enumerate(self.bars):
            q = float(probs[j]) if j < len(probs) else 0.0
            b.setValue(int(round(1000 * q)))
            b.setFormat(f"{percent(q)}%")
            b.setStyleSheet("QProgressBar::chunk { background: #d62728 }" if j == best
                            and best != e.target else "")
