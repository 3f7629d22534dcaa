"""Checking a model graph and building it.

``check_graph(spec)`` reads the ``model`` dict of a preset (docs/architecture.md, section 1)
and returns a ``GraphReport``: every problem it finds (it never raises for a bad graph, and
never lets a numpy error through), the inferred output shape of each node, a topological order
and each node's parameters with defaults filled in. ``build_model(spec, seed, dtype)`` builds a
``Model`` from a graph without problems, or raises ``GraphError(problems)``.

Messages teach: they name the node (id and type), what it got, what it expects and the fix.
"""

import difflib
import re
from dataclasses import dataclass, field

import numpy as np

from .layers import LAYER_TYPES, ShapeError
from .catalogue import NODE_TYPES

_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")

# Sizes refused before anything is allocated (float32, the training dtype): 1 GB of weights in
# one layer, 0.25 GB of one node's output per sample (a batch of 32 is then 8 GB).
BYTES_PER_VALUE = 4
MAX_LAYER_VALUES = 2 ** 30 // BYTES_PER_VALUE
MAX_SAMPLE_VALUES = 2 ** 28 // BYTES_PER_VALUE


def _gb(values):
    """A count of float32 values as memory, for a message: "3.7 GB"."""
    return f"{values * BYTES_PER_VALUE / 2 ** 30:.2g} GB"


@dataclass(frozen=True)
class GraphProblem:
    """One thing wrong with a graph. node_id is None for graph-wide problems; path is where
    in the preset document it is (e.g. ``model.nodes[3].params.units``)."""

    node_id: str | None
    path: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.message}"


@dataclass
class GraphReport:
    """What check_graph found. shapes: {node_id: shape without batch, or None if unknown}."""

    shapes: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    order: list = field(default_factory=list)      # topological order (nodes outside cycles)
    output: str | None = None
    params: dict = field(default_factory=dict)     # {node_id: params with defaults}
    inputs: dict = field(default_factory=dict)     # {node_id: [input ids]}
    types: dict = field(default_factory=dict)      # {node_id: type name}

    @property
    def ok(self):
        return not self.problems


class GraphError(ValueError):
    """build_model's error: ``problems`` is the list of GraphProblem; str lists them all."""

    def __init__(self, problems):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"the model graph has {len(self.problems)} problem"
                         f"{'s' if len(self.problems) != 1 else ''}:\n{lines}")


def _label(node_id, type_name):
    return f"\"{node_id}\" ({type_name})"


def _inputs_wanted(cls):
    if cls.n_inputs is None:
        return "2 or more inputs"
    return {0: "no inputs", 1: "exactly 1 input"}.get(cls.n_inputs, f"{cls.n_inputs} inputs")


# ---------------------------------------------------------------- the checker

class _Checker:
    def __init__(self, spec):
        self.spec = spec
        self.report = GraphReport()
        self.index = {}       # node_id -> position in spec["nodes"]
        self.skipped = set()  # ids of nodes already reported as unreadable (no echo problems)
        self.extra_inputs = {}  # inputs of skipped nodes, so their neighbours are not orphaned
        self.bad_count = set()  # nodes already reported for their number of inputs
        self.raw_inputs = {}    # inputs as written, unknown ids included
        self.unclear_sinks = []  # sinks when no "output" is given and there is not exactly one

    def problem(self, node_id, path, message):
        self.report.problems.append(GraphProblem(node_id, path, message))

    def run(self):
        spec = self.spec
        if not isinstance(spec, dict) or not isinstance(spec.get("nodes"), list):
            self.problem(None, "model", "must be a dict with a list of \"nodes\" (and an "
                         "\"output\" id); got " + type(spec).__name__)
            return self.report
        self._read_nodes(spec["nodes"])
        self._check_edges()
        order, in_cycle = self._topological_order()
        # A cycle leaves no sink (or a misleading count); its own problem says what to fix.
        if len(self.unclear_sinks) > 1 and not in_cycle:
            sinks = self.unclear_sinks
            self.problem(None, "model.output", f"no \"output\" is given and the graph has "
                         f"{len(sinks)} nodes whose result is not used "
                         f"({', '.join(repr(s) for s in sinks)}); set \"output\" to the "
                         f"id of the last layer")
        self._check_connected(in_cycle)
        self._infer_shapes(order)
        return self.report

    def _read_nodes(self, nodes):
        r = self.report
        for k, node in enumerate(nodes):
            path = f"model.nodes[{k}]"
            if not isinstance(node, dict):
                self.problem(None, path, f"must be a dict with id, type, params and inputs; "
                             f"got {type(node).__name__}")
                continue
            node_id, type_name = node.get("id"), node.get("type")
            if not isinstance(node_id, str) or not _ID.match(node_id):
                self.problem(None, path + ".id", f"node id must be a name of letters, digits, "
                             f"'_' and '-' that starts with a letter or '_', got {node_id!r}")
                continue
            if node_id in self.index:
                self.problem(node_id, path + ".id", f"{_label(node_id, type_name)}: the id is "
                             f"already used by model.nodes[{self.index[node_id]}]; give every "
                             f"node its own id")
                continue
            if type_name not in LAYER_TYPES:
                close = difflib.get_close_matches(str(type_name), list(LAYER_TYPES), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.problem(node_id, path + ".type", f"\"{node_id}\": unknown node type "
                             f"{type_name!r}{hint}; choose one of {', '.join(LAYER_TYPES)}")
                self.skipped.add(node_id)
                inputs = node.get("inputs", [])
                if isinstance(inputs, list):     # still counts for connectivity
                    self.extra_inputs[node_id] = [i for i in inputs if isinstance(i, str)]
                continue
            inputs = node.get("inputs", [])
            if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
                self.problem(node_id, path + ".inputs", f"{_label(node_id, type_name)}: "
                             f"inputs must be a list of node ids, got {inputs!r}")
                self.skipped.add(node_id)
                continue
            self.index[node_id] = k
            r.types[node_id] = type_name
            r.inputs[node_id] = list(inputs)
            r.params[node_id] = self._read_params(node_id, type_name, node.get("params", {}),
                                                  path + ".params")

    def _read_params(self, node_id, type_name, params, path):
        label = _label(node_id, type_name)
        if params is None:
            params = {}
        if not isinstance(params, dict):
            self.problem(node_id, path, f"{label}: params must be a dict, got "
                         f"{type(params).__name__}")
            return None
        out, ok = {}, True
        specs = {p.name: p for p in NODE_TYPES[type_name].params}
        for name in params:
            if name not in specs:
                known = ", ".join(specs) or "none"
                close = difflib.get_close_matches(str(name), list(specs), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.problem(node_id, f"{path}.{name}", f"{label}: unknown parameter "
                             f"{name!r}{hint}; {type_name} takes: {known}")
                ok = False
        for name, spec in specs.items():
            if name not in params or (params[name] is None and spec.none_means_default):
                if spec.required:
                    self.problem(node_id, f"{path}.{name}", f"{label}: the parameter "
                                 f"{name!r} is missing; {type_name} needs it")
                    ok = False
                out[name] = None if spec.required else spec.default
                continue
            value, error = spec.check(params[name])
            if error:
                self.problem(node_id, f"{path}.{name}", f"{label}: {name} {error}, got "
                             f"{params[name]!r}")
                ok = False
            out[name] = value
        return out if ok else None

    def _check_edges(self):
        r = self.report
        n_inputs = [i for i, t in r.types.items() if t == "Input"]
        if len(n_inputs) != 1:
            where = f": {', '.join(repr(i) for i in n_inputs)}" if n_inputs else ""
            self.problem(None, "model.nodes", f"the graph needs exactly one Input node, found "
                         f"{len(n_inputs)}{where}; " + ("add one" if not n_inputs
                                                        else "keep one and delete the others"))
        for node_id, inputs in r.inputs.items():
            type_name, k = r.types[node_id], self.index[node_id]
            label = _label(node_id, type_name)
            unknown = [i for i in inputs if i not in r.types and i not in self.skipped]
            for i in unknown:
                self.problem(node_id, f"model.nodes[{k}].inputs", f"{label}: input {i!r} is "
                             f"not a node of this graph; connect it to an existing node")
            cls = LAYER_TYPES[type_name]
            n = len(inputs)
            if (cls.n_inputs is None and n < 2) or (cls.n_inputs is not None and
                                                    n != cls.n_inputs):
                self.bad_count.add(node_id)
                self.problem(node_id, f"model.nodes[{k}].inputs", f"{label}: takes "
                             f"{_inputs_wanted(cls)}, got {n}"
                             + (f" ({', '.join(inputs)})" if inputs else "")
                             + "; fix its connections")
            self.raw_inputs[node_id] = list(inputs)
            r.inputs[node_id] = [i for i in inputs if i in r.types]
        out = self.spec.get("output")
        if out is not None:
            if out not in r.types:
                self.problem(None, "model.output", f"the output {out!r} is not a node of this "
                             f"graph; set it to the id of the last layer")
            else:
                r.output = out
        else:
            used = {i for inputs in r.inputs.values() for i in inputs}
            sinks = [i for i in r.types if i not in used]
            if len(sinks) == 1:
                r.output = sinks[0]
            else:
                self.unclear_sinks = sinks  # reported after the cycle check (see run)

    def _topological_order(self):
        """Kahn's algorithm in the document's node order; nodes left over are in or after a
        cycle. Returns (order, nodes that are part of a cycle)."""
        r = self.report
        consumers = {i: [] for i in r.types}
        indegree = {}
        for node_id, inputs in r.inputs.items():
            indegree[node_id] = len(set(inputs))
            for i in set(inputs):
                consumers[i].append(node_id)
        ready = [i for i in r.types if indegree[i] == 0]
        order = []
        while ready:
            node_id = ready.pop(0)
            order.append(node_id)
            for c in consumers[node_id]:
                indegree[c] -= 1
                if indegree[c] == 0:
                    ready.append(c)
        left = [i for i in r.types if i not in set(order)]
        in_cycle = set()
        if left:
            # a node is on a cycle when it can reach itself
            for start in left:
                stack, seen = list(consumers[start]), set()
                while stack:
                    n = stack.pop()
                    if n == start:
                        in_cycle.add(start)
                        break
                    if n not in seen:
                        seen.add(n)
                        stack.extend(consumers[n])
            names = ", ".join(f"\"{i}\"" for i in sorted(in_cycle, key=self.index.get))
            first = min(in_cycle, key=self.index.get)
            self.problem(first, f"model.nodes[{self.index[first]}].inputs",
                         f"the nodes {names} form a cycle: each one's input depends on its "
                         f"own output; remove one of these connections")
        r.order = order
        return order, in_cycle

    def _check_connected(self, in_cycle):
        r = self.report
        inputs = [i for i, t in r.types.items() if t == "Input"]
        all_inputs = {**self.raw_inputs, **self.extra_inputs}
        consumers = {i: [] for i in all_inputs}
        for node_id, ins in all_inputs.items():
            for i in ins:
                if i in consumers:
                    consumers[i].append(node_id)
        # nodes already reported for their inputs count as reached: no echo problems after them
        reach = set()
        stack = list(inputs) + list(self.bad_count) + list(self.extra_inputs)
        while stack:
            n = stack.pop()
            if n not in reach:
                reach.add(n)
                stack.extend(consumers[n])
        used = set()
        if r.output is not None:
            stack = [r.output]
            while stack:
                n = stack.pop()
                if n not in used:
                    used.add(n)
                    stack.extend(i for i in all_inputs.get(n, ()) if i in all_inputs)
        for node_id, type_name in r.types.items():
            k, label = self.index[node_id], _label(node_id, type_name)
            if node_id in in_cycle:
                continue
            if inputs and node_id not in reach and r.inputs[node_id]:
                self.problem(node_id, f"model.nodes[{k}].inputs", f"{label}: is not "
                             f"reachable from the Input \"{inputs[0]}\"; connect its input "
                             f"to the rest of the network")
            if r.output is not None and node_id not in used:
                self.problem(node_id, f"model.nodes[{k}]", f"{label}: is not connected to "
                             f"the output \"{r.output}\" (its result is never used); "
                             f"connect it or delete it")

    def _infer_shapes(self, order):
        r = self.report
        for node_id in r.types:
            r.shapes[node_id] = None
        for node_id in order:
            type_name, params = r.types[node_id], r.params[node_id]
            ins = r.inputs[node_id]
            cls = LAYER_TYPES[type_name]
            if params is None or any(r.shapes[i] is None for i in ins):
                continue
            n = len(ins)
            if (cls.n_inputs is None and n < 2) or (cls.n_inputs is not None and
                                                    n != cls.n_inputs):
                continue
            label, k = _label(node_id, type_name), self.index[node_id]
            try:
                r.shapes[node_id] = tuple(int(s) for s in cls.output_shape(
                    params, [r.shapes[i] for i in ins], ins))
            except ShapeError as e:
                self.problem(node_id, f"model.nodes[{k}]", f"{label}: {e}")
            except Exception as e:   # a layer's own check missed something: still no traceback
                self.problem(node_id, f"model.nodes[{k}]", f"{label}: cannot take inputs of "
                             f"shapes {[r.shapes[i] for i in ins]}: {e}")
            else:
                if any(s <= 0 for s in r.shapes[node_id]):
                    self.problem(node_id, f"model.nodes[{k}]", f"{label}: its output would be "
                                 f"empty {r.shapes[node_id]}; use a smaller kernel, stride or "
                                 f"pool size")
                    r.shapes[node_id] = None
                elif self._too_large(node_id, cls, [r.shapes[i] for i in ins]):
                    r.shapes[node_id] = None    # no echo problems from the nodes after it

    def _too_large(self, node_id, cls, in_shapes):
        """Report a node whose weights or per-sample output could not fit in memory; True
        if it did. (Checked before anything is allocated: numpy would otherwise raise a bare
        MemoryError, or the machine would swap, at build time.)"""
        r, k = self.report, self.index[node_id]
        type_name, params, shape = r.types[node_id], r.params[node_id], r.shapes[node_id]
        weights = cls.n_weights(params, in_shapes)
        values = int(np.prod(shape, dtype=object))
        if weights <= MAX_LAYER_VALUES and values <= MAX_SAMPLE_VALUES:
            return False
        if weights > MAX_LAYER_VALUES:
            what = f"would need {_gb(weights)} of weights (a layer may hold at most 1 GB)"
        else:
            what = (f"would output {values:,} values per sample ({_gb(values)}), and a "
                    f"training batch holds many samples (at most {_gb(MAX_SAMPLE_VALUES)} "
                    f"per sample)")
        width, path = cls.width_param, f"model.nodes[{k}]"
        if width is not None:
            # weights and output both grow in proportion to units/filters
            n = params[width]
            most = min(MAX_LAYER_VALUES * n // max(weights, 1), MAX_SAMPLE_VALUES * n // values)
            path += f".params.{width}"
            fix = f"{n:,} {width} {what}; use at most {most:,} {width}, or a smaller input"
        elif type_name == "Input":
            fix = f"the shape {list(shape)} {what}; use a smaller input shape"
        else:
            fix = f"its output {shape} {what}; make its input smaller"
        self.problem(node_id, path, f"{_label(node_id, type_name)}: {fix}")
        return True

def check_graph(spec):
    """Every problem of the graph `spec` and the shapes inferred; never raises."""
    try:
        return _Checker(spec).run()
    except Exception as e:     # a malformed document must not crash the editor
        report = GraphReport()
        report.problems.append(GraphProblem(None, "model", f"cannot read the graph: {e!r}"))
        return report


def build_model(spec, seed=0, dtype=np.float32):
    """A Model for the graph `spec`, weights drawn from `seed`; raises GraphError(problems)."""
    from .model import Model

    report = check_graph(spec)
    if not report.ok:
        raise GraphError(report.problems)
    return Model(spec, report, seed=seed, dtype=dtype)
