"""Pure edits of a preset document's model graph (no Qt).

The editor never touches engine objects: every user action is a small function that takes a
copy of the preset document (a plain dict, see docs/architecture.md section 4) and changes it.
Keeping these free of Qt makes them easy to test and lets the undo stack store whole documents.
"""

from __future__ import annotations

import copy
import re

from nnplayground.engine.activations import ACTIVATIONS as _ACTIVATIONS
from nnplayground.engine.catalogue import NODE_TYPES, NodeType, Param  # noqa: F401 (re-exported)
from nnplayground.engine.init import INITS as _INITS
from nnplayground.engine.losses import LOSSES as _LOSSES
from nnplayground.engine.optimizers import OPTIMIZERS as _OPTIMIZERS

# Node types, their parameters and these names come from the engine's own catalogues, so the
# editor offers exactly what the engine accepts.
ACTIVATIONS = list(_ACTIVATIONS)
INITS = list(_INITS)
LOSSES = list(_LOSSES)
OPTIMIZERS = list(_OPTIMIZERS)
DATASET_KINDS = ["circle", "xor", "gauss", "spiral", "blobs", "spirals", "reg-plane", "reg-gauss",
                 "sine", "abs", "poly", "step", "and", "or", "nand", "xor-gate", "mnist",
                 "fashion-mnist", "points"]
IMAGE_DATASETS = {"mnist", "fashion-mnist"}
ID_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def param_value(node: dict, name: str):
    """The value the engine will use: the node's own or the type's default."""
    spec = NODE_TYPES[node["type"]].param(name)
    return node.get("params", {}).get(name, spec.shown_default if spec else None)


def node_by_id(doc: dict, node_id: str) -> dict:
    for node in doc["model"]["nodes"]:
        if node["id"] == node_id:
            return node
    raise KeyError(f"no node {node_id!r} in the model")


def new_id(doc: dict, node_type: str) -> str:
    """A fresh id such as dense3: short, readable in the diagram, never reused in this doc."""
    base = {"Input": "x", "Dense": "dense", "Conv2D": "conv"}.get(node_type, node_type.lower())
    taken = {n["id"] for n in doc["model"]["nodes"]}
    if base not in taken and node_type == "Input":
        return base
    i = 1
    while f"{base}{i}" in taken:
        i += 1
    return f"{base}{i}"


UNTITLED = "Untitled"     # the name of a new document until the user names it or saves it


def empty_document() -> dict:
    """The document behind File > New: an empty canvas with XOR data and sensible training."""
    return {
        "format": "nnplayground-preset", "version": 1,
        "name": UNTITLED, "description": "",
        "dataset": {"kind": "xor", "noise": 0, "train_fraction": 0.5, "n_samples": 500, "seed": 0},
        "model": {"nodes": []},
        "loss": "binary_cross_entropy",
        "optimizer": {"type": "sgd", "lr": 0.03},
        "regularization": {"l1": 0.0, "l2": 0.0},
        "training": {"batch_size": 10, "epochs": 100, "seed": 0},
        "views": ["loss", "boundary", "weights"],
    }


def fit_output_to_classes(doc: dict, n_classes: int | None = None) -> None:
    """Give a Dense output node as many units as the dataset has classes, with softmax and
    cross-entropy (switching xor to 5-class blobs otherwise leaves a network that cannot be
    trained until three fields are edited by hand). A two-class dataset keeps a one-unit
    sigmoid output with binary cross-entropy; other outputs and regression are left alone.
    `n_classes`: the count when only the data knows it (a user's file), else the spec's."""
    from nnplayground.presets.validation import class_count, output_node, task_of
    k = n_classes or class_count(doc.get("dataset", {}))
    out = output_node(doc.get("model", {}))
    if task_of(doc.get("dataset", {})) != "classification" or not k or out is None \
            or out.get("type") != "Dense":
        return
    params = out.setdefault("params", {})
    if k == 2 and doc.get("loss") == "binary_cross_entropy" and params.get("units") == 1:
        return
    if params.get("units") == k and doc.get("loss") == "cross_entropy":
        return
    params["units"], params["activation"] = k, "softmax"
    doc["loss"] = "cross_entropy"


def add_node(doc: dict, node_type: str, pos=(0, 0), params: dict | None = None) -> str:
    if node_type not in NODE_TYPES:
        raise ValueError(f"unknown layer type {node_type!r}; choose one of {', '.join(NODE_TYPES)}")
    node_id = new_id(doc, node_type)
    doc["model"]["nodes"].append({
        "id": node_id, "type": node_type,
        "params": copy.deepcopy(params if params is not None else NODE_TYPES[node_type].new_params),
        "inputs": [], "pos": [round(float(pos[0])), round(float(pos[1]))],
    })
    _fix_output(doc)
    return node_id


def delete_nodes(doc: dict, ids) -> None:
    ids = set(ids)
    model = doc["model"]
    model["nodes"] = [n for n in model["nodes"] if n["id"] not in ids]
    for node in model["nodes"]:
        node["inputs"] = [i for i in node["inputs"] if i not in ids]
    if model.get("output") in ids:
        del model["output"]
    _fix_output(doc)


def duplicate_nodes(doc: dict, ids, offset=(30, 40)) -> list[str]:
    """Copies the nodes (not their connections to the rest), keeping links among the copies."""
    mapping = {}
    for old in [n for n in doc["model"]["nodes"] if n["id"] in set(ids)]:
        if old["type"] == "Input":
            continue   # a network has exactly one Input
        new = add_node(doc, old["type"], (old["pos"][0] + offset[0], old["pos"][1] + offset[1]),
                       old.get("params", {}))
        mapping[old["id"]] = new
    for old_id, new_id_ in mapping.items():
        old_inputs = node_by_id(doc, old_id)["inputs"]
        node_by_id(doc, new_id_)["inputs"] = [mapping[i] for i in old_inputs if i in mapping]
    _fix_output(doc)
    return list(mapping.values())


def creates_cycle(doc: dict, src: str, dst: str) -> bool:
    """True when dst already feeds src, so src -> dst would close a loop."""
    consumers: dict[str, list[str]] = {}
    for node in doc["model"]["nodes"]:
        for i in node["inputs"]:
            consumers.setdefault(i, []).append(node["id"])
    stack, seen = [dst], set()
    while stack:
        cur = stack.pop()
        if cur == src:
            return True
        if cur not in seen:
            seen.add(cur)
            stack.extend(consumers.get(cur, []))
    return False


def can_connect(doc: dict, src: str, dst: str) -> str | None:
    """None when src -> dst may be drawn, else the reason it is refused.

    Only edits that cannot mean anything are refused (a loop, a second Input feed, the same edge
    twice); shape mismatches are allowed and shown in place by check_graph.
    """
    if src == dst:
        return "a layer cannot feed itself"
    dst_node = node_by_id(doc, dst)
    if NODE_TYPES[dst_node["type"]].max_inputs == 0:
        return "the Input node takes no inputs"
    if src in dst_node["inputs"]:
        return f"{src} already feeds {dst}"
    if creates_cycle(doc, src, dst):
        return f"{dst} already feeds {src}: the connection would make a loop"
    return None


def connect(doc: dict, src: str, dst: str) -> None:
    """src -> dst. A single-input layer's old input is replaced, as dropping a new wire implies."""
    reason = can_connect(doc, src, dst)
    if reason:
        raise ValueError(reason)
    node = node_by_id(doc, dst)
    if NODE_TYPES[node["type"]].max_inputs == 1:
        node["inputs"] = [src]
    else:
        node["inputs"].append(src)
    _fix_output(doc)


def disconnect(doc: dict, src: str, dst: str) -> None:
    node = node_by_id(doc, dst)
    if src not in node["inputs"]:
        raise ValueError(f"{src} does not feed {dst}")
    node["inputs"].remove(src)
    _fix_output(doc)


def set_param(doc: dict, node_id: str, name: str, value) -> None:
    """Sets a parameter; None removes it so the engine's default applies."""
    params = node_by_id(doc, node_id).setdefault("params", {})
    if value is None:
        params.pop(name, None)
    else:
        params[name] = copy.deepcopy(value)


def move_nodes(doc: dict, positions: dict) -> None:
    for node_id, (x, y) in positions.items():
        node_by_id(doc, node_id)["pos"] = [round(float(x)), round(float(y))]


def set_output(doc: dict, node_id: str) -> None:
    node_by_id(doc, node_id)
    doc["model"]["output"] = node_id


def sinks(doc: dict) -> list[str]:
    used = {i for n in doc["model"]["nodes"] for i in n["inputs"]}
    return [n["id"] for n in doc["model"]["nodes"] if n["id"] not in used]


def _fix_output(doc: dict) -> None:
    """Keeps `output` pointing at the end of the network after an edit.

    When a layer is appended after the output, the new single sink becomes the output; an
    explicit output that is still a sink is left alone (a deliberate choice among branches).
    """
    model = doc["model"]
    out = model.get("output")
    ends = sinks(doc)
    if out is not None and out not in ends and len(ends) == 1:
        model["output"] = ends[0]


def depths(doc: dict) -> dict[str, int]:
    """Longest path from a source for each node; nodes in a loop get the depth reached so far."""
    nodes = {n["id"]: n for n in doc["model"]["nodes"]}
    depth: dict[str, int] = {}
    visiting: set[str] = set()

    def visit(node_id: str) -> int:
        if node_id in depth:
            return depth[node_id]
        if node_id in visiting or node_id not in nodes:
            return 0
        visiting.add(node_id)
        d = max((visit(i) + 1 for i in nodes[node_id]["inputs"]), default=0)
        visiting.discard(node_id)
        depth[node_id] = d
        return d

    for node_id in nodes:
        visit(node_id)
    return depth


def tidy_layout(doc: dict, heights: dict | None = None, column=230, gap=40,
                aspect: float | None = None, row_gap=60, block=140, margin=0) -> None:
    """Layered left-to-right layout: column = topological depth, stacked and centred.

    heights: drawn height of each node (so tall unit columns do not overlap); default 80.
    aspect: the width / height of the view it is for. A chain of columns much wider than that
    wraps into rows (`row_gap` apart), left to right like lines of text, as many as show the
    whole network largest in such a view (`block`: a block's width, `margin`: what the view
    shows around the network); mnist-cnn's eight columns make two rows of four in a 3:2 view.
    """
    heights = heights or {}
    layers: dict[int, list[str]] = {}
    for node_id, d in depths(doc).items():
        layers.setdefault(d, []).append(node_id)
    order = [n["id"] for n in doc["model"]["nodes"]]
    columns = []        # (ids, total height) by depth
    for d in sorted(layers):
        ids = sorted(layers[d], key=order.index)
        columns.append((ids, sum(heights.get(i, 80) for i in ids) + gap * (len(ids) - 1)))
    per_row = _columns_per_row([h for _ids, h in columns], column, block, row_gap, margin,
                               aspect)
    # one row is centred on y = 0, as the layout always was; rows go down from there
    top = -max((h for _ids, h in columns), default=0) / 2 if len(columns) <= per_row else 0.0
    for start in range(0, len(columns), per_row):
        row = columns[start:start + per_row]
        row_height = max(h for _ids, h in row)
        for k, (ids, total) in enumerate(row):
            y = top + (row_height - total) / 2
            for node_id in ids:
                node_by_id(doc, node_id)["pos"] = [k * column, round(y)]
                y += heights.get(node_id, 80) + gap
        top += row_height + row_gap


def _columns_per_row(heights: list[float], column: float, block: float, row_gap: float,
                     margin: float, aspect: float | None) -> int:
    """How many depth columns a row holds so that the rows fill a view of `aspect` best (the
    largest zoom that shows them all; a row more must gain 1 %), as evenly as that many rows
    allow (mnist-cnn's eight: 4 + 4, not 7 + 1); all in one row without an aspect."""
    n = len(heights)
    if not aspect or n <= 1:
        return max(n, 1)

    def zoom(per_row: int) -> float:
        rows = [heights[i:i + per_row] for i in range(0, n, per_row)]
        width = (per_row - 1) * column + block + 2 * margin
        height = sum(max(r) for r in rows) + row_gap * (len(rows) - 1) + 2 * margin
        return min(aspect / width, 1 / height)

    best = n
    for per_row in range(n - 1, 0, -1):
        if zoom(per_row) > zoom(best) * 1.01:
            best = per_row
    even = -(-n // -(-n // best))       # the same number of rows, filled evenly
    return even if zoom(even) >= zoom(best) else best


def document_folder(path) -> str | None:
    """The folder a relative `dataset.path` is read from: the open preset file's folder.

    None for a document with no file (new, a lesson): its relative paths stay relative to the
    working directory, as `load_dataset` reads them without a base_dir.
    """
    if not path:
        return None
    from pathlib import Path
    return str(Path(path).resolve().parent)


def describe(node: dict) -> str:
    """One line of settings for the diagram block, e.g. '4 units, tanh'."""
    t, p = node["type"], node.get("params", {})
    if t == "Input":
        return "shape " + "x".join(str(s) for s in p.get("shape", []))
    if t == "Dense":
        n = p.get("units", "?")
        return f"{n} unit{'' if n == 1 else 's'}, {param_value(node, 'activation')}"
    if t == "Conv2D":
        k = p.get("kernel", "?")
        k = "x".join(map(str, k)) if isinstance(k, list) else f"{k}x{k}"
        return f"{p.get('filters', '?')} filters {k}, {param_value(node, 'activation')}"
    if t in ("MaxPool2D", "AvgPool2D"):
        return f"size {param_value(node, 'size')}"
    if t == "Reshape":
        return "to " + "x".join(str(s) for s in p.get("shape", []))
    if t == "Dropout":
        return f"rate {param_value(node, 'rate')}"
    if t == "Activation":
        return str(param_value(node, "function"))
    return ""
