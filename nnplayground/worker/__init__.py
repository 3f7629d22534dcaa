"""The only place where Qt meets the engine: the training thread, its controller and snapshots.

`TrainingController` (GUI thread) sends messages to a `TrainingThread` that owns the live
Experiment; the thread answers with frozen `Snapshot`s at most ~30 times a second.
"""

from nnplayground.worker.controller import TrainingController
from nnplayground.worker.snapshot import DatasetInfo, Snapshot

__all__ = ["DatasetInfo", "Snapshot", "TrainingController"]
