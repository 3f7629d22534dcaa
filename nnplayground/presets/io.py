"""Reading and writing preset files: strict on the way in, atomic and stable on the way out.

A preset is a file people share with a class and keep in git, so the writer produces the same
bytes for the same document (fixed key order, 2-space indent, short lists of numbers on one line)
and never leaves a half-written file behind: it writes a temporary file in the same folder,
fsyncs it and renames it over the target (`os.replace` is atomic on POSIX and Windows).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .datapath import with_data_path_for_file
from .errors import PresetError, Problem
from .validation import validate_preset

# Key order on save; keys not listed keep their order after these.
TOP_ORDER = ("format", "version", "name", "description", "dataset", "model", "loss", "optimizer",
             "regularization", "training", "views")
NODE_ORDER = ("id", "type", "params", "inputs", "pos")
INLINE_WIDTH = 96   # columns, indent included


def parse_preset(text: str, source: str | None = None) -> dict:
    """JSON text -> validated document; raises PresetError (with line and column for bad JSON)."""
    try:
        doc = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise PresetError([Problem("", f"not valid JSON: {exc.msg} at line {exc.lineno}, "
                                       f"column {exc.colno}")], source) from None
    except _NonFinite as exc:
        raise PresetError([Problem("", f"not valid JSON: {exc} is not a number in JSON; write "
                                       "a finite number instead")], source) from None
    problems = validate_preset(doc)
    if problems:
        raise PresetError(problems, source)
    return doc


class _NonFinite(ValueError):
    pass


def _refuse_constant(name: str):
    """Python's json reads NaN and Infinity, which JSON does not allow and no setting needs."""
    raise _NonFinite(name)


def load_preset(path) -> dict:
    """Read and validate a preset file; every problem is reported at once in a PresetError."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PresetError([Problem("", "file not found")], path) from None
    except IsADirectoryError:
        raise PresetError([Problem("", "is a folder, not a preset file")], path) from None
    except OSError as exc:
        raise PresetError([Problem("", f"cannot be read: {exc.strerror}")], path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PresetError([Problem("", f"is not UTF-8 text (byte {exc.start}): is it a preset "
                                       "(.json)? Trained models (.npz) open with load_model")],
                          path) from None
    return parse_preset(text, str(path))


def dumps_preset(doc: dict) -> str:
    """The canonical text of a document: stable key order, 2-space indent, trailing newline."""
    return _encode(_ordered(doc), 0) + "\n"


def save_preset(doc: dict, path, validate: bool = True, base_dir=None) -> None:
    """Write `doc` to `path` atomically. Refuses (PresetError) a document that would not load back,
    unless `validate=False` (e.g. an editor saving work in progress on purpose).

    A file dataset's path is written relative to `path` (datapath.py says why); `base_dir` is
    the folder a relative path in `doc` is read from now, if not `path`'s own. `doc` itself is
    not changed.
    """
    if validate:
        problems = validate_preset(doc)
        if problems:
            raise PresetError(problems, str(path))
    doc = with_data_path_for_file(doc, path, base_dir)
    atomic_write_bytes(path, dumps_preset(doc).encode("utf-8"))


def atomic_write_bytes(path, data: bytes | None = None, writer=None) -> None:
    """Write `data` (or call `writer(file)`) to a temp file beside `path`, fsync, then rename.

    On any failure the temp file is removed and an existing `path` is left exactly as it was.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        _set_mode(fd, path)
        with os.fdopen(fd, "wb") as fh:
            if writer is not None:
                writer(fh)
            else:
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_folder(folder)


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()   # once, at import: os.umask has no read-only form and is process-wide


def _set_mode(fd: int, path: Path) -> None:
    """mkstemp makes files only the owner can read; a preset is for sharing, so give the new
    file the old file's permissions, or the usual ones (0o666 minus the umask)."""
    if not hasattr(os, "fchmod"):
        return
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_UMASK
    os.fchmod(fd, mode)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable where the OS allows opening a folder (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _ordered(doc):
    if not isinstance(doc, dict):
        return doc
    out = _reorder(doc, TOP_ORDER)
    model = out.get("model")
    if isinstance(model, dict) and isinstance(model.get("nodes"), list):
        model = dict(model)
        model["nodes"] = [_reorder(n, NODE_ORDER) if isinstance(n, dict) else n
                          for n in model["nodes"]]
        out["model"] = model
    return out


def _reorder(d: dict, order) -> dict:
    out = {k: d[k] for k in order if k in d}
    out.update((k, v) for k, v in d.items() if k not in out)
    return out


def _is_flat(value) -> bool:
    """A list or dict of scalars (or of lists of scalars): short ones read best on one line."""
    if isinstance(value, dict):
        items = value.values()
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        return False
    def scalar(v):
        return not isinstance(v, (dict, list, tuple))

    return all(scalar(v) or (isinstance(v, (list, tuple)) and all(scalar(w) for w in v))
               for v in items)


def _encode(value, indent: int) -> str:
    """json.dumps(indent=2), except that short flat lists and objects stay on one line."""
    pad, inner = " " * indent, " " * (indent + 2)
    if _is_flat(value):
        flat = json.dumps(value, ensure_ascii=False, allow_nan=False)
        if len(flat) + indent <= INLINE_WIDTH:
            return flat
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_encode(v, indent + 2)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        items = [inner + _encode(v, indent + 2) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)
