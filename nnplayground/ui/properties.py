"""The properties panel: a form for the selected node, built from its type's parameters.

Each change is one undoable edit; consecutive changes of the same field merge (typing "128"
into a spin box is one step, not three). The form is rebuilt when the selection changes and
only re-synced (with signals blocked, so nothing echoes back) when the document changes.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QLabel,
                               QLineEdit, QSpinBox, QVBoxLayout, QWidget)

from nnplayground.ui import document as D
from nnplayground.ui.undo import DocumentModel


def parse_ints(text: str):
    """'28, 28' or '[1, 28, 28]' -> [28, 28]; ValueError with the reason otherwise."""
    parts = [p for p in text.replace("[", "").replace("]", "").replace("x", ",").split(",")
             if p.strip()]
    values = [int(p) for p in parts]
    if not values or any(v <= 0 for v in values):
        raise ValueError("expected positive whole numbers separated by commas, e.g. 1, 28, 28")
    return values


class PropertiesPanel(QWidget):
    def __init__(self, model: DocumentModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.node_id: str | None = None
        self.widgets: dict[str, QWidget] = {}
        outer = QVBoxLayout(self)
        self.title = QLabel("Select a layer to edit it")
        bold = self.title.font()    # not a style sheet, which ignores the window's font size
        bold.setBold(True)
        self.title.setFont(bold)
        self.title.setWordWrap(True)
        outer.addWidget(self.title)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        outer.addWidget(self.form_host)
        self.error = QLabel()
        self.error.setStyleSheet("color: #d62728")
        self.error.setWordWrap(True)
        outer.addWidget(self.error)
        outer.addStretch(1)
        model.changed.connect(self.sync)

    def show_node(self, node_id: str | None) -> None:
        if node_id == self.node_id:
            return
        self.node_id = node_id
        while self.form.rowCount():
            self.form.removeRow(0)
        self.widgets = {}
        self.error.clear()
        if node_id is None:
            self.title.setText("Select a layer to edit it")
            return
        node = D.node_by_id(self.model.doc, node_id)
        spec = D.NODE_TYPES[node["type"]]
        self.title.setText(f"{node['type']} \u201c{node_id}\u201d")
        self.title.setToolTip(spec.tip)
        if not spec.params:
            self.form.addRow(QLabel("This layer has no settings."))
        for param in spec.params:
            widget = self._make_widget(param)
            widget.setToolTip(param.tip)
            label = QLabel(param.name.replace("_", " "))
            label.setToolTip(param.tip)
            self.form.addRow(label, widget)
            self.widgets[param.name] = widget
        self.sync()

    def _make_widget(self, p: D.Param) -> QWidget:
        if p.kind == "int":
            w = QSpinBox()
            w.setRange(int(p.minimum), int(min(p.maximum, 2**31 - 1)))
            w.valueChanged.connect(lambda v, n=p.name: self._set(n, int(v)))
        elif p.kind == "float":
            w = QDoubleSpinBox()
            w.setDecimals(6 if p.name == "eps" else 4)
            w.setRange(p.minimum, p.maximum)
            w.setSingleStep(0.05)
            w.valueChanged.connect(lambda v, n=p.name: self._set(n, float(v)))
        elif p.kind == "choice":
            w = QComboBox()
            w.addItems(list(p.choices))
            w.currentTextChanged.connect(lambda v, n=p.name: self._set(n, v))
        elif p.kind == "bool":
            w = QCheckBox()
            w.toggled.connect(lambda v, n=p.name: self._set(n, bool(v)))
        else:   # shape, kernel, optfloat, optint: typed text, applied on Enter / focus out
            w = QLineEdit()
            w.setPlaceholderText("default" if p.kind.startswith("opt") else "")
            w.editingFinished.connect(lambda n=p.name, k=p.kind, w=w: self._set_text(n, k, w))
        return w

    def sync(self, *_args) -> None:
        """Shows the document's values; the node may have been deleted by an edit or undo."""
        if self.node_id is None:
            return
        try:
            node = D.node_by_id(self.model.doc, self.node_id)
        except KeyError:
            self.show_node(None)
            return
        for param in D.NODE_TYPES[node["type"]].params:
            w = self.widgets[param.name]
            value = D.param_value(node, param.name)
            w.blockSignals(True)
            if isinstance(w, (QSpinBox, QDoubleSpinBox)):
                w.setValue(value if value is not None else 0)
            elif isinstance(w, QComboBox):
                w.setCurrentText(str(value))
            elif isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            else:
                w.setText("" if value is None else
                          ", ".join(map(str, value)) if isinstance(value, list) else str(value))
            w.blockSignals(False)

    def _set(self, name: str, value) -> None:
        node_id = self.node_id
        self.error.clear()
        self.model.edit(f"{node_id}.{name} = {value}",
                        lambda d: D.set_param(d, node_id, name, value),
                        merge_key=("param", node_id, name))

    def _set_text(self, name: str, kind: str, widget: QLineEdit) -> None:
        text = widget.text().strip()
        try:
            if kind == "shape":
                value = parse_ints(text)
            elif kind == "kernel":
                ints = parse_ints(text)
                value = ints[0] if len(ints) == 1 else ints
                if len(ints) > 2:
                    raise ValueError("a kernel is one size or [height, width]")
            elif not text:
                value = None
            elif kind == "optint":
                value = int(text)
            else:
                value = float(text)
        except ValueError as exc:
            self.error.setText(f"{name}: {exc}" if "expected" in str(exc) or "kernel" in str(exc)
                               else f"{name}: \u201c{text}\u201d is not a number")
            return
        self._set(name, value)
