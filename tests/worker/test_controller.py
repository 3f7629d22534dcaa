"""The training controller on real presets: play, pause, step, live changes, divergence.

No assertion here depends on the machine's speed or load: where the worker promises something
about time (a throttle, Pause answered after the step under way), the test injects the
worker's clock or makes the request from inside a training step.
"""

import copy
import os
import subprocess
import sys

import numpy as np
import pytest
from qt_warnings import WAIT, load_and_wait as load

from nnplayground.presets import load_builtin
from nnplayground.worker.runner import PUBLISH_INTERVAL


def long_xor():
    """xor with epochs enough to outlast any test: Play stops by itself at the preset's 100."""
    doc = load_builtin("xor")
    doc["training"]["epochs"] = 100_000
    return doc


def test_play_on_xor_reaches_full_test_accuracy_and_the_boundary_moves(qtbot, controller):
    load(qtbot, controller, long_xor())
    untrained = controller.latest_snapshot.boundary
    controller.play()

    def perfect():
        e = controller.latest_snapshot.last_epoch
        return e is not None and e["test_accuracy"] == 1.0
    qtbot.waitUntil(perfect, timeout=WAIT)
    controller.pause()
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=WAIT)
    trained = controller.latest_snapshot.boundary
    assert untrained.shape == trained.shape == (50, 50)
    assert not np.allclose(untrained, trained, atol=1e-3)


def test_pause_is_answered_after_the_step_under_way_and_really_pauses(
        qtbot, instrumented_controller):
    controller, live = instrumented_controller(pause_at_step=210)
    load(qtbot, controller, long_xor())
    controller.play()
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=WAIT)
    assert controller.latest_snapshot.step == live["exp"].trainer.steps_done == 210
    # A single Step after the pause lands exactly one step further: nothing ran between.
    with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT) as blocker:
        controller.step()
    assert blocker.args[0].step == 211
    assert controller.state == "paused"


def test_step_epoch_runs_exactly_one_epoch(qtbot, controller):
    load(qtbot, controller, load_builtin("xor"))
    controller.step_epoch()
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=WAIT)
    snap = controller.latest_snapshot
    assert snap.epoch == 1 and snap.last_epoch["epoch"] == 1
    assert snap.step == 25       # 250 training points, batch 10


def test_learning_rate_change_mid_run_reaches_the_optimizer(qtbot, controller):
    load(qtbot, controller, long_xor())
    assert controller.latest_snapshot.lr == 0.03
    controller.play()
    qtbot.waitUntil(lambda: controller.latest_snapshot.step > 50, timeout=WAIT)
    controller.set_hyperparameters(lr=0.005, batch_size=25)
    qtbot.waitUntil(lambda: controller.latest_snapshot.lr == 0.005, timeout=WAIT)
    assert controller.running          # changed live, no reset
    controller.pause()
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=WAIT)
    with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT) as blocker:
        controller.step_epoch()        # 250 points at batch 25: an epoch is now 10 steps
    epoch_end = blocker.args[0]
    qtbot.waitUntil(lambda: controller.latest_snapshot.last_epoch["epoch"] > 0, timeout=WAIT)
    assert epoch_end.lr == 0.005


def test_unknown_hyperparameter_is_refused_with_the_allowed_names(controller):
    with pytest.raises(ValueError, match="batch_size"):
        controller.set_hyperparameters(units=3)


def test_divergence_pauses_with_a_message_and_finite_weights(qtbot, controller):
    doc = copy.deepcopy(load_builtin("regression-sine"))
    doc["optimizer"] = {"type": "sgd", "lr": 1e6}
    load(qtbot, controller, doc)
    with qtbot.waitSignal(controller.diverged, timeout=WAIT) as blocker:
        controller.play()
    message = blocker.args[0]
    assert "learning rate" in message and "diverged" in message
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=WAIT)
    weights = controller.latest_snapshot.weights
    assert weights and all(np.isfinite(a).all() for p in weights.values() for a in p.values())


def test_a_bad_document_reports_an_error_instead_of_crashing(qtbot, controller):
    doc = copy.deepcopy(load_builtin("xor"))
    doc["model"]["nodes"][1]["params"]["units"] = -2
    with qtbot.waitSignal(controller.error_occurred, timeout=WAIT) as blocker:
        controller.load(doc)
    assert "units" in blocker.args[1]
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=WAIT)
    with qtbot.waitSignal(controller.error_occurred, timeout=WAIT) as blocker:
        controller.play()
    assert "no experiment is loaded" in blocker.args[1]


CLOSE_MID_RUN = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
from nnplayground.presets import load_builtin
from nnplayground.ui.views import install_views
from nnplayground.worker import TrainingController
app = QApplication(sys.argv)
window = QMainWindow()
controller = TrainingController(window)
install_views(window, controller)
window.show()
controller.load(load_builtin("xor"))
controller.state_changed.connect(lambda s: s == "idle" and controller.play())
controller.state_changed.connect(lambda s: s == "running" and QTimer.singleShot(300, window.close))
window.setAttribute(__import__("PySide6.QtCore").QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
app.exec()
print("running at exit:", controller.running if False else "closed")
"""


def test_closing_the_window_mid_run_exits_cleanly():
    result = subprocess.run([sys.executable, "-c", CLOSE_MID_RUN], capture_output=True,
                            text=True, timeout=60,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    noise = "This plugin does not support propagateSizeHints()"
    stderr = "\n".join(line for line in result.stderr.splitlines() if noise not in line)
    assert result.returncode == 0, stderr
    assert "QThread" not in stderr and stderr.strip() == "", stderr


def test_save_model_writes_the_live_weights_and_load_takes_them_back(qtbot, controller, tmp_path):
    from nnplayground.presets import load_model
    load(qtbot, controller, load_builtin("xor"))
    controller.step_epoch()
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=WAIT)
    trained = controller.latest_snapshot.weights
    path = tmp_path / "xor.npz"
    controller.save_model(path)
    doc, state = load_model(path)
    assert np.array_equal(state["h1/W"], trained["h1"]["W"])
    with qtbot.waitSignal(controller.dataset_ready, timeout=WAIT):
        controller.load(doc, state=state)
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=WAIT)
    assert np.array_equal(controller.latest_snapshot.weights["h1"]["W"], trained["h1"]["W"])


def test_save_model_without_a_run_raises_a_clear_error(controller, tmp_path):
    with pytest.raises(RuntimeError, match="no experiment is loaded"):
        controller.save_model(tmp_path / "x.npz")


def test_a_bad_live_value_is_reported_and_training_can_go_on(qtbot, controller):
    load(qtbot, controller, load_builtin("xor"))
    with qtbot.waitSignal(controller.error_occurred, timeout=WAIT) as blocker:
        controller.set_hyperparameters(batch_size=0)
    assert blocker.args[0] == "Could not change the setting"
    assert "batch_size" in blocker.args[1]
    with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT):
        controller.step()                  # the thread is alive and still trains
    assert controller.latest_snapshot.step == 1


def test_stop_mid_run_is_answered_after_the_step_under_way(qtbot, instrumented_controller):
    def stop_during_step_150(controller, step):
        if step == 150:
            controller._thread.stop()       # what shutdown() asks first, before joining
    controller, live = instrumented_controller(on_step=stop_during_step_150)
    load(qtbot, controller, long_xor())
    controller.play()
    qtbot.waitUntil(lambda: not controller._thread.isRunning(), timeout=WAIT)
    controller.shutdown()
    assert live["exp"].trainer.steps_done == 150


STEP_SECONDS = 0.001    # the injected clock: each training step takes one millisecond


def test_snapshots_are_throttled_by_the_workers_clock(qtbot, instrumented_controller):
    """While training, one snapshot per PUBLISH_INTERVAL of the worker's clock at most. The
    clock here advances STEP_SECONDS per training step, so the promise reads in steps: a slice
    ends before a step that would overrun the interval, so consecutive running snapshots are at
    least PUBLISH_INTERVAL / STEP_SECONDS - 1 steps apart, however loaded the machine is."""
    controller, _ = instrumented_controller(
        clock=lambda exp: 0.0 if exp is None else exp.trainer.steps_done * STEP_SECONDS)
    load(qtbot, controller, long_xor())
    steps, points = [], []

    def on_snapshot(s):
        steps.append(s.step)
        points.extend(s.step_points[:, 0])
    controller.snapshot_ready.connect(on_snapshot)
    controller.play()
    qtbot.waitUntil(lambda: len(steps) > 20, timeout=WAIT)
    controller.pause()
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=WAIT)
    running = steps[:-1]                    # leave out the final pause snapshot
    fewest = round(PUBLISH_INTERVAL / STEP_SECONDS) - 1
    assert min(np.diff(running)) >= fewest, running
    # every step's loss arrives exactly once, in order, across the snapshots
    assert points == list(range(1, len(points) + 1))


def test_on_pause_the_confusion_matrix_matches_the_shown_epoch(qtbot, controller):
    load(qtbot, controller, long_xor())
    assert controller.latest_snapshot.confusion_epoch == 0
    controller.play()
    qtbot.waitUntil(lambda: controller.latest_snapshot.epoch > 20, timeout=WAIT)
    controller.pause()
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=WAIT)
    snap = controller.latest_snapshot
    assert snap.confusion_epoch == snap.epoch
    assert snap.confusion.sum() == 250          # every test point counted once
