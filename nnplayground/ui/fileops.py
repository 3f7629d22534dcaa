"""File handling of the main window: New, Open, Save, recent files, trained models, drops.

`FileOps` is one of the window's collaborators, given what it works on in its constructor.
Every opening path ends in `open_document`, which replaces nothing until the file has been
parsed, validated and built into a running experiment (data read, weights loaded) by the
worker: a file that fails at any stage is refused with its problems, and the current document,
its undo history and the experiment being trained, weights included, stay exactly as they were.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QLabel, QListWidget,
                               QMenu, QMessageBox, QVBoxLayout, QWidget)

from nnplayground.presets.datapath import with_data_path_absolute
from nnplayground.ui.document import UNTITLED, document_folder, empty_document
from nnplayground.ui.validation import check_document

PRESET_FILTER = "Presets (*.json);;All files (*)"
MODEL_FILTER = "Trained models (*.npz);;All files (*)"
MAX_RECENT = 8


class ProblemsDialog(QDialog):
    """Lists every problem of a file that could not be opened (all at once, not the first)."""

    def __init__(self, title: str, intro: str, problems: list[str], parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(720, 360)
        self.problems = list(problems)
        layout = QVBoxLayout(self)
        label = QLabel(intro)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.list = QListWidget()
        self.list.setToolTip("Each problem: where in the file, and what is wrong")
        self.list.addItems(self.problems)
        self.list.setWordWrap(True)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)


def problem_lines(exc) -> list[str]:
    problems = getattr(exc, "problems", None)
    return [str(p) for p in problems] if problems else [str(exc)]


class FileOps(QObject):
    """File > New, Open, Save (As), Open Recent, the Gallery, trained models and dropped files.

    `model` is the DocumentModel the files go into and come from; `settings` the QSettings that
    keep the recent files; `training` the TrainingControls, which has the worker build an
    opened document's run (`build`), drops the run on New (`clear_run`) and knows whether a run
    was loaded (`loaded_doc`); `controller` the worker's TrainingController (None: no training,
    documents open at once); `parent` the widget dialogs belong to. `recent_menu` is the File >
    Open Recent menu, kept here; the window puts it in its File menu.

    Signals: `document_opened(doc)` after New, Open, the Gallery or a lesson replaced the
    document, with the document as loaded (a lesson's "lesson" part included); `message(text,
    ms)` for the status bar; `saved(path)` after the preset was written.
    """

    document_opened = Signal(object)
    message = Signal(str, int)
    saved = Signal(str)

    def __init__(self, model, settings, training, controller, parent: QWidget):
        super().__init__(parent)
        self.model = model
        self.settings = settings
        self.training = training
        self.controller = controller
        self.dialog_parent = parent
        self.recent_menu = QMenu("Open &Recent", parent)
        self.recent_menu.setToolTipsVisible(True)
        self.rebuild_recent_menu()

    def show_problems(self, title: str, intro: str, problems: list[str]) -> None:
        """Hook for tests: the dialog is modal, so tests replace this method."""
        ProblemsDialog(title, intro, problems, self.dialog_parent).exec()

    # -- unsaved changes ------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """True when it is fine to drop the current document (saved, discarded or unchanged)."""
        if not self.model.modified:
            return True
        answer = QMessageBox.question(
            self.dialog_parent, "Unsaved changes",
            f"{self.document_name()} has unsaved changes. Save them first?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
        if answer == QMessageBox.Save:
            return self.save()
        return answer == QMessageBox.Discard

    def document_name(self) -> str:
        return Path(self.model.path).name if self.model.path else \
            (self.model.doc.get("name") or UNTITLED)

    # -- opening ----------------------------------------------------------------------------------
    def new_document(self) -> bool:
        if not self.maybe_save():
            return False
        doc = empty_document()
        self.model.replace(doc, None)
        self.training.clear_run()
        self.document_opened.emit(doc)
        return True

    def open_dialog(self) -> bool:
        if not self.maybe_save():
            return False
        path, _ = QFileDialog.getOpenFileName(self.dialog_parent, "Open preset", self.last_folder(),
                                              "Presets and models (*.json *.npz);;All files (*)")
        return bool(path) and self.open_path(path, ask=False)

    def open_path(self, path, ask: bool = True, remember: bool = True) -> bool:
        """Opens a preset (.json), lesson (.json with a "lesson" key) or trained model (.npz).

        On problems, lists them all and keeps the current network. `remember` False keeps the
        file out of Open Recent (the Lessons menu opens the bundled lessons this way). Returns
        False when the file was refused; True when it opened, or is opening (`open_document`).
        """
        if ask and not self.maybe_save():
            return False
        path = str(path)
        if path.endswith(".npz"):
            return self.open_model(path, ask=False)
        from nnplayground.presets import PresetError, load_preset
        try:
            doc = load_preset(path)
        except PresetError as exc:
            self._refuse(path, problem_lines(exc))
            return False
        if "lesson" in doc:
            from nnplayground.lessons.catalog import lesson_problems
            problems = lesson_problems(doc)
            if problems:
                self._refuse(path, problems)
                return False
        return self.open_document(doc, path, recent=path if remember else None)

    def _refuse(self, path: str, problems: list[str], title: str = "Cannot open preset") -> None:
        self.show_problems(title, f"{path} has problems, so it was not opened; the current "
                           "network and its training are unchanged.", problems)

    def open_document(self, doc: dict, path: str | None = None, state=None, *,
                      recent: str | None = None, source: str | None = None,
                      history=None) -> bool:
        """The one place a loaded document replaces the current one; emits document_opened.

        The worker first builds the document's experiment (reads its data, loads `state`, the
        trained weights of a model file) while the current one stays: only once that worked is
        the document replaced, `history` (a model file's training history arrays) handed to the
        worker, and `recent` (a file path) added to Open Recent. When it fails,
        the problems are listed and nothing changes, so a preset whose data cannot be read never
        costs the network being trained. A document the editor itself shows problems for (no
        experiment to build) replaces the current one at once, for the user to fix.

        Returns True: opened, or opening (the worker answers on the GUI thread later).
        A lesson's "lesson" part (its steps and comparisons) stays with the lessons GUI, which
        listens to document_opened; the editor edits the preset part. A lesson keeps no path:
        Save asks for a new file instead of overwriting the lesson with its steps dropped.
        """
        editable = {k: v for k, v in doc.items() if k != "lesson"}
        path = None if "lesson" in doc else path
        if self.controller is None or not check_document(editable).ok:
            self._replace_document(doc, editable, path, recent)
            return True
        worker_doc = with_data_path_absolute(editable, document_folder(path))

        def built(error) -> None:
            if error is not None:
                self._refuse(source or recent or path or doc.get("name") or "The document",
                             problem_lines(error))
                return
            self._replace_document(doc, editable, path, recent)
            if history:                      # its curves and timeline, onto this very run
                self.controller.restore_history(history)

        self.training.build(worker_doc, state, built)
        return True

    def _replace_document(self, doc: dict, editable: dict, path, recent) -> None:
        self.model.replace(editable, path)
        if recent:
            self.add_recent(recent)
        self.document_opened.emit(doc)

    def open_builtin(self, name: str, ask: bool = True) -> bool:
        if ask and not self.maybe_save():
            return False
        from nnplayground.presets import PresetError, load_builtin
        try:
            doc = load_builtin(name)
        except PresetError as exc:
            self.show_problems("Cannot open preset", f"The built-in preset {name} has problems.",
                               problem_lines(exc))
            return False
        return self.open_document(doc, source=f"The built-in preset {name}")

    def open_gallery(self) -> None:
        from nnplayground.ui.gallery import GalleryDialog
        dialog = GalleryDialog(self.dialog_parent)
        if dialog.exec() == QDialog.Accepted and dialog.chosen:
            self.open_builtin(dialog.chosen)

    # -- saving -----------------------------------------------------------------------------------
    def save(self) -> bool:
        if not self.model.path:
            return self.save_as()
        return self.save_to(self.model.path)

    def save_as(self) -> bool:
        start = self.model.path or str(Path(self.last_folder()) /
                                       ((self.model.doc.get("name") or "untitled") + ".json"))
        path, _ = QFileDialog.getSaveFileName(self.dialog_parent, "Save preset", start, PRESET_FILTER)
        return bool(path) and self.save_to(path if path.endswith(".json") else path + ".json")

    def save_to(self, path: str) -> bool:
        """Atomic save. A network with problems is still saved (work in progress), after a warning
        that it will not open again until they are fixed.

        A user data file is named relative to the saved file, so a course folder of presets and
        data can move as a whole; see `_rebase_data_path` for the open document."""
        from nnplayground.presets import PresetError, save_preset, validate_preset
        problems = [str(p) for p in validate_preset(self.model.doc)]
        if problems:
            answer = QMessageBox.warning(
                self.dialog_parent, "Save a network with problems?",
                "This preset has problems and will not open again until they are fixed:\n\n"
                + "\n".join(problems[:8]) + ("\n..." if len(problems) > 8 else ""),
                QMessageBox.Save | QMessageBox.Cancel, QMessageBox.Cancel)
            if answer != QMessageBox.Save:
                return False
        self._name_after_file(path)
        # Where the document's relative data path is read from until now: its file's folder,
        # or (no file yet) the current folder, as the worker and the data panel read it.
        old_folder = document_folder(self.model.path) or os.getcwd()
        try:
            save_preset(self.model.doc, path, validate=False, base_dir=old_folder)
        except (OSError, PresetError) as exc:
            QMessageBox.critical(self.dialog_parent, "Save failed", f"Could not save {path}: {exc}")
            return False
        self.model.path = path
        self._rebase_data_path(old_folder, path)
        self.model.undo_stack.setClean()
        self.add_recent(path)
        self.message.emit(f"Saved {path}", 4000)
        self.saved.emit(path)
        return True

    def _name_after_file(self, path: str) -> None:
        """A document still called "Untitled" is named after its file (my-xor.json: "my-xor"),
        as an undoable edit; a name the user gave is kept."""
        if str(self.model.doc.get("name", "")).strip() in ("", UNTITLED):
            name = Path(path).stem
            self.model.edit(f"name = {name}", lambda d: d.__setitem__("name", name))

    def _rebase_data_path(self, old_folder: str, path: str) -> None:
        """After Save As into another folder, re-spell a *relative* data path from the new file.

        The open document's relative path is read from its file's folder, which has just
        changed; left alone, "points.csv" would now name a file beside the new preset. This is
        not an edit (the data is the same file, nothing to undo), so the document and every
        undo step are rewritten in place, without a signal: no worker reload, no "modified"
        mark, and Undo never brings back a spelling meant for the old folder. Absolute paths are
        left absolute (they mean the same file from anywhere).
        """
        from nnplayground.presets.datapath import rebase_relative_data_path

        def rebase(doc):
            return rebase_relative_data_path(doc, old_folder, path)

        self.model.rewrite_everywhere(rebase)

    # -- trained models ---------------------------------------------------------------------------
    def save_model_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.dialog_parent, "Save trained model", self.last_folder(),
                                              MODEL_FILTER)
        if path:
            self.save_trained_model(path if path.endswith(".npz") else path + ".npz")

    def save_trained_model(self, path: str) -> bool:
        """The worker writes the live model between two steps (the UI never touches it)."""
        if self.controller is None or self.training.loaded_doc is None:
            QMessageBox.information(self.dialog_parent, "Nothing to save", "Load a valid network and train "
                                    "it first; then save the trained model.")
            return False
        try:
            self.controller.save_model(path)
        except Exception as exc:   # shown to the user; the run goes on
            QMessageBox.critical(self.dialog_parent, "Save trained model failed", f"Could not save {path}: {exc}")
            return False
        self.message.emit(f"Saved trained model {path}", 4000)
        return True

    def open_model_dialog(self) -> None:
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self.dialog_parent, "Open trained model", self.last_folder(),
                                              MODEL_FILTER)
        if path:
            self.open_model(path, ask=False)

    def open_model(self, path: str, ask: bool = True) -> bool:
        if ask and not self.maybe_save():
            return False
        from nnplayground.presets import PresetError, load_model
        from nnplayground.presets.modelfile import load_history_arrays
        try:
            doc, state = load_model(path)
            history = load_history_arrays(path)
        except PresetError as exc:
            self.show_problems("Cannot open trained model",
                               f"{path} has problems, so it was not opened; the current "
                               "network is unchanged.", problem_lines(exc))
            return False
        # The model opens as an untitled document (Save asks where), so its data path cannot
        # stay relative to the model file: it is made absolute against the model's folder.
        from nnplayground.presets.datapath import with_data_path_resolved
        return self.open_document(with_data_path_resolved(doc, path), None, state=state,
                                  recent=path, source=path, history=history)

    # -- recent files and drops ------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.settings.value("recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def add_recent(self, path: str) -> None:
        path = str(Path(path).resolve())
        files = [path] + [p for p in self.recent_files() if p != path]
        self.settings.setValue("recent", files[:MAX_RECENT])
        self.rebuild_recent_menu()

    def rebuild_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        files = self.recent_files()
        for path in files:
            action = menu.addAction(Path(path).name, lambda p=path: self.open_path(p))
            action.setToolTip(path)
        if not files:
            menu.addAction("(no recent files)").setEnabled(False)
        else:
            menu.addSeparator()
            menu.addAction("Clear list", lambda: (self.settings.setValue("recent", []),
                                                  self.rebuild_recent_menu()))

    def last_folder(self) -> str:
        files = self.recent_files()
        return str(Path(files[0]).parent) if files else str(Path.home())

    def drag_enter(self, event) -> None:
        """A drag over the window: accepted when it carries presets or models."""
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if urls and all(u.toLocalFile().endswith((".json", ".npz")) for u in urls):
            event.acceptProposedAction()
        else:
            event.ignore()

    def drop(self, event) -> None:
        """Files dropped on the window: the first one opens."""
        urls = event.mimeData().urls()
        if urls:
            event.acceptProposedAction()
            self.open_path(urls[0].toLocalFile())
