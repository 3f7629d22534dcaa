"""A trained model saved from the window opens again with its curves, scrubber and views."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt


def test_saving_and_reopening_a_model_brings_back_its_curves_and_scrubber(
        window_on_worker, controller, qtbot, tmp_path):
    window = window_on_worker("spiral")
    controller.step_epoch()
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=15000)
    for _ in range(7):
        with qtbot.waitSignal(controller.snapshot_ready):
            controller.step()
    hub = window.live_views
    metrics, timeline, boundary = hub.views["metrics"], hub.timeline, hub.views["boundary"]
    curve, epochs = metrics.steps.data.copy(), metrics.epochs.column("test_loss").copy()
    steps, image = timeline.steps.copy(), np.array(boundary.image.image)
    assert steps[-1] == 32 and len(epochs) == 1
    path = tmp_path / "spiral-trained.npz"
    assert window.files.save_trained_model(str(path))

    window.training.reset()                              # fresh weights, empty curves
    qtbot.waitUntil(lambda: len(timeline.steps) == 1 and not len(metrics.steps.data),
                    timeout=10000)
    with qtbot.waitSignal(controller.snapshot_ready, check_params_cb=lambda s: s.rewound,
                          timeout=15000):
        assert window.files.open_path(str(path))
    np.testing.assert_array_equal(metrics.steps.data, curve)
    np.testing.assert_array_equal(metrics.epochs.column("test_loss"), epochs)
    np.testing.assert_array_equal(timeline.steps, steps)
    np.testing.assert_array_equal(boundary.image.image, image)
    assert controller.latest_snapshot.step == 32
    # the scrubber reaches back into the saved run
    timeline.slider.setFocus()
    with qtbot.waitSignal(controller.snapshot_ready, check_params_cb=lambda s: s.replay):
        qtbot.keyClick(timeline.slider, Qt.Key.Key_Home)
    assert controller.latest_snapshot.step == 0
    # and training goes on from where the file left off
    with qtbot.waitSignal(controller.snapshot_ready):
        controller.step()
    assert controller.latest_snapshot.step == 33


def test_a_model_saved_by_train_save_opens_with_the_command_lines_curves(
        window_on_worker, controller, qtbot, tmp_path):
    """`nnplayground train xor --epochs 3 --save` then File > Open: the loss curve of all 75
    steps, the 3 epochs' points, the scrubber over the run's checkpoints, and the views at
    any of them; training goes on from step 75."""
    from nnplayground.cli import main
    from nnplayground.presets.modelfile import load_history_arrays
    from nnplayground.worker.history_file import from_arrays
    path = tmp_path / "xor-cli.npz"
    assert main(["train", "xor", "--epochs", "3", "--save", str(path)]) == 0
    history, losses, epochs, _ = from_arrays(load_history_arrays(path))

    window = window_on_worker("circle")
    hub = window.live_views
    metrics, timeline = hub.views["metrics"], hub.timeline
    with qtbot.waitSignal(controller.snapshot_ready, check_params_cb=lambda s: s.rewound,
                          timeout=15000):
        assert window.files.open_path(str(path))
    assert controller.latest_snapshot.step == 75
    np.testing.assert_array_equal(metrics.steps.data[:, 0], np.arange(1, 76))  # every step
    np.testing.assert_allclose(metrics.steps.data[:, 1], losses, rtol=1e-6)
    np.testing.assert_array_equal(metrics.step_curve.getData()[0], np.arange(1, 76))
    np.testing.assert_allclose(metrics.epochs.column("test_loss"),
                               [e["test_loss"] for e in epochs])
    np.testing.assert_array_equal(timeline.steps, history.steps())
    timeline.slider.setFocus()
    with qtbot.waitSignal(controller.snapshot_ready, check_params_cb=lambda s: s.replay):
        qtbot.keyClick(timeline.slider, Qt.Key.Key_Home)
    assert controller.latest_snapshot.step == 0
    np.testing.assert_array_equal(controller.latest_snapshot.boundary,
                                  history.checkpoints[0].frame.boundary)
    with qtbot.waitSignal(controller.snapshot_ready):
        controller.step()
    assert controller.latest_snapshot.step == 76
