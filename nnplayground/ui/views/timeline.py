"""The scrubber under the loss plot: move through the training history's checkpoints.

Dragging the handle (or the arrow, Page and Home/End keys on it) asks the worker for the
checkpoint at that step (`controller.show_checkpoint`): it arrives as a snapshot with `replay`
set, which every view draws like a live one, and the loss plot marks its step with a line.
Training pauses while you look back; Play trains on from the live end. "Continue from here"
restores the checkpoint and trains on from it (`controller.continue_from`): the later history
is dropped, a new branch begins.

Requests are coalesced: while one checkpoint is on its way, only the newest position is kept,
so a fast drag never queues dozens of frames.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

MARKER_PEN = pg.mkPen((200, 30, 30), width=2)


class Timeline(QWidget):
    """A slider over the checkpoints' steps and "Continue from here", in one row.

    Where the slider is ("step 4,364 (74 of 110)", or "110 moments kept") is its tooltip, and
    the status bar names the moment shown ("History: epoch 174 · step 4,364 ..."): a readout
    beside the slider cost the narrow loss dock the width or the height the plots need.
    """

    TIP = ("Training history: drag (or use the arrow, Page and Home/End keys) to see every "
           "view at an earlier moment; training pauses. The right end is the newest.")

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.steps = np.zeros(0, dtype=np.int64)
        self.shown = None           # the step of the replayed frame on screen, None when live
        self._pending = None        # a request is on its way for this step
        self._wanted = None         # the newest position asked for meanwhile
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip(self.TIP)
        self.slider.setEnabled(False)
        self.slider.setPageStep(10)
        self.slider.valueChanged.connect(self._on_slider_changed)
        self.readout = "No history yet"
        self.continue_button = QPushButton("Continue from here")
        self.continue_button.setToolTip("Go back to this moment's weights and optimizer state "
                                        "and train on from here (the later history is "
                                        "dropped)")
        self.continue_button.setEnabled(False)
        self.continue_button.clicked.connect(self._on_continue_clicked)
        self.slider.setMinimumWidth(60)
        row = QHBoxLayout(self)
        row.setContentsMargins(2, 0, 2, 0)
        row.addWidget(QLabel("History"))
        row.addWidget(self.slider, 1)
        row.addWidget(self.continue_button)
        self.marker = pg.InfiniteLine(angle=90, movable=False, pen=MARKER_PEN)
        self.marker.setZValue(10)
        self.marker.hide()
        controller.snapshot_ready.connect(self.show_snapshot)
        controller.dataset_ready.connect(self._on_dataset)

    def attach(self, plot):
        """Mark the replayed step on `plot` (the loss plot, whose x axis is the step)."""
        plot.addItem(self.marker, ignoreBounds=True)

    # -- from the worker -------------------------------------------------------------------

    def _on_dataset(self, _info):
        self.steps = np.zeros(0, dtype=np.int64)
        self.shown = self._pending = self._wanted = None
        self._sync()

    def show_snapshot(self, snapshot):
        if snapshot.timeline is not None:
            self.steps = np.asarray(snapshot.timeline)
        if snapshot.replay:
            self.shown = snapshot.step
            if self._pending is not None:
                self._pending = None
                wanted, self._wanted = self._wanted, None
                if wanted is not None and wanted != snapshot.step:
                    self._request(wanted)
        else:
            self.shown = self._pending = self._wanted = None
        self._sync()

    def _sync(self):
        """Slider range and position, readout (its tooltip), marker and button from the state
        (the slider's signals blocked: this is no user's move)."""
        n = len(self.steps)
        self.slider.blockSignals(True)
        self.slider.setEnabled(n > 1)
        self.slider.setRange(0, max(n - 1, 0))
        if self.shown is None:
            self.slider.setValue(max(n - 1, 0))
        elif self._pending is None:
            self.slider.setValue(self.index_of(self.shown))
        self.slider.blockSignals(False)
        self.continue_button.setEnabled(self.shown is not None)
        self.marker.setVisible(self.shown is not None)
        if self.shown is not None:
            self.marker.setPos(self.shown)
            self.readout = f"step {self.shown:,} ({self.index_of(self.shown) + 1} of {n})"
        else:
            self.readout = (f"{n:,} moment{'s' if n != 1 else ''} kept" if n
                            else "No history yet")
        self.slider.setToolTip(f"{self.readout}. {self.TIP}")

    def index_of(self, step):
        return int(np.clip(np.searchsorted(self.steps, step, side="right") - 1, 0,
                           max(len(self.steps) - 1, 0)))

    # -- from the user ---------------------------------------------------------------------

    def _on_slider_changed(self, index):
        if 0 <= index < len(self.steps):
            self._request(int(self.steps[index]))

    def _request(self, step):
        if self._pending is not None:
            self._wanted = step
            return
        self._pending = step
        self.controller.show_checkpoint(step)

    def _on_continue_clicked(self):
        if self.shown is not None:
            self.controller.continue_from(self.shown, play=True)
