"""FileOps on its own: a bare QWidget for dialogs, a DocumentModel, and a stand-in for the
training controls, no MainWindow. Opening refuses a bad file and leaves the document as it
was; a good one replaces it only once the worker has built it."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QWidget

from nnplayground.data import DatasetError
from nnplayground.presets import load_builtin
from nnplayground.ui.document import UNTITLED, empty_document
from nnplayground.ui.fileops import FileOps
from nnplayground.ui.undo import DocumentModel


class FakeTraining:
    """What FileOps asks of the training controls: build a run, drop it, the loaded doc."""

    def __init__(self, error=None):
        self.error = error          # the next builds fail with it
        self.loaded_doc = None
        self.calls = []

    def build(self, doc, state, done):
        self.calls.append("build")
        if self.error is None:
            self.loaded_doc = doc
        done(self.error)

    def clear_run(self):
        self.calls.append("clear_run")
        self.loaded_doc = None


@pytest.fixture
def make_files(qtbot, settings, fake_controller):
    def make(training=None, doc=None):
        parent = QWidget()
        qtbot.addWidget(parent)
        model = DocumentModel(doc or load_builtin("xor"), parent)
        training = training or FakeTraining()
        files = FileOps(model, settings, training, fake_controller, parent)
        files.shown = []
        files.show_problems = lambda title, intro, problems: files.shown.append(problems)
        files.opened = []
        files.document_opened.connect(files.opened.append)
        return files
    return make


def test_a_bad_file_is_refused_and_the_document_stays(make_files, tmp_path):
    files = make_files()
    files.model.edit("more units", lambda d: d["model"]["nodes"][1]["params"].update(units=7))
    before, undo_count = files.model.snapshot(), files.model.undo_stack.count()
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    assert not files.open_path(str(bad), ask=False)
    assert "not valid JSON" in files.shown[0][0]
    assert files.model.doc == before
    assert files.model.undo_stack.count() == undo_count and files.model.modified
    assert files.opened == [] and files.training.calls == []
    assert files.recent_files() == []


def test_a_file_whose_run_cannot_be_built_is_refused(make_files, tmp_path):
    training = FakeTraining(error=DatasetError("points.csv: no such file"))
    files = make_files(training)
    before = files.model.snapshot()
    doc = load_builtin("spiral")
    path = tmp_path / "spiral.json"
    path.write_text(json.dumps(doc))
    assert files.open_path(str(path), ask=False)      # handed to the worker ...
    assert training.calls == ["build"]
    assert files.shown == [["points.csv: no such file"]]    # ... which refused it
    assert files.model.doc == before and files.opened == []


def test_a_good_file_replaces_the_document_once_built(make_files, tmp_path):
    files = make_files()
    doc = load_builtin("spiral")
    path = tmp_path / "spiral.json"
    path.write_text(json.dumps(doc))
    assert files.open_path(str(path), ask=False)
    assert files.model.doc["name"] == doc["name"] and files.model.path == str(path)
    assert not files.model.modified
    assert files.training.loaded_doc["model"] == doc["model"]
    assert [d["name"] for d in files.opened] == [doc["name"]]
    assert files.recent_files() == [str(path.resolve())]
    assert files.recent_menu.actions()[0].text() == "spiral.json"


def test_save_names_the_file_and_new_drops_the_run(make_files, tmp_path):
    files = make_files(doc={**load_builtin("xor"), "name": UNTITLED})
    saved = []
    files.saved.connect(saved.append)
    path = tmp_path / "my-net.json"
    assert files.save_to(str(path))
    assert saved == [str(path)] and not files.model.modified
    assert json.loads(path.read_text())["name"] == "my-net"      # no longer "Untitled"
    assert files.document_name() == "my-net.json"
    assert files.new_document()
    assert files.training.calls == ["clear_run"]
    assert files.opened == [empty_document()] and files.model.path is None
