"""Memory and smoothness of the main window over a long run: mnist-cnn with every view open.
Prints figures; never run as a test.

Trains mnist-cnn in the real main window (bench_gui.open_window: every view that applies in a
dock of its own, the diagram's weight lines) for N minutes, pressing Play again whenever the
preset's epochs are done, as a user would. Prints the process's resident memory once a minute,
the growth between minute `--from` (default 5) and the end (target <= 5%: at the minute mark,
and of each minute's lowest and highest reading, sampled once a second), and the longest
event-loop stall seen by a QTimer heartbeat (target <= 100 ms).

    QT_QPA_PLATFORM=offscreen python benchmarks/soak_gui.py [--minutes 30] [--from 5]
        [--mnist DIR] [--trace]

MNIST: `--mnist DIR`, else $NNPLAYGROUND_MNIST_DIR, else ../shared/datasets/mnist beside the
repository, else the bundled sample. `--trace` also lists the Python allocations that grew
most between minute `--from` and the end (tracemalloc: slower, for finding a leak). The
machine's load average is printed with the figures: on a shared machine they move with it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_gui import close_window, load_average, open_window, spin, wait_for  # noqa: E402
from PySide6.QtCore import QElapsedTimer, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

HEARTBEAT_MS = 10
SHARED_MNIST = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "mnist"


def rss_mb():
    """Resident memory of this process in MB (Linux: /proc; elsewhere the peak so far)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Heartbeat:
    """A precise timer every HEARTBEAT_MS; the longest lateness is the longest stall."""

    def __init__(self):
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._beat)
        self.longest = 0.0
        self.beats = 0

    def start(self):
        self.clock.start()
        self.timer.start(HEARTBEAT_MS)

    def reset(self):
        self.longest, self.beats = 0.0, 0
        self.clock.restart()

    def stop(self):
        self.timer.stop()

    def _beat(self):
        self.longest = max(self.longest, self.clock.restart() - HEARTBEAT_MS)
        self.beats += 1


def history_mb(controller):
    """(MB, count) of the run's training-history checkpoints: memory the history feature
    keeps on purpose, within its budget (worker/history.py), told apart from the rest."""
    history = getattr(controller._thread, "_history", None)     # a benchmark may look inside
    return (history.nbytes / 2**20, len(history)) if history is not None else (0.0, 0)


def soak(minutes, start_minute, trace):
    window, controller, hub = open_window("mnist-cnn")
    print(f"mnist-cnn: {controller.dataset.note or 'full MNIST'}")
    print(f"views visible: {', '.join(hub.visible_views())} + the diagram; {load_average()}")

    def play_again(state):
        if state == "paused":
            controller.play()
    controller.state_changed.connect(play_again)
    heart = Heartbeat()
    samples = []                 # resident MB once a second, this minute
    sampler = QTimer()
    sampler.timeout.connect(lambda: samples.append(rss_mb()))
    controller.play()
    wait_for(lambda: controller.running, what="training to start")
    heart.start()
    sampler.start(1000)
    t0 = time.perf_counter()
    marks, kept, stall_after_start = {}, {}, 0.0
    minute = 0
    while minute < minutes:
        spin(60.0 - (time.perf_counter() - t0 - 60 * minute))
        minute += 1
        # (no gc.collect() here: a full pass would be a stall of its own)
        samples.append(rss_mb())
        marks[minute] = (min(samples), max(samples), samples[-1])
        samples.clear()
        kept[minute] = history_mb(controller)
        snap = controller.latest_snapshot
        print(f"minute {minute:3d}: resident {marks[minute][2]:7.1f} MB (this minute "
              f"{marks[minute][0]:.1f}-{marks[minute][1]:.1f}), step "
              f"{snap.step if snap else 0:,}, epoch {snap.epoch if snap else 0}, history "
              f"{kept[minute][0]:.0f} MB in {kept[minute][1]} checkpoints, longest stall "
              f"this minute {heart.longest:.0f} ms; {load_average()}", flush=True)
        if minute > start_minute:
            stall_after_start = max(stall_after_start, heart.longest)
        heart.reset()
        if minute == start_minute and trace:
            before = tracemalloc.take_snapshot()
    heart.stop()
    sampler.stop()
    controller.state_changed.disconnect(play_again)
    first, last = marks[start_minute], marks[minutes]
    for i, what in ((2, "at the minute mark"), (0, "the minute's lowest (what stays)"),
                    (1, "the minute's highest (an evaluation's peak)")):
        print(f"memory, {what}: {first[i]:.1f} MB at minute {start_minute}, {last[i]:.1f} MB "
              f"at minute {minutes}: growth {100 * (last[i] - first[i]) / first[i]:+.1f}% "
              f"(target <= 5%)")
    grew = kept[minutes][0] - kept[start_minute][0]
    print(f"of which the training history's checkpoints (kept on purpose, budget 200 MB): "
          f"{grew:+.1f} MB; the minute's lowest without them: growth "
          f"{100 * (last[0] - grew - first[0]) / first[0]:+.1f}%")
    print(f"longest event-loop stall after minute {start_minute}: {stall_after_start:.0f} ms "
          f"(target <= 100 ms; heartbeat every {HEARTBEAT_MS} ms); {load_average()}")
    if trace:
        after = tracemalloc.take_snapshot()
        print("Python allocations that grew most since minute", start_minute)
        for stat in after.compare_to(before, "lineno")[:15]:
            print("   ", stat)
    close_window(window)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=30, help="how long to train")
    parser.add_argument("--from", dest="start", type=int, default=5,
                        help="the minute growth is measured from (after the warm-up)")
    parser.add_argument("--mnist", help="folder with the full MNIST")
    parser.add_argument("--trace", action="store_true",
                        help="list the Python allocations that grew most (tracemalloc)")
    args = parser.parse_args(argv)
    if not 0 < args.start < args.minutes:
        parser.error("--from must be a minute between 0 and --minutes")
    mnist = args.mnist or os.environ.get("NNPLAYGROUND_MNIST_DIR")
    if not mnist and SHARED_MNIST.is_dir():
        mnist = str(SHARED_MNIST)
    if mnist:
        os.environ["NNPLAYGROUND_MNIST_DIR"] = mnist
    if args.trace:
        tracemalloc.start(10)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    print(f"before: {load_average()}")
    soak(args.minutes, args.start, args.trace)
    del app


if __name__ == "__main__":
    main()
