"""Typing a weight or a bias: the diagram's small in-place editor and its undo step.

`ValueEditor` is a line edit over the diagram's viewport, opened where the weight line or
unit was clicked: Enter sets the number, Escape (or clicking elsewhere) leaves it. The number
goes to the live model as a `ParameterCommand` on the document's undo stack: redo sends it
to the worker, undo sends the value it replaced. The GUI never writes the model; the views
show the change in the worker's next snapshot.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QLineEdit, QToolTip, QWidget

from nnplayground.worker.live import ParameterEdit


class ParameterCommand(QUndoCommand):
    """One number of the live model set by hand; undo puts back the value it had."""

    def __init__(self, send: Callable[[ParameterEdit], None], edit: ParameterEdit, old: float):
        super().__init__(f"Set {edit.describe()} = {edit.value:g}")
        self._send = send
        self.edit = edit
        self.old = old

    def redo(self) -> None:
        self._send(self.edit)

    def undo(self) -> None:
        self._send(replace(self.edit, value=self.old))


def parse_value(text: str) -> float:
    """A typed number ("1.5", "-2", "3e-2", "0,5"); ValueError saying what a number looks like."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number: type one like 0.5, -2 or "
                         "1e-3") from None
    if not math.isfinite(value):
        raise ValueError("type a finite number (not inf or nan)")
    return value


class ValueEditor(QLineEdit):
    """`ask(edit, pos)` shows the current value at `pos` (viewport pixels), selected;
    `accepted(ParameterEdit, old value)` fires when Enter confirms a new number."""

    accepted = Signal(object, float)

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self._edit: ParameterEdit | None = None
        self.setClearButtonEnabled(False)
        self.hide()
        self.returnPressed.connect(self._on_return_pressed)
        self.textEdited.connect(lambda _text: self.setStyleSheet(""))

    def ask(self, edit: ParameterEdit, pos: QPoint) -> None:
        self._edit = edit
        self.setText(f"{edit.value:.6g}")
        self.setToolTip(f"{edit.describe()}: type a number, Enter sets it in the live model, "
                        "Escape leaves it")
        self.setPlaceholderText(edit.describe())
        self.setStyleSheet("")
        width = self.fontMetrics().horizontalAdvance("-0.0000000000") + 16
        self.resize(width, self.sizeHint().height())
        area = self.parentWidget().rect()
        x = min(max(pos.x() + 8, 0), max(area.width() - self.width(), 0))
        y = min(max(pos.y() - self.height() // 2, 0), max(area.height() - self.height(), 0))
        self.move(x, y)
        self.show()
        self.raise_()
        self.selectAll()
        self.setFocus(Qt.PopupFocusReason)

    def _on_return_pressed(self) -> None:
        edit = self._edit
        if edit is None:
            return
        try:
            value = parse_value(self.text())
        except ValueError as exc:
            self.setToolTip(str(exc))
            self.setStyleSheet("QLineEdit { background: #fdecea; }")
            QToolTip.showText(self.mapToGlobal(QPoint(0, self.height())), str(exc), self)
            return
        self._close()
        self.accepted.emit(replace(edit, value=value), float(edit.value))

    def keyPressEvent(self, event):  # noqa: N802
        if event.key() == Qt.Key_Escape:
            self._close()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event):  # noqa: N802
        super().focusOutEvent(event)
        self._close()

    def _close(self) -> None:
        self._edit = None
        if self.isVisible():
            self.hide()
            if self.parentWidget() is not None:
                self.parentWidget().setFocus()
