"""The `nnplayground` command: the app and its headless tools in one program.

`main(argv)` parses the arguments, runs one command and turns every failure into one line on
stderr and an exit code; it never lets a traceback through unless `--debug` asks for it. Each
command lives in its own module; Qt, torch and onnx are imported inside the commands that need
them, only when run, so the headless commands work on a machine with no display.
"""

from __future__ import annotations

import os
import sys
import traceback

from nnplayground.cli.errors import (
    EXIT_BROKEN_PIPE, EXIT_FAILURE, EXIT_INTERRUPTED, CliError, exit_code_of, one_line, project_error_types,
)
from nnplayground.cli.export import run_export
from nnplayground.cli.gradcheck import run_gradcheck
from nnplayground.cli.gui import run_open
from nnplayground.cli.info import run_download_mnist, run_presets, run_validate
from nnplayground.cli.parser import build_parser
from nnplayground.cli.predict import run_predict
from nnplayground.cli.train import run_train

# the parser's handler name (parser.py) -> the function that runs the command
_HANDLERS = {
    "open": run_open,
    "train": run_train,
    "gradcheck": run_gradcheck,
    "predict": run_predict,
    "validate": run_validate,
    "presets": run_presets,
    "download_mnist": run_download_mnist,
    "export": run_export,
}

__all__ = ["main", "CliError"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _error(message: str) -> None:
    print(f"nnplayground: error: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]) and return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version and usage errors
        return exit_.code if isinstance(exit_.code, int) else EXIT_FAILURE

    run = _HANDLERS[args.handler]
    subject = getattr(args, "target", None) or getattr(args, "file", None)
    try:
        return int(run(args))
    except CliError as exc:
        if args.debug:
            traceback.print_exc()
        _error(str(exc))
        return exc.code
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`... --json | head -1`): stop quietly, as `cat` would.
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        if args.debug:
            traceback.print_exc()
        _error(one_line(exc, subject=subject))
        return EXIT_FAILURE
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if args.debug:
            traceback.print_exc()
        if isinstance(exc, project_error_types()) or _deliberate_value_error(exc):
            _error(one_line(exc, subject=subject))
            return exit_code_of(exc)
        _error(f"unexpected {type(exc).__name__}: {' '.join(str(exc).split())} "
               "(rerun with --debug to see the traceback, and please report it)")
        return EXIT_FAILURE


def _deliberate_value_error(exc: BaseException) -> bool:
    """A ValueError raised by nnplayground's own code (the engine's "label 3 needs at least 4
    output units", say) describes a bad input, so it is shown as a plain error; one raised
    inside numpy or elsewhere is a bug and gets the "unexpected" treatment."""
    if not isinstance(exc, ValueError) or exc.__traceback__ is None:
        return False
    last = traceback.extract_tb(exc.__traceback__)[-1]
    return os.path.dirname(last.filename).startswith(_PACKAGE_DIR)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout replaced by something without a file descriptor
        pass
