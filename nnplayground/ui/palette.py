"""The layer palette: drag a layer type onto the diagram (or double-click to add it)."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem

from nnplayground.ui.diagram import LAYER_MIME
from nnplayground.ui.document import NODE_TYPES


class LayerPalette(QListWidget):
    """One entry per node type; the drag carries the type name as LAYER_MIME.

    `add_requested(type)` on double-click, for users who prefer not to drag.
    """

    add_requested = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragOnly)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setFlow(QListView.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.Adjust)
        self.setGridSize(QSize(92, 28))
        self.setUniformItemSizes(True)
        self.setToolTip("Layer types: drag one onto the diagram, or double-click to add it")
        for name, node_type in NODE_TYPES.items():
            item = QListWidgetItem(name)
            item.setToolTip(f"{name}: {node_type.tip}. Drag onto the diagram.")
            item.setData(Qt.UserRole, name)
            self.addItem(item)
        self.itemDoubleClicked.connect(lambda item: self.add_requested.emit(item.data(Qt.UserRole)))

    def mimeData(self, items):  # noqa: N802
        data = QMimeData()
        if items:
            data.setData(LAYER_MIME, items[0].data(Qt.UserRole).encode())
        return data

    def mimeTypes(self):  # noqa: N802
        return [LAYER_MIME]
