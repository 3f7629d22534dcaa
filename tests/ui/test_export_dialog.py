"""File > Export...: the dialog exports the worker's trained weights, and says before writing
anything why a network cannot be exported to a format."""

from __future__ import annotations

import copy

import numpy as np
from PySide6.QtCore import Qt

from nnplayground.ui.export_dialog import ExportDialog


def batchnorm_of_a_matrix():
    """xor's preset with a BatchNorm of a (2, 1) tensor, which no other framework has."""
    from nnplayground.presets import load_builtin
    doc = copy.deepcopy(load_builtin("xor"))
    doc["loss"] = "cross_entropy"
    doc["model"] = {"output": "o", "nodes": [
        {"id": "x", "type": "Input", "params": {"shape": [2]}, "inputs": [], "pos": [0, 0]},
        {"id": "rows", "type": "Reshape", "params": {"shape": [2, 1]}, "inputs": ["x"],
         "pos": [150, 0]},
        {"id": "norm", "type": "BatchNorm", "params": {}, "inputs": ["rows"], "pos": [300, 0]},
        {"id": "f", "type": "Flatten", "params": {}, "inputs": ["norm"], "pos": [450, 0]},
        {"id": "o", "type": "Dense", "params": {"units": 2, "activation": "softmax"},
         "inputs": ["f"], "pos": [600, 0]}]}
    return doc


def _open_dialog(window, qtbot) -> ExportDialog:
    window.act_export.trigger()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(ExportDialog)))
    return next(d for d in window.findChildren(ExportDialog) if d.isVisible())


def _type_path(qtbot, dialog, path):
    dialog.path_edit.selectAll()
    qtbot.keyClick(dialog.path_edit, Qt.Key_Delete)
    qtbot.keyClicks(dialog.path_edit, str(path))


def test_export_writes_the_trained_weights_of_the_run(
        window_on_worker, controller, qtbot, tmp_path):
    import onnxruntime

    from nnplayground.presets import load_trained_model
    window = window_on_worker("xor")
    for _ in range(3):
        window.training.act_step.trigger()
    qtbot.waitUntil(lambda: controller.latest_snapshot is not None
                    and controller.latest_snapshot.step >= 3, timeout=10000)

    dialog = _open_dialog(window, qtbot)
    assert "xor.py, xor_weights.npz, xor_data.npz" in dialog.status.text()
    qtbot.mouseClick(dialog.findChild(type(dialog.format_buttons.button(2)), "format_onnx"),
                     Qt.LeftButton)
    assert dialog.format == "onnx" and dialog.path_edit.text().endswith("xor.onnx")
    assert not dialog.with_data.isVisible()
    _type_path(qtbot, dialog, tmp_path / "exported")
    assert dialog.status.text().startswith("Will write exported.onnx")
    with qtbot.waitSignal(dialog.exported, timeout=15000) as written:
        qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert written.args[0] == [tmp_path / "exported.onnx"]
    assert not dialog.isVisible()
    assert "Exported" in window.statusBar().currentMessage()

    # the same weights as File > Save trained model writes (the run is paused)
    assert window.files.save_trained_model(str(tmp_path / "saved.npz"))
    _, model = load_trained_model(tmp_path / "saved.npz")
    x = np.random.default_rng(0).normal(size=(20, 2)).astype(np.float32)
    session = onnxruntime.InferenceSession(str(tmp_path / "exported.onnx"),
                                           providers=["CPUExecutionProvider"])
    assert np.abs(session.run(None, {"input": x})[0] - model.forward(x)).max() <= 1e-5


def test_a_network_a_format_cannot_express_is_refused_before_writing(make_window, qtbot,
                                                                      tmp_path):
    window = make_window()
    window.files.open_document(batchnorm_of_a_matrix())
    assert window.training.loaded_doc is not None
    dialog = _open_dialog(window, qtbot)
    for fmt in ("pytorch", "keras", "onnx"):
        qtbot.mouseClick(dialog.findChild(type(dialog.format_buttons.button(0)),
                                          f"format_{fmt}"), Qt.LeftButton)
        assert dialog.format == fmt
        assert "node 'norm': BatchNorm of a (2, 1) tensor" in dialog.status.text()
        assert not dialog.export_button.isEnabled()
    dialog.reject()
    assert list(tmp_path.iterdir()) == []


def test_export_with_nothing_loaded_says_what_to_do(make_window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: shown.append(args[1:3]))
    window = make_window()              # an empty network: nothing has reached the worker
    assert window.training.loaded_doc is None
    window.act_export.trigger()
    assert shown == [("Nothing to export", "Load a valid network and train it first; then "
                                           "export it.")]
    assert window.findChildren(ExportDialog) == []
