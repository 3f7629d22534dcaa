"""Shape inference and problems for the diagram, through the engine's check_graph.

The UI shows an invalid graph instead of refusing it, so it needs every problem, each tied to a
node where possible; check_graph never raises for a bad graph, which is exactly that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NODE_PATH = re.compile(r"^model\.nodes\[(\d+)\]")


@dataclass
class GraphStatus:
    shapes: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)     # [(node_id | None, message)]

    @property
    def ok(self) -> bool:
        return not self.problems

    def for_node(self, node_id: str) -> str | None:
        messages = [m for n, m in self.problems if n == node_id]
        return "\n".join(messages) if messages else None


def check_model(model_spec: dict) -> GraphStatus:
    if not model_spec.get("nodes"):
        return GraphStatus({}, [(None, "The canvas is empty: drag an Input and some layers "
                                       "from the palette")])
    try:
        from nnplayground.engine import check_graph
    except ImportError as exc:   # the engine is a sibling package; say so instead of crashing
        return GraphStatus({}, [(None, f"The engine could not be imported ({exc}); reinstall "
                                       "nnplayground")])
    try:
        report = check_graph(model_spec)
    except Exception as exc:   # check_graph promises not to raise; a bug there must not kill the editor
        return GraphStatus({}, [(None, f"Shape check failed: {exc}")])
    problems = [(p.node_id, p.message) for p in report.problems]
    return GraphStatus(dict(report.shapes), problems)


def check_document(doc: dict) -> GraphStatus:
    """Shapes from the engine plus every problem of the whole preset.

    validate_preset also knows what check_graph cannot: the dataset's input shape, the loss
    against the output layer, hyperparameter ranges. Its problems on `model.nodes[i]...` are
    pinned to that node so the diagram can turn it red; the rest are listed only.
    """
    status = check_model(doc.get("model", {}))
    if not doc.get("model", {}).get("nodes"):
        return status
    try:
        from nnplayground.presets import validate_preset
        found = validate_preset(doc)
    except Exception as exc:   # validation bugs must not kill the editor; show them instead
        return GraphStatus(status.shapes, status.problems + [(None, f"Validation failed: {exc}")])
    nodes = doc["model"]["nodes"]
    problems = []
    for path, message in found:
        match = NODE_PATH.match(path)
        index = int(match.group(1)) if match else -1
        node_id = nodes[index].get("id") if 0 <= index < len(nodes) else None
        problems.append((node_id, message if node_id else f"{path}: {message}"))
    return GraphStatus(status.shapes, problems)
