"""A weight typed in the diagram: written in place, so training goes on from it."""

from __future__ import annotations

import re

import numpy as np
import pytest

from nnplayground.experiment import Experiment
from nnplayground.presets import load_builtin
from nnplayground.worker.live import ParameterEdit, apply_parameter_edit


def test_an_edit_lands_in_the_packed_parameters_and_training_moves_it_from_there():
    exp = Experiment.from_preset(load_builtin("xor"))
    W = exp.model.layers["h1"].params["W"]
    old = float(W[1, 3])
    assert apply_parameter_edit(exp.model, ParameterEdit("h1", "W", (1, 3), 2.5)) == old
    assert exp.model.layers["h1"].params["W"] is W and W[1, 3] == 2.5
    key = next(i for i, (k, _s) in enumerate(exp.model.packed.slices) if k == ("h1", "W"))
    start = exp.model.packed.slices[key][1].start
    assert exp.model.packed.params[start + 1 * 4 + 3] == 2.5      # the optimizer's view
    exp.trainer.step()
    assert W[1, 3] != 2.5 and abs(W[1, 3] - 2.5) < 0.5            # trained on from 2.5


@pytest.mark.parametrize("edit, words", [
    (ParameterEdit("h9", "W", (0, 0), 1.0), "no such parameter"),
    (ParameterEdit("h1", "gamma", (0,), 1.0), "no such parameter"),
    (ParameterEdit("h1", "b", (4,), 1.0), "shape is (4,)"),
    (ParameterEdit("h1", "W", (0,), 1.0), "shape is (2, 4)"),
    (ParameterEdit("h1", "W", (0, 0), float("nan")), "finite"),
])
def test_a_bad_edit_names_the_number_and_changes_nothing(edit, words):
    exp = Experiment.from_preset(load_builtin("xor"))
    before = exp.model.state_dict()
    with pytest.raises(ValueError, match=re.escape(words)) as info:
        apply_parameter_edit(exp.model, edit)
    assert edit.describe() in str(info.value)
    after = exp.model.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)
