"""Shape inference and problems for the diagram, through the engine's check_graph.

The UI shows an invalid graph instead of refusing it, so it needs every problem, each tied to a
node where possible; check_graph never raises for a bad graph, which is exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
