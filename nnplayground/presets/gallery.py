"""The built-in presets shipped in `resources/presets/`, and name-or-path resolution.

The CLI (`nnplayground train xor`) and the GUI's Gallery both go through `resolve`, so a built-in
name and a file path are accepted in the same places with the same error for a typo.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from nnplayground.resources import ENV_VAR as RESOURCES_ENV
from nnplayground.resources import ResourcesError, resources_dir

from .errors import PresetError, Problem
from .io import load_preset

# Gallery order: from the first lesson to the last; other files follow alphabetically.
ORDER = ("xor", "circle", "gauss", "spiral", "blobs5", "spiral3", "regression-sine",
         "regression-plane", "mnist-mlp", "mnist-cnn", "mnist-best")


@dataclass(frozen=True)
class PresetInfo:
    """One gallery entry. `summary` is the description's first sentence, for one-line lists."""

    name: str          # file stem, what `load_builtin` and the CLI take
    title: str         # the preset's own "name"
    summary: str
    description: str   # Markdown lesson notes
    path: Path


def presets_dir() -> Path:
    """The built-in presets folder; a missing resources folder is a PresetError like a
    missing preset, so the CLI and the Gallery report it the same way."""
    try:
        return resources_dir() / "presets"
    except ResourcesError as exc:
        raise PresetError([Problem("", str(exc))]) from None


def builtin_presets() -> list[PresetInfo]:
    """Every built-in preset (validated), in gallery order."""
    folder = presets_dir()
    if not folder.is_dir():
        raise PresetError([Problem("", f"the built-in presets folder is missing; set "
                                       f"{RESOURCES_ENV} to the folder holding presets/")], folder)
    files = {p.stem: p for p in folder.glob("*.json")}
    names = [n for n in ORDER if n in files] + sorted(n for n in files if n not in ORDER)
    infos = []
    for name in names:
        doc = load_preset(files[name])
        desc = doc.get("description", "")
        infos.append(PresetInfo(name, doc["name"], summary_of(desc), desc, files[name]))
    return infos


def builtin_names() -> list[str]:
    folder = presets_dir()
    stems = {p.stem for p in folder.glob("*.json")} if folder.is_dir() else set()
    return [n for n in ORDER if n in stems] + sorted(stems - set(ORDER))


def load_builtin(name: str) -> dict:
    """The validated document of the built-in preset `name` (e.g. "xor")."""
    path = presets_dir() / f"{name}.json"
    if not path.is_file():
        raise PresetError([Problem("", f'no built-in preset "{name}"; the built-ins are: '
                                       f"{', '.join(builtin_names())}")])
    return load_preset(path)


def resolve(name_or_path) -> Path:
    """A preset file's path from what a user typed: an existing path, else a built-in name."""
    text = str(name_or_path)
    path = Path(text).expanduser()
    if path.is_file():
        return path
    builtin = presets_dir() / f"{text}.json"
    if not any(sep in text for sep in ("/", os.sep)) and builtin.is_file():
        return builtin
    if path.suffix or any(sep in text for sep in ("/", os.sep)):
        reason = "is a folder, not a preset file" if path.is_dir() else "file not found"
        raise PresetError([Problem("", reason)], text)
    raise PresetError([Problem("", f"no such file, and not a built-in preset; the built-ins "
                                   f"are: {', '.join(builtin_names())}")], text)


def summary_of(description: str) -> str:
    """First sentence of the first prose paragraph of Markdown text (headings skipped)."""
    for para in description.split("\n\n"):
        text = " ".join(line.strip() for line in para.splitlines()).strip()
        if not text or text.startswith("#"):
            continue
        text = text.replace("**", "").replace("`", "")
        end = text.find(". ")
        return text if end < 0 else text[: end + 1]
    return ""
