"""A run's training history kept by a driver other than the training thread: the command
line's `nnplayground train --save`, so that its model file opens in the app with the run's
loss curves, scrubber and views, as a model saved from the app does.

The same pieces as the training thread's, with the same rules: a `SnapshotBuilder` makes each
moment, `TrainingHistory` decides which steps to keep (every step up to 50, then every 2 %,
at most a fifth of the training time) and `history_file.saved_history` writes them. Qt-free,
like everything it uses (an import-linter contract says so).
"""

from __future__ import annotations

import time

from nnplayground.worker import snapshot as S
from nnplayground.worker.builder import SnapshotBuilder
from nnplayground.worker.history import TrainingHistory
from nnplayground.worker.history_file import saved_history


class HistoryRecorder:
    """Keeps `experiment`'s history while a driver trains it: `stepped(result)` after each
    `Trainer.step()`, `epoch_ended()` once the epoch's record is in the trainer's history,
    `arrays()` for the model file. The untrained moment (step 0) is the first checkpoint."""

    def __init__(self, experiment, clock=time.perf_counter):
        self.exp = experiment
        self.clock = clock
        self.history = TrainingHistory()
        self.builder = SnapshotBuilder(experiment, S.dataset_info(experiment.dataset),
                                       clock=clock, history=self.history)
        self.history.take(experiment, self.builder, clock)

    def stepped(self, result) -> None:
        """After a training step (`StepResult`): a checkpoint when one is due."""
        if self.history.due(result.step, self.clock()):
            self.history.take(self.exp, self.builder, self.clock)

    def epoch_ended(self) -> None:
        """The newest epoch record is in: where it ended for the loss plot, and for a
        classification the confusion matrix the checkpoints carry from now on (as the app
        has it with the matrix shown)."""
        self.builder.epoch_ended(self.exp.trainer.steps_done)
        if self.builder.info.task == "classification":
            self.builder.update_confusion()

    def arrays(self) -> dict:
        """The history as a model file's `history/` arrays, the present moment its last
        checkpoint (the weights saved beside it)."""
        return saved_history(self.history, self.exp, self.builder, self.clock)
