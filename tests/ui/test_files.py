"""Files and settings: save/open round trip, bad files, unsaved-changes prompt, recent files,
drops, the gallery, and the screenshot mode of run_app."""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QImage
from PySide6.QtWidgets import QMessageBox

from nnplayground.presets import load_builtin, load_preset


def answer(monkeypatch, button):
    """Makes the unsaved-changes prompt answer `button`; returns the list of prompts shown."""
    asked = []

    def question(parent, title, text, *args, **kwargs):
        asked.append(text)
        return button
    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_save_and_open_round_trip(make_window, tmp_path):
    window = make_window()
    assert window.files.open_builtin("xor", ask=False)
    window.scene.change_units("h1", +2)
    assert window.isWindowModified()
    assert "[*]" in window.windowTitle()
    path = tmp_path / "mine.json"
    assert window.files.save_to(str(path))
    assert not window.isWindowModified()
    assert window.windowTitle().startswith("mine.json")
    assert load_preset(path) == window.model.doc
    saved = json.loads(path.read_text())
    window.files.new_document()
    assert window.model.doc["model"]["nodes"] == []
    assert window.files.open_path(str(path))
    assert window.model.doc == saved
    assert window.model.path == str(path)
    assert str(path.resolve()) == window.files.recent_files()[0]
    assert window.settings.value("recent")  # persisted in QSettings
    window.files.new_document()
    recent = window.files.recent_menu.actions()[0]
    assert recent.text() == "mine.json"
    recent.trigger()                        # File > Open Recent > mine.json
    assert window.model.doc == saved


def test_a_bad_file_lists_its_problems_and_keeps_the_network(make_window, tmp_path):
    window = make_window(load_builtin("xor"))
    before = window.model.snapshot()
    doc = load_builtin("xor")
    doc["model"]["nodes"][1]["params"]["units"] = -2
    doc["optimizer"]["lr"] = "fast"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    shown = []
    window.files.show_problems = lambda title, intro, problems: shown.append((title, problems))
    assert not window.files.open_path(str(bad))
    assert window.model.doc == before
    assert not window.isWindowModified()
    (title, problems), = shown
    assert any("units" in p and "-2" in p for p in problems)
    assert any("lr" in p for p in problems)
    assert len(problems) >= 2
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    assert not window.files.open_path(str(broken))
    assert "not valid JSON" in shown[-1][1][0]
    assert window.model.doc == before


def test_problems_dialog_lists_every_problem(qtbot):
    from nnplayground.ui.fileops import ProblemsDialog
    dialog = ProblemsDialog("Cannot open", "x.json has problems", ["a: one", "b: two"])
    qtbot.addWidget(dialog)
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == ["a: one", "b: two"]


def test_unsaved_changes_prompt_on_new_open_and_close(make_window, monkeypatch, tmp_path):
    window = make_window(load_builtin("xor"))
    window.scene.change_units("h1", +1)
    edited = window.model.snapshot()
    asked = answer(monkeypatch, QMessageBox.Cancel)
    assert not window.files.new_document()
    assert window.model.doc == edited and len(asked) == 1
    other = tmp_path / "other.json"
    other.write_text(json.dumps(load_builtin("xor")))
    assert not window.files.open_path(str(other))
    assert window.model.doc == edited and len(asked) == 2
    assert not window.close()         # Cancel keeps the window open
    assert window.isVisible() and len(asked) == 3
    # Save: goes through save (to a chosen path), then proceeds
    answer(monkeypatch, QMessageBox.Save)
    target = tmp_path / "saved.json"
    monkeypatch.setattr("nnplayground.ui.fileops.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), ""))
    assert window.files.new_document()
    assert load_preset(target) == edited
    # Discard: proceeds without saving
    window.scene.add_layer("Dense", QPointF(0, 300))
    asked = answer(monkeypatch, QMessageBox.Discard)
    assert window.files.open_path(str(other))
    assert len(asked) == 1 and window.model.doc == load_builtin("xor")
    # nothing modified: no prompt at all
    asked = answer(monkeypatch, QMessageBox.Cancel)
    assert window.files.new_document() and asked == []


def test_dropping_a_preset_file_on_the_window_opens_it(make_window, tmp_path):
    window = make_window()
    path = tmp_path / "dropped.json"
    path.write_text(json.dumps(load_builtin("xor")))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    window.dropEvent(event)
    assert window.model.path == str(path)
    assert [n["id"] for n in window.model.doc["model"]["nodes"]] == ["x", "h1", "h2", "out"]


def test_gallery_lists_builtins_with_markdown_notes(qtbot):
    from nnplayground.presets import builtin_presets
    from nnplayground.ui.gallery import GalleryDialog
    dialog = GalleryDialog()
    qtbot.addWidget(dialog)
    names = [dialog.list.item(i).data(Qt.UserRole) for i in range(dialog.list.count())]
    assert names == [p.name for p in builtin_presets()] and "xor" in names
    dialog.list.setCurrentRow(names.index("spiral"))
    assert dialog.text.toPlainText().startswith(builtin_presets()[names.index("spiral")].title)
    dialog.accept()
    assert dialog.chosen == "spiral"


def test_window_layout_and_mnist_folder_persist(make_window, settings, tmp_path, monkeypatch):
    monkeypatch.setenv("NNPLAYGROUND_MNIST_DIR", "")   # so that teardown restores the original
    monkeypatch.delenv("NNPLAYGROUND_MNIST_DIR")
    window = make_window()
    window.window_layout.fit_to_screen()    # a layout larger than the screen is not restored
    window.dock_problems.hide()
    window.set_mnist_folder(str(tmp_path))
    assert window.close()
    from nnplayground.ui.main_window import MainWindow
    again = MainWindow(controller=window.controller, settings=settings)
    try:
        again.show()
        assert again.dock_problems.isHidden()
        assert settings.value("mnist_dir") == str(tmp_path)
        import os
        assert os.environ["NNPLAYGROUND_MNIST_DIR"] == str(tmp_path)
    finally:
        again.close()
        again.deleteLater()


def test_screenshot_option_writes_a_png_of_the_window(tmp_path, monkeypatch, qapp):
    from PySide6.QtCore import QSettings
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "cfg"))
    from nnplayground.ui.app import run_app
    out = tmp_path / "shot.png"
    seen = {}

    def on_grab(window):
        """What the picture shows: the worker's step, the status bar and the loss curve."""
        snapshot = window.controller.latest_snapshot
        seen["step"] = snapshot.step if snapshot is not None else 0
        seen["running"] = window.controller.running
        seen["status"] = window.live_views.status.text()
        seen["losses"] = window.live_views.views["metrics"].step_curve.getData()[1]

    assert run_app("xor", train_for=0.5, screenshot=str(out), size=(1200, 800),
                   on_grab=on_grab) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1200, 800)
    # "trains that long": the grab shows a paused run that took steps, and their loss curve
    assert seen["step"] > 0 and not seen["running"]
    assert f"step {seen['step']:,}" in seen["status"]
    assert seen["losses"] is not None and len(seen["losses"]) > 0
    assert run_app("no-such-preset", screenshot=str(tmp_path / "x.png")) == 2
    assert not (tmp_path / "x.png").exists()


def test_an_untitled_preset_is_named_after_its_file(make_window, fake_controller, tmp_path):
    window = make_window()
    doc = load_builtin("xor")
    doc["name"] = "Untitled"          # what File > New starts with
    window.files.open_document(doc)
    loads = fake_controller.names().count("load")
    path = tmp_path / "my-xor.json"
    assert window.files.save_to(str(path))
    assert load_preset(path)["name"] == "my-xor"
    assert window.model.doc["name"] == "my-xor" and not window.isWindowModified()
    assert fake_controller.names().count("load") == loads     # naming it restarts nothing
    window.model.undo_stack.undo()                            # an edit like any other
    assert window.model.doc["name"] == "Untitled"


def test_a_name_the_user_gave_is_kept_when_saving(make_window, tmp_path):
    window = make_window()
    assert window.files.open_builtin("xor", ask=False)
    assert window.files.save_to(str(tmp_path / "other.json"))
    assert load_preset(tmp_path / "other.json")["name"] == load_builtin("xor")["name"]
