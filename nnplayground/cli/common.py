"""Helpers shared by the commands: finding a preset, messages on stderr, atomic writes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from nnplayground.cli.errors import EXIT_INVALID, CliError

MODEL_SUFFIX = ".npz"


def note(message: str) -> None:
    """An informational line on stderr, so that stdout stays clean for results and JSON."""
    print(f"nnplayground: {message}", file=sys.stderr, flush=True)


def load_target(target: str) -> tuple[dict, str]:
    """A preset document from a file path or a built-in name -> (doc, label for messages).

    `presets.resolve` decides (an existing path wins over a built-in of the same name); a
    trained-model file yields the preset it was trained from.
    """
    from nnplayground import presets

    path = Path(target)
    if (path.suffix or "/" in target or os.sep in target) and not path.exists():
        raise CliError(f"{target}: no such file", EXIT_INVALID)
    resolved = presets.resolve(target)
    if resolved.suffix.lower() == MODEL_SUFFIX:
        doc, _state = presets.load_model(resolved)
        return doc, target
    return presets.load_preset(resolved), target


def preset_folder(target: str) -> Path:
    """The folder of the preset (or model) file `target` names, which a relative
    `dataset.path` in it is read from; a built-in's is the presets folder."""
    from nnplayground import presets

    return presets.resolve(target).parent


def check_mnist_dir(mnist_dir: str | None) -> str | None:
    """Refuse a --mnist folder that does not exist before any slow work starts."""
    if mnist_dir is None:
        return None
    if not Path(mnist_dir).is_dir():
        raise CliError(f"--mnist {mnist_dir}: no such folder; give the folder holding "
                       "train-images-idx3-ubyte.gz and the other MNIST files", EXIT_INVALID)
    return str(mnist_dir)


def write_atomically(path: Path, write) -> None:
    """Call `write(file)` on a temporary file beside `path`, then rename it over `path`
    (the presets' atomic writer: fsync, permissions kept), so a crash or Ctrl-C half way never
    leaves a truncated file where a good one was. A missing folder is the user's typo, said
    as such rather than as mkstemp's OSError."""
    from nnplayground.presets import atomic_write_bytes

    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CliError(f"{path}: folder {folder} does not exist; create it or write elsewhere",
                       EXIT_INVALID)
    atomic_write_bytes(path, writer=write)


def check_input_file(name: str) -> Path:
    """`name` as a Path to an existing file, or a CliError saying it is missing."""
    path = Path(name)
    if not path.exists():
        raise CliError(f"{name}: no such file", EXIT_INVALID)
    if not path.is_file():
        raise CliError(f"{name}: is a folder, not a file", EXIT_INVALID)
    return path
