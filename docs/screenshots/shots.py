"""What the screenshot scripts share: run the Qt event loop until a condition holds, save a
widget's picture, and close the main window."""

from __future__ import annotations

import time
from pathlib import Path


def wait(app, condition, timeout):
    """Process events until condition() or timeout seconds; returns condition()."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


def save(widget, path: Path) -> int:
    """The widget's picture with 256 colours (a UI has few); returns its size in bytes.

    Maximum coverage, not median cut: median cut spends the palette on the many pixels of
    gradients and merged the few pixels of thin curves into the nearest big cluster (the race's
    green and purple paths came out grey, its red one orange)."""
    from PIL import Image
    raw = path.with_suffix(".raw.png")
    if not widget.grab().save(str(raw), "PNG"):
        raise SystemExit(f"could not write {raw}")
    Image.open(raw).convert("RGB").quantize(256, method=Image.Quantize.MAXCOVERAGE,
                                            dither=Image.Dither.NONE).save(path, optimize=True)
    raw.unlink()
    return path.stat().st_size


def close(window) -> None:
    """Closes a MainWindow without its unsaved-changes prompt, its threads joined first."""
    window.lessons.shutdown()
    window.model.undo_stack.setClean()
    window.controller.shutdown()
    window.close()
