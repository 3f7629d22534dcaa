"""How fast the GUI trains and how smooth it stays, in the real main window. Prints figures;
never run as a test.

The window is `nnplayground.ui.main_window.MainWindow` as users see it: the diagram with its
live weight lines, the editor docks, and every live view that applies to the data in a place of
its own (none hidden behind a tab), so every snapshot is drawn by all of them.

1. xor (TensorFlow Playground's defaults: 2-4-2-1 tanh, batch 10, 250 training points):
   epochs per second while training in the window (target >= 300), against the same loop
   without any GUI.
2. mnist-cnn: the longest event-loop stall, measured by a 5 ms QTimer probe (target <= 50 ms),
   and how many frames a second the views draw (target >= 20).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui.py [--seconds 8] [--mnist DIR]

MNIST: `--mnist DIR`, else $NNPLAYGROUND_MNIST_DIR, else the bundled sample (10,000 images).
The machine's load average is printed with the figures: on a shared machine they move with it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import numpy as np  # noqa: E402

from nnplayground.presets import load_builtin  # noqa: E402

PROBE_MS = 5


def spin(seconds):
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def wait_for(predicate, timeout=120.0, what="the experiment to load"):
    end = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > end:
            raise TimeoutError(f"gave up waiting for {what} after {timeout:.0f} s")
        spin(0.02)


def load_average():
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (5 min {five:.2f}) on {os.cpu_count()} cores"


def open_window(name):
    """The real main window (scratch settings: no saved layout), `name` opened and loaded,
    every applicable view's dock given a place of its own."""
    from nnplayground.ui.main_window import MainWindow
    settings = QSettings(str(Path(tempfile.mkdtemp(prefix="nnplayground-bench-")) / "s.ini"),
                         QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    window.resize(1920, 1200)
    window.show()
    controller = window.controller
    if not window.files.open_builtin(name, ask=False):
        raise RuntimeError(f"the built-in preset {name!r} did not open")
    wait_for(lambda: controller.state == "idle" and controller.dataset is not None
             and controller.latest_snapshot is not None)
    hub = window.live_views
    shown = sorted(n for n, v in hub.views.items() if v.applies_to(controller.dataset))
    areas = [Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea]
    for i, view_name in enumerate(shown):
        window.addDockWidget(areas[i % 2], window.view_docks[view_name])
        window.view_docks[view_name].show()
    spin(0.5)            # let the docks settle and the hub tell the worker what is shown
    visible = hub.visible_views()
    if set(visible) != set(shown):
        print(f"  warning: views {sorted(set(shown) - set(visible))} not visible")
    return window, controller, hub


def close_window(window):
    window.controller.shutdown()
    window.model.undo_stack.setClean()
    window.close()
    window.deleteLater()
    QApplication.sendPostedEvents(None, 0)
    QApplication.processEvents()


class FrameCounter:
    """Counts the snapshots the views draw, and the visible views each time."""

    def __init__(self, controller, hub):
        self.hub = hub
        self.times, self.views = [], []
        controller.snapshot_ready.connect(self._on_snapshot)

    def _on_snapshot(self, _snapshot):
        self.times.append(time.perf_counter())
        self.views.append(len(self.hub.visible_views()))

    def clear(self):
        self.times.clear()
        self.views.clear()


def headless_epochs_per_second(seconds):
    """The same training loop without any GUI: the ceiling the GUI figure is measured against."""
    from nnplayground.experiment import Experiment
    trainer = Experiment.from_preset(load_builtin("xor")).trainer
    start, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        if trainer.step().epoch_done:
            trainer.finish_epoch()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return trainer.epoch / wall, trainer.epoch / cpu


def bench_xor(seconds):
    wall, per_cpu = headless_epochs_per_second(seconds / 2)
    print(f"xor headless (no GUI): {wall:.0f} epochs/s, {per_cpu:.0f} epochs per CPU second")
    window, controller, hub = open_window("xor")
    frames = FrameCounter(controller, hub)
    start_epoch = controller.latest_snapshot.epoch
    controller.play()
    t0, cpu0 = time.perf_counter(), time.process_time()
    # Play trains to the preset's epochs (1000) and pauses by itself: time exactly that run
    wait_for(lambda: controller.state == "paused", timeout=max(seconds, 60), what="the run")
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    snap = controller.latest_snapshot
    epochs = snap.epoch - start_epoch
    print(f"xor in the main window: {epochs} epochs ({snap.step:,} steps) in {elapsed:.1f} s = "
          f"{epochs / elapsed:.0f} epochs/s (target >= 300), test accuracy "
          f"{100 * snap.last_epoch['test_accuracy']:.1f}%")
    print(f"     views visible: {', '.join(hub.visible_views())} + the diagram's weight lines; "
          f"{len(frames.times)} frames ({len(frames.times) / elapsed:.0f} fps, "
          f"{min(frames.views, default=0)}-{max(frames.views, default=0)} views each, "
          f"{1000 * controller._thread.draw_seconds:.0f} ms to draw one)")
    print(f"     {epochs / cpu:.0f} epochs per CPU second; this process used {cpu / elapsed:.2f} "
          f"cores; {load_average()}")
    close_window(window)


def bench_cnn(seconds):
    window, controller, hub = open_window("mnist-cnn")
    print(f"mnist-cnn: {controller.dataset.note or 'full MNIST'}")
    gaps = []
    clock = QElapsedTimer()

    def probe():
        gaps.append(clock.restart())

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(probe)
    frames = FrameCounter(controller, hub)
    controller.play()
    wait_for(lambda: controller.running, what="training to start")
    spin(0.5)                      # the first steps warm up numpy's buffers
    frames.clear()
    clock.start()
    timer.start(PROBE_MS)
    t0 = time.perf_counter()
    step0 = controller.latest_snapshot.step
    # Play stops by itself at the preset's epochs (the bundled sample's epochs are short):
    # press Play again at once, as a user would, so the whole window is training
    replays = []

    def play_again(state):
        if state == "paused" and time.perf_counter() - t0 < seconds:
            replays.append(time.perf_counter())
            controller.play()
    controller.state_changed.connect(play_again)
    spin(seconds)
    timer.stop()
    controller.state_changed.disconnect(play_again)
    elapsed = time.perf_counter() - t0
    if replays:
        print(f"mnist-cnn: Play reached the preset's epochs and was pressed again "
              f"{len(replays)} time(s)")
    steps = controller.latest_snapshot.step - step0
    controller.pause()
    wait_for(lambda: controller.state == "paused", what="the pause")
    late = np.array(gaps[1:], float) - PROBE_MS
    stall = late.max() if late.size else float("nan")
    between = np.diff(frames.times) if len(frames.times) > 1 else np.zeros(1)
    steady = between[between < 0.3]       # leave out the evaluation at each epoch's end
    print(f"mnist-cnn: longest event-loop stall {stall:.0f} ms over {elapsed:.1f} s "
          f"(target <= 50 ms; {len(gaps)} probes every {PROBE_MS} ms, 99th percentile "
          f"{np.percentile(late, 99) if late.size else float('nan'):.0f} ms)")
    print(f"mnist-cnn: views refreshed {len(frames.times) / elapsed:.1f} times a second overall, "
          f"{1 / steady.mean() if steady.size else float('nan'):.1f} between epoch ends "
          f"(target >= 20); longest gap between frames {1000 * between.max():.0f} ms; "
          f"{steps / elapsed:.1f} training steps/s; a frame takes "
          f"{1000 * controller._thread.draw_seconds:.0f} ms to draw")
    print(f"     views visible: {', '.join(hub.visible_views())} + the diagram; "
          f"{load_average()}")
    close_window(window)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="training time per part")
    parser.add_argument("--mnist", help="folder with the full MNIST (default: "
                        "$NNPLAYGROUND_MNIST_DIR, else the bundled sample)")
    parser.add_argument("--only", choices=["xor", "cnn"], help="run one part only")
    args = parser.parse_args(argv)
    if args.mnist:
        os.environ["NNPLAYGROUND_MNIST_DIR"] = args.mnist
    app = QApplication.instance() or QApplication(sys.argv[:1])
    print(f"before: {load_average()}")
    if args.only in (None, "xor"):
        bench_xor(args.seconds)
    if args.only in (None, "cnn"):
        bench_cnn(args.seconds)
    del app


if __name__ == "__main__":
    main()
