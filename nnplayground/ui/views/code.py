"""Show code: the engine's own source for a block of the diagram, its loss and its optimizer.

The code is read from the engine's modules with `inspect` when the view opens (never a copy),
so what a student reads is what runs: the reference layer class that computes the block at
inference (`model.layers[node_id]`), its forward and backward methods, the helpers they call
(im2col, col2im, ...) and its activation's; the chosen loss; the chosen optimizer's update
rule. Beside the code, the shapes of this block's tensors for one batch of the preset's batch
size: inputs, output, parameters and gradients, and every array the forward pass stored for
the backward pass. They come from a throwaway model built from the document and run on zeros:
the live model stays with the training worker.
"""

from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass

import numpy as np
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QLabel, QSplitter, QTableWidget, QTableWidgetItem, QTabWidget,
                               QTextBrowser, QVBoxLayout, QWidget)

from nnplayground.engine import build_model, check_graph, make_loss
from nnplayground.engine.optimizers import OPTIMIZERS

LAYER_METHODS = ("forward", "backward", "backward_logits")
LOSS_METHODS = ("__call__", "gradient", "fused")
MAX_BATCH = 512      # the shapes are shown for one batch, computed on zeros


@dataclass(frozen=True)
class Tensor:
    """One row of the shapes table: a name as the code spells it, its shape, what it is."""

    name: str
    shape: tuple
    what: str


@dataclass(frozen=True)
class Page:
    """What one tab shows: a title, the source as (heading, code) sections, the shapes."""

    title: str
    sections: tuple
    tensors: tuple = ()
    note: str = ""


# ---------------------------------------------------------------- reading the engine's source

def _engine_function(obj):
    return inspect.isfunction(obj) and obj.__module__.startswith("nnplayground.engine")


def _defining_class(cls, name):
    """The class of cls's MRO whose own body defines `name`, or None."""
    return next((k for k in cls.__mro__ if name in vars(k)), None)


def _where(obj):
    """'engine/layers/conv.py, line 102' for a function or class."""
    path = inspect.getsourcefile(obj).replace("\\", "/")
    short = path[path.rfind("nnplayground/") + len("nnplayground/"):]
    return f"{short}, line {inspect.getsourcelines(obj)[1]}"


def class_sections(cls, methods):
    """[(heading, source)]: the class docstring, each of `methods` it has (its own or
    inherited, said so), then the engine helpers those call, one level at a time."""
    sections = [(f"class {cls.__name__}  ({_where(cls)})",
                 f'"""{inspect.cleandoc(cls.__doc__ or "")}"""')]
    shown = []
    for name in methods:
        owner = _defining_class(cls, name)
        if owner is None or owner is object:
            continue
        func = vars(owner)[name]
        inherited = "" if owner is cls else f", inherited from {owner.__name__}"
        sections.append((f"{cls.__name__}.{name}  ({_where(func)}{inherited})",
                         textwrap.dedent(inspect.getsource(func))))
        shown.append(func)
    return sections + helper_sections(cls, shown)


def helper_sections(cls, funcs, depth=2):
    """Sources of the engine functions and methods of `cls` that `funcs` call by name."""
    sections, seen = [], set(funcs)
    frontier = list(funcs)
    for _ in range(depth):
        called = []
        for func in frontier:
            module = inspect.getmodule(func)
            for name in func.__code__.co_names:
                target = getattr(module, name, None)
                if not _engine_function(target):
                    owner = _defining_class(cls, name)
                    target = vars(owner)[name] if owner is not None else None
                if _engine_function(target) and target not in seen:
                    seen.add(target)
                    called.append(target)
        for target in called:
            sections.append((f"{target.__qualname__}  ({_where(target)})",
                             textwrap.dedent(inspect.getsource(target))))
        frontier = called
    return sections


# ---------------------------------------------------------------- what each tab shows

def _batch(doc):
    size = doc.get("training", {}).get("batch_size", 32)
    return int(size) if isinstance(size, int) and 0 < size <= MAX_BATCH else 32


def _run_on_zeros(doc, batch):
    """A throwaway model of the document, run forward on a zero batch in training mode
    through its reference layers, so every layer holds the arrays its backward pass reads.
    (None, report) when the graph has problems."""
    report = check_graph(doc.get("model"))
    if not report.ok:
        return None, report
    model = build_model(doc["model"], seed=0)
    model.forward(np.zeros((batch,) + model.input_shape, model.dtype), training=True)
    return model, report


def block_page(doc, node_id):
    """The tab for block `node_id`: its reference layer's code and its tensors' shapes."""
    batch = _batch(doc)
    model, report = _run_on_zeros(doc, batch)
    if model is None:
        node = next(n for n in doc["model"]["nodes"] if n["id"] == node_id)
        from nnplayground.engine.layers import LAYER_TYPES
        cls = LAYER_TYPES.get(node["type"])
        sections = class_sections(cls, LAYER_METHODS) if cls else ()
        return Page(f"{node_id}: {node['type']}", tuple(sections),
                    note="The graph has problems, so no shapes are shown; fix them first.")
    layer = model.layers[node_id]
    cls = type(layer)
    sections = class_sections(cls, LAYER_METHODS)
    activation = getattr(layer, "activation", None)
    if activation is not None and activation.name != "identity":
        sections += class_sections(type(activation), ("forward", "backward", "derivative"))
    tensors = []
    ins = report.inputs[node_id]
    for i in ins:
        name = "x" if len(ins) == 1 else f"xs[{ins.index(i)}]"
        tensors.append(Tensor(name, (batch,) + tuple(report.shapes[i]), f"input, from {i}"))
    tensors.append(Tensor("y", (batch,) + tuple(report.shapes[node_id]), "output"))
    for name, p in layer.params.items():
        tensors.append(Tensor(f'params["{name}"]', p.shape, "parameter"))
        tensors.append(Tensor(f'grads["{name}"]', layer.grads[name].shape, "its gradient"))
    for name, b in layer.buffers.items():
        tensors.append(Tensor(f'buffers["{name}"]', b.shape, "statistics, not trained"))
    for name, value in vars(layer).items():
        if isinstance(value, np.ndarray):
            tensors.append(Tensor(f"self.{name}", value.shape, "kept by forward for backward"))
        elif name.endswith("_shape") and isinstance(value, tuple):
            tensors.append(Tensor(f"self.{name}", value, "a shape kept for backward"))
    title = f"{node_id}: {cls.__name__} (batch of {batch}, the preset's batch size)"
    return Page(title, tuple(sections), tuple(tensors))


def loss_page(doc):
    """The tab for the preset's loss: its value, gradient and fused form."""
    loss = make_loss(doc.get("loss", "mse"))
    batch = _batch(doc)
    report = check_graph(doc.get("model"))
    tensors = []
    out_shape = report.shapes.get(report.output) if report.ok else None
    if out_shape is not None:
        tensors = [Tensor("output", (batch,) + tuple(out_shape), "the network's output"),
                   Tensor("y", (batch,), "labels (class indices)") if doc.get("loss") !=
                   "mse" else Tensor("y", (batch,) + tuple(out_shape), "targets"),
                   Tensor("gradient", (batch,) + tuple(out_shape), "d loss / d output")]
    return Page(f"Loss: {loss.name}", tuple(class_sections(type(loss), LOSS_METHODS)),
                tuple(tensors))


def optimizer_page(doc):
    """The tab for the preset's optimizer: its update rule for one parameter."""
    kind = doc.get("optimizer", {}).get("type", "sgd")
    cls = OPTIMIZERS.get(kind, OPTIMIZERS["sgd"])
    tensors = []
    report = check_graph(doc.get("model"))
    if report.ok:
        model = build_model(doc["model"], seed=0)
        tensors = [Tensor(f"{i}/{name}", p.shape, "p, g and its state") for (i, name), p
                   in model.params.items()]
    return Page(f"Optimizer: {kind}", tuple(class_sections(cls, ("_delta",))),
                tuple(tensors), note="Each parameter p is updated in place from its gradient "
                "g; in training all of them are packed into one array and updated at once.")


# ---------------------------------------------------------------- the widgets

_FORMATTER = HtmlFormatter(noclasses=True, nobackground=True, style="default")


def highlighted_html(sections):
    parts = []
    for heading, code in sections:
        parts.append(f"<h4 style='margin-bottom:2px'>{heading}</h4>")
        parts.append(highlight(code, PythonLexer(), _FORMATTER))
    return "".join(parts)


class CodePage(QWidget):
    """Highlighted source on the left, the shapes table on the right."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.code = QTextBrowser()
        self.code.setLineWrapMode(QTextBrowser.NoWrap)
        self.shapes = QTableWidget(0, 3)
        self.shapes.setHorizontalHeaderLabels(["tensor", "shape", "what"])
        self.shapes.verticalHeader().hide()
        self.shapes.horizontalHeader().setStretchLastSection(True)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.code)
        split.addWidget(self.shapes)
        split.setSizes([700, 300])
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(split, 1)
        layout.addWidget(self.note)

    def show_page(self, page: Page) -> None:
        self.title.setText(f"<b>{page.title}</b>")
        self.note.setText(page.note)
        self.note.setVisible(bool(page.note))
        self.code.setHtml(highlighted_html(page.sections))
        self.shapes.setRowCount(len(page.tensors))
        for row, t in enumerate(page.tensors):
            for col, text in enumerate((t.name, str(tuple(int(s) for s in t.shape)), t.what)):
                self.shapes.setItem(row, col, QTableWidgetItem(text))
        self.shapes.resizeColumnsToContents()

    def shown_shapes(self) -> dict:
        """{tensor name: shape text} as the table shows them (for tests)."""
        return {self.shapes.item(r, 0).text(): self.shapes.item(r, 1).text()
                for r in range(self.shapes.rowCount())}


class CodeView(QWidget):
    """A window with three tabs: the block, the loss and the optimizer of the document."""

    def __init__(self, parent=None):
        super().__init__(parent, Qt.Window)
        self.setWindowTitle("Show code")
        self.resize(1100, 750)
        self.tabs = QTabWidget()
        self.block, self.loss, self.optimizer = CodePage(), CodePage(), CodePage()
        self.tabs.addTab(self.block, "Block")
        self.tabs.addTab(self.loss, "Loss")
        self.tabs.addTab(self.optimizer, "Optimizer")
        QVBoxLayout(self).addWidget(self.tabs)

    def show_node(self, doc: dict, node_id: str) -> None:
        """Fill the tabs from `doc` (a preset document) for block `node_id` and show."""
        self.block.show_page(block_page(doc, node_id))
        self.loss.show_page(loss_page(doc))
        self.optimizer.show_page(optimizer_page(doc))
        self.tabs.setCurrentWidget(self.block)
        self.setWindowTitle(f"Show code: {node_id}")
        self.show()
        self.activateWindow()


def show_code(parent, doc: dict, node_id: str) -> CodeView:
    """Open (or reuse) the Show code window of `parent` for block `node_id` of `doc`."""
    view = parent.findChild(CodeView)
    if view is None:
        view = CodeView(parent)
    view.show_node(doc, node_id)
    return view
