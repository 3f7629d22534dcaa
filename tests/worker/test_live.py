"""One list of live settings: what the editor sends without a reset is what the worker takes."""

import copy

import pytest

from nnplayground.presets import load_builtin
from nnplayground.ui.undo import change_kind
from nnplayground.worker.live import HYPERPARAMETERS, live_hyperparameters


@pytest.mark.parametrize("section, key, value", [
    ("optimizer", "lr", 0.5), ("optimizer", "momentum", 0.5),
    ("regularization", "l2", 0.01), ("training", "batch_size", 7)])
def test_a_live_edit_is_classified_live_and_sent_as_a_hyperparameter(section, key, value):
    old = load_builtin("xor")
    new = copy.deepcopy(old)
    new.setdefault(section, {})[key] = value
    assert change_kind(old, new) == "live"
    sent = live_hyperparameters(new)
    assert sent[key] == value and set(sent) <= HYPERPARAMETERS


def test_a_new_optimizer_type_is_live_but_not_a_hyperparameter():
    old = load_builtin("xor")
    new = copy.deepcopy(old)
    new["optimizer"] = {"type": "adam", "lr": 0.01}
    assert change_kind(old, new) == "live"
    sent = live_hyperparameters(new)
    assert sent["lr"] == 0.01 and "type" not in sent


def test_epochs_and_the_network_are_not_live():
    old = load_builtin("xor")
    for edit in (lambda d: d["training"].update(epochs=3),
                 lambda d: d["model"]["nodes"][1]["params"].update(units=3)):
        new = copy.deepcopy(old)
        edit(new)
        assert change_kind(old, new) == "structure"
