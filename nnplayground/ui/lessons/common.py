"""Small pieces shared by the lesson widgets: plot colours and compact combo boxes. (Their
computations run on `nnplayground.ui.tasks.TaskThread`.)"""

from __future__ import annotations

import pyqtgraph as pg

from nnplayground.ui.views.common import light  # noqa: F401  (the views' one, for the lessons)

# One colour per series of a multi-series plot (race paths, compared runs, activation curves):
# the Okabe-Ito palette, which stays distinguishable with red-green colour blindness (Tableau
# 10's green/red and blue/purple pairs, used before, merge for deuteranopes and protanopes),
# in its order, without its yellow (too pale on white). tests/ui/lessons/test_race_colours.py
# checks the distances on white, on the race's contour background and for dichromats.
RUN_COLOURS = [(0, 114, 178), (230, 159, 0), (0, 158, 115), (213, 94, 0), (204, 121, 167),
               (86, 180, 233), (0, 0, 0)]


def compact(combo, chars: int = 12):
    """A combo box that does not demand the width of its longest entry (docks stay narrow)."""
    from PySide6.QtWidgets import QComboBox
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    return combo


def pen(index: int, width: float = 2.0):
    """The pen of series `index` (its legend, curve and markers all take this colour)."""
    return pg.mkPen(RUN_COLOURS[index % len(RUN_COLOURS)], width=width)
