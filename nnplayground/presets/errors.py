"""Problems and the one exception type that carries them.

Every check in this package reports *all* it finds as `Problem(path, message)` pairs rather than
stopping at the first, because a learner fixing a hand-edited file wants the whole list at once.
"""

from __future__ import annotations

from typing import NamedTuple

FORMAT = "nnplayground-preset"
VERSION = 1


class Problem(NamedTuple):
    """One thing wrong with a document: where (`model.nodes[3].params.units`) and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class PresetError(ValueError):
    """A preset or model file that cannot be used; `.problems` lists every reason.

    A ValueError so that callers who only care that "the input was bad" can catch the usual type.
    """

    def __init__(self, problems, source: str | None = None):
        self.problems = [p if isinstance(p, Problem) else Problem(*p) for p in problems]
        self.source = None if source is None else str(source)
        super().__init__(self._text())

    def _text(self) -> str:
        head = f"{self.source}: " if self.source else ""
        if len(self.problems) == 1:
            return head + str(self.problems[0])
        lines = [f"{head}{len(self.problems)} problems:"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


class ModelFileError(PresetError):
    """A trained-model .npz that does not match its own preset (or is not one of ours)."""
