"""Work off the GUI thread: a function run once on a QThread, its result delivered as a signal.

A lesson's computation (a gradient check, a grid of histograms) or the reading of the user's
data file (a 50 MB CSV takes seconds) may take long enough to freeze the window, and with it
the training views and a classroom's projector, so it runs on a `TaskThread` and comes back as
a signal; the GUI thread only draws.
"""

from __future__ import annotations

import threading
import traceback

from PySide6.QtCore import QCoreApplication, QThread, Signal

from nnplayground.worker.priority import lower_this_thread


class TaskThread(QThread):
    """Runs `fn()` once off the GUI thread; `done(result)` or `failed(message)` afterwards.

    Exceptions become a message (never a silent print), so the widget can show what went wrong.
    The task runs at the training thread's lower priority (`worker/priority.py`): on a busy
    machine the GUI thread gets a core first. A task that watches a stop flag (`stop`, a threading.Event it checks between its parts,
    as the CSV reader checks between chunks) is ended early by `stop()`; it still comes back
    with whatever it returns then.
    """

    done = Signal(object)
    failed = Signal(str)

    def __init__(self, fn, parent=None, stop: threading.Event | None = None):
        super().__init__(parent)
        self._fn = fn
        self._stop = stop

    def stop(self) -> None:
        """Ask the task to end early; nothing happens to a task that watches no stop flag."""
        if self._stop is not None:
            self._stop.set()

    def run(self):
        lower_this_thread()     # the window gets a core before the task does, as before training
        try:
            result = self._fn()
        except Exception as exc:    # shown to the user by the widget
            traceback.print_exc()
            self.failed.emit(f"{type(exc).__name__}: {exc}")
        else:
            self.done.emit(result)

    def start_detached(self) -> None:
        """Start a task that may outlive the widget listening to it (a dialog cancelled while
        its file is read): the application owns the thread, so deleting the widget neither
        destroys a running thread nor waits for it, and the thread deletes itself once it has
        finished. Its late signal reaches no deleted widget (Qt drops a deleted receiver's
        connections); a widget closed but kept must ignore it itself. Quitting the application
        stops the task (when it can be) and waits for it."""
        app = QCoreApplication.instance()
        self.setParent(app)
        self.finished.connect(self.deleteLater)
        app.aboutToQuit.connect(self._stop_and_wait)
        self.start()

    def _stop_and_wait(self) -> None:
        stop_thread(self)


def stop_thread(thread: QThread | None) -> None:
    """Ask a thread to stop (if it can) and join it, so Qt never destroys a running QThread."""
    if thread is None:
        return
    stop = getattr(thread, "stop", None)
    if stop is not None:
        stop()
    if thread.isRunning():
        thread.wait()
