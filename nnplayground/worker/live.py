"""What a live change is: the settings the training thread applies between two steps.

The one list: the document's whole `optimizer` (a new type through `set_optimizer`, its
hyperparameters through `set_hyperparameters`), its `regularization`, its `display` (the
speed, through `set_speed`) and `training.batch_size`. The editor classifies an edit with
`without_live_settings` (no reset when only these differ) and hands the new values over with
`live_hyperparameters`; the worker refuses anything outside `HYPERPARAMETERS`.
"""

from __future__ import annotations

import copy

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


def live_hyperparameters(doc: dict) -> dict:
    """{name: value} of the document's live hyperparameters, as `set_hyperparameters` takes
    them (the optimizer's type is not among them: it goes through `set_optimizer`)."""
    changes = {k: v for k, v in doc.get("optimizer", {}).items() if k in OPTIMIZER_KEYS}
    changes.update({k: v for k, v in doc.get("regularization", {}).items()
                    if k in TRAINER_KEYS})
    changes.update({k: v for k, v in doc.get("training", {}).items()
                    if k in LIVE_TRAINING_KEYS})
    return changes
