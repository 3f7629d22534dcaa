"""The edited preset document and its undo stack.

Every edit is a QUndoCommand holding the whole document before and after. Preset documents are
small (a few dozen nodes at most), so whole copies cost nothing noticeable and make "undo restores
the exact preset document" true by construction, whatever the edit did.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from nnplayground.worker.live import is_data_change, without_live_settings

MOVE_ID = 1001


class DocumentCommand(QUndoCommand):
    """Replaces the document; consecutive commands with the same merge key collapse into one."""

    def __init__(self, model: DocumentModel, text: str, before: dict, after: dict,
                 merge_key=None):
        super().__init__(text)
        self._model = model
        self.before = before
        self.after = after
        self.merge_key = merge_key

    def id(self) -> int:  # noqa: A003 - Qt's name
        return MOVE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if not isinstance(other, DocumentCommand) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self._model._set(self.after)

    def undo(self) -> None:
        self._model._set(self.before)


class DocumentModel(QObject):
    """Owns the current preset document; widgets read `doc` and change it only through `edit`.

    Signals: `changed(kind)` after any change, kind "live" when only optimizer, regularisation or
    batch size differ (the worker can apply those without a reset), "data" when only points
    placed by hand changed (`live.is_data_change`: the worker trains on them without a reset),
    "layout" when only node positions, the name or the description changed, else "structure".
    """

    changed = Signal(str)

    def __init__(self, doc: dict, parent=None):
        super().__init__(parent)
        self._doc = copy.deepcopy(doc)
        self.undo_stack = QUndoStack(self)
        self.path: str | None = None

    @property
    def doc(self) -> dict:
        """The current document. Read it; never mutate it (use `edit`)."""
        return self._doc

    def snapshot(self) -> dict:
        return copy.deepcopy(self._doc)

    def edit(self, text: str, fn, merge_key=None):
        """Applies fn(copy_of_doc) as one undoable step; returns fn's result.

        A no-op edit (the document comes back equal) pushes nothing, so a spin box that echoes
        the value it was set to never leaves an empty entry in Edit > Undo.
        """
        before = copy.deepcopy(self._doc)
        after = copy.deepcopy(self._doc)
        result = fn(after)
        if after != before:
            self.undo_stack.push(DocumentCommand(self, text, before, after, merge_key))
        return result

    def replace(self, doc: dict, path: str | None = None) -> None:
        """Loads a new document (File > Open/New): a fresh undo history, marked unmodified."""
        self.undo_stack.clear()
        self.path = path
        self._set(copy.deepcopy(doc), force_kind="structure")
        self.undo_stack.setClean()

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    def rewrite_everywhere(self, fn) -> None:
        """Apply fn(doc) -> doc to the document and to every state of its undo history, with
        no signal and no undo step: for a change of spelling that is not an edit (after Save
        As into another folder, a relative data path is re-spelt from the new file; the data
        is the same, and Undo must never bring back the old folder's spelling)."""
        for i in range(self.undo_stack.count()):
            command = self.undo_stack.command(i)
            if isinstance(command, DocumentCommand):
                command.before, command.after = fn(command.before), fn(command.after)
        self._doc = fn(self._doc)

    def _set(self, doc: dict, force_kind: str | None = None) -> None:
        old, self._doc = self._doc, copy.deepcopy(doc)
        self.changed.emit(force_kind or change_kind(old, self._doc))


def change_kind(old: dict, new: dict) -> str:
    """Classifies a change so the worker resets only when it must."""
    if without_live_settings(old) == without_live_settings(new):
        return "live"
    if is_data_change(old, new):
        return "data"

    def no_pos(doc):
        """Without what the worker never reads: positions, the name and the notes."""
        d = copy.deepcopy(doc)
        for n in d.get("model", {}).get("nodes", []):
            n.pop("pos", None)
        d.pop("name", None)
        d.pop("description", None)
        return d
    if no_pos(old) == no_pos(new):
        return "layout"
    return "structure"
