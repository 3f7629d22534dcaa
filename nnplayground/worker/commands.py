"""What the GUI thread asks of the training thread: one small frozen dataclass per command.

`TrainingController` builds them and `TrainingThread.post` queues them; the thread dispatches
on the type with a `match` (see `TrainingThread._handle`), so every command's handler can be
found by following the class. `urgent` commands interrupt the training slice under way (they
are answered within one step or one evaluation batch); `error_title` heads the dialog when a
command fails.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, ClassVar
from collections.abc import Mapping

import numpy as np

from nnplayground.worker.live import ParameterEdit


@dataclass(frozen=True)
class Command:
    urgent: ClassVar[bool] = False
    error_title: ClassVar[str] = "Training error"


@dataclass(frozen=True)
class Load(Command):
    """Build the experiment a preset document describes; forgets earlier live changes.
    state: trained parameters {"<node_id>/<name>": array} for the fresh model, or None."""
    doc: Mapping[str, Any]
    state: Mapping[str, np.ndarray] | None
    run: int
    urgent: ClassVar[bool] = True
    error_title: ClassVar[str] = "Could not load the experiment"


@dataclass(frozen=True)
class Unload(Command):
    """Drop the experiment (the document can no longer be trained, e.g. after File > New)."""
    run: int
    urgent: ClassVar[bool] = True


@dataclass(frozen=True)
class Reset(Command):
    """Rebuild the loaded document with fresh weights; live changes are kept."""
    run: int
    urgent: ClassVar[bool] = True
    error_title: ClassVar[str] = "Could not reset the experiment"


@dataclass(frozen=True)
class Play(Command):
    error_title: ClassVar[str] = "Cannot train"


@dataclass(frozen=True)
class Pause(Command):
    urgent: ClassVar[bool] = True


@dataclass(frozen=True)
class Step(Command):
    urgent: ClassVar[bool] = True
    error_title: ClassVar[str] = "Cannot train"


@dataclass(frozen=True)
class StepEpoch(Command):
    urgent: ClassVar[bool] = True
    error_title: ClassVar[str] = "Cannot train"


@dataclass(frozen=True)
class SaveModel(Command):
    """Write the live model to `path`; the outcome (path or exception) goes to `done`."""
    path: str
    done: Future
    urgent: ClassVar[bool] = True


@dataclass(frozen=True)
class SetHyperparameters(Command):
    changes: Mapping[str, float]
    error_title: ClassVar[str] = "Could not change the setting"


@dataclass(frozen=True)
class SetOptimizer(Command):
    spec: Mapping[str, Any]
    error_title: ClassVar[str] = "Could not switch the optimizer"


@dataclass(frozen=True)
class SetParameter(Command):
    """Set one weight or bias of the live model (`live.apply_parameter_edit`)."""
    edit: ParameterEdit
    error_title: ClassVar[str] = "Could not set the number"


@dataclass(frozen=True)
class SetData(Command):
    """Train on the dataset `spec` (a preset's "dataset") from the next step, keeping the
    model and its weights: points drawn, erased or undone by hand (`Experiment.replace_data`).
    The answer is `data_changed(DatasetInfo)`."""
    spec: Mapping[str, Any]
    urgent: ClassVar[bool] = True
    error_title: ClassVar[str] = "Could not train on the edited data"


@dataclass(frozen=True)
class SetSpeed(Command):
    """How fast Play trains: a name of `pace.SPEEDS` (the numbers are the same at any speed)."""
    speed: str


@dataclass(frozen=True)
class SetVisibleViews(Command):
    names: frozenset


@dataclass(frozen=True)
class SelectImage(Command):
    index: int
    error_title: ClassVar[str] = "Could not show that test image"


@dataclass(frozen=True)
class Classify(Command):
    """Classify x (a batch of one); the answer is `classified(request_id, probabilities)`."""
    request_id: int
    x: np.ndarray
    error_title: ClassVar[str] = "Could not classify the image"


@dataclass(frozen=True)
class Explain(Command):
    """Why the model answers what it does for x (a batch of one): saliency, occlusion and the
    adversarial nudge (`engine.explain`), for class `target` (None: its answer). The answer is
    `explained(request_id, Explanation)`."""
    request_id: int
    x: np.ndarray
    target: int | None = None
    error_title: ClassVar[str] = "Could not explain the answer"


@dataclass(frozen=True)
class WalkThrough(Command):
    """Back-propagation step by step on training sample `index` (`engine.backprop`): the
    answer is `walked(request_id, (index, stages) or a message saying why not)`."""
    request_id: int
    index: int
    error_title: ClassVar[str] = "Could not step through back-propagation"


@dataclass(frozen=True)
class ShowCheckpoint(Command):
    """Show the views the training history's checkpoint at (or before) `step`."""
    step: int
    urgent: ClassVar[bool] = True
    error_title: ClassVar[str] = "Could not show that moment of the training history"


@dataclass(frozen=True)
class ContinueFrom(Command):
    """Restore the checkpoint at (or before) `step` and train on from it (a new branch)."""
    step: int
    play: bool = False
    urgent: ClassVar[bool] = True
    error_title: ClassVar[str] = "Could not continue from that moment"


@dataclass(frozen=True)
class RestoreHistory(Command):
    """Bring back the training history saved in a model file (after its Load): curves,
    checkpoints, and the trainer where the file left it."""
    arrays: Mapping[str, np.ndarray]
    urgent: ClassVar[bool] = True
    error_title: ClassVar[str] = "Could not bring back the model's training history"


@dataclass(frozen=True)
class Stop(Command):
    urgent: ClassVar[bool] = True
