"""The only place where Qt meets the engine: the training thread, its controller and snapshots.

`TrainingController` (GUI thread) sends messages to a `TrainingThread` that owns the live
Experiment; the thread answers with frozen `Snapshot`s at most ~30 times a second. While a
training thread lives, Python's cyclic GC runs only on the GUI thread (`gui_gc` says why).
"""

from nnplayground.worker.controller import TrainingController
from nnplayground.worker.snapshot import DatasetInfo, Snapshot

__all__ = ["DatasetInfo", "Snapshot", "TrainingController"]
