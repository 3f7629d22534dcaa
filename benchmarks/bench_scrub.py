"""Milliseconds per scrub: from moving the history slider to every visible view drawn.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_scrub.py [--presets spiral,mnist-mlp]
                                                                [--train-seconds 5] [--scrubs 200]

Opens every live view docked in a window (as the app does), trains the preset for a few
seconds, pauses, then moves the timeline's slider to random checkpoints, one at a time: the
time runs from `slider.setValue` (what a drag or a key does) until the replayed frame has
reached the views and the window has painted it. Prints the median, 90th percentile and worst
case per preset.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from PySide6.QtWidgets import QApplication, QMainWindow

from nnplayground.presets import load_builtin
from nnplayground.ui.views import install_views
from nnplayground.worker import TrainingController


def wait(app, condition, timeout=60.0):
    end = time.perf_counter() + timeout
    while not condition():
        app.processEvents()
        if time.perf_counter() > end:
            raise TimeoutError("the worker did not answer")
        time.sleep(0.0005)


def bench(app, preset, train_seconds, scrubs, rng):
    win = QMainWindow()
    ctl = TrainingController(win)
    install_views(win, ctl)
    win.resize(1600, 1000)
    win.show()
    doc = load_builtin(preset)
    doc["training"]["epochs"] = 10**6
    ctl.load(doc)
    wait(app, lambda: ctl.state == "idle" and ctl.latest_snapshot is not None)
    ctl.play()
    end = time.perf_counter() + train_seconds
    wait(app, lambda: time.perf_counter() > end, timeout=train_seconds + 5)
    ctl.pause()
    wait(app, lambda: ctl.state == "paused")
    timeline = win.live_views.timeline
    wait(app, lambda: len(timeline.steps) > 1)
    steps = timeline.steps
    times = []
    for index in rng.integers(0, len(steps), scrubs):
        if timeline.shown == steps[index]:
            continue
        start = time.perf_counter()
        timeline.slider.setValue(int(index))
        wait(app, lambda i=index: timeline.shown == steps[i])
        win.repaint()          # paint now what the views were given
        times.append(time.perf_counter() - start)
    ms = 1000 * np.array(times)
    print(f"{preset:>10}: {len(steps)} checkpoints up to step {steps[-1]:,}; "
          f"{len(ms)} scrubs: median {np.median(ms):.1f} ms, 90% {np.percentile(ms, 90):.1f} "
          f"ms, worst {ms.max():.1f} ms")
    ctl.shutdown()
    win.close()
    win.deleteLater()
    app.processEvents()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="spiral,mnist-mlp")
    parser.add_argument("--train-seconds", type=float, default=5.0)
    parser.add_argument("--scrubs", type=int, default=200)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    rng = np.random.default_rng(0)
    for preset in args.presets.split(","):
        bench(app, preset, args.train_seconds, args.scrubs, rng)
    return 0


if __name__ == "__main__":
    sys.exit(main())
