"""Opening a file that fails at any stage (parse, validation, data, weights) loses nothing.

Issue 11: a preset whose data could not load passed validation, replaced the document and
dropped the running experiment before the data failed, so unsaved trained weights were gone and
Play stayed enabled with nothing to train. These tests use the real worker: the experiment the
window trains, its weights, its step count and whether it runs must be exactly as before.
"""

from __future__ import annotations

import json

import numpy as np

from nnplayground.presets import load_builtin, save_model

LOAD_TIMEOUT = 20_000


def _file_preset(folder, data_name, **dataset):
    doc = load_builtin("xor")
    doc["dataset"] = {"kind": "file", "path": data_name, "task": "classification",
                      "train_fraction": 0.5, "seed": 0, **dataset}
    path = folder / f"uses-{data_name}.json"
    path.write_text(json.dumps(doc))
    return path


def bad_files(folder):
    """(file, a word the refusal must name): each fails only once its data is read."""
    (folder / "ragged.csv").write_text("x1,x2,label\n0.1,0.2,1\n0.3,0.4\n0.5,0.6,0\n")
    (folder / "broken.npz").write_bytes(b"PK\x03\x04 this is not really a zip archive")
    (folder / "good.csv").write_text("x1,x2,label\n" + "".join(
        f"{a / 10},{b / 10},{int(a * b > 0)}\n" for a in range(-3, 4) for b in range(-3, 4)))
    seed = _file_preset(folder, "good.csv")
    doc = json.loads(seed.read_text())
    doc["dataset"]["seed"] = 3.0
    seed.write_text(json.dumps(doc))
    # a trained model whose data file is missing: its weights must not replace the current ones
    from nnplayground.engine import build_model
    model_doc = load_builtin("xor")
    model_doc["dataset"] = {"kind": "file", "path": "gone.csv", "task": "classification"}
    save_model(folder / "model.npz", model_doc, build_model(model_doc["model"], seed=5))
    return [
        (_file_preset(folder, "missing.csv"), "missing.csv"),
        (_file_preset(folder, "ragged.csv"), "line 3"),
        (_file_preset(folder, "broken.npz"), "broken.npz"),
        (seed, "seed"),
        (folder / "model.npz", "gone.csv"),
    ]


def _state(window, controller):
    snapshot = controller.latest_snapshot
    return {"doc": window.model.snapshot(), "path": window.model.path,
            "modified": window.model.modified, "undo": window.model.undo_stack.count(),
            "title": window.windowTitle(), "step": snapshot.step,
            "weights": {k: {n: a.copy() for n, a in p.items()}
                        for k, p in snapshot.weights.items()}}


def _open_and_wait_for_refusal(window, qtbot, path):
    shown = []
    window.files.show_problems = lambda title, intro, problems: shown.append((title, intro, problems))
    window.files.open_path(str(path), ask=False)
    qtbot.waitUntil(lambda: bool(shown), timeout=LOAD_TIMEOUT)
    return shown[0]


def test_a_file_that_fails_to_load_keeps_document_weights_and_training(make_window, controller,
                                                                         qtbot, tmp_path):
    window = make_window(controller=controller)
    with qtbot.waitSignal(window.files.document_opened, timeout=LOAD_TIMEOUT):
        window.files.open_builtin("xor", ask=False)
    preset = tmp_path / "mine.json"
    assert window.files.save_to(str(preset))
    window.scene.change_units("h1", +1)            # unsaved work: an edit to keep
    qtbot.waitUntil(lambda: window.training.loaded_doc == window.training.doc_for_worker(), timeout=5000)
    qtbot.waitUntil(lambda: controller.state == "idle" and controller.latest_snapshot is not None
                    and controller.latest_snapshot.weights["h1"]["W"].shape == (2, 5),
                    timeout=LOAD_TIMEOUT)
    window.training.act_epoch.trigger()                     # train: weights nobody has saved
    qtbot.waitUntil(lambda: controller.state == "paused" and controller.latest_snapshot.step > 0,
                    timeout=LOAD_TIMEOUT)
    before = _state(window, controller)

    for path, named in bad_files(tmp_path):
        title, intro, problems = _open_and_wait_for_refusal(window, qtbot, path)
        assert "unchanged" in intro
        assert any(named in p for p in problems), (path, problems)
        qtbot.waitUntil(lambda: controller.state == "paused")
        after = _state(window, controller)
        assert after["doc"] == before["doc"] and after["path"] == before["path"]
        assert (after["modified"], after["undo"], after["title"]) == \
               (before["modified"], before["undo"], before["title"])
        assert after["step"] == before["step"]
        for node, params in before["weights"].items():
            for name, array in params.items():
                assert np.array_equal(after["weights"][node][name], array)
        assert str(path.resolve()) not in window.files.recent_files()

    # Play is enabled and trains the same network on from where it was
    assert window.training.act_play.isEnabled() and window.training.act_step.isEnabled()
    with qtbot.waitSignal(controller.snapshot_ready, timeout=LOAD_TIMEOUT) as blocker:
        window.training.act_step.trigger()
    assert blocker.args[0].step == before["step"] + 1
    assert blocker.args[0].weights["h1"]["W"].shape == (2, 5)
    assert window.model.undo_stack.canUndo()


def test_a_failed_open_during_training_lets_training_go_on(make_window, controller, qtbot,
                                                           tmp_path):
    window = make_window(controller=controller)
    doc = load_builtin("xor")
    doc["training"]["epochs"] = 100_000
    with qtbot.waitSignal(window.files.document_opened, timeout=LOAD_TIMEOUT):
        window.files.open_document(doc)
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=LOAD_TIMEOUT)
    window.training.act_play.trigger()
    qtbot.waitUntil(lambda: controller.running and controller.latest_snapshot.step > 50,
                    timeout=LOAD_TIMEOUT)
    _open_and_wait_for_refusal(window, qtbot, _file_preset(tmp_path, "missing.csv"))
    qtbot.waitUntil(lambda: controller.running, timeout=5000)
    step = controller.latest_snapshot.step
    qtbot.waitUntil(lambda: controller.latest_snapshot.step > step + 50, timeout=LOAD_TIMEOUT)
    assert window.model.doc["training"]["epochs"] == 100_000
    controller.pause()
    qtbot.waitUntil(lambda: controller.state == "paused")


def test_a_good_file_after_a_bad_one_opens(make_window, controller, qtbot, tmp_path):
    window = make_window(controller=controller)
    with qtbot.waitSignal(window.files.document_opened, timeout=LOAD_TIMEOUT):
        window.files.open_builtin("xor", ask=False)
    _open_and_wait_for_refusal(window, qtbot, _file_preset(tmp_path, "missing.csv"))
    good = load_builtin("spiral")
    path = tmp_path / "spiral.json"
    path.write_text(json.dumps(good))
    with qtbot.waitSignal(window.files.document_opened, timeout=LOAD_TIMEOUT):
        assert window.files.open_path(str(path), ask=False)
    assert window.model.doc == good and window.model.path == str(path)
    assert window.training.loaded_doc["dataset"]["kind"] == "spiral"
    layers = {n["id"] for n in good["model"]["nodes"] if n["type"] == "Dense"}
    qtbot.waitUntil(lambda: controller.latest_snapshot is not None
                    and set(controller.latest_snapshot.weights) == layers, timeout=LOAD_TIMEOUT)


def test_files_refused_before_loading_show_their_problems(make_window, tmp_path):
    """Parse-stage failures (deep nesting raised RecursionError and showed no dialog; a
    bit-flipped model raised zlib.error) list their problems and hand nothing to the worker."""
    window = make_window(load_builtin("xor"))
    loads = window.controller.names().count("load")
    before = window.model.snapshot()
    (tmp_path / "deep.json").write_text("[" * 5000 + "]" * 5000)
    nan = json.dumps(load_builtin("xor")).replace('"lr": 0.03', '"lr": NaN')
    (tmp_path / "nan.json").write_text(nan)
    from nnplayground.engine import build_model
    doc = load_builtin("xor")
    save_model(tmp_path / "flipped.npz", doc, build_model(doc["model"], seed=0))
    data = bytearray((tmp_path / "flipped.npz").read_bytes())
    data[80] ^= 0xFF
    (tmp_path / "flipped.npz").write_bytes(bytes(data))
    for name, expected in [("deep.json", "nested too deeply"), ("nan.json", "optimizer.lr: NaN"),
                           ("flipped.npz", "cannot be read")]:
        shown = []
        window.files.show_problems = lambda title, intro, problems, shown=shown: shown.append(problems)
        assert not window.files.open_path(str(tmp_path / name), ask=False)
        (problems,) = shown
        assert any(expected in p for p in problems), (name, problems)
        assert window.model.doc == before
    assert window.controller.names().count("load") == loads
