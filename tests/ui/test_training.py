"""The window with the real training worker: Play/Pause, live weight lines, trained models."""

from __future__ import annotations

import numpy as np
import pytest
from qt_warnings import WAIT

from nnplayground.presets import load_model


def test_play_pause_draws_weights_and_trained_model_round_trips(
        window_on_worker, controller, qtbot, tmp_path):
    window = window_on_worker("xor")
    line = window.scene.weight_lines[("x", "h1")][0][0]
    window.training.act_play.trigger()
    qtbot.waitUntil(lambda: controller.running, timeout=5000)
    assert window.training.act_play.text() == "Pause"
    qtbot.waitUntil(lambda: (controller.latest_snapshot is not None
                             and controller.latest_snapshot.step >= 200), timeout=WAIT)
    window.training.act_play.trigger()
    qtbot.waitUntil(lambda: not controller.running, timeout=5000)
    assert window.training.act_play.text() == "Play"
    w = controller.latest_snapshot.weights["h1"]["W"]
    qtbot.waitUntil(lambda: line.value == pytest.approx(float(controller.latest_snapshot
                                                              .weights["h1"]["W"][0, 0])))
    assert line.toolTip().startswith("weight h1.W[0, 0] = ")

    path = tmp_path / "xor-trained.npz"
    assert window.files.save_trained_model(str(path))
    doc, state = load_model(path)
    assert doc["model"] == window.model.doc["model"]
    trained = state["h1/W"]
    assert not np.allclose(trained, 0)

    def newest_w():
        """The newest snapshot's h1/W; None while a load or reset has cleared it."""
        snapshot = controller.latest_snapshot
        return None if snapshot is None else snapshot.weights["h1"]["W"]

    window.training.reset()                      # fresh weights in the worker
    qtbot.waitUntil(lambda: newest_w() is not None and not np.allclose(newest_w(), trained),
                    timeout=10000)
    assert window.files.open_path(str(path))  # opens the preset and hands the weights to the worker
    qtbot.waitUntil(lambda: newest_w() is not None and np.allclose(newest_w(), trained),
                    timeout=WAIT)
    qtbot.waitUntil(lambda: line.value == pytest.approx(float(trained[0, 0]), rel=1e-5))
    assert w.shape == (2, 4)


def test_a_preset_with_a_relative_csv_path_trains_from_another_folder(make_window, controller,
                                                                      qtbot, tmp_path,
                                                                      monkeypatch):
    """dataset.path "points.csv" is read next to the preset, whatever the working directory;
    the document (and so the saved file) keeps the relative path."""
    import json

    from nnplayground.presets import load_builtin
    folder = tmp_path / "course"
    folder.mkdir()
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(80, 2))
    rows = [f"{a:.4f},{b:.4f},{int(a * b > 0)}" for a, b in x]
    (folder / "points.csv").write_text("x1,x2,label\n" + "\n".join(rows) + "\n")
    doc = load_builtin("xor")
    doc["dataset"] = {"kind": "file", "path": "points.csv", "task": "classification",
                      "train_fraction": 0.5, "seed": 0}
    (folder / "mine.json").write_text(json.dumps(doc))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    window = make_window(controller=controller)
    with qtbot.waitSignal(window.files.document_opened, timeout=WAIT):   # once the worker built it
        assert window.files.open_path(str(folder / "mine.json"), ask=False)
    assert window.model.doc["dataset"]["path"] == "points.csv"
    assert window.training.loaded_doc["dataset"]["path"] == str(folder.resolve() / "points.csv")
    # the data panel's preview read the file too: 40 training points drawn
    qtbot.waitUntil(lambda: len(window.dataset_panel.scatter.data) == 40, timeout=5000)
    qtbot.waitUntil(lambda: controller.dataset is not None and controller.state == "idle",
                    timeout=WAIT)
    assert len(controller.dataset.y_train) == 40
    window.training.act_play.trigger()
    qtbot.waitUntil(lambda: (controller.latest_snapshot is not None
                             and controller.latest_snapshot.step >= 20), timeout=WAIT)
    window.training.act_play.trigger()
    qtbot.waitUntil(lambda: not controller.running, timeout=5000)
    assert window.model.doc["dataset"]["path"] == "points.csv"


def test_switching_the_optimizer_mid_run_keeps_the_weights(window_on_worker, controller, qtbot):
    window = window_on_worker("xor")
    window.training.act_play.trigger()
    qtbot.waitUntil(lambda: (controller.latest_snapshot is not None
                             and controller.latest_snapshot.step >= 100), timeout=WAIT)
    window.training.act_play.trigger()
    qtbot.waitUntil(lambda: not controller.running, timeout=5000)
    before = controller.latest_snapshot
    window.training_panel.fields[("optimizer", "type")][0].setCurrentText("adam")
    window.training.act_step.trigger()
    qtbot.waitUntil(lambda: controller.latest_snapshot is not None
                    and controller.latest_snapshot.step == before.step + 1, timeout=10000)
    after = controller.latest_snapshot
    # one Adam step from the trained weights: close to them, far from a fresh start
    w0, w1 = before.weights["h1"]["W"], after.weights["h1"]["W"]
    assert not np.array_equal(w0, w1)
    assert np.max(np.abs(w1 - w0)) < 0.05
    assert window.training.loaded_doc["optimizer"]["type"] == "adam"


def test_play_stops_at_the_presets_epochs_and_says_so(window_on_worker, controller, qtbot):
    from nnplayground.presets import load_builtin
    doc = load_builtin("xor")
    doc["training"]["epochs"] = 3
    window = window_on_worker(doc)
    window.training.act_play.trigger()
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=WAIT)
    assert controller.latest_snapshot.epoch == 3
    assert window.statusBar().currentMessage().startswith("Finished 3 epochs")
    assert window.training.act_play.text() == "Play"


def _trained_xor(window_on_worker, controller, qtbot, epochs=3):
    """A window whose real worker has played xor to its `epochs` (100% accuracy)."""
    from nnplayground.presets import load_builtin
    doc = load_builtin("xor")
    doc["training"]["epochs"] = epochs
    window = window_on_worker(doc)
    window.training.act_play.trigger()
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=WAIT)
    return window


def test_space_after_a_finished_run_asks_instead_of_training_on(window_on_worker, controller,
                                                                 qtbot):
    from PySide6.QtCore import Qt
    window = _trained_xor(window_on_worker, controller, qtbot)
    asked = []
    window.training.ask_after_finished = lambda: asked.append(window.controller.status) or ""
    qtbot.keyClick(window, Qt.Key_Space)
    assert asked and asked[0].startswith("Finished 3 epochs")
    assert controller.state == "paused" and not controller.running
    assert window.training.act_play.text() == "Play"

    window.training.ask_after_finished = lambda: "train"      # "Train 3 more epochs"
    qtbot.keyClick(window, Qt.Key_Space)
    qtbot.waitUntil(lambda: controller.status.startswith("Finished 6 epochs"), timeout=WAIT)
    assert controller.latest_snapshot.epoch == 6

    window.training.ask_after_finished = lambda: "reset"
    qtbot.keyClick(window, Qt.Key_Space)
    qtbot.waitUntil(lambda: controller.latest_snapshot is not None
                    and controller.latest_snapshot.step == 0, timeout=WAIT)
    assert controller.status == "" and controller.state == "idle"


def test_file_new_clears_the_views_and_the_status_bar(window_on_worker, controller, qtbot):
    window = _trained_xor(window_on_worker, controller, qtbot)
    hub = window.live_views
    qtbot.waitUntil(lambda: "accuracy" in hub.status.text(), timeout=WAIT)
    assert window.files.new_document()
    assert hub.status.text() == "No training yet"
    for name, view in hub.views.items():
        assert view._stack.currentIndex() == 1, f"{name} still shows the old run"
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=WAIT)
    qtbot.wait(100)          # a stale frame of the old run, had one been queued, arrives now
    assert controller.latest_snapshot is None and hub.status.text() == "No training yet"
    # and the next network trains and shows as usual
    assert window.files.open_builtin("xor", ask=False)
    qtbot.waitUntil(lambda: hub.status.text().startswith("Epoch 0"), timeout=WAIT)
    assert hub.views["boundary"]._stack.currentIndex() == 0


def test_the_speed_control_edits_the_preset_and_changes_the_speed_live(make_window,
                                                                       fake_controller, qtbot):
    from PySide6.QtCore import Qt

    from nnplayground.presets import load_builtin
    doc = load_builtin("xor")
    doc["display"] = {"speed": "slow"}
    window = make_window()
    window.files.open_document(doc)
    combo = window.training_panel.fields[("display", "speed")][0]
    assert combo.currentText() == "slow"            # the preset's setting shows
    loads = fake_controller.names().count("load")
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key_Down)              # slow -> normal, by keyboard
    assert window.model.doc["display"]["speed"] == "normal"
    assert [c for c in fake_controller.calls if c[0] == "speed"] == [("speed", ("normal",), {})]
    assert fake_controller.names().count("load") == loads       # live: no restart
    window.model.undo_stack.undo()
    assert combo.currentText() == "slow"
    assert [c[1] for c in fake_controller.calls if c[0] == "speed"] == [("normal",), ("slow",)]


def test_a_preset_without_a_speed_shows_fast(make_window):
    window = make_window()
    assert window.files.open_builtin("mnist-mlp", ask=False)
    assert window.training_panel.fields[("display", "speed")][0].currentText() == "fast"


def test_an_opened_trained_model_is_not_called_untrained(window_on_worker, controller, qtbot,
                                                         tmp_path):
    """Its confusion matrix was titled "before training" although the weights were trained.
    The opened model carries its place in training (epoch 3 of xor's run), so its matrix is
    counted for those weights and says so."""
    window = _trained_xor(window_on_worker, controller, qtbot)
    path = tmp_path / "trained.npz"
    assert window.files.save_trained_model(str(path))
    assert window.files.open_path(str(path), ask=False)
    # the weights load first (epoch 0, "the opened model's weights"); the file's history
    # follows and puts the run back at its place in training
    qtbot.waitUntil(lambda: controller.state == "idle"
                    and controller.latest_snapshot is not None
                    and controller.latest_snapshot.epoch >= 1, timeout=WAIT)
    assert controller.latest_snapshot.weights_from_file
    dock = window.view_docks["confusion"]
    dock.show()
    dock.raise_()
    view = window.live_views.views["confusion"]
    epochs = controller.latest_snapshot.epoch
    qtbot.waitUntil(lambda: view.caption.text() == f"Test set, after epoch {epochs}",
                    timeout=WAIT)
    window.training.reset()                       # fresh weights: untrained again
    qtbot.waitUntil(lambda: controller.latest_snapshot is not None
                    and not controller.latest_snapshot.weights_from_file, timeout=WAIT)
    qtbot.waitUntil(lambda: view.caption.text()
                    == "Test set, before training", timeout=WAIT)


def test_the_train_menu_has_the_speed_too(make_window, fake_controller):
    window = make_window()
    assert window.files.open_builtin("xor", ask=False)
    train = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Train")
    speed = next(a.menu() for a in train.actions() if a.menu() is not None)
    actions = {a.text(): a for a in speed.actions()}
    assert list(actions) == ["Slow", "Normal", "Fast"] and actions["Fast"].isChecked()
    actions["Slow"].trigger()
    assert window.model.doc["display"]["speed"] == "slow"
    assert window.training_panel.fields[("display", "speed")][0].currentText() == "slow"
    assert ("speed", ("slow",), {}) in fake_controller.calls
    window.model.undo_stack.undo()                  # the menu follows the document
    assert actions["Fast"].isChecked() and not actions["Slow"].isChecked()
