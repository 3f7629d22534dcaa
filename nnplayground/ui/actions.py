"""The one way the window and its collaborators make their menu and toolbar actions."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


def make_action(owner: QWidget, text: str, slot, shortcut=None, tip: str = "",
                enabled: bool = True) -> QAction:
    """An action of `owner` (its shortcuts work wherever the focus is in that window).

    `shortcut` is one key sequence or a list of them; the tooltip and status tip are `tip`, or
    the text without its '&' and dots.
    """
    action = QAction(text, owner)
    if shortcut:
        keys = shortcut if isinstance(shortcut, list) else [shortcut]
        action.setShortcuts([QKeySequence(k) for k in keys])
    action.setToolTip(tip or text.replace("&", "").rstrip("."))
    action.setStatusTip(action.toolTip())
    action.triggered.connect(slot)
    action.setEnabled(enabled)
    owner.addAction(action)
    return action


__all__ = ["make_action"]
