"""How fast the window trains: a preset's `display.speed`, for a class to watch.

xor's 1,000 epochs take 2.5 s at full speed, far too fast to follow the boundary. "slow" and
"normal" cap the run at a few or a few dozen epochs a second by spacing the training steps
(the training thread waits between them, on its own clock); on data whose epochs take longer
than that anyway (MNIST) they change nothing. Speed never changes the numbers, only when they
come: the same preset and seed train to the same weights at every speed.
"""

from __future__ import annotations

import math
from collections import deque

# name -> epochs per second at most (None: as fast as the machine goes)
SPEEDS = {"slow": 3.0, "normal": 30.0, "fast": None}
DEFAULT_SPEED = "fast"
DESCRIPTIONS = {
    "slow": "Slow: about 3 epochs a second, to follow the boundary epoch by epoch",
    "normal": "Normal: about 30 epochs a second, a tiny network's run in half a minute",
    "fast": "Fast: as fast as the machine goes",
}


def speed_of(doc) -> str:
    """The speed a preset document asks for (DEFAULT_SPEED when it says none)."""
    display = doc.get("display") if isinstance(doc, dict) else None
    speed = display.get("speed") if isinstance(display, dict) else None
    return speed if speed in SPEEDS else DEFAULT_SPEED


def check_speed(speed: str) -> str:
    if speed not in SPEEDS:
        raise ValueError(f"speed: must be one of {', '.join(SPEEDS)}, got {speed!r}")
    return speed


def step_interval(speed: str, n_train: int, batch_size: int) -> float:
    """Seconds between two training steps at `speed` (0.0: no wait)."""
    epochs_per_second = SPEEDS[speed]
    if epochs_per_second is None:
        return 0.0
    steps_per_epoch = max(math.ceil(n_train / max(int(batch_size), 1)), 1)
    return 1.0 / (epochs_per_second * steps_per_epoch)


class StepRate:
    """Training steps a second as the step counter shows them: over the last `window` seconds
    of the worker's clock, the time spent evaluating, waiting for the GUI and building
    snapshots included. (Measured over a slice's training alone, the status bar read 11
    steps/s while MNIST's step counter advanced about 80 a second.)"""

    def __init__(self, window: float = 1.0):
        self.window = window
        self._marks = deque()      # (time, step) of recent snapshots, oldest first

    def restart(self, now: float, step: int) -> None:
        """Training (re)starts at `step`: the time it stood paused is no part of its speed."""
        self._marks.clear()
        self._marks.append((now, step))

    def update(self, now: float, step: int) -> float:
        """Steps a second from the newest mark at least `window` old (or the first) to now."""
        marks = self._marks
        marks.append((now, step))
        while len(marks) > 2 and now - marks[1][0] >= self.window:
            marks.popleft()
        then, first = marks[0]
        return (step - first) / (now - then) if now > then else 0.0
