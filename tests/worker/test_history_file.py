"""The training history in a model file: round trip, exact continuation, clear refusals."""

import copy
import json

import numpy as np
import pytest

from nnplayground.experiment import Experiment
from nnplayground.presets import load_builtin, load_model
from nnplayground.presets.modelfile import load_history_arrays
from nnplayground.worker import snapshot as S
from nnplayground.worker.builder import SnapshotBuilder
from nnplayground.worker.history import TrainingHistory, restore
from nnplayground.worker.history_file import HistoryFileError, from_arrays, to_arrays


def trained(doc, steps):
    exp = Experiment.from_preset(copy.deepcopy(doc))
    builder = SnapshotBuilder(exp, S.dataset_info(exp.dataset))
    history = TrainingHistory()
    history.take(exp, builder)
    for _ in range(steps):
        r = exp.trainer.step()
        if history.due(r.step):
            history.take(exp, builder)
        if r.epoch_done:
            exp.trainer.finish_epoch()
            builder.epoch_ended(r.step)
    return exp, builder, history


def test_a_saved_history_comes_back_whole_and_training_continues_bit_for_bit(tmp_path):
    doc = load_builtin("spiral")
    exp, builder, history = trained(doc, 60)
    path = tmp_path / "spiral.npz"
    exp.save_model(path, history=to_arrays(history, exp.trainer, builder.epoch_steps))
    doc_back, state = load_model(path)          # a plain model reader ignores the history
    assert set(state) == set(exp.model.state_dict())
    back, losses, epochs, epoch_steps = from_arrays(load_history_arrays(path))
    assert list(back.steps()) == list(history.steps())
    assert list(losses) == [loss for _s, loss in exp.trainer.history.steps]
    assert [e["test_loss"] for e in epochs] == [e["test_loss"] for e in exp.trainer.history.epochs]
    assert epoch_steps == {0: 25, 1: 50}
    for a, b in zip(back.checkpoints, history.checkpoints):
        np.testing.assert_array_equal(a.frame.boundary, b.frame.boundary)
        np.testing.assert_array_equal(a.frame.units["h2"], b.frame.units["h2"])
        np.testing.assert_array_equal(a.frame.weights["out"]["W"], b.frame.weights["out"]["W"])
        assert a.position == b.position and a.nbytes == b.nbytes
    # continuing from a checkpoint read back gives the steps the original run took
    original = [exp.trainer.step().loss for _ in range(5)]
    fresh = Experiment.from_preset(copy.deepcopy(doc_back))
    restore(fresh, back.at(60))
    assert [fresh.trainer.step().loss for _ in range(5)] == original


def test_an_unknown_version_or_a_missing_array_is_refused_by_name(tmp_path):
    exp, builder, history = trained(load_builtin("xor"), 5)
    arrays = to_arrays(history, exp.trainer, builder.epoch_steps)
    index = json.loads(arrays["index.json"].tobytes())
    index["version"] = 99
    newer = dict(arrays, **{"index.json": np.frombuffer(json.dumps(index).encode(), np.uint8)})
    with pytest.raises(HistoryFileError, match="version 99 is not one this nnplayground reads"):
        from_arrays(newer)
    broken = {k: v for k, v in arrays.items() if k != "c0002/boundary"}
    with pytest.raises(HistoryFileError, match="history/c0002/boundary: missing"):
        from_arrays(broken)
