"""Validation of a preset document: header, JSON Schema, then the checks a schema cannot express.

Three layers, each reporting every problem it finds as `Problem(path, message)`:

1. the header (`format`, `version`): a file from a newer nnplayground is refused outright, since
   the rest of it may mean something this version does not know;
2. `preset.schema.json` (types, ranges, allowed keys per node type), with jsonschema's messages
   rewritten as "must be <what>, got <value>" using the schema's own `x-expect` phrases;
3. semantics: duplicate node ids, inputs naming unknown nodes, the output node, the loss against the
   output activation and the dataset's task, and `nnplayground.engine.check_graph`'s own problems
   (shapes, cycles, arity) mapped onto `model.nodes[i]` paths.
"""

from __future__ import annotations

import functools
import json
import math
import re
from importlib import resources

import jsonschema

from nnplayground.data.points import KIND as POINTS_KIND
from nnplayground.data.points import points_problems

from .errors import FORMAT, VERSION, Problem

CLASSIFICATION_KINDS = {"circle": 2, "xor": 2, "gauss": 2, "spiral": 2, "and": 2, "or": 2,
                        "nand": 2, "xor-gate": 2, "mnist": 10, "fashion-mnist": 10,
                        "blobs": None, "spirals": None}   # None: the dataset's n_classes
MULTICLASS_DEFAULT = 3          # n_classes of blobs and spirals when the preset leaves it out
REGRESSION_KINDS = {"reg-plane", "reg-gauss", "sine", "abs", "poly", "step"}
IMAGE_KINDS = {"mnist", "fashion-mnist"}
PLANE_KINDS = {"circle", "xor", "gauss", "spiral", "blobs", "spirals", "reg-plane", "reg-gauss",
               "and", "or", "nand", "xor-gate"}
LINE_KINDS = {"sine", "abs", "poly", "step"}
LINE_FEATURES = ("x1", "x1^2", "sin(x1)")


@functools.cache
def preset_schema() -> dict:
    """The JSON Schema of format version 1 (read once from the package)."""
    text = resources.files(__package__).joinpath("preset.schema.json").read_text("utf-8")
    return json.loads(text)


def _is_integer(checker, instance) -> bool:
    """JSON Schema counts 3.0 and 1e308 as integers; Python does not (range(3.0), a seed of
    3.0 and int(1e308) all fail later, after validation said yes), so neither do we."""
    return isinstance(instance, int) and not isinstance(instance, bool)


@functools.cache
def _validator():
    schema = preset_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    strict = jsonschema.validators.extend(
        jsonschema.Draft202012Validator,
        type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer",
                                                                           _is_integer))
    return strict(schema)


def validate_preset(doc) -> list[Problem]:
    """Every problem of `doc` (a parsed preset), in document order; [] when it is usable."""
    header = _header_problems(doc)
    if any(p.path in ("", "format") or "newer" in p.message for p in header):
        return header          # not our format, or a newer one: the rest would only be noise
    problems = header + [p for p in _schema_problems(doc) if p.path not in ("format", "version")]
    problems += _nonfinite_problems(doc, "")
    problems += _float32_problems(doc)
    problems += _semantic_problems(doc, schema_ok=not problems)
    return _dedupe(problems)


# ---------------------------------------------------------------------------------------- header

def _header_problems(doc) -> list[Problem]:
    if not isinstance(doc, dict):
        return [Problem("", f"a preset must be a JSON object, got {show(doc)}")]
    problems = []
    if "format" not in doc:
        problems.append(Problem("format", f'is missing: a preset starts with "format": "{FORMAT}" '
                                          "(is this an nnplayground preset?)"))
    elif doc["format"] != FORMAT:
        return [Problem("format", f'must be "{FORMAT}", got {show(doc["format"])}: '
                                  "this is not an nnplayground preset")]
    version = doc.get("version")
    if "version" not in doc:
        problems.append(Problem("version", f"is missing: add \"version\": {VERSION}"))
    elif not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append(Problem("version", f"must be a positive integer, got {show(version)}"))
    elif version > VERSION:
        problems.append(Problem("version", f"made by a newer nnplayground (format version "
                                           f"{version}); this one reads up to {VERSION}: upgrade"))
    return problems


# ---------------------------------------------------------------------------------------- schema

def _schema_problems(doc) -> list[Problem]:
    problems = []
    for err in _validator().iter_errors(doc):
        problems.extend(_translate(err))
    return sorted(problems, key=lambda p: _sort_key(p.path))


def _translate(err) -> list[Problem]:
    """jsonschema's error -> our `path: reason` wording (one error may name several keys)."""
    path = format_path(err.absolute_path)
    kind, inst, schema = err.validator, err.instance, err.schema
    if kind == "required":
        return [Problem(join(path, key), "is required") for key in err.validator_value
                if isinstance(inst, dict) and key not in inst]
    if kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = [k for k in inst if k not in schema.get("properties", {})]
        hint = f"allowed here: {', '.join(allowed)}" if allowed else "nothing is allowed here"
        return [Problem(join(path, k), f"unknown key ({hint})") for k in extra]
    if kind == "uniqueItems":
        return [Problem(path, f"must not repeat an item, got {show(inst)}")]
    if "x-expect" in schema:
        return [Problem(path, f"must be {schema['x-expect']}, got {show(inst)}")]
    return [Problem(path, err.message)]


# ------------------------------------------------------------------------------------- semantics

def _nonfinite_problems(value, path: str) -> list[Problem]:
    """NaN and infinities pass every numeric range check of a schema, so look for them here."""
    if isinstance(value, float) and not math.isfinite(value):
        return [Problem(path, f"must be a finite number, got {value}")]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nonfinite_problems(v, join(path, str(k)))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nonfinite_problems(v, f"{path}[{i}]")]
    return []


FLOAT32_MAX = 3.4028234663852886e38    # the network trains in float32: beyond is infinity


def _float32_problems(doc: dict) -> list[Problem]:
    """Settings the network computes with in float32 (a node's init_scale or bias_init, the
    optimizer's and the penalties' numbers) must fit in it: 1e308 became infinity when the
    weights were drawn, with numpy's overflow warning, after validation had said yes."""
    places = []
    model = doc.get("model")
    if isinstance(model, dict) and isinstance(model.get("nodes"), list):
        for i, node in enumerate(model["nodes"]):
            if isinstance(node, dict) and isinstance(node.get("params"), dict):
                places.append((f"model.nodes[{i}].params", node["params"]))
    for key in ("optimizer", "regularization"):
        if isinstance(doc.get(key), dict):
            places.append((key, doc[key]))
    problems = []
    for base, values in places:
        for key, value in values.items():
            if (isinstance(value, (int, float)) and not isinstance(value, bool)
                    and math.isfinite(value) and abs(value) > FLOAT32_MAX):
                problems.append(Problem(join(base, key), f"must be at most {FLOAT32_MAX:.3g} "
                                        "in size (training computes in 32-bit floats), got "
                                        f"{show(value)}"))
    return problems


def _semantic_problems(doc: dict, schema_ok: bool) -> list[Problem]:
    model = doc.get("model")
    if not isinstance(model, dict) or not isinstance(model.get("nodes"), list):
        return []
    nodes = model["nodes"]
    problems = _id_problems(model, nodes)
    if problems or not schema_ok:
        return problems   # check_graph and the loss checks need a well-formed graph
    shapes, graph_problems = _engine_check(model, nodes)
    problems += graph_problems
    problems += _loss_problems(doc, nodes, shapes)
    problems += _dataset_problems(doc, nodes)
    problems += _augmentation_problems(doc)
    return problems


def _augmentation_problems(doc: dict) -> list[Problem]:
    """Augmentation distorts images: on points or a user file it has nothing to work on."""
    training, kind = doc.get("training") or {}, doc.get("dataset", {}).get("kind")
    if training.get("augmentation") and kind not in IMAGE_KINDS:
        return [Problem("training.augmentation",
                        f'distorts images, but the dataset "{kind}" is not one; remove it or '
                        f"choose {' or '.join(sorted(IMAGE_KINDS))}")]
    return []


def _id_problems(model: dict, nodes: list) -> list[Problem]:
    problems, first_seen = [], {}
    for i, node in enumerate(nodes):
        if not isinstance(node, dict) or not isinstance(node.get("id"), str):
            continue
        nid = node["id"]
        if nid in first_seen:
            problems.append(Problem(f"model.nodes[{i}].id",
                                    f'duplicate id "{nid}" (already used by model.nodes['
                                    f"{first_seen[nid]}]); give each node its own id"))
        else:
            first_seen[nid] = i
    for i, node in enumerate(nodes):
        if not isinstance(node, dict) or not isinstance(node.get("inputs"), list):
            continue
        for j, ref in enumerate(node["inputs"]):
            if isinstance(ref, str) and ref not in first_seen:
                known = ", ".join(first_seen) or "none"
                problems.append(Problem(f"model.nodes[{i}].inputs[{j}]",
                                        f'unknown node id "{ref}" (known ids: {known})'))
    out = model.get("output")
    if isinstance(out, str) and out not in first_seen:
        problems.append(Problem("model.output", f'unknown node id "{out}" '
                                                f"(known ids: {', '.join(first_seen)})"))
    return problems


def _engine_check(model: dict, nodes: list):
    """Shapes and problems from the engine's graph checker, with paths from the document's root."""
    try:
        from nnplayground.engine import check_graph
    except ImportError:      # the engine is optional for pure format work (e.g. docs tooling)
        return {}, []
    report = check_graph(model)
    index = {n["id"]: i for i, n in enumerate(nodes)}
    problems = [Problem(_engine_path(gp, index), gp.message) for gp in report.problems]
    return dict(report.shapes), problems


def _engine_path(gp, index: dict) -> str:
    """Map a GraphProblem onto `model.nodes[i]...`; the engine's own path is kept if it is one."""
    path = getattr(gp, "path", "") or ""
    if path.startswith("model."):
        return path
    if path.startswith(("nodes[", "output")):
        return "model." + path
    if gp.node_id in index:
        base = f"model.nodes[{index[gp.node_id]}]"
        if path and not path.startswith("["):
            return join(base, path)
        return base
    return "model"


def output_node(model: dict) -> dict | None:
    """The node named by `model.output`, else the only node no other node reads from."""
    nodes = [n for n in model.get("nodes", []) if isinstance(n, dict)]
    if model.get("output") is not None:
        return next((n for n in nodes if n.get("id") == model["output"]), None)
    used = {ref for n in nodes for ref in n.get("inputs", []) or []}
    sinks = [n for n in nodes if n.get("id") not in used]
    return sinks[0] if len(sinks) == 1 else None


def output_activation(node: dict) -> tuple[str | None, str]:
    """(activation name, its param key) at the end of `node`; None if it applies none itself."""
    params = node.get("params") or {}
    if node.get("type") in ("Dense", "Conv2D"):
        return params.get("activation", "identity"), "activation"
    if node.get("type") == "Activation":
        return params.get("function"), "function"
    return None, "activation"


def _loss_problems(doc: dict, nodes: list, shapes: dict) -> list[Problem]:
    loss, kind = doc.get("loss"), doc.get("dataset", {}).get("kind")
    task = task_of(doc.get("dataset", {}))
    out = output_node(doc["model"])
    if out is None:
        return []
    i = nodes.index(out)
    act, key = output_activation(out)
    where = f"model.nodes[{i}].params.{key}" if act is not None else f"model.nodes[{i}]"
    problems = []
    need = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}.get(loss)
    if need and act != need:
        problems.append(Problem(where, f'the loss "{loss}" needs the output node "{out["id"]}" to '
                                       f"end in {need}, got {act or out.get('type')}; set its "
                                       f"activation to {need} or choose another loss"))
    if task == "regression" and loss != "mse":
        problems.append(Problem("loss", f'the dataset "{kind}" is a regression task, which needs '
                                        f'"mse", got "{loss}"'))
    shape = shapes.get(out["id"])
    n_classes = class_count(doc.get("dataset", {}))
    if loss == "binary_cross_entropy" and n_classes and n_classes > 2:
        problems.append(Problem("loss", f'the dataset "{kind}" has {n_classes} classes; '
                                        f'"binary_cross_entropy" tells two apart: choose '
                                        f'"cross_entropy" and a softmax output of {n_classes} '
                                        "units"))
    if shape is not None and len(shape) == 1 and task is not None:
        units = shape[0]
        if loss == "binary_cross_entropy":
            wanted = {1}
        elif loss == "cross_entropy":
            wanted = {n_classes} if n_classes else set()
        elif task == "classification" and n_classes:
            wanted = {n_classes, 1} if n_classes == 2 else {n_classes}
        else:
            wanted = {1} if task == "regression" and kind != "file" else set()
        # hand-placed points may lack a class for a while (all its points erased): more
        # outputs than classes is a network waiting for them, not a mistake
        waiting = kind == POINTS_KIND and loss != "binary_cross_entropy" and \
            units >= max(wanted, default=0)
        if wanted and units not in wanted and not waiting:
            expect = " or ".join(str(w) for w in sorted(wanted))
            problems.append(Problem(f"model.nodes[{i}]",
                                    f'the output node "{out["id"]}" gives {units} value(s) per '
                                    f'example; the loss "{loss}" on "{kind}" needs {expect}'))
    return problems


def _dataset_problems(doc: dict, nodes: list) -> list[Problem]:
    """The Input node's shape against what the dataset will deliver, where that is known here."""
    ds = doc.get("dataset", {})
    if ds.get("kind") == POINTS_KIND:
        problems = [Problem(path, message) for path, message in points_problems(ds)]
        if problems:
            return problems
    one_d = ds.get("kind") in LINE_KINDS or (ds.get("kind") == POINTS_KIND
                                             and ds.get("inputs", 2) == 1)
    if one_d:
        for j, name in enumerate(ds.get("features") or []):
            if name not in LINE_FEATURES:
                return [Problem(f"dataset.features[{j}]", f'"{name}" needs a second input, but '
                                f'"{ds["kind"]}" is 1-D; choose from {", ".join(LINE_FEATURES)}')]
    inputs, target = ds.get("input_columns"), ds.get("target_column")
    if ds.get("kind") == "file" and isinstance(inputs, list) and target in inputs:
        return [Problem(f"dataset.input_columns[{inputs.index(target)}]",
                        f"{show(target)} is also dataset.target_column: the network cannot be given "
                        "the answer as an input; remove it from the inputs")]
    expected = expected_input_shape(ds)
    for i, node in enumerate(nodes):
        if node.get("type") == "Input" and expected is not None:
            got = list(node.get("params", {}).get("shape", []))
            if got != list(expected):
                return [Problem(f"model.nodes[{i}].params.shape",
                                f'the dataset "{ds.get("kind")}" gives inputs of shape '
                                f"{list(expected)}, got {got}")]
    return []


def expected_input_shape(dataset: dict) -> tuple[int, ...] | None:
    """Input shape (no batch) the dataset kind produces, or None when only the data can tell."""
    kind = dataset.get("kind")
    if kind in IMAGE_KINDS:
        return (1, 28, 28)
    if kind in PLANE_KINDS:
        return (len(dataset.get("features") or ("x1", "x2")),)
    if kind in LINE_KINDS:
        return (len(dataset.get("features") or ("x1",)),)
    if kind == POINTS_KIND:
        inputs = dataset.get("inputs", 2)
        return (len(dataset.get("features") or ("x1", "x2")[:inputs]),)
    return None


def class_count(dataset: dict) -> int | None:
    """How many classes the dataset has, where the preset alone tells (None: a file's data,
    regression, or an n_classes that is not a number)."""
    kind = dataset.get("kind")
    if kind in CLASSIFICATION_KINDS and CLASSIFICATION_KINDS[kind] is None:
        n = dataset.get("n_classes", MULTICLASS_DEFAULT)
        return n if isinstance(n, int) and not isinstance(n, bool) else None
    return CLASSIFICATION_KINDS.get(kind) or points_classes(dataset)


def task_of(dataset: dict) -> str | None:
    kind = dataset.get("kind")
    if kind in CLASSIFICATION_KINDS:
        return "classification"
    if kind in REGRESSION_KINDS:
        return "regression"
    return dataset.get("task") if kind in ("file", POINTS_KIND) else None


def points_classes(dataset: dict) -> int | None:
    """The classes a hand-placed classification dataset has (at least 2), else None."""
    if dataset.get("kind") != POINTS_KIND or dataset.get("task") != "classification":
        return None
    labels = [row[-1] for row in dataset.get("points", []) if isinstance(row, list) and row]
    return max(2, int(max(labels, default=0)) + 1)


# --------------------------------------------------------------------------------------- helpers

def format_path(parts) -> str:
    """deque(['model', 'nodes', 3, 'params']) -> 'model.nodes[3].params'."""
    out = ""
    for part in parts:
        out = f"{out}[{part}]" if isinstance(part, int) else join(out, str(part))
    return out


def join(base: str, key: str) -> str:
    return f"{base}.{key}" if base else key


def show(value, limit: int = 60) -> str:
    """A value as JSON, shortened: what the user wrote, in the notation they wrote it in."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_TOP_ORDER = ("format", "version", "name", "description", "dataset", "model", "loss", "optimizer",
              "regularization", "training", "views")


def _sort_key(path: str):
    """Document order: top-level keys as in a saved file, list items by index, then by name."""
    parts = [p for p in re.split(r"\.|\[(\d+)\]", path) if p]
    key = []
    for i, part in enumerate(parts):
        if part.isdigit():
            key.append((0, int(part), ""))
        elif i == 0 and part in _TOP_ORDER:
            key.append((1, _TOP_ORDER.index(part), ""))
        else:
            key.append((2, 0, part))
    return tuple(key)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out
