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
repository, else the bundled sample. `--stalls` also samples the GUI thread's Python stack
from a watchdog thread whenever the event loop is late and prints, for the longest stalls and
in all, where the GUI thread was (a low-overhead profile of the stalls only). `--trace` also lists the Python allocations that grew
most between minute `--from` and the end (tracemalloc: slower, for finding a leak). The
machine's load average is printed with the figures: on a shared machine they move with it.
"""

from __future__ import annotations

import argparse
import collections
import gc
import os
import sys
import threading
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
        self.last_beat = time.perf_counter()

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
        self.last_beat = time.perf_counter()


class StallSampler(threading.Thread):
    """Where the GUI thread is while the event loop is late: a watchdog thread that, once the
    heartbeat is more than LATE_MS overdue, samples the GUI thread's Python stack every
    SAMPLE_MS until it beats again. Each stall keeps its duration and its most frequent stack;
    `everywhere` counts, over all stalls, the innermost project or pyqtgraph frame of each
    sample (a profile of the stalls alone). Garbage collections are timed too (gc.callbacks)."""

    LATE_MS, SAMPLE_MS, DEPTH = 40, 5, 14

    def __init__(self, heart):
        super().__init__(daemon=True)
        self.heart, self.gui = heart, threading.get_ident()
        self.gui_task = f"/proc/self/task/{threading.get_native_id()}/stat"
        try:                                        # the GUI thread's own CPU time
            self.gui_cpu_clock = time.pthread_getcpuclockid(self.gui)
        except (AttributeError, OSError):
            self.gui_cpu_clock = None
        self.stalls = []                            # (ms, Counter of stacks)
        self.everywhere = collections.Counter()
        self.gui_states = collections.Counter()     # the GUI thread's scheduler state (Linux)
        self.others = collections.Counter()         # where the other threads were meanwhile
        self.collections = []                       # (ms, generation) of the slow ones
        self._gc_start = None
        self._halt = threading.Event()
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase, info):
        if threading.get_ident() != self.gui:
            return
        if phase == "start":
            self._gc_start = time.perf_counter()
        elif self._gc_start is not None:
            ms = 1000 * (time.perf_counter() - self._gc_start)
            if ms > 5:
                self.collections.append((ms, info["generation"], info["collected"]))

    def _gui_cpu(self):
        """Seconds of CPU the GUI thread has used (0 where the platform cannot tell)."""
        return time.clock_gettime(self.gui_cpu_clock) if self.gui_cpu_clock is not None else 0.0

    def _gui_state(self):
        """R (running or waiting for a core), S (asleep: waiting for the GIL, a lock or the
        event loop), D (disk), ... from /proc; '?' elsewhere."""
        try:
            with open(self.gui_task) as fh:
                return fh.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return "?"

    @staticmethod
    def _stack(frame):
        lines = []
        while frame is not None and len(lines) < StallSampler.DEPTH:
            code = frame.f_code
            lines.append(f"{Path(code.co_filename).parent.name}/{Path(code.co_filename).name}"
                         f":{frame.f_lineno} {code.co_name}")
            frame = frame.f_back
        return tuple(lines)

    def run(self):
        stacks, began, cpu = None, None, 0.0
        while not self._halt.wait(self.SAMPLE_MS / 1000):
            late = 1000 * (time.perf_counter() - self.heart.last_beat)
            if late > self.LATE_MS + HEARTBEAT_MS:
                if stacks is None:
                    stacks, began = collections.Counter(), self.heart.last_beat
                    cpu = self._gui_cpu()
                frames = sys._current_frames()
                stack = self._stack(frames.get(self.gui))
                stacks[stack] += 1
                self.gui_states[self._gui_state()] += 1
                for ident, frame in frames.items():
                    if ident not in (self.gui, threading.get_ident()):
                        other = self._stack(frame)
                        self.others[next((f for f in other if f.split("/")[0] in INTERESTING),
                                         other[0] if other else "?")] += 1
                self.everywhere[next((f for f in stack if f.split("/")[0] in INTERESTING),
                                     stack[0] if stack else "?")] += 1
            elif stacks is not None:
                # (the CPU the GUI thread used from the stall's detection on, a lower bound)
                self.stalls.append((1000 * (time.perf_counter() - began), stacks,
                                    1000 * (self._gui_cpu() - cpu)))
                stacks = None

    def stop(self):
        self._halt.set()
        self.join()
        gc.callbacks.remove(self._on_gc)

    def report(self, top=8):
        print(f"stalls over {self.LATE_MS} ms: {len(self.stalls)}; where the GUI thread was "
              f"(samples every {self.SAMPLE_MS} ms, innermost project/pyqtgraph frame):")
        for where, n in self.everywhere.most_common(25):
            print(f"  {n:6d}  {where}")
        print("the GUI thread's state meanwhile (R: running or waiting for a core; S: asleep, "
              "e.g. waiting for the GIL):", dict(self.gui_states.most_common()))
        print("where the other threads (the training worker) were meanwhile:")
        for where, n in self.others.most_common(15):
            print(f"  {n:6d}  {where}")
        if self.stalls:
            busy = max(self.stalls, key=lambda s: s[2])
            print(f"GUI thread's CPU during a stall (from its detection, {self.LATE_MS} ms in): "
                  f"at most {busy[2]:.0f} ms (in a stall of {busy[0]:.0f} ms); in all stalls "
                  f"{sum(s[2] for s in self.stalls):.0f} ms of {sum(s[0] for s in self.stalls):.0f}"
                  " ms: the rest the thread waited (for a core on a loaded machine, or the GIL)")
        print("the longest stalls, each with its most frequent stack:")
        for ms, stacks, cpu_ms in sorted(self.stalls, key=lambda s: -s[0])[:top]:
            stack, n = stacks.most_common(1)[0]
            print(f"  {ms:.0f} ms, GUI thread CPU {cpu_ms:.0f} ms ({n} of "
                  f"{sum(stacks.values())} samples):")
            for line in stack:
                print(f"      {line}")
        slow = sorted(self.collections, reverse=True)[:10]
        print(f"garbage collections on the GUI thread over 5 ms: {len(self.collections)}; "
              f"longest: " + ", ".join(f"{ms:.0f} ms (gen {g}, {c} freed)" for ms, g, c in slow))


INTERESTING = {"nnplayground", "views", "ui", "worker", "lessons", "pyqtgraph",
               "graphicsItems", "widgets", "imageview"}


def history_mb(controller):
    """(MB, count) of the run's training-history checkpoints: memory the history feature
    keeps on purpose, within its budget (worker/history.py), told apart from the rest."""
    history = getattr(controller._thread, "_history", None)     # a benchmark may look inside
    return (history.nbytes / 2**20, len(history)) if history is not None else (0.0, 0)


def soak(minutes, start_minute, trace, stalls):
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
    watchdog = StallSampler(heart) if stalls else None
    if watchdog:
        watchdog.start()
    t0 = time.perf_counter()
    marks, kept, stall_after_start = {}, {}, 0.0
    minute = 0
    cpu = (time.thread_time(), time.process_time())     # this (the GUI) thread's, everyone's
    while minute < minutes:
        spin(60.0 - (time.perf_counter() - t0 - 60 * minute))
        minute += 1
        # (no gc.collect() here: a full pass would be a stall of its own)
        samples.append(rss_mb())
        marks[minute] = (min(samples), max(samples), samples[-1])
        samples.clear()
        kept[minute] = history_mb(controller)
        snap = controller.latest_snapshot
        gui_cpu, all_cpu = time.thread_time() - cpu[0], time.process_time() - cpu[1]
        cpu = (time.thread_time(), time.process_time())
        print(f"minute {minute:3d}: resident {marks[minute][2]:7.1f} MB (this minute "
              f"{marks[minute][0]:.1f}-{marks[minute][1]:.1f}), step "
              f"{snap.step if snap else 0:,}, epoch {snap.epoch if snap else 0}, history "
              f"{kept[minute][0]:.0f} MB in {kept[minute][1]} checkpoints, longest stall "
              f"this minute {heart.longest:.0f} ms, CPU: GUI thread {gui_cpu:.1f} s, process "
              f"{all_cpu:.1f} s; {load_average()}", flush=True)
        if minute > start_minute:
            stall_after_start = max(stall_after_start, heart.longest)
        heart.reset()
        if minute == start_minute and trace:
            before = tracemalloc.take_snapshot()
    if watchdog:            # before the heartbeat stops, which it would take for a stall
        watchdog.stop()
        watchdog.report()
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
    parser.add_argument("--stalls", action="store_true",
                        help="sample the GUI thread's stack during each stall (a watchdog)")
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
    soak(args.minutes, args.start, args.trace, args.stalls)
    del app


if __name__ == "__main__":
    main()
