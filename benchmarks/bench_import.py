"""The GUI thread while Data > Open data file… reads a big CSV. Prints figures; never a test.

In the real main window (xor's own views, 1600x1000) training xor on the real worker (or idle with
`--idle`), for each of `--runs` runs:
- open: Data > Open data file… on the CSV; the longest gap of a 10 ms heartbeat QTimer on the
  GUI thread from opening the dialog until its table is filled and the chosen columns checked;
- re-check: one input unticked; the longest gap until the choice is checked;
- the dialog's own slots on the GUI thread (wall and CPU time), in both;
- cancel: the dialog opened again and Cancel clicked `--cancel-after` seconds into the read;
  how long the reading thread went on after the click (polled every 20 ms), and the process
  CPU used meanwhile (the training thread's included).
Then once: the dialog accepted, the longest stall until the worker has trained on the file
for 2 s.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_import.py [--csv PATH] [--rows 520000]
        [--runs 2] [--idle] [--cancel-after 0.5] [--no-accept] [--stalls]

Without `--csv`, a CSV of `--rows` rows of 10 inputs and a label (about 50 MB for 520,000
rows) is written to a temporary folder. The machine's load average is printed with the
figures: on a shared machine they move with it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import shiboken6  # noqa: E402
from bench_gui import close_window, load_average, spin, wait_for  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialogButtonBox  # noqa: E402
from soak_gui import Heartbeat, StallSampler  # noqa: E402

def write_csv(rows: int, folder: Path) -> Path:
    """`rows` rows of x1..x10 (6 decimals) and a label 0-2, with a header."""
    rng = np.random.default_rng(0)
    path = folder / f"big-{rows}.csv"
    with open(path, "w") as f:
        f.write(",".join([f"x{i}" for i in range(1, 11)] + ["label"]) + "\n")
        for start in range(0, rows, 50_000):
            n = min(50_000, rows - start)
            block = np.column_stack([rng.normal(size=(n, 10)), rng.integers(0, 3, n)])
            np.savetxt(f, block, delimiter=",", fmt=["%.6f"] * 10 + ["%d"])
    return path


class SlotTimer:
    """The GUI-thread time of the import dialog's slots that handle a read or a check (those
    of the class it finds: `_on_read`, `_check`, `_on_checked`): wall and this thread's CPU
    milliseconds of each call, by name. The CPU figure hardly moves with the machine's load."""

    NAMES = ("_on_read", "_check", "_on_checked")

    def __init__(self):
        from nnplayground.ui.data_import import DataImportDialog
        self.calls = []
        for name in self.NAMES:
            if hasattr(DataImportDialog, name):
                setattr(DataImportDialog, name, self._timed(name, getattr(DataImportDialog, name)))

    def _timed(self, name, slot):
        def timed(dialog, *args):
            if not shiboken6.isValid(dialog):
                return None     # as Qt drops a deleted receiver's calls (a wrapper is not
                                # known to PySide as the dialog's method)
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return slot(dialog, *args)
            finally:
                self.calls.append((name, 1000 * (time.perf_counter() - wall),
                                   1000 * (time.thread_time() - cpu)))
        return timed

    def take(self) -> str:
        """The calls since the last take, longest first."""
        calls, self.calls = self.calls, []
        return ", ".join(f"{name} {wall:.0f} ms ({cpu:.0f} ms CPU)"
                         for name, wall, cpu in sorted(calls, key=lambda c: -c[1])[:3])


def settled(dialog) -> bool:
    """Read, and its choice checked (a dialog that checks on the GUI thread has no
    `checking`)."""
    return not dialog.reading and not getattr(dialog, "checking", False)


def one_run(window, path: Path, heart: Heartbeat, slots: SlotTimer,
            cancel_after: float) -> None:
    panel = window.dataset_panel
    slots.take()
    heart.reset()
    t0 = time.perf_counter()
    dialog = panel.open_data_file(str(path))
    shown = time.perf_counter() - t0
    wait_for(lambda: settled(dialog), what="the file to be read")
    filled = time.perf_counter() - t0
    spin(0.1)
    print(f"  open: longest GUI stall {heart.longest:.0f} ms; dialog shown after "
          f"{1000 * shown:.0f} ms, read and checked after {filled:.2f} s "
          f"({dialog.summary.text()[:40]}...)")
    print(f"    the dialog's slots on the GUI thread: {slots.take()}")

    heart.reset()
    item = dialog.inputs.item(0)
    item.setCheckState(Qt.CheckState.Unchecked)         # as a click on its box does
    wait_for(lambda: settled(dialog), what="the check")
    spin(0.1)
    print(f"  re-check after unticking {item.text()}: longest GUI stall {heart.longest:.0f} ms "
          f"({dialog.summary.text()[:40]}...)")
    print(f"    the dialog's slots on the GUI thread: {slots.take()}")
    dialog.reject()
    spin(0.2)

    heart.reset()
    dialog = panel.open_data_file(str(path))
    thread = dialog.read_thread
    spin(cancel_after)
    if not dialog.reading:
        print(f"  cancel: the file was read within {cancel_after} s; nothing to cancel")
        dialog.reject()
        return
    clicked = (time.perf_counter(), time.process_time())
    QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel),
                     Qt.MouseButton.LeftButton)
    ended = []

    def poll():                     # the thread deletes itself once finished
        if not (shiboken6.isValid(thread) and thread.isRunning()):
            ended.append((time.perf_counter(), time.process_time()))
            return True
        return False
    wait_for(poll, what="the reading thread to end")
    spin(0.1)
    print(f"  cancel {cancel_after} s into the read: the reading thread ended "
          f"{1000 * (ended[0][0] - clicked[0]):.0f} ms after the click, having used "
          f"{1000 * (ended[0][1] - clicked[1]):.0f} ms of process CPU meanwhile; longest GUI "
          f"stall {heart.longest:.0f} ms")


def accept(window, path: Path, heart: Heartbeat) -> None:
    """The dialog accepted (restarting training when asked): the longest GUI stall until the
    worker has loaded the file and trained on it for 2 s."""
    controller = window.controller
    window.training.confirm_restart = lambda: True      # the "Restart training?" question
    dialog = window.dataset_panel.open_data_file(str(path))
    wait_for(lambda: settled(dialog), what="the file to be read")
    heart.reset()
    t0 = time.perf_counter()
    dialog.accept()
    wait_for(lambda: controller.dataset is not None and controller.dataset.name == path.name
             and controller.state == "idle", what="the worker to load the file")
    loaded = time.perf_counter() - t0
    controller.play()
    spin(2.0)
    print(f"accept: the worker had the file {loaded:.2f} s after accepting; longest GUI stall "
          f"{heart.longest:.0f} ms (until 2 s of training on it later)")


def open_window():
    """The real main window (scratch settings) with xor loaded, as a user sees it."""
    from nnplayground.presets import load_builtin
    from nnplayground.ui.main_window import MainWindow
    settings = QSettings(str(Path(tempfile.mkdtemp(prefix="nnp-bench-import-")) / "s.ini"),
                         QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, doc=load_builtin("xor"))
    window.resize(1600, 1000)
    window.show()
    controller = window.controller
    wait_for(lambda: controller.state == "idle" and controller.latest_snapshot is not None)
    return window, controller


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path)
    parser.add_argument("--rows", type=int, default=520_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--idle", action="store_true", help="do not train while importing")
    parser.add_argument("--cancel-after", type=float, default=0.5)
    parser.add_argument("--no-accept", action="store_true",
                        help="skip accepting the file at the end")
    parser.add_argument("--stalls", action="store_true",
                        help="also say where the GUI thread was in each stall (soak_gui's)")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    path = args.csv or write_csv(args.rows, Path(tempfile.mkdtemp(prefix="nnp-bench-import-")))
    print(f"{path}: {path.stat().st_size / 1e6:.1f} MB")
    window, controller = open_window()
    if not args.idle:
        controller.play()
        wait_for(lambda: controller.running, what="training to start")
    heart = Heartbeat()
    heart.start()
    spin(1.0)
    print(f"{'idle' if args.idle else 'training xor'}: longest GUI stall before importing "
          f"{heart.longest:.0f} ms; {load_average()}")
    watchdog = StallSampler(heart) if args.stalls else None
    if watchdog:
        watchdog.start()
    slots = SlotTimer()
    for run in range(args.runs):
        print(f"run {run + 1}:")
        one_run(window, path, heart, slots, args.cancel_after)
    if not args.no_accept:
        accept(window, path, heart)
    if watchdog:
        watchdog.stop()
        watchdog.report()
    print(load_average())
    close_window(window)
    app.quit()


if __name__ == "__main__":
    main()
