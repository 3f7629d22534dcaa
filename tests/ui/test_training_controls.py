"""TrainingControls on its own: a bare QWidget, a DocumentModel and the recording controller,
no MainWindow. Play/Pause follows the worker's state, the actions follow the document's
problems, and a structural edit reloads the run unless the worker has that document."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from nnplayground.presets import load_builtin
from nnplayground.ui.training import TrainingControls
from nnplayground.ui.undo import DocumentModel


@pytest.fixture
def make_controls(qtbot, fake_controller):
    def make(controller=fake_controller):
        parent = QWidget()
        qtbot.addWidget(parent)
        model = DocumentModel(load_builtin("xor"), parent)
        controls = TrainingControls(model, controller, parent)
        controls.messages = []
        controls.message.connect(lambda text, ms: controls.messages.append(text))
        model.changed.connect(lambda kind: controls.document_changed(kind, True))
        return controls
    return make


def test_play_pause_follows_the_worker(make_controls, fake_controller):
    controls = make_controls()
    controls.document_changed("structure", True)
    assert controls.act_play.isEnabled() and controls.act_play.text() == "Play"
    controls.act_play.trigger()             # loads the document first, then plays
    assert fake_controller.names() == ["load", "play"]
    assert controls.act_play.text() == "Pause" and controls.is_running()
    assert controls.messages[-1] == "Training"
    controls.act_play.trigger()
    assert fake_controller.names()[-1] == "pause"
    assert controls.act_play.text() == "Play" and controls.messages[-1] == "Paused"
    fake_controller.state_changed.emit("running")     # the worker's word is what counts
    assert controls.act_play.text() == "Pause"


def test_actions_follow_the_documents_problems(make_controls):
    controls = make_controls()
    controls.document_changed("structure", False)
    assert not any(a.isEnabled() for a in controls.run_actions())
    assert "Fix the problems" in controls.act_play.toolTip()
    controls.document_changed("structure", True)
    assert all(a.isEnabled() for a in controls.run_actions())
    assert not make_controls(controller=None).act_play.isEnabled()


def test_an_edit_reloads_and_live_changes_do_not(make_controls, fake_controller, qtbot):
    controls = make_controls()
    controls.build(controls.doc_for_worker(), None, lambda error: None)
    assert controls.loaded_doc is not None
    controls.model.replace(controls.model.doc)      # the very document the worker has
    assert not controls._reload_timer.isActive()
    controls.model.edit("lr", lambda d: d["optimizer"].update(lr=0.3))
    name, _args, changes = fake_controller.calls[-1]
    assert name == "hyper" and changes["lr"] == 0.3
    assert fake_controller.names().count("load") == 1 and not controls._reload_timer.isActive()
    controls.model.edit("units", lambda d: d["model"]["nodes"][1]["params"].update(units=6))
    qtbot.waitUntil(lambda: fake_controller.names().count("load") == 2)
    assert controls.loaded_doc["model"]["nodes"][1]["params"]["units"] == 6


def test_clear_run_abandons_an_open_being_built(make_controls):
    controls = make_controls()
    answered = []
    pending = []
    controls.controller.load = lambda doc, state=None, done=None: pending.append(done)
    controls.build(controls.doc_for_worker(), None, answered.append)
    controls.clear_run()
    pending[0](None)                # the worker answers after File > New
    assert answered == [] and controls.loaded_doc is None
