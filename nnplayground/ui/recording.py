"""Pictures that move: animated GIF and MP4 of the window or one view, and a PNG of one view.

Two ways to make an animation:
  - record while training (`Recorder`): a frame after each snapshot the views have drawn, at
    most `fps` a second, so the animation plays at the speed training ran;
  - render from the history (`render_history`): every checkpoint of the training history shown
    in turn (through the scrubber's path, `controller.show_checkpoint`) and grabbed, so the
    first steps, where the boundary moves most, get a frame each.

Frames are RGB uint8 arrays, `width` pixels wide (even sizes, as H.264 needs); writing them is
`animation_files.write_animation` (no Qt there, so the command line checks paths before a
window opens).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget

from nnplayground.ui.animation_files import RecordingError, check_path, write_animation

__all__ = ["Recorder", "RecordingError", "check_path", "frame_of", "render_history",
           "save_view_png", "write_animation"]

MAX_FRAMES = 900          # a live recording keeps at most this many frames ...
MAX_FRAME_BYTES = 300 * 2**20    # ... and this many bytes of them (then every other one)
REPLAY_TIMEOUT_MS = 20_000


def frame_of(widget: QWidget, width: int | None = None) -> np.ndarray:
    """(H, W, 3) uint8 RGB picture of `widget` as on screen, scaled to `width` pixels (even
    width and height)."""
    image = widget.grab().toImage()
    if width is not None and width > 0 and image.width() != width:
        image = image.scaledToWidth(int(width), Qt.TransformationMode.SmoothTransformation)
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    h, w = image.height(), image.width()
    # copied at once: the buffer behind constBits() does not outlive this expression
    rows = np.frombuffer(image.constBits(), np.uint8).copy().reshape(h, image.bytesPerLine())
    rgb = rows[:, :w * 3].reshape(h, w, 3)
    return np.ascontiguousarray(rgb[:h - h % 2, :w - w % 2])


def render_history(window, target: QWidget | None = None, width: int | None = None,
                   progress=None) -> list[np.ndarray]:
    """One frame per checkpoint of the window's training history, oldest first: each shown
    through the scrubber's path and grabbed once the views have drawn it. `target`: the
    widget to picture (default the whole window). Leaves the views on the newest checkpoint.
    `progress(done, total)` is called after each frame."""
    controller, timeline = window.controller, window.live_views.timeline
    steps = [int(s) for s in timeline.steps]
    if not steps:
        raise RecordingError("the training history is empty: train first (Play or Step)")
    frames = []
    for i, step in enumerate(steps):
        _show(controller, step)
        QApplication.processEvents()
        frames.append(frame_of(target or window, width))
        if progress is not None:
            progress(i + 1, len(steps))
    return frames


def _show(controller, step):
    """Ask for the checkpoint at `step` and wait (events running) until the views have it."""
    loop = QEventLoop()
    arrived = []

    def on_snapshot(snapshot):
        if snapshot.replay and snapshot.step == step:
            arrived.append(snapshot)
            QTimer.singleShot(0, loop.quit)     # after every view's slot has drawn it

    controller.snapshot_ready.connect(on_snapshot)
    QTimer.singleShot(REPLAY_TIMEOUT_MS, loop.quit)
    try:
        controller.show_checkpoint(step)
        loop.exec()
    finally:
        controller.snapshot_ready.disconnect(on_snapshot)
    if not arrived:
        raise RecordingError(f"the worker did not show the checkpoint of step {step} within "
                             f"{REPLAY_TIMEOUT_MS // 1000} s")


class Recorder(QObject):
    """Records `target` while training: a frame after each live snapshot is drawn, at most
    `fps` a second. Past MAX_FRAMES (or MAX_FRAME_BYTES) every other frame is dropped and
    frames are taken half as often, so a long recording keeps its whole length in bounded
    memory."""

    def __init__(self, controller, target: QWidget, fps: float = 10, width: int | None = 800,
                 clock=None, parent=None):
        super().__init__(parent)
        import time
        self.controller, self.target, self.width = controller, target, width
        self.interval = 1.0 / fps
        self.clock = clock or time.monotonic
        self.frames: list[np.ndarray] = []
        self._next = float("-inf")
        controller.snapshot_ready.connect(self._on_snapshot)

    def _on_snapshot(self, snapshot):
        if snapshot.replay or self.clock() < self._next:
            return
        self._next = self.clock() + self.interval
        QTimer.singleShot(0, self, self._grab)       # once the views have drawn it

    def _grab(self):
        frame = frame_of(self.target, self.width)
        if self.frames and frame.shape != self.frames[0].shape:     # the window was resized
            frame = _fit(frame, self.frames[0].shape)
        self.frames.append(frame)
        if (len(self.frames) > MAX_FRAMES
                or len(self.frames) * self.frames[0].nbytes > MAX_FRAME_BYTES):
            self.frames = self.frames[::2]
            self.interval *= 2

    def stop(self) -> list[np.ndarray]:
        """Stop recording; returns the frames."""
        self.controller.snapshot_ready.disconnect(self._on_snapshot)
        return self.frames


def _fit(frame, shape):
    """Crop or pad (white) a frame to `shape`."""
    out = np.full(shape, 255, np.uint8)
    h, w = min(shape[0], frame.shape[0]), min(shape[1], frame.shape[1])
    out[:h, :w] = frame[:h, :w]
    return out


def save_view_png(widget: QWidget, path) -> None:
    """A PNG of one view as on screen; RecordingError if it cannot be written."""
    if not widget.grab().save(str(path), "PNG"):
        raise RecordingError(f"{path}: could not write the PNG (is the folder writable?)")


class HistoryAnimation:
    """`nnplayground open NAME --train-for S --gif OUT.gif [--mp4 OUT.mp4]`: once training
    has paused, render the window (or the view `view`) from the training history and write
    each file. `code` is 0, or 1 after a failure (printed to stderr)."""

    def __init__(self, paths, fps: float = 10, width: int | None = 800, view: str | None = None):
        self.paths, self.fps, self.width, self.view = list(paths), fps, width, view
        self.code = 0
        self.frames = 0

    def __call__(self, window):
        import sys
        target = None
        if self.view is not None:
            docks = window.view_docks
            if self.view not in docks:
                print(f"nnplayground: --view {self.view}: no such view; the views are "
                      f"{', '.join(sorted(docks))}", file=sys.stderr)
                self.code = 1
                return
            docks[self.view].show()
            docks[self.view].raise_()
            target = docks[self.view].widget()
        try:
            frames = render_history(window, target, self.width)
            for path in self.paths:
                write_animation(path, frames, self.fps)
        except RecordingError as exc:
            print(f"nnplayground: {exc}", file=sys.stderr)
            self.code = 1
            return
        self.frames = len(frames)
