"""Training progress on stderr: a live bar on a terminal, a plain line per epoch otherwise.

stdout is reserved for results (and `--json` records), so a pipe such as
`nnplayground train xor --json | jq .test_accuracy` sees nothing but data. A redirected stderr
(a CI log, a file) gets one line per epoch instead of carriage-return noise.
"""

from __future__ import annotations

import math
import time
from typing import TextIO

BAR_WIDTH = 24
REFRESH_SECONDS = 0.1  # a bar redrawn more often than 10 Hz only costs time


def metric_items(record: dict) -> list[tuple[str, float]]:
    """The scalar metrics of an epoch record, in a stable order, without `epoch`/`seconds`."""
    items = []
    for key, value in record.items():
        if key in ("epoch", "seconds"):
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            items.append((key, float(value)))
    return items


def format_epoch(record: dict, total_epochs: int) -> str:
    """`epoch 3/20  train_loss 0.2310  test_accuracy 0.9400  0.12 s` for the epoch `record`."""
    parts = [f"epoch {record['epoch']}/{total_epochs}"]
    parts += [f"{key} {value:.4f}" for key, value in metric_items(record)]
    seconds = record.get("seconds")
    if seconds is not None:
        parts.append(f"{seconds:.2f} s")
    return "  ".join(parts)


class TrainProgress:
    """Reports steps and epochs of a training run to `stream` (normally sys.stderr)."""

    def __init__(self, stream: TextIO, total_epochs: int, steps_per_epoch: int,
                 tty: bool | None = None, enabled: bool = True):
        self.stream = stream
        self.total_epochs = total_epochs
        self.steps_per_epoch = max(1, steps_per_epoch)
        self.tty = stream.isatty() if tty is None else tty
        self.enabled = enabled
        self._last_draw = 0.0
        self._bar_shown = False

    def step(self, epoch: int, step_in_epoch: int, loss: float) -> None:
        """After each mini-batch; draws the bar at most 10 times a second, on a tty only."""
        if not (self.enabled and self.tty):
            return
        now = time.monotonic()
        if now - self._last_draw < REFRESH_SECONDS:
            return
        self._last_draw = now
        fraction = min(1.0, step_in_epoch / self.steps_per_epoch)
        filled = int(round(fraction * BAR_WIDTH))
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        loss_text = f"{loss:.4f}" if math.isfinite(loss) else str(loss)
        self.stream.write(f"\repoch {epoch}/{self.total_epochs} [{bar}] "
                          f"{fraction:4.0%}  loss {loss_text}\x1b[K")
        self.stream.flush()
        self._bar_shown = True

    def epoch(self, record: dict) -> None:
        """After each epoch: one persistent line with its metrics."""
        if not self.enabled:
            return
        self._clear_bar()
        self.stream.write(format_epoch(record, self.total_epochs) + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Leave the terminal on a clean line (also after Ctrl-C or an error)."""
        self._clear_bar()

    def _clear_bar(self) -> None:
        if self._bar_shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._bar_shown = False
