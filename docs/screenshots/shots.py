"""What the screenshot scripts share: run the Qt event loop until a condition holds."""

from __future__ import annotations

import time


def wait(app, condition, timeout):
    """Process events until condition() or timeout seconds; returns condition()."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())
