"""Where a file dataset's `dataset.path` points, as written into a preset or model file.

A preset or trained model is shared together with its data folder (a course folder, a zip, a git
repository), so a file written by nnplayground names its data *relative to itself*
("data/points.csv", forward slashes on every system) and a reader resolves a relative path
against the folder of the file it read (`load_dataset(..., base_dir=that folder)`). An absolute
path is written only when no relative one exists (on Windows, data on another drive).

Only the `file` kind is rewritten: a `fashion-mnist` `path` is a download folder shared by many
presets and is left as the user wrote it. Every function here returns a new document and never
changes the one it is given, because the caller's document is usually the one being edited:
the spelling that suits one target file must not leak into the next save elsewhere.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path, PurePath


def _file_spec(doc) -> dict | None:
    """The `dataset` of a document whose data is a user file with a path, else None (a work in
    progress saved without validation may have no usable dataset at all)."""
    spec = doc.get("dataset") if isinstance(doc, dict) else None
    if (isinstance(spec, dict) and spec.get("kind") == "file"
            and isinstance(spec.get("path"), str) and spec["path"]):
        return spec
    return None


def _physical(path: Path) -> Path:
    """Absolute, with the *folders* resolved (so a '..' written later means the same folder to
    the operating system) but not the file itself: a symlinked data file keeps its own name."""
    path = Path(os.path.abspath(path))
    return path.parent.resolve() / path.name


def _absolute(data_path: str, base_dir) -> Path:
    """The file a stored `dataset.path` names: a relative one is read from `base_dir` (the
    current folder when None, as `load_dataset` does without a base_dir)."""
    from nnplayground.data.load import resolve_data_path   # the reader's own rule

    return _physical(Path(resolve_data_path(
        data_path, base_dir if base_dir is not None else os.getcwd())))


def data_path_for_file(data_path: str, target, base_dir=None) -> str:
    """How `data_path` is spelled inside the file `target`: relative to target's folder, with
    forward slashes; absolute when there is no relative path (os.path.relpath refuses paths on
    two Windows drives).

    A relative `data_path` is read from `base_dir`; with `base_dir` None it is taken to be
    relative to `target` already and returned unchanged (a document loaded from a file and
    saved beside it, or written by hand).
    """
    if base_dir is None and not Path(data_path).expanduser().is_absolute():
        return data_path
    data = _absolute(data_path, base_dir)
    folder = _physical(Path(target)).parent
    try:
        relative = os.path.relpath(data, folder)
    except ValueError:
        return str(data)
    return PurePath(relative).as_posix()


def with_data_path_for_file(doc: dict, target, base_dir=None) -> dict:
    """A copy of `doc` ready to be written to `target` (see `data_path_for_file`); `doc` itself
    is returned when it has no file dataset."""
    spec = _file_spec(doc)
    if spec is None:
        return doc
    out = copy.deepcopy(doc)
    out["dataset"]["path"] = data_path_for_file(spec["path"], target, base_dir)
    return out


def with_data_path_absolute(doc: dict, base_dir) -> dict:
    """A copy of `doc` whose file dataset names its data by an absolute path, the file that
    `load_dataset(..., base_dir=base_dir)` reads (`~` is the home folder, a relative path is
    read from `base_dir`, the current folder when None).

    For the copy the GUI hands its worker, which loads the data without knowing where the
    preset lives; the edited document keeps its own spelling so the preset's folder can move.
    """
    out = copy.deepcopy(doc)
    spec = _file_spec(out)
    if spec is not None:
        spec["path"] = str(_absolute(spec["path"], base_dir))
    return out


def with_data_path_resolved(doc: dict, source) -> dict:
    """A copy of `doc`, read from the file `source`, whose relative data path is made absolute
    against source's folder: for a document that will live on without that file's location
    (a trained model opened as an untitled document)."""
    spec = _file_spec(doc)
    if spec is None or Path(spec["path"]).expanduser().is_absolute():
        return doc
    return with_data_path_absolute(doc, _physical(Path(source)).parent)


def rebase_relative_data_path(doc: dict, old_folder, target) -> dict:
    """A copy of `doc` whose *relative* data path, read from `old_folder` until now, is spelled
    relative to the file `target` instead (Save As into another folder). Absolute paths stay
    as they are: they mean the same file wherever the document is saved."""
    spec = _file_spec(doc)
    if spec is None or Path(spec["path"]).expanduser().is_absolute():
        return doc
    return with_data_path_for_file(doc, target, base_dir=old_folder)
