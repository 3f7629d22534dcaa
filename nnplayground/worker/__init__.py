"""The only place where Qt meets the engine: the training thread, its controller and snapshots.

`TrainingController` (GUI thread) sends messages to a `TrainingThread` that owns the live
Experiment; the thread answers with frozen `Snapshot`s at most ~30 times a second. While a
training thread lives, Python's cyclic GC runs only on the GUI thread (`gui_gc` says why).
"""

from nnplayground.worker.snapshot import DatasetInfo, Snapshot

__all__ = ["DatasetInfo", "Snapshot", "TrainingController"]


def __getattr__(name):
    """`TrainingController` is imported when first asked for: it brings Qt, and the worker's
    Qt-free parts (snapshots, the training history and its file format, `recorder`) serve the
    command line too, which never loads Qt."""
    if name == "TrainingController":
        from nnplayground.worker.controller import TrainingController
        return TrainingController
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
