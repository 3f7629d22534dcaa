"""What a live change is: the settings the training thread applies between two steps.

The one list: the document's whole `optimizer` (a new type through `set_optimizer`, its
hyperparameters through `set_hyperparameters`), its `regularization`, its `display` (the
speed, through `set_speed`) and `training.batch_size`. The editor classifies an edit with
`without_live_settings` (no reset when only these differ) and hands the new values over with
`live_hyperparameters`; the worker refuses anything outside `HYPERPARAMETERS`.

The other live change is not in the document: one number of the model set by hand (a weight
or a bias clicked in the diagram), a `ParameterEdit` the worker applies between two steps
with `apply_parameter_edit`.

Data is live too when it is points placed by hand (`is_data_change`): an edit that changes
only the `dataset`, to or from a `points` dataset with the same inputs and task, is sent with
`set_data` and the network trains on the new points without a reset.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

from nnplayground.data.points import KIND
from nnplayground.presets.validation import expected_input_shape, task_of

OPTIMIZER_KEYS = frozenset({"lr", "momentum", "beta1", "beta2", "eps", "rho"})
TRAINER_KEYS = frozenset({"batch_size", "l1", "l2"})
HYPERPARAMETERS = OPTIMIZER_KEYS | TRAINER_KEYS

LIVE_SECTIONS = ("optimizer", "regularization", "display")   # whole top-level sections
LIVE_TRAINING_KEYS = ("batch_size",)                # keys of its `training` section


def without_live_settings(doc: dict) -> dict:
    """A copy of a preset document without its live settings: two documents that are equal
    this way differ only in what the worker changes without a reset."""
    out = copy.deepcopy(doc)
    for section in LIVE_SECTIONS:
        out.pop(section, None)
    training = out.get("training")
    if isinstance(training, dict):
        for key in LIVE_TRAINING_KEYS:
            training.pop(key, None)
    return out


def is_data_change(old: dict, new: dict) -> bool:
    """Do `old` and `new` differ only in their dataset, one of them points placed by hand,
    both giving the network the same inputs and task? Then the worker swaps the data live."""
    before, after = old.get("dataset"), new.get("dataset")
    if not isinstance(before, dict) or not isinstance(after, dict) or before == after:
        return False
    if KIND not in (before.get("kind"), after.get("kind")):
        return False
    if {k: v for k, v in old.items() if k != "dataset"} != \
            {k: v for k, v in new.items() if k != "dataset"}:
        return False
    shape = expected_input_shape(before)
    return (shape is not None and shape == expected_input_shape(after)
            and task_of(before) is not None and task_of(before) == task_of(after))


def live_hyperparameters(doc: dict) -> dict:
    """{name: value} of the document's live hyperparameters, as `set_hyperparameters` takes
    them (the optimizer's type is not among them: it goes through `set_optimizer`)."""
    changes = {k: v for k, v in doc.get("optimizer", {}).items() if k in OPTIMIZER_KEYS}
    changes.update({k: v for k, v in doc.get("regularization", {}).items()
                    if k in TRAINER_KEYS})
    changes.update({k: v for k, v in doc.get("training", {}).items()
                    if k in LIVE_TRAINING_KEYS})
    return changes


@dataclass(frozen=True)
class ParameterEdit:
    """`model.layers[node_id].params[name][index] = value`, e.g. ("h1", "W", (0, 2), 1.5)."""
    node_id: str
    name: str
    index: tuple[int, ...]
    value: float

    def describe(self) -> str:
        """"h1.W[0, 2]", as the diagram's tooltips name it."""
        return f"{self.node_id}.{self.name}[{', '.join(map(str, self.index))}]"


def apply_parameter_edit(model, edit: ParameterEdit) -> float:
    """Sets the number in place and returns the value it had.

    In place: a model's parameters are views into one packed array that the optimizer
    updates, so a new array would be trained no more. Raises ValueError naming the number
    when the model has no such parameter (the network changed since it was clicked) or the
    value is not finite; nothing is set then.
    """
    what = edit.describe()
    layer = model.layers.get(edit.node_id)
    array = None if layer is None else layer.params.get(edit.name)
    if array is None:
        raise ValueError(f"{what}: the network has no such parameter (it has changed since); "
                         "nothing was set")
    index = tuple(int(i) for i in edit.index)
    if len(index) != array.ndim or any(not 0 <= i < n for i, n in zip(index, array.shape)):
        raise ValueError(f"{what}: outside {edit.node_id}.{edit.name}, whose shape is "
                         f"{tuple(array.shape)}; nothing was set")
    if not math.isfinite(edit.value):
        raise ValueError(f"{what}: must be a finite number, got {edit.value!r}")
    old = float(array[index])
    array[index] = edit.value
    return old
