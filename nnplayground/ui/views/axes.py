"""Tick labels that never run into each other.

pyqtgraph chooses the spacing of an axis' labelled ticks from the axis' length alone, at least
2.25 intervals however short it is, and always draws every label of that level. A loss plot
about 130 px wide at 1280x720, 900 steps long, got a label every 200 steps: "200400600800",
one unreadable word. Here the spacing grows along 1, 2, 2.5, 5 x 10^k until the labels, as wide
as the axis' font draws them, fit with a gap between them.
"""

from __future__ import annotations

import math
from functools import partial

import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF

GAP_EM = 0.6        # the free space between two neighbouring labels, in widths of "M"


def _next_nice(spacing):
    """The next of 1, 2, 2.5, 5 x 10^k above `spacing` (2.5: 900 steps in 120 px get labels
    at 250, 500 and 750, where 5 would leave one)."""
    p = 10.0 ** math.floor(math.log10(spacing))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * p > spacing * (1 + 1e-9):
            return factor * p
    return 10 * p


def _crowded(axis, metrics, gap, spacing, low, high, size):
    """Whether the labels drawn at `spacing` on [low, high] over `size` px would come closer
    than `gap`. Only labels that lie wholly on the axis count: pyqtgraph leaves out the rest
    (the "0" at the very start, usually)."""
    first = math.ceil(low / spacing) * spacing
    values = [first + k * spacing for k in range(int((high - first) / spacing) + 1)]
    strings = axis.tickStrings(values, axis.autoSIPrefixScale * axis.scale, spacing)
    px_per_unit = size / (high - low)
    widths = [metrics.horizontalAdvance(s) for v, s in zip(values, strings)
              if metrics.horizontalAdvance(s) / 2 <= (v - low) * px_per_unit
              <= size - metrics.horizontalAdvance(s) / 2]
    return len(widths) >= 2 and max(widths) + gap > spacing * px_per_unit


def readable_tick_spacing(axis, low, high, size):
    """pyqtgraph's spacing, widened on a horizontal linear axis until its labels fit."""
    levels = pg.AxisItem.tickSpacing(axis, low, high, size)
    if not levels or axis.orientation not in ("bottom", "top") or axis.logMode or size <= 0:
        return levels
    metrics = QFontMetricsF(axis.style.get("tickFont") or axis.font())
    gap = GAP_EM * metrics.horizontalAdvance("M")
    lo, hi = min(low, high), max(low, high)
    major = levels[0][0]
    for _ in range(12):         # enough to go from any crowding to two labels
        if not _crowded(axis, metrics, gap, major, lo, hi, size):
            break
        major = _next_nice(major)
    if major == levels[0][0]:
        return levels
    return [(major, 0), (major / 5, 0)]


def readable_ticks(axis: pg.AxisItem) -> pg.AxisItem:
    """Let `axis` choose a spacing at which its labels fit (see the module docstring)."""
    axis.tickSpacing = partial(readable_tick_spacing, axis)
    return axis
