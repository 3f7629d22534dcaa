"""How fast the GUI trains and how smooth it stays. Prints figures; never run as a test.

1. xor (TensorFlow Playground's defaults: 2-4-2-1 tanh, batch 10, 250 training points) trained
   in the window with every view that applies to it visible: epochs per second (target >= 300).
2. mnist-cnn training in the window: the longest event-loop stall, measured by a 5 ms QTimer
   probe (target <= 50 ms), and how many frames a second the views draw (target >= 20).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui.py [--seconds 8] [--mnist DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402

import numpy as np  # noqa: E402

from nnplayground.presets import load_builtin  # noqa: E402
from nnplayground.ui.views import install_views  # noqa: E402
from nnplayground.worker import TrainingController  # noqa: E402

PROBE_MS = 5


def spin(seconds):
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def wait_for(predicate, timeout=120.0):
    end = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > end:
            raise TimeoutError("the experiment did not load in time")
        spin(0.02)


def make_window(mnist_dir):
    window = QMainWindow()
    window.resize(1600, 1000)
    controller = TrainingController(window, mnist_dir=mnist_dir)
    docks = install_views(window, controller)
    window.show()
    return window, controller, docks


def untabify(window, docks, names):
    """Give each named dock its own place, so that every one of them is really visible."""
    areas = [Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea]
    for i, name in enumerate(names):
        window.addDockWidget(areas[i % 2], docks[name])
        docks[name].show()


def load(controller, name):
    controller.load(load_builtin(name))
    wait_for(lambda: controller.state == "idle" and controller.dataset is not None)


def headless_epochs_per_second(seconds):
    """The same training loop without any GUI: the ceiling the GUI figure is measured against."""
    from nnplayground.experiment import Experiment
    trainer = Experiment.from_preset(load_builtin("xor")).trainer
    start, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        if trainer.step().epoch_done:
            trainer.finish_epoch()
    return trainer.epoch / (time.perf_counter() - start), trainer.epoch / (time.process_time() - cpu)


def bench_xor(seconds, mnist_dir):
    wall, per_cpu = headless_epochs_per_second(seconds / 2)
    print(f"xor headless (no GUI): {wall:.0f} epochs/s, {per_cpu:.0f} epochs per CPU second")
    window, controller, docks = make_window(mnist_dir)
    load(controller, "xor")
    hub = window.live_views
    shown = [n for n, v in hub.views.items() if v.applies_to(controller.dataset)]
    untabify(window, docks, shown)
    spin(0.3)
    drawn = {n: hub.views[n].updates for n in shown}
    start_epoch = controller.latest_snapshot.epoch
    controller.play()
    t0, cpu0 = time.perf_counter(), time.process_time()
    spin(seconds)
    controller.pause()
    wait_for(lambda: controller.state == "paused")
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    snap = controller.latest_snapshot
    epochs = snap.epoch - start_epoch
    frames = {n: hub.views[n].updates - drawn[n] for n in shown}
    print(f"xor: {epochs} epochs ({snap.step:,} steps) in {elapsed:.1f} s = "
          f"{epochs / elapsed:.0f} epochs/s (target >= 300), test accuracy "
          f"{100 * snap.last_epoch['test_accuracy']:.1f}%")
    print(f"     views visible: {', '.join(shown)}; frames drawn per view: "
          f"{min(frames.values())}-{max(frames.values())} "
          f"({min(frames.values()) / elapsed:.0f} fps, "
          f"{1000 * controller._thread.draw_seconds:.0f} ms each)")
    print(f"     {epochs / cpu:.0f} epochs per CPU second; this process had {cpu / elapsed:.2f} "
          f"CPU cores of {os.cpu_count()} (load average {os.getloadavg()[0]:.1f})")
    controller.shutdown()
    window.close()


def bench_cnn(seconds, mnist_dir):
    window, controller, docks = make_window(mnist_dir)
    load(controller, "mnist-cnn")
    hub = window.live_views
    print(f"mnist-cnn: {controller.dataset.note or 'full MNIST'}")
    gaps = []
    clock = QElapsedTimer()

    def probe():
        gaps.append(clock.restart())

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(probe)
    frames = []
    controller.snapshot_ready.connect(lambda s: frames.append(time.perf_counter()))
    controller.play()
    wait_for(lambda: controller.running)
    spin(0.5)                      # the first steps warm up numpy's buffers
    frames.clear()
    clock.start()
    timer.start(PROBE_MS)
    t0 = time.perf_counter()
    step0 = controller.latest_snapshot.step
    spin(seconds)
    timer.stop()
    elapsed = time.perf_counter() - t0
    steps = controller.latest_snapshot.step - step0
    controller.pause()
    wait_for(lambda: controller.state == "paused")
    stall = max(gaps[1:]) - PROBE_MS if len(gaps) > 1 else float("nan")
    between = np.diff(frames) if len(frames) > 1 else np.zeros(1)
    steady = between[between < 0.3]       # leave out the evaluation at each epoch's end
    print(f"mnist-cnn: longest event-loop stall {stall:.0f} ms over {elapsed:.1f} s "
          f"(target <= 50 ms; {len(gaps)} probes every {PROBE_MS} ms)")
    print(f"mnist-cnn: views refreshed {len(frames) / elapsed:.1f} times a second overall, "
          f"{1 / steady.mean() if steady.size else float('nan'):.1f} between epoch ends "
          f"(target >= 20); longest gap between frames {1000 * between.max():.0f} ms; "
          f"{steps / elapsed:.1f} training steps/s; "
          f"visible: {', '.join(hub.visible_views())}; a frame takes "
          f"{1000 * controller._thread.draw_seconds:.0f} ms to draw")
    controller.shutdown()
    window.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="training time per part")
    parser.add_argument("--mnist", default=os.environ.get("NNPLAYGROUND_MNIST_DIR"),
                        help="folder with the full MNIST (default: the bundled sample)")
    parser.add_argument("--only", choices=["xor", "cnn"], help="run one part only")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv)
    if args.only in (None, "xor"):
        bench_xor(args.seconds, args.mnist)
    if args.only in (None, "cnn"):
        bench_cnn(args.seconds, args.mnist)
    del app


if __name__ == "__main__":
    main()
