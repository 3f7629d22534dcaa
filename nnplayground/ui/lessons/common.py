"""Small pieces shared by the lesson widgets: a background task thread and plot colours.

Every computation a lesson panel needs (a gradient check, a grid of histograms, a comparison
run) may take long enough to freeze a classroom projector, so it runs on a QThread and comes
back as a signal; the GUI thread only draws.
"""

from __future__ import annotations

import traceback

import pyqtgraph as pg
from PySide6.QtCore import QThread, Signal


# One colour per series of a multi-series plot (race paths, compared runs, activation curves):
# the Okabe-Ito palette, which stays distinguishable with red-green colour blindness (Tableau
# 10's green/red and blue/purple pairs, used before, merge for deuteranopes and protanopes),
# in its order, without its yellow (too pale on white). tests/ui/lessons/test_race_colours.py
# checks the distances on white, on the race's contour background and for dichromats.
RUN_COLOURS = [(0, 114, 178), (230, 159, 0), (0, 158, 115), (213, 94, 0), (204, 121, 167),
               (86, 180, 233), (0, 0, 0)]


def light(widget):
    """White background like the live views (the global pyqtgraph config belongs to the app)."""
    widget.setBackground("w")
    return widget


def compact(combo, chars: int = 12):
    """A combo box that does not demand the width of its longest entry (docks stay narrow)."""
    from PySide6.QtWidgets import QComboBox
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    return combo


def pen(index: int, width: float = 2.0):
    """The pen of series `index` (its legend, curve and markers all take this colour)."""
    return pg.mkPen(RUN_COLOURS[index % len(RUN_COLOURS)], width=width)


class TaskThread(QThread):
    """Runs `fn()` once off the GUI thread; `done(result)` or `failed(message)` afterwards.

    Exceptions become a message (never a silent print), so the panel can show what went wrong.
    """

    done = Signal(object)
    failed = Signal(str)

    def __init__(self, fn, parent=None):
        super().__init__(parent)
        self._fn = fn

    def run(self):
        try:
            result = self._fn()
        except Exception as exc:    # shown to the user by the panel
            traceback.print_exc()
            self.failed.emit(f"{type(exc).__name__}: {exc}")
        else:
            self.done.emit(result)


def stop_thread(thread: QThread | None) -> None:
    """Ask a thread to stop (if it can) and join it, so Qt never destroys a running QThread."""
    if thread is None:
        return
    stop = getattr(thread, "stop", None)
    if stop is not None:
        stop()
    if thread.isRunning():
        thread.wait()
