"""The networks the export tests run: every built-in preset, every lesson network (its base,
steps and compare variants), and one network that uses every node type and activation with
non-square, multi-channel images, trained a few steps on made-up data so that weights, biases
and BatchNorm's running statistics are no longer their initial values."""

import json

import numpy as np

from nnplayground.engine import Trainer, build_model, make_optimizer
from nnplayground.export.common import task_of
from nnplayground.lessons import (
    list_lessons,
    load_lesson,
    preset_document,
    step_document,
    variant_document,
    variants,
)
from nnplayground.presets import builtin_presets, load_builtin


def _node(node_id, type_, inputs, **params):
    return {"id": node_id, "type": type_, "params": params, "inputs": inputs}


# Every node type and activation, images of 3 channels and 7x6 pixels (a transposed height and
# width, a swapped channel, or a Flatten in the wrong order would all change the output).
EVERYTHING = {
    "name": "Every node type", "loss": "cross_entropy",
    "dataset": {"kind": "mnist"},
    "optimizer": {"type": "adam", "lr": 0.01},
    "regularization": {"l1": 0.0, "l2": 0.001},
    "training": {"batch_size": 8, "epochs": 1, "seed": 0},
    "model": {"output": "out", "nodes": [
        _node("img", "Input", [], shape=[3, 7, 6]),
        _node("c1", "Conv2D", ["img"], filters=4, kernel=3, padding=1, activation="leaky_relu",
              alpha=0.2),
        _node("bn2d", "BatchNorm", ["c1"], momentum=0.8, eps=1e-3),
        _node("c2", "Conv2D", ["bn2d"], filters=4, kernel=[3, 2], padding=1, stride=1,
              activation="elu", alpha=0.5),
        _node("crop", "Conv2D", ["c2"], filters=4, kernel=[1, 2], activation="softplus"),
        _node("sum", "Add", ["c1", "crop"]),
        _node("both", "Concatenate", ["sum", "bn2d"]),
        _node("soft", "Activation", ["both"], function="softmax"),
        _node("mp", "MaxPool2D", ["soft"], size=2),
        _node("ap", "AvgPool2D", ["both"], size=3, stride=2),
        _node("c3", "Conv2D", ["ap"], filters=2, kernel=1, stride=2, padding=2,
              activation="step"),
        _node("f1", "Flatten", ["mp"]),
        _node("f2", "Flatten", ["c3"]),
        _node("r", "Reshape", ["f1"], shape=[2, 6, 6]),
        _node("c4", "Conv2D", ["r"], filters=2, kernel=3, activation="sigmoid"),
        _node("f3", "Flatten", ["c4"]),
        _node("feat", "Concatenate", ["f1", "f2", "f3"]),
        _node("drop", "Dropout", ["feat"], rate=0.3),
        _node("d1", "Dense", ["drop"], units=12, activation="tanh"),
        _node("bn1d", "BatchNorm", ["d1"]),
        _node("relu", "Activation", ["bn1d"], function="relu"),
        _node("d2", "Dense", ["relu"], units=12, activation="identity", use_bias=False),
        _node("skip", "Add", ["d2", "bn1d"]),
        _node("out", "Dense", ["skip"], units=5, activation="softmax"),
    ]},
}


# Refused by every format: nnplayground's BatchNorm of a (2, 1) tensor has no counterpart.
BATCHNORM_OF_A_MATRIX = {
    **load_builtin("xor"), "loss": "cross_entropy",
    "model": {"output": "o", "nodes": [
        {"id": "x", "type": "Input", "params": {"shape": [2]}, "inputs": []},
        {"id": "rows", "type": "Reshape", "params": {"shape": [2, 1]}, "inputs": ["x"]},
        {"id": "norm", "type": "BatchNorm", "params": {}, "inputs": ["rows"]},
        {"id": "f", "type": "Flatten", "params": {}, "inputs": ["norm"]},
        {"id": "o", "type": "Dense", "params": {"units": 2, "activation": "softmax"},
         "inputs": ["f"]}]},
}


def network_documents():
    """[(label, preset document)], one per distinct (graph, loss)."""
    docs = [(f"preset {info.name}", load_builtin(info.name)) for info in builtin_presets()]
    for info in list_lessons():
        lesson = load_lesson(info.number)
        docs.append((f"lesson {info.number}", preset_document(lesson)))
        for i in range(len(lesson["lesson"].get("steps", []))):
            docs.append((f"lesson {info.number} step {i + 1}", step_document(lesson, i)))
        for v in variants(lesson):
            docs.append((f"lesson {info.number} {v['label']}",
                         variant_document(lesson, v["label"])))
    docs.append(("every node type", EVERYTHING))
    seen, unique = set(), []
    for label, doc in docs:
        key = json.dumps([doc["model"], doc.get("loss")], sort_keys=True)
        if key not in seen:
            seen.add(key)
            unique.append((label, doc))
    return unique


def trained(doc, steps=5, seed=0):
    """(model, state dict, inputs to compare on): `doc`'s network after `steps` Trainer steps on
    made-up data of its shapes (float32, as the app trains)."""
    model = build_model(doc["model"], seed=seed)
    rng = np.random.default_rng(seed)
    n = 64
    shape = model.input_shape
    x = (rng.random((n,) + shape, dtype=np.float32) if len(shape) == 3
         else rng.normal(0, 2, (n,) + shape).astype(np.float32))
    task = task_of(doc)
    units = model.output_shape[0]
    if task == "classification":
        y = rng.integers(0, max(units, 2), n).astype(np.int64)
    else:
        y = rng.normal(0, 1, (n,) + model.output_shape).astype(np.float32)
    trainer = Trainer(model, loss=doc["loss"], optimizer=make_optimizer(doc["optimizer"]),
                      x_train=x, y_train=y, task=task,
                      batch_size=min(int(doc["training"]["batch_size"]), 16), seed=seed,
                      l2=float((doc.get("regularization") or {}).get("l2", 0.0)))
    for _ in range(steps):
        trainer.step()
    x_check = (rng.random((32,) + shape, dtype=np.float32) if len(shape) == 3
               else rng.normal(0, 2, (32,) + shape).astype(np.float32))
    return model, model.state_dict(), x_check
