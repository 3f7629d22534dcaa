"""The training thread runs at a lower scheduling priority than the GUI thread (Linux).

Why: training keeps every core busy (the worker thread and the engine's helper threads, see
engine/fast/threads.py), and the GUI thread wakes up some thirty times a second to draw a
snapshot. At equal priority it queues for a core behind them: on a busy machine the soak of
mnist-cnn in the main window saw event-loop stalls of 100 to 800 ms during which the GUI
thread was runnable but had used under 2% of the time on a CPU (benchmarks/soak_gui.py
--stalls). A higher nice value for the training thread tells the scheduler to give the core to
the window first; training loses only the little time the window needs.

On Linux nice is per thread and inherited by the threads a thread starts, so the engine's
helper threads (started from the training thread) share it. Elsewhere (macOS, Windows) a
thread's priority is not set this way, and nothing is changed.
"""

from __future__ import annotations

import os
import sys
import threading

TRAINING_NICENESS = 5       # added to the calling thread's nice value (0 to 19 on Linux)


def lower_this_thread() -> bool:
    """Make the calling thread TRAINING_NICENESS nicer than it is (Linux); True when done.
    Raising one's own nice value needs no privileges; a refusal leaves things as they were."""
    if not sys.platform.startswith("linux"):
        return False
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid)
                       + TRAINING_NICENESS)
    except OSError:
        return False
    return True


def niceness(native_id: int) -> int | None:
    """A thread's nice value by its native id (Linux), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return os.getpriority(os.PRIO_PROCESS, native_id)
    except OSError:
        return None
