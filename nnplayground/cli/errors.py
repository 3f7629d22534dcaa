"""Turning every failure into one line on stderr.

The command line is used from shell scripts and by students: a traceback tells neither what went
wrong nor what to do. Every expected failure becomes `nnplayground: error: <what and the fix>`
and a non-zero exit; only `--debug` shows a traceback.
"""

from __future__ import annotations

import importlib

# Exit codes, in the spirit of argparse (2 = the input was wrong) and the shell (130 = Ctrl-C).
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INVALID = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # what the shell reports for a process killed by SIGPIPE

# The project's own error types, looked up lazily so that `--help` works even while a part of the
# package is missing or broken.
_PROJECT_ERRORS = (
    ("nnplayground.presets", "PresetError"),
    ("nnplayground.data", "DatasetError"),
    ("nnplayground.engine", "GraphError"),
    ("nnplayground.engine", "DivergenceError"),
)


def exit_code_of(exc: BaseException) -> int:
    """2 for a preset or model file that is wrong (the input, as argparse means it), else 1."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    return EXIT_INVALID if "PresetError" in names else EXIT_FAILURE


class CliError(Exception):
    """An expected failure with a message meant for the user (and the exit code to use)."""

    def __init__(self, message: str, code: int = EXIT_FAILURE):
        super().__init__(message)
        self.code = code


def project_error_types() -> tuple[type[BaseException], ...]:
    """The project's error classes that exist right now (a missing one is simply skipped)."""
    found = []
    for module_name, class_name in _PROJECT_ERRORS:
        try:
            found.append(getattr(importlib.import_module(module_name), class_name))
        except (ImportError, AttributeError):
            continue
    return tuple(found)


def format_problem(problem) -> str:
    """`path: message` for a PresetError/GraphError problem, whatever its exact shape."""
    path = getattr(problem, "path", None)
    message = getattr(problem, "message", None)
    if message is not None:
        return f"{path}: {message}" if path else str(message)
    if isinstance(problem, (tuple, list)) and len(problem) == 2:
        return f"{problem[0]}: {problem[1]}" if problem[0] else str(problem[1])
    return str(problem)


def problems_of(exc: BaseException) -> list[str]:
    """Every problem an error carries, formatted; empty when it carries none."""
    problems = getattr(exc, "problems", None)
    if not problems:
        return []
    return [format_problem(p) for p in problems]


def one_line(exc: BaseException, *, subject: str | None = None, hint: str | None = None) -> str:
    """A single-line description of a project error or OSError.

    Errors carrying several problems show the first and say how to list them all (`validate`),
    because one line is what a script's log and a student's terminal can take.
    """
    problems = problems_of(exc)
    if problems:
        text = problems[0]
        if len(problems) > 1:
            more = len(problems) - 1
            text += f" (and {more} more problem{'s' if more > 1 else ''}"
            text += f"; run 'nnplayground validate {subject}' to list them all)" if subject else ")"
    elif isinstance(exc, OSError) and exc.strerror:
        name = exc.filename if exc.filename is not None else subject
        text = f"{name}: {exc.strerror}" if name else exc.strerror
    else:
        text = str(exc) or type(exc).__name__
    text = " ".join(text.split())  # one line, whatever the message held
    if subject and not text.startswith(str(subject)) and not isinstance(exc, OSError):
        text = f"{subject}: {text}"
    if hint:
        text += f"; {hint}"
    return text
