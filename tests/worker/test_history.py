"""The training history: spacing and budget, exact restore, and the worker's scrub and branch."""

import copy
from dataclasses import dataclass

import numpy as np
import pytest

from nnplayground.experiment import Experiment
from nnplayground.presets import load_builtin
from nnplayground.worker import snapshot as S
from nnplayground.worker.builder import SnapshotBuilder
from nnplayground.worker.history import (DENSE_STEPS, Checkpoint, TrainingHistory, capture,
                                         nbytes, restore)

LOAD_TIMEOUT = 20_000


@dataclass(frozen=True)
class Frame:
    step: int
    data: np.ndarray


def fake_checkpoint(step, size=1000):
    return Checkpoint(step=step, epoch=0, frame=Frame(step, np.zeros(size, np.uint8)),
                      buffers={}, optimizer={}, position={}, dropout={},
                      nbytes=size)


def run_history(history, steps, size=1000):
    for step in range(steps + 1):
        if history.due(step):
            history.add(fake_checkpoint(step, size))


def test_spacing_is_dense_at_first_and_thins_as_the_run_goes_on():
    history = TrainingHistory()
    run_history(history, 100_000)
    steps = history.steps()
    assert list(steps[:DENSE_STEPS + 1]) == list(range(DENSE_STEPS + 1))   # every early step
    gaps = np.diff(steps)
    assert gaps[-1] > 1000 and gaps[-1] <= 0.02 * 100_000 + 1
    assert 300 < len(history) < 600                  # logarithmic in the run's length


def test_the_budget_holds_by_dropping_checkpoints_evenly_on_a_log_scale():
    history = TrainingHistory(budget_bytes=100 * 1000)
    run_history(history, 100_000)
    assert history.nbytes <= 100 * 1000 and len(history) == 100
    steps = history.steps()
    assert steps[0] == 0 and steps[-1] > 97_000          # the first and the newest stay
    u = np.log1p(steps / DENSE_STEPS)
    assert np.diff(u).max() < 4 * np.diff(u).mean()      # spread over the whole run


def test_a_checkpoint_of_the_same_step_replaces_the_last_and_cut_after_branches():
    history = TrainingHistory()
    for step in (0, 1, 2, 3):
        history.add(fake_checkpoint(step))
    history.add(fake_checkpoint(3, size=10))
    assert list(history.steps()) == [0, 1, 2, 3] and history.nbytes == 3010
    history.cut_after(1)
    assert list(history.steps()) == [0, 1] and history.at(5).step == 1
    with pytest.raises(ValueError, match="cut the history first"):
        history.add(fake_checkpoint(0))


def test_nbytes_counts_each_array_once():
    a = np.zeros(100)
    assert nbytes({"x": a, "y": (a, np.zeros(10))}) == 880


def experiment_and_builder(doc):
    exp = Experiment.from_preset(doc)
    info = S.dataset_info(exp.dataset)
    return exp, SnapshotBuilder(exp, info)


def dropout_batchnorm_doc():
    """circle with BatchNorm and Dropout and Adam: every kind of state a restore must bring back."""
    doc = load_builtin("circle")
    doc["model"] = {"nodes": [
        {"id": "x", "type": "Input", "params": {"shape": [2]}, "inputs": []},
        {"id": "h", "type": "Dense", "params": {"units": 8, "activation": "relu"},
         "inputs": ["x"]},
        {"id": "bn", "type": "BatchNorm", "params": {}, "inputs": ["h"]},
        {"id": "drop", "type": "Dropout", "params": {"rate": 0.3}, "inputs": ["bn"]},
        {"id": "out", "type": "Dense", "params": {"units": 1, "activation": "sigmoid"},
         "inputs": ["drop"]}], "output": "out"}
    doc["model"]["nodes"][0]["params"]["shape"] = [len(doc["dataset"].get("features",
                                                                          ["x1", "x2"]))]
    doc["optimizer"] = {"type": "adam", "lr": 0.01}
    return doc


@pytest.mark.parametrize("doc", [load_builtin("spiral"), dropout_batchnorm_doc()],
                         ids=["spiral", "batchnorm-dropout"])
def test_restore_continues_bit_for_bit_across_an_epoch_end(doc):
    exp, builder = experiment_and_builder(copy.deepcopy(doc))
    history = TrainingHistory()
    steps_per_epoch = -(-len(exp.dataset.x_train) // exp.trainer.batch_size)
    for _ in range(2 * steps_per_epoch + 3):
        r = exp.trainer.step()
        if history.due(r.step):
            history.add(capture(exp, builder))
        if r.epoch_done:
            exp.trainer.finish_epoch()
    recorded = list(exp.trainer.history.steps)
    epochs = list(exp.trainer.history.epochs)
    checkpoint = history.at(steps_per_epoch - 2)           # late in the first epoch
    restore(exp, checkpoint)
    assert exp.trainer.steps_done == checkpoint.step
    assert exp.trainer.history.steps == recorded[:checkpoint.step]
    again = []
    for _ in range(len(recorded) - checkpoint.step):
        r = exp.trainer.step()
        again.append((r.step, r.loss))
        if r.epoch_done:
            exp.trainer.finish_epoch()
    assert again == recorded[checkpoint.step:]
    assert [e["test_loss"] for e in exp.trainer.history.epochs] == \
        [e["test_loss"] for e in epochs]


def test_a_checkpoint_frame_has_every_part_the_plane_views_draw():
    exp, builder = experiment_and_builder(load_builtin("spiral"))
    frame = capture(exp, builder).frame
    assert frame.boundary.shape == (S.GRID, S.GRID)
    assert set(frame.units) == {"h1", "h2"} and set(frame.gradients) == {"h1", "h2", "out"}
    assert frame.step_points.shape == (0, 2)


# -- through the worker thread --------------------------------------------------------------

def load(qtbot, controller, doc):
    with qtbot.waitSignal(controller.dataset_ready, timeout=LOAD_TIMEOUT):
        controller.load(doc)
    qtbot.waitUntil(lambda: controller.state == "idle" and controller.latest_snapshot is not None)


def step(qtbot, controller):
    with qtbot.waitSignal(controller.snapshot_ready) as blocker:
        controller.step()
    return blocker.args[0]


def test_scrubbing_shows_the_same_boundary_as_when_the_checkpoint_was_live(qtbot, controller):
    load(qtbot, controller, load_builtin("xor"))
    live = {s.step: s.boundary for s in (step(qtbot, controller) for _ in range(6))}
    for at in (2, 5, 3):
        with qtbot.waitSignal(controller.snapshot_ready) as blocker:
            controller.show_checkpoint(at)
        frame = blocker.args[0]
        assert frame.replay and frame.step == at
        np.testing.assert_array_equal(frame.boundary, live[at])
        assert list(frame.timeline) == list(range(7))
    assert not np.array_equal(live[2], live[5])


def test_continue_from_here_trains_on_from_that_checkpoint(qtbot, controller):
    doc = load_builtin("spiral")
    load(qtbot, controller, doc)
    points = []
    controller.snapshot_ready.connect(lambda s: points.extend(map(tuple, s.step_points)))
    controller.play()
    qtbot.waitUntil(lambda: controller.latest_snapshot.step > 400, timeout=20_000)
    with qtbot.waitSignal(controller.state_changed, check_params_cb=lambda s: s == "paused"):
        controller.pause()
    recorded = dict(points)
    timeline = controller.latest_snapshot.timeline
    assert timeline is not None and len(timeline) > DENSE_STEPS
    branch = int(timeline[len(timeline) // 2])
    assert branch + 1 in recorded
    with qtbot.waitSignal(controller.snapshot_ready) as blocker:
        controller.continue_from(branch)
    rewound = blocker.args[0]
    assert rewound.rewound and rewound.step == branch
    assert [tuple(p) for p in rewound.step_points] == [(s, recorded[s])
                                                       for s in range(1, branch + 1)]
    assert rewound.timeline[-1] == branch
    first = step(qtbot, controller)
    assert first.step == branch + 1
    assert first.step_points[-1, 1] == recorded[branch + 1]


def test_a_replayed_moment_answers_the_drawing_with_that_moments_network(qtbot, controller):
    load(qtbot, controller, load_builtin("xor"))
    x = np.array([[0.7, -0.4]], dtype=np.float32)
    answers = []
    controller.classified.connect(lambda _id, probs: answers.append(probs))
    controller.classify(x)
    qtbot.waitUntil(lambda: len(answers) == 1)
    for _ in range(20):
        step(qtbot, controller)
    controller.classify(x)
    qtbot.waitUntil(lambda: len(answers) == 2)
    assert not np.array_equal(answers[0], answers[1])
    with qtbot.waitSignal(controller.snapshot_ready) as blocker:
        controller.show_checkpoint(0)
    np.testing.assert_array_equal(blocker.args[0].drawing, answers[0])
    controller.classify(x)             # a stroke while looking back: that moment's answer
    qtbot.waitUntil(lambda: len(answers) == 3)
    np.testing.assert_array_equal(answers[2], answers[0])
