"""Show code: right-click a block, choose "Show code", and read the engine's own source of the
class that computes that block at inference, with this block's shapes beside it."""

import inspect

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from nnplayground.engine import build_model, check_graph
from nnplayground.engine.layers import LAYER_TYPES
from nnplayground.engine.losses import CrossEntropy
from nnplayground.engine.optimizers import Adam
from nnplayground.ui import document as D
from nnplayground.ui.views.code import CodeView

BATCH = 16


def node(node_id, type_name, inputs=(), pos=(0, 0), **params):
    return {"id": node_id, "type": type_name, "params": params, "inputs": list(inputs),
            "pos": list(pos)}


def every_type_doc():
    """A valid graph holding one block of every node type."""
    nodes = [node("x", "Input", shape=[1, 8, 8]),
             node("c", "Conv2D", ["x"], filters=4, kernel=3, padding=1, activation="relu"),
             node("bn", "BatchNorm", ["c"]),
             node("mp", "MaxPool2D", ["bn"]),
             node("ap", "AvgPool2D", ["bn"]),
             node("add", "Add", ["mp", "ap"]),
             node("cat", "Concatenate", ["add", "mp"]),
             node("f", "Flatten", ["cat"]),
             node("d", "Dropout", ["f"], rate=0.2),
             node("h", "Dense", ["d"], units=16, activation="relu"),
             node("a", "Activation", ["h"], function="tanh"),
             node("r", "Reshape", ["a"], shape=[16]),
             node("o", "Dense", ["r"], units=3, activation="softmax")]
    for k, n in enumerate(nodes):
        n["pos"] = [160 * (k % 5), 120 * (k // 5)]
    doc = D.empty_document()
    doc["model"] = {"nodes": nodes, "output": "o"}
    doc["loss"] = "cross_entropy"
    doc["optimizer"] = {"type": "adam", "lr": 0.001}
    doc["training"]["batch_size"] = BATCH
    doc["dataset"] = {"kind": "mnist", "source": "sample"}
    return doc


def plain(text):
    return "\n".join(line.rstrip() for line in text.replace("\xa0", " ").splitlines())


def shows_source(view_text, func):
    source = plain(inspect.getsource(func))
    return all(line.strip() in view_text for line in source.splitlines() if line.strip())


def open_code(scene, node_id):
    """Right-click the block and choose Show code, as a user does."""
    menu = scene.context_menu(scene.nodes[node_id].mapToScene(QPointF(20, 20)))
    next(a for a in menu.actions() if a.text() == "Show code").trigger()


def test_the_doc_covers_every_layer_type():
    types = {n["type"] for n in every_type_doc()["model"]["nodes"]}
    assert types == set(LAYER_TYPES) and check_graph(every_type_doc()["model"]).ok


def test_show_code_shows_the_class_that_computes_each_block_and_its_shapes(make_window,
                                                                          monkeypatch):
    doc = every_type_doc()
    window = make_window(doc)
    model = build_model(doc["model"], seed=0)
    report = check_graph(doc["model"])
    x = np.zeros((BATCH, 1, 8, 8), np.float32)
    for node_id in model.order:
        open_code(window.scene, node_id)
        view = window.findChild(CodeView)
        assert view is not None and view.isVisible()
        page = view.block
        text = plain(page.code.toPlainText())
        layer = model.layers[node_id]
        cls = type(layer)
        # this class's forward really computes the block at inference
        seen = []
        original = cls.forward

        def spy(self, *args, original=original, seen=seen, **kwargs):
            seen.append(self)
            return original(self, *args, **kwargs)
        monkeypatch.setattr(cls, "forward", spy)
        model.forward_all(x)
        monkeypatch.undo()
        assert any(s is layer for s in seen), node_id
        assert cls.__name__ in page.title.text()
        assert shows_source(text, original), f"{node_id}: {cls.__name__}.forward not shown"
        backward = cls.backward_logits if hasattr(cls, "backward_logits") else cls.backward
        assert shows_source(text, backward), f"{node_id}: backward not shown"
        # the shapes beside the code are this block's
        shapes = page.shown_shapes()
        assert shapes["y"] == str((BATCH,) + report.shapes[node_id])
        ins = report.inputs[node_id]
        for k, i in enumerate(ins):
            name = "x" if len(ins) == 1 else f"xs[{k}]"
            assert shapes[name] == str((BATCH,) + report.shapes[i])
        for name, p in layer.params.items():
            assert shapes[f'params["{name}"]'] == str(p.shape)
            assert shapes[f'grads["{name}"]'] == str(p.shape)
    # only one Show code window, reused
    assert len(window.findChildren(CodeView)) == 1


def test_the_loss_and_optimizer_tabs_show_their_update_rules(make_window):
    window = make_window(every_type_doc())
    open_code(window.scene, "c")
    view = window.findChild(CodeView)
    assert shows_source(plain(view.loss.code.toPlainText()), CrossEntropy.fused)
    assert shows_source(plain(view.optimizer.code.toPlainText()), Adam._delta)
    assert view.loss.shown_shapes()["output"] == str((BATCH, 3))
    assert view.optimizer.shown_shapes()["c/W"] == str((4, 1, 3, 3))


def test_a_broken_graph_still_shows_the_code_and_says_why_no_shapes(make_window):
    doc = every_type_doc()
    doc["model"]["nodes"][-1]["inputs"] = ["f"]        # 128 features: still fine
    doc["model"]["nodes"][1]["params"]["kernel"] = 30   # larger than the image
    window = make_window(doc)
    open_code(window.scene, "c")
    view = window.findChild(CodeView)
    assert "Conv2D.forward" in view.block.code.toPlainText()
    assert view.block.shown_shapes() == {}
    assert "problems" in view.block.note.text()


@pytest.mark.parametrize("node_id", ["c"])
def test_show_code_is_in_the_blocks_context_menu(make_window, node_id):
    window = make_window(every_type_doc())
    menu = window.scene.context_menu(window.scene.nodes[node_id].mapToScene(QPointF(20, 20)))
    assert "Show code" in [a.text() for a in menu.actions()]
