"""The Gallery: the built-in presets, each with its lesson notes rendered from Markdown."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QTextBrowser, QVBoxLayout)


class GalleryDialog(QDialog):
    """Lists `presets.builtin_presets()`; `chosen` is the selected preset's name after accept()."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Gallery of built-in presets")
        self.resize(900, 560)
        self.chosen: str | None = None
        self.list = QListWidget()
        self.list.setToolTip("The built-in presets; double-click to open one")
        # Names whole, no horizontal scroll bar (it hid the last entry behind it): the list
        # is as wide as its longest name, up to a third of the dialog, and wraps beyond.
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.list.setWordWrap(True)
        self.text = QTextBrowser()
        self.text.setToolTip("The preset's lesson notes")
        self.text.setOpenExternalLinks(True)
        row = QHBoxLayout()
        row.addWidget(self.list)
        row.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Open | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.infos = {}
        try:
            from nnplayground.presets import builtin_presets
            infos = builtin_presets()
        except Exception as exc:   # a broken resources folder must not take the window down
            layout.insertWidget(0, QLabel(f"The built-in presets could not be read: {exc}"))
            infos = []
        for info in infos:
            item = QListWidgetItem(f"{info.title}  ({info.name})")
            item.setData(Qt.UserRole, info.name)
            item.setToolTip(info.summary)
            self.list.addItem(item)
            self.infos[info.name] = info
        self._fit_list()
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        if self.list.count():
            self.list.setCurrentRow(0)

    def _fit_list(self) -> None:
        need = self.list.sizeHintForColumn(0) + 2 * self.list.frameWidth() + \
            self.list.verticalScrollBar().sizeHint().width() + 8
        self.list.setFixedWidth(min(need, self.width() // 3 if self.width() > 300 else need))

    def _on_current_changed(self, item, _previous=None) -> None:
        if item is None:
            return
        info = self.infos[item.data(Qt.UserRole)]
        self.text.setMarkdown(f"# {info.title}\n\n{info.description}")

    def accept(self) -> None:
        item = self.list.currentItem()
        self.chosen = item.data(Qt.UserRole) if item else None
        super().accept()
