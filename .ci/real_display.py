"""CI: the real app once on an X server (Xvfb and Qt's xcb platform, as on a desktop).

The test suite runs on Qt's offscreen platform, which needs none of the X11 libraries a fresh
desktop lacks, so it cannot notice when the app would not start there. This starts Xvfb, then
`nnplayground open xor --train-for 1 --screenshot OUT` through the command's own entry point
(its platform check included), and exits non-zero unless the window came up on xcb, trained
and wrote the picture. Needs Xvfb and the packages of README.md's Install section.
"""

from __future__ import annotations

import faulthandler
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

XVFB_START_TIMEOUT = 60     # seconds for Xvfb to accept connections
RUN_TIMEOUT = 600           # seconds for the whole run: a hang fails CI instead of stalling it
SIZE = (1600, 1000)         # the screenshot mode's window size


def start_xvfb(log):
    """Xvfb on a free display; returns (process, ":N") once it accepts connections.

    -displayfd makes Xvfb pick a free display and write its number when it is ready, so there
    is no race with a fixed number or a sleep; -noreset keeps it from restarting (and writing
    to that pipe again) whenever its last client leaves.
    """
    if shutil.which("Xvfb") is None:
        sys.exit("real display: Xvfb is not installed (Debian: apt-get install xvfb)")
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{SIZE[0]}x{SIZE[1]}x24",
         "-nolisten", "tcp", "-noreset"], pass_fds=(write_end,), stdout=log, stderr=log)
    os.close(write_end)
    # Xvfb writes the number and the newline separately: read up to the newline, or it may
    # die writing the newline into a pipe already closed
    received, deadline = b"", time.monotonic() + XVFB_START_TIMEOUT
    while not received.endswith(b"\n") and time.monotonic() < deadline:
        ready, _, _ = select.select([read_end], [], [], deadline - time.monotonic())
        chunk = os.read(read_end, 64) if ready else b""
        if ready and not chunk:
            break                       # Xvfb exited
        received += chunk
    os.close(read_end)
    number = received.decode().strip()
    if not received.endswith(b"\n") or not number.isdigit():
        xvfb.kill()
        sys.exit(f"real display: Xvfb did not start within {XVFB_START_TIMEOUT} s")
    return xvfb, f":{number}"


def run_app_on(display, out):
    """Runs the command in this process (Qt not imported yet); returns what the window showed
    just before the grab: the platform and the worker's step."""
    os.environ["DISPLAY"] = display
    for name in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):
        os.environ.pop(name, None)      # a desktop's default: Qt chooses xcb by itself

    from nnplayground.cli import main
    from nnplayground.ui import app

    seen = {}
    real_run_app = app.run_app

    def run_app(*args, **kwargs):
        def on_grab(window):
            from PySide6.QtGui import QGuiApplication
            snapshot = window.controller.latest_snapshot
            seen["platform"] = QGuiApplication.platformName()
            seen["step"] = snapshot.step if snapshot is not None else 0
        return real_run_app(*args, on_grab=on_grab, **kwargs)

    app.run_app = run_app
    seen["code"] = main(["open", "xor", "--train-for", "1", "--screenshot", str(out)])
    return seen


def check(seen, out):
    """The problems with the run, [] when it did what a user would see on a desktop."""
    problems = []
    if seen["code"] != 0:
        problems.append(f"nnplayground exited with {seen['code']}")
    if seen.get("platform") != "xcb":
        problems.append(f"the window ran on {seen.get('platform')!r}, not xcb")
    if seen.get("step", 0) <= 0:
        problems.append("the window did not train (step 0 after a second of Play)")
    from PySide6.QtGui import QImage
    image = QImage(str(out))
    if image.isNull():
        problems.append(f"no screenshot was written to {out}")
    elif (image.width(), image.height()) != SIZE:
        problems.append(f"the screenshot is {image.width()}x{image.height()}, not "
                        f"{SIZE[0]}x{SIZE[1]}")
    elif len({image.pixel(x, y) for x in range(0, SIZE[0], 16)
              for y in range(0, SIZE[1], 16)}) < 20:
        problems.append("the screenshot is blank")
    return problems


def main():
    faulthandler.dump_traceback_later(RUN_TIMEOUT, exit=True)
    with tempfile.TemporaryDirectory(prefix="nnp-real-display-") as folder:
        out = Path(folder) / "xor.png"
        with open(Path(folder) / "xvfb.log", "w") as log:
            xvfb, display = start_xvfb(log)
            try:
                seen = run_app_on(display, out)
                problems = check(seen, out)
            finally:
                xvfb.terminate()
                xvfb.wait(timeout=30)
        if problems:
            print("real display: " + "; ".join(problems), file=sys.stderr)
            print((Path(folder) / "xvfb.log").read_text(), file=sys.stderr)
            return 1
    print(f"real display: xor opened on xcb ({display}), trained {seen['step']} steps, "
          f"screenshot {SIZE[0]}x{SIZE[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
