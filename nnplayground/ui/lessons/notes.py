"""The Lesson notes dock: the lesson's Markdown, the current step and Previous/Next buttons.

The panel only displays and asks; applying a step is the controller's job (it goes through the
window's undo stack), so the panel has no idea what a preset document is.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout,
                               QWidget)

NO_LESSON = ("## No lesson open\n\nChoose one from the **Lessons** menu or its start page: each "
             "lesson opens a ready network with notes, steps to try and a comparison.")


class NotesPanel(QWidget):
    """Shows `step_title` and the notes; emits `step_requested(+1 | -1)` from its buttons."""

    step_requested = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.lesson_title = QLabel()
        self.lesson_title.setWordWrap(True)
        bold = self.lesson_title.font()     # a font, not a style sheet: a style sheet's
        bold.setBold(True)                  # font ignores the window's (readable) size
        self.lesson_title.setFont(bold)
        self.step_title = QLabel()
        self.step_title.setWordWrap(True)
        self.step_title.setToolTip("The lesson step shown now; its changes are applied to the "
                                   "network (undo with Ctrl+Z)")
        bar = QHBoxLayout()
        self.prev_button = QPushButton("\u25c0 Previous")
        self.prev_button.setToolTip("Go back one step of the lesson (PageUp in presenter mode)")
        self.next_button = QPushButton("Next \u25b6")
        self.next_button.setToolTip("Apply the next step of the lesson (PageDown in presenter "
                                    "mode)")
        self.prev_button.clicked.connect(lambda: self.step_requested.emit(-1))
        self.next_button.clicked.connect(lambda: self.step_requested.emit(+1))
        bar.addWidget(self.prev_button)
        bar.addWidget(self.next_button)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.setToolTip("The lesson's notes: the idea, what to watch, what to try")
        layout.addWidget(self.lesson_title)
        layout.addWidget(self.step_title)
        layout.addLayout(bar)
        layout.addWidget(self.browser, 1)
        self.show_lesson(None)

    def show_lesson(self, title: str | None, markdown: str = "", step_title: str = "",
                    can_prev: bool = False, can_next: bool = False) -> None:
        """Render a lesson's notes (None: the no-lesson hint) and the step line."""
        if title is None:
            self.lesson_title.setText("")
            self.step_title.setText("")
            self._markdown = NO_LESSON
        else:
            self.lesson_title.setText(title)
            self.step_title.setText(step_title)
            self._markdown = markdown
        self.browser.setMarkdown(self._markdown)
        self.prev_button.setEnabled(can_prev)
        self.next_button.setEnabled(can_next)

    def changeEvent(self, event):  # noqa: N802
        """A new font (presenter mode, another screen): the Markdown is laid out again, since
        its code spans got the old font's size as their own when it was set."""
        super().changeEvent(event)
        if event.type() == event.Type.FontChange and getattr(self, "_markdown", None):
            scroll = self.browser.verticalScrollBar().value()
            self.browser.setMarkdown(self._markdown)
            self.browser.verticalScrollBar().setValue(scroll)

    def notes_text(self) -> str:
        """The rendered notes as plain text (what a test or screen reader sees)."""
        return self.browser.toPlainText()


__all__ = ["NotesPanel", "NO_LESSON"]
