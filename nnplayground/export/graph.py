"""The graph every exporter reads: nodes in topological order, their params with defaults, the
shape each one outputs, and the checks that refuse what a format cannot express.

The exporters never reach into engine layers: they read the preset's `model` dict through
`check_graph` (order, shapes, params with defaults) and the trained arrays through the state
dict `{"<node_id>/<name>": array}` that `save_model` writes and `model.state_dict()` returns.
"""

from __future__ import annotations

import builtins
import keyword
from dataclasses import dataclass

import numpy as np

from nnplayground.engine import check_graph

# Node types and activations every exporter understands; anything else (a node type added to
# the engine later, say) is refused with the node's name rather than exported wrongly.
NODE_TYPES = ("Input", "Dense", "Conv2D", "MaxPool2D", "AvgPool2D", "Flatten", "Reshape",
              "Dropout", "BatchNorm", "Activation", "Add", "Concatenate")
ACTIVATIONS = ("identity", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus",
               "softmax")
DEFAULT_ALPHA = {"leaky_relu": 0.01, "elu": 1.0}
_BUILTINS = set(dir(builtins))


@dataclass(frozen=True)
class ExportProblem:
    """Why one node (or the whole model, node_id None) cannot be exported to a format."""

    node_id: str | None
    message: str

    def __str__(self):
        if not self.node_id:
            return self.message
        # "node 'add1' (Add) joins ..." reads on without a colon
        colon = "" if self.message.startswith("(") else ":"
        return f"node {self.node_id!r}{colon} {self.message}"


class ExportError(ValueError):
    """The model cannot be exported as asked; `problems` lists every reason (node and why)."""

    def __init__(self, problems, fmt=None):
        self.problems = list(problems)
        self.format = fmt
        where = f" to {fmt}" if fmt else ""
        if len(self.problems) == 1:
            text = f"cannot export{where}: {self.problems[0]}"
        else:
            text = f"cannot export{where}:\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(text)


@dataclass(frozen=True)
class Node:
    id: str
    type: str
    params: dict
    inputs: tuple
    shape: tuple            # output shape without the batch dimension

    @property
    def activation(self):
        """(name, alpha) of the activation this node applies, or None for nodes without one."""
        if self.type in ("Dense", "Conv2D"):
            name = self.params.get("activation") or "identity"
        elif self.type == "Activation":
            name = self.params["function"]
        else:
            return None
        alpha = self.params.get("alpha")
        return name, DEFAULT_ALPHA.get(name) if alpha is None else float(alpha)


class Graph:
    """A checked model graph, reduced to the nodes the output depends on.

    nodes: [Node] in topological order (the Input first); output: the output node's id;
    input: the Input node; shapes come from the engine's own shape inference.
    """

    def __init__(self, model_spec):
        report = check_graph(model_spec)
        if not report.ok:
            raise ExportError([ExportProblem(p.node_id, p.message) for p in report.problems])
        needed = {report.output}
        for node_id in reversed(report.order):
            if node_id in needed:
                needed.update(report.inputs[node_id])
        self.nodes = [Node(i, report.types[i], dict(report.params[i]),
                           tuple(report.inputs[i]), tuple(report.shapes[i]))
                      for i in report.order if i in needed]
        self.by_id = {n.id: n for n in self.nodes}
        self.output = report.output
        self.input = next(n for n in self.nodes if n.type == "Input")
        self.problems = self._common_problems()

    def __getitem__(self, node_id):
        return self.by_id[node_id]

    def input_shape(self, node):
        """Shape of a node's first input."""
        return self.by_id[node.inputs[0]].shape

    @property
    def output_node(self):
        return self.by_id[self.output]

    def _common_problems(self):
        problems = []
        for node in self.nodes:
            if node.type not in NODE_TYPES:
                problems.append(ExportProblem(node.id, f"node type {node.type!r} is not known "
                                                       f"to the exporters"))
                continue
            act = node.activation
            if act is not None and act[0] not in ACTIVATIONS:
                problems.append(ExportProblem(node.id, f"activation {act[0]!r} is not known "
                                                       f"to the exporters"))
            if node.type == "BatchNorm" and len(self.input_shape(node)) not in (1, 3):
                problems.append(ExportProblem(
                    node.id, f"BatchNorm of a {_fmt(self.input_shape(node))} tensor (neither "
                             f"features nor an image) has no equivalent in the other "
                             f"frameworks; Flatten before it or Reshape to [C, H, W]"))
        return problems

    def check(self, fmt, extra=()):
        """Raise ExportError listing every problem (common and format-specific)."""
        problems = self.problems + list(extra)
        if problems:
            raise ExportError(problems, fmt)

    def final_activation(self):
        """(name, alpha) applied last by the output node; ('identity', None) when none."""
        return self.output_node.activation or ("identity", None)

    def weights(self, state, node_id, name):
        """The trained array `<node_id>/<name>` of the state dict as float32; KeyError names it."""
        key = f"{node_id}/{name}"
        if key not in state:
            raise ExportError([ExportProblem(node_id, f"the trained weights have no {key!r}; "
                                                      f"save the model again")])
        return np.asarray(state[key], dtype=np.float32)


def identifiers(node_ids, taken=()):
    """{node_id: a Python identifier}: '-' becomes '_'; keywords, builtins ('sum', 'input')
    and `taken` names get a trailing '_'; two ids that meet after this get '_2', '_3'."""
    names, used = {}, set()
    for node_id in node_ids:
        name = node_id.replace("-", "_")
        if keyword.iskeyword(name) or name in taken or name in _BUILTINS:
            name += "_"
        base, k = name, 2
        while name in used:
            name, k = f"{base}_{k}", k + 1
        used.add(name)
        names[node_id] = name
    return names


def _fmt(shape):
    return "(" + ", ".join(str(s) for s in shape) + ")"
