"""Class colours: the points, the boundary, the confusion matrix and the legend all take a
class's colour from the one table, `common.CLASS_COLOURS` (TensorFlow Playground's orange and
blue for classes 0 and 1, then green, red, purple, brown).

Two classes keep the Playground's look: the probability of class 1 on the orange-grey-blue
scale. With more classes a pixel takes the colour of the class the network predicts there,
blended with white by how unsure it is: mixing with white keeps the hue, so the colour always
names the class, and the paleness says how close the call was.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtWidgets import QLabel

from nnplayground.ui.views.common import CLASS_COLOURS

PALE = 0.15    # the share of its class's colour the least confident pixel keeps
FULL = 0.6     # and the surest: lighter than the points, which keep the full colour, so a
               # point stands out on its own class's region


def class_colour(k: int) -> tuple[int, int, int]:
    """The RGB colour of class k (the table repeats after its 10 colours)."""
    return CLASS_COLOURS[int(k) % len(CLASS_COLOURS)]


def towards_white(colour, share):
    """`colour` (..., 3) mixed with white, `share` (..., 1) of it kept: mixing with white keeps
    the hue, so the colour still names its class however pale it is."""
    return 255.0 - np.asarray(share) * (255.0 - np.asarray(colour, dtype=np.float32))


def class_ramp(k: int, n: int = 256) -> np.ndarray:
    """(n, 3) uint8 colour table from white (0) to class k's full colour (1): an output unit's
    map of p(class k | x) in the diagram, and the same map enlarged in the boundary view."""
    share = np.linspace(0.0, 1.0, n, dtype=np.float32)[:, None]
    return np.round(towards_white(class_colour(k), share)).astype(np.uint8)


def class_image(probabilities: np.ndarray, discrete=False) -> np.ndarray:
    """(H, W, K) class probabilities -> (H, W, 3) uint8 RGB: each pixel the colour of its most
    probable class mixed with white, FULL of the colour where the network is sure (probability
    1) down to PALE where it cannot tell the classes apart (1/K each); `discrete` draws every
    pixel at FULL."""
    p = np.asarray(probabilities, dtype=np.float32)
    k = p.shape[-1]
    winner = np.argmax(p, axis=-1)
    table = np.array([class_colour(i) for i in range(k)], dtype=np.float32)
    if discrete:
        strength = np.full(winner.shape, FULL, np.float32)
    else:
        sure = np.clip((p.max(axis=-1) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
        strength = PALE + (FULL - PALE) * sure
    return np.round(towards_white(table[winner], strength[..., None])).astype(np.uint8)


def legend_html(names) -> str:
    """A coloured square and the name of each class, on one wrapping line."""
    items = []
    for k, name in enumerate(names):
        r, g, b = class_colour(k)
        items.append(f'<span style="color: rgb({r},{g},{b})">&#9632;</span>&nbsp;'
                     f"{html.escape(str(name))}")
    return " &nbsp; ".join(items)


class ClassLegend(QLabel):
    """The class names in their colours, over a view that draws classes."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setToolTip("Class colours: the same for the points, the boundary and the "
                        "confusion matrix")
        self.names: tuple = ()

    def set_classes(self, names) -> None:
        self.names = tuple(names)
        self.setText(legend_html(self.names))
        self.setVisible(bool(self.names))
