"""`nnplayground` and `nnplayground open`: the only commands that import Qt."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from nnplayground.cli.common import check_mnist_dir, load_target
from nnplayground.cli.errors import EXIT_INVALID, CliError
from nnplayground.cli.parser import DEFAULT_PRESET
from nnplayground.cli.qt_platform import import_problem, xcb_problem


def run_open(args) -> int:
    """Start the app on a preset or model (resolved by the app itself) and return its exit code.

    `--mnist` reaches the data package through NNPLAYGROUND_MNIST_DIR, the same variable a user
    would set, because the app looks datasets up lazily, long after the command line has run.
    """
    animations = [p for p in (args.gif, args.mp4) if p is not None]
    if args.train_for is not None and args.screenshot is None and not animations:
        raise CliError("--train-for only works with --screenshot, --gif or --mp4 (train, take "
                       "the picture, quit); in the app, press Space to train", EXIT_INVALID)
    from nnplayground.ui.animation_files import RecordingError, check_path
    for path in animations:
        try:
            check_path(path)
        except RecordingError as exc:
            raise CliError(str(exc), EXIT_INVALID) from None
    mnist_dir = check_mnist_dir(args.mnist)
    if mnist_dir is not None:
        os.environ["NNPLAYGROUND_MNIST_DIR"] = str(Path(mnist_dir).resolve())
    if args.screenshot is not None:
        folder = Path(args.screenshot).parent
        if not folder.is_dir():
            raise CliError(f"--screenshot {args.screenshot}: folder {folder} does not exist; "
                           f"create it or save the picture elsewhere", EXIT_INVALID)
    target = args.target or DEFAULT_PRESET
    load_target(target)  # a bad name or file fails here in one line, before a window opens
    _check_display()
    problem = xcb_problem()     # before Qt is imported: Qt aborts the process instead
    if problem is not None:
        raise CliError(problem)
    try:
        from nnplayground.ui.app import run_app
    except ImportError as exc:
        raise CliError(import_problem(exc)) from exc
    animation = None
    if animations:
        from nnplayground.ui.recording import HistoryAnimation
        animation = HistoryAnimation(animations, args.fps, args.width, args.view)
    return run_app(target, train_for=args.train_for, screenshot=args.screenshot,
                   animation=animation)


def _check_display() -> None:
    """Qt aborts the whole process when it finds no display; say so in one line instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise CliError("no display found (DISPLAY and WAYLAND_DISPLAY are unset); run it on a "
                       "desktop, or set QT_QPA_PLATFORM=offscreen for --screenshot runs")
