"""Points edited by hand are a live change: the same network trains on the new data."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from nnplayground.data import DatasetError
from nnplayground.experiment import Experiment
from nnplayground.presets import load_builtin
from nnplayground.ui.undo import change_kind

POINTS = [[-3, -3, 0], [-2.5, -4, 0], [3, 3, 1], [4, 2.5, 1], [-3, 3, 1], [3, -3, 0]]


def points_doc(points=POINTS):
    doc = load_builtin("xor")
    doc["dataset"] = {"kind": "points", "task": "classification",
                      "points": copy.deepcopy(points)}
    return doc


def test_an_edit_of_the_points_is_a_data_change_and_nothing_else_is():
    old = points_doc()
    new = copy.deepcopy(old)
    new["dataset"]["points"].append([1, 1, 1])
    assert change_kind(old, new) == "data"
    assert change_kind(load_builtin("xor"), old) == "data"      # generated -> its copy
    assert change_kind(old, load_builtin("xor")) == "data"      # and back (undo)
    other = copy.deepcopy(new)
    other["training"]["epochs"] = 7
    assert change_kind(old, other) == "structure"
    wider = copy.deepcopy(new)
    wider["dataset"]["features"] = ["x1", "x2", "x1*x2"]        # the network's input changes
    assert change_kind(old, wider) == "structure"
    assert change_kind(load_builtin("xor"), load_builtin("circle")) == "structure"


def test_replace_data_keeps_the_weights_and_trains_on_the_new_points():
    exp = Experiment.from_preset(points_doc())
    for _ in range(5):
        exp.trainer.step()
    weights = exp.model.state_dict()
    more = POINTS + [[x, x, int(x > 0)] for x in np.linspace(-5, 5, 20).tolist()]
    exp.replace_data({**exp.doc["dataset"], "points": more})
    assert all(np.array_equal(v, exp.model.state_dict()[k]) for k, v in weights.items())
    assert len(exp.trainer.x_train) + len(exp.trainer.x_test) == len(more)
    assert exp.doc["dataset"]["points"] == more
    assert exp.trainer.step().step == 6


def test_replace_data_refuses_labels_the_network_cannot_give_and_changes_nothing():
    exp = Experiment.from_preset(points_doc())
    x_train = exp.trainer.x_train.copy()
    with pytest.raises(DatasetError, match="output units"):
        exp.replace_data({**exp.doc["dataset"], "points": POINTS + [[0, 0, 2]]})
    assert np.array_equal(exp.trainer.x_train, x_train)
    assert exp.doc["dataset"]["points"] == POINTS
