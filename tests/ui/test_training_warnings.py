"""The status bar warns when Play ends on a saturated loss, and a divergence names its cause
from the settings (issue 11: both said nothing, or always blamed the learning rate)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from nnplayground.presets import load_builtin

LOAD_TIMEOUT = 20_000


def _open(window, qtbot, doc):
    with qtbot.waitSignal(window.files.document_opened, timeout=LOAD_TIMEOUT):
        window.files.open_document(doc)
    qtbot.waitUntil(lambda: window.controller.state == "idle", timeout=LOAD_TIMEOUT)


def test_play_ending_on_a_saturated_loss_warns_in_the_status_bar(make_window, controller,
                                                                  qtbot):
    doc = load_builtin("xor")
    doc["training"]["epochs"] = 4
    doc["model"]["nodes"][-1]["params"]["bias_init"] = 1e30
    window = make_window(controller=controller)
    _open(window, qtbot, doc)
    window.training.act_play.trigger()
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=LOAD_TIMEOUT)
    message = window.statusBar().currentMessage()
    assert message.startswith("Finished 4 epochs")
    assert "Warning: the loss stopped falling" in message and "bias_init" in message


def test_a_divergence_dialog_names_the_regularisation(make_window, controller, qtbot,
                                                      monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda parent, title, text, *a, **k: shown.append((title, text)))
    doc = load_builtin("xor")
    doc["regularization"] = {"l1": 0.0, "l2": 1e30}
    window = make_window(controller=controller)
    _open(window, qtbot, doc)
    window.training.act_step.trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=LOAD_TIMEOUT)
    title, text = shown[0]
    assert title == "Training diverged"
    assert "Likely cause: the regularisation (l1 0, l2 1e+30)" in text
