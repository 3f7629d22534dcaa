"""Python's cyclic garbage collector runs only on the GUI thread while a training thread lives.

Why: CPython runs a collection on whichever thread happens to cross the allocation threshold, and
the training thread allocates the most, so it is usually that thread. A collection frees every
unreachable reference cycle, QObjects of the GUI thread included (a previous run's
`TrainingController` and its QThread, a closed window's widgets, pytest-qt's timers). Their C++
destructors then run on the training thread while the GUI thread's event loop is delivering
events to them: an intermittent segfault in the GUI thread's event loop (seen in about 1 of 10
runs of tests/worker; a TrainingController was found among the cycles the training thread
collected). pyqtgraph's `GarbageCollector` documents the same cure: while any training thread
exists, automatic collection is off and a timer on the GUI thread collects with the
interpreter's own thresholds, so Qt objects are only ever destroyed on the thread they live on.

The rule is the interpreter's whole rule, including its brake on full collections: a pass over
the oldest generation walks every long-lived object (about 100,000 in the main window, 0.2 s
and more on a busy machine: an event-loop stall), so, as CPython does, it runs only once the
objects that reached the oldest generation since the last full pass are a quarter of those it
left (FULL_COLLECTION_GROWTH); until then the younger generations are collected as usual.

While a training thread runs, every object is frozen (`gc.freeze()`): when Play is pressed,
the objects tracked so far move to the interpreter's permanent generation, which no collection
walks, and each full pass during training freezes its own survivors in turn. A full pass during
training thus walks only what became long-lived since the last one (a few milliseconds), never
the ~100,000 objects of the main window (50 ms on a quiet machine, 220 ms seen on a busy one).
When training stops, everything is thawed (`gc.unfreeze()`): the garbage cycles that died
frozen are then collected by the rules above, while no training is being watched. Freezing and
thawing move whole lists; neither walks the objects.
"""

from __future__ import annotations

import gc

import shiboken6
from PySide6.QtCore import QCoreApplication, QThread, QTimer

CHECK_INTERVAL_MS = 100     # young garbage waits at most this long; a gen-0 pass costs ~0.1 ms
FULL_COLLECTION_GROWTH = 0.25   # CPython's long_lived_pending / long_lived_total threshold

_users = 0
_timer = None
_was_enabled = False
_long_lived = None          # objects in the oldest generation after the last full collection
_declined_at = None         # gc.get_count()[2] when a full collection was last not worth it
_running = 0                # training threads that are running now (objects frozen meanwhile)


def collect_if_due():
    """What the interpreter would have done on its own: collect the oldest generation whose
    allocation count passed its threshold, a full collection only when enough new objects
    have become long-lived (same rules as `gc`'s automatic collection)."""
    global _long_lived, _declined_at
    counts, thresholds = gc.get_count(), gc.get_threshold()
    for generation in (2, 1, 0):
        if not thresholds[generation] or counts[generation] <= thresholds[generation]:
            continue
        if generation == 2:
            if _declined_at == counts[2]:
                continue                # asked already since the last younger collection
            oldest = len(gc.get_objects(generation=2)) + gc.get_freeze_count()
            if _long_lived is not None and \
                    oldest - _long_lived < FULL_COLLECTION_GROWTH * _long_lived:
                _declined_at = counts[2]
                continue
        gc.collect(generation)
        if generation == 2:
            if _running:
                gc.freeze()             # the survivors: the next full pass need not walk them
            _long_lived = len(gc.get_objects(generation=2)) + gc.get_freeze_count()
            _declined_at = None
        return generation
    return None


def training_started():
    """A controller's training thread started running (called on the GUI thread): the first
    one freezes every object tracked so far."""
    global _running
    if _users == 0:
        return
    if _running == 0:
        gc.freeze()
    _running += 1


def training_stopped():
    """A controller's training thread stopped (paused, finished, failed, shut down): when none
    runs any longer, everything is thawed and the usual rules collect it."""
    global _running
    if _running == 0:
        return
    _running -= 1
    if _running == 0:
        gc.unfreeze()


def acquire():
    """Called by each new TrainingController on the GUI thread: from now on only the GUI
    thread collects. Returns False (and changes nothing) when there is no Qt application yet,
    since then no event loop could run the collecting timer."""
    global _users, _timer, _was_enabled
    app = QCoreApplication.instance()
    if app is None:
        return False
    if QThread.currentThread() is not app.thread():
        raise RuntimeError("create the TrainingController on the GUI thread (the thread of the "
                           "QApplication), never on a worker thread")
    if _users == 0:
        _was_enabled = gc.isenabled()
        if _timer is None or not shiboken6.isValid(_timer):
            _timer = QTimer(app)            # lives and dies with the application, on its thread
            _timer.setInterval(CHECK_INTERVAL_MS)
            _timer.timeout.connect(collect_if_due)
        gc.disable()
        _timer.start()
    _users += 1
    return True


def release():
    """Called once per successful `acquire()` after that controller's thread has been joined;
    the last one gives collection back to the interpreter."""
    global _users, _running
    if _users == 0:
        return
    _users -= 1
    if _users == 0:
        if _timer is not None and shiboken6.isValid(_timer):
            _timer.stop()
        gc.unfreeze()
        _running = 0
        if _was_enabled:
            gc.enable()
