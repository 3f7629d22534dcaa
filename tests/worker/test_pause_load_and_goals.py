"""The pause's confusion matrix, no old snapshot after a load, a live optimizer switch, and
Play that stops at the preset's epochs."""

import copy

import numpy as np
import pytest
from qt_warnings import WAIT, load_and_wait as load

from nnplayground.experiment import Experiment
from nnplayground.presets import load_builtin
from nnplayground.worker import TrainingController


def step_once(qtbot, controller):
    with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT):
        controller.step()


def test_a_pause_inside_the_first_epoch_refreshes_the_confusion_matrix(
        qtbot, instrumented_controller):
    controller, _ = instrumented_controller(pause_at_step=61)
    doc = load_builtin("xor")
    doc["dataset"]["n_samples"] = 20_000
    doc["training"]["batch_size"] = 1          # 10,000 steps in the first epoch
    load(qtbot, controller, doc)
    assert controller.latest_snapshot.confusion_step == 0
    for _ in range(3):
        step_once(qtbot, controller)
    snap = controller.latest_snapshot
    assert snap.epoch == 0 and snap.step == 3
    assert snap.confusion_step == 3 and snap.confusion_epoch == 0
    with qtbot.waitSignal(controller.state_changed, timeout=WAIT,
                          check_params_cb=lambda state: state == "paused"):
        controller.play()
    snap = controller.latest_snapshot
    assert snap.epoch == 0                      # still inside the first epoch
    assert snap.confusion_step == snap.step == 61
    assert snap.confusion.sum() == 2000         # at most 2,000 test points, each once


def test_load_keeps_the_current_run_until_built_then_drops_the_old_models_frames(qtbot,
                                                                                 controller):
    load(qtbot, controller, load_builtin("xor"))
    controller.play()
    qtbot.waitUntil(lambda: controller.latest_snapshot.step > 100, timeout=WAIT)
    controller.load(load_builtin("regression-sine"))
    # the current run stays until the new one is built (a load that fails loses nothing)
    assert controller.latest_snapshot.task == "classification"
    after = []
    controller.dataset_ready.connect(lambda info: controller.snapshot_ready.connect(after.append))
    qtbot.waitUntil(lambda: controller.state == "idle" and
                    controller.latest_snapshot.task == "regression", timeout=WAIT)
    assert controller.latest_snapshot.step == 0
    assert after and all(s.task == "regression" for s in after)   # no xor frame after the load


def test_switching_the_optimizer_keeps_the_weights_and_trains_on(qtbot):
    live = {}

    def factory(doc):
        live["exp"] = Experiment.from_preset(doc)
        return live["exp"]
    controller = TrainingController(experiment_factory=factory)
    try:
        load(qtbot, controller, load_builtin("xor"))
        controller.step_epoch()
        qtbot.waitUntil(lambda: controller.state == "paused", timeout=WAIT)
        before = controller.latest_snapshot
        assert before.optimizer == "sgd" and type(live["exp"].optimizer).__name__ == "SGD"
        with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT) as blocker:
            controller.set_optimizer({"type": "adam", "lr": 0.01})
        after = blocker.args[0]
        assert after.optimizer == "adam" and after.lr == 0.01 and after.step == before.step
        for node, params in before.weights.items():
            for name, array in params.items():
                assert np.array_equal(after.weights[node][name], array), (node, name)
        exp = live["exp"]
        assert type(exp.optimizer).__name__ == "Adam"
        assert exp.trainer.optimizer is exp.optimizer
        controller.step_epoch()
        qtbot.waitUntil(lambda: controller.state == "paused" and
                        controller.latest_snapshot.epoch == 2, timeout=WAIT)
        trained = controller.latest_snapshot
        assert trained.step == 2 * before.step
        assert not np.array_equal(trained.weights["h1"]["W"], before.weights["h1"]["W"])
        assert exp.optimizer.state                 # Adam's own moments now exist
        # the switch is a live change: Reset keeps it (fresh weights, Adam still)
        controller.reset()
        qtbot.waitUntil(lambda: controller.state == "idle" and
                        controller.latest_snapshot is not None, timeout=WAIT)
        assert controller.latest_snapshot.optimizer == "adam"
        assert controller.latest_snapshot.step == 0
    finally:
        controller.shutdown()


def test_a_bad_optimizer_spec_is_refused_at_once(controller):
    with pytest.raises(ValueError, match="optimizer.type"):
        controller.set_optimizer({"type": "adamw", "lr": 0.01})


def test_play_stops_at_the_presets_epochs_and_play_again_trains_as_many_more(qtbot,
                                                                             controller):
    doc = copy.deepcopy(load_builtin("xor"))
    doc["training"]["epochs"] = 3
    load(qtbot, controller, doc)
    states = []
    controller.state_changed.connect(states.append)
    controller.play()
    qtbot.waitUntil(lambda: states[-1:] == ["paused"], timeout=WAIT)
    snap = controller.latest_snapshot
    assert snap.epoch == 3 and snap.last_epoch["epoch"] == 3 and snap.step == 75
    assert snap.status == controller.status == \
        "Finished 3 epochs; press Play to train further"
    assert states == ["running", "paused"]

    controller.play()
    assert controller.status == ""
    qtbot.waitUntil(lambda: states[-1:] == ["paused"] and len(states) == 4, timeout=WAIT)
    snap = controller.latest_snapshot
    assert snap.epoch == 6 and snap.step == 150
    assert controller.status == "Finished 6 epochs; press Play to train further"


def test_play_after_a_pause_goes_on_to_the_same_goal(qtbot, controller):
    doc = copy.deepcopy(load_builtin("xor"))
    doc["training"]["epochs"] = 3
    load(qtbot, controller, doc)
    step_once(qtbot, controller)
    controller.step_epoch()          # epoch 1 of 3, paused by Step Epoch, not finished
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=WAIT)
    assert controller.latest_snapshot.status == ""
    controller.play()
    qtbot.waitUntil(lambda: controller.status != "", timeout=WAIT)
    assert controller.latest_snapshot.epoch == 3
    assert controller.status == "Finished 3 epochs; press Play to train further"
