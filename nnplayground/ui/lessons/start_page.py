"""The lessons start page: every lesson as a card (number, title, summary) with "Open lesson".

A dialog rather than a dock: it is where a class begins, and it gets out of the way once a
lesson is chosen. The choice is returned, not acted on, so opening stays in one place (the
controller), with its unsaved-changes prompt and problems dialog.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFrame, QGridLayout, QLabel,
                               QPushButton, QScrollArea, QVBoxLayout, QWidget)


class LessonCard(QFrame):
    """One lesson: its number and title in bold, the summary, and an Open button."""

    def __init__(self, info, on_open, parent=None):
        super().__init__(parent)
        self.info = info
        self.setFrameShape(QFrame.StyledPanel)
        self.setObjectName("lesson_card")
        self.setStyleSheet("#lesson_card { background: white; border: 1px solid #b0b0b0;"
                           " border-radius: 6px; }")
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>{info.number}. {info.title}</b>")
        title.setWordWrap(True)
        summary = QLabel(info.summary)
        summary.setWordWrap(True)
        summary.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.open_button = QPushButton("Open lesson")
        self.open_button.setToolTip(f"Open lesson {info.number}: {info.title}")
        self.open_button.clicked.connect(lambda: on_open(info.number))
        layout.addWidget(title)
        layout.addWidget(summary, 1)
        layout.addWidget(self.open_button, 0, Qt.AlignRight)
        self.setMinimumHeight(130)


class StartPage(QDialog):
    """The lessons as a grid of cards; `chosen` holds the lesson number after "Open lesson"."""

    def __init__(self, lessons, parent=None, columns=3):
        super().__init__(parent)
        self.setWindowTitle("Lessons")
        self.resize(1040, 760)
        self.chosen: int | None = None
        intro = QLabel("<h2>Lessons</h2>Fifteen ready demonstrations, one idea each: open one "
                       "to load its network with notes, steps and a comparison of runs.")
        intro.setWordWrap(True)
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        self.cards = []
        for i, info in enumerate(lessons):
            card = LessonCard(info, self._choose)
            grid.addWidget(card, i // columns, i % columns)
            self.cards.append(card)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)

    def _choose(self, number: int) -> None:
        self.chosen = number
        self.accept()


__all__ = ["StartPage", "LessonCard"]
