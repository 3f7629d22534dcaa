"""Reading and writing preset files: strict on the way in, atomic and stable on the way out.

A preset is a file people share with a class and keep in git, so the writer produces the same
bytes for the same document (fixed key order, 2-space indent, short lists of numbers on one line)
and never leaves a half-written file behind: it writes a temporary file in the same folder,
fsyncs it and renames it over the target (`os.replace` is atomic on POSIX and Windows).
"""

from __future__ import annotations

import glob
import json
import os
import re
import tempfile
import time
from pathlib import Path

from .datapath import with_data_path_for_file
from .errors import PresetError, Problem
from .validation import validate_preset

# Key order on save; keys not listed keep their order after these.
TOP_ORDER = ("format", "version", "name", "description", "dataset", "model", "loss", "optimizer",
             "regularization", "training", "views")
NODE_ORDER = ("id", "type", "params", "inputs", "pos")
INLINE_WIDTH = 96   # columns, indent included


# A preset is settings and a network: the largest built-in lesson is 17 kB, 7 levels deep and
# about 1,500 values. Far larger, deeper or longer documents are refused before they are parsed
# or validated (a 50 MB file took 14 s to reject, 20,000 nodes 19 s, and 5,000 nested brackets
# overflowed the parser's recursion).
MAX_PRESET_BYTES = 4 * 2**20
MAX_DEPTH = 64
MAX_ITEMS = 1000            # in any one list (model.nodes included)
MAX_VALUES = 50_000         # in the whole document


def parse_preset(text: str, source: str | None = None) -> dict:
    """JSON text -> validated document; raises PresetError (with line and column for bad JSON,
    and for a NaN or Infinity, which JSON does not allow, the field too)."""
    if len(text) > MAX_PRESET_BYTES:      # characters: at least as many bytes
        raise PresetError([Problem("", too_large(len(text.encode("utf-8", "surrogatepass"))))],
                          source)
    try:
        doc = json.loads(text, parse_constant=_NonFinite)
    except json.JSONDecodeError as exc:
        raise PresetError([Problem("", f"not valid JSON: {exc.msg} at line {exc.lineno}, "
                                       f"column {exc.colno}")], source) from None
    except RecursionError:
        raise PresetError([Problem("", f"nested too deeply: a preset is at most {MAX_DEPTH} "
                                       "levels of objects and lists deep")], source) from None
    too_big = _size_problem(doc)
    if too_big is not None:
        raise PresetError([too_big], source)
    bad = _non_finite(doc, text)
    if bad:
        raise PresetError(bad, source)
    problems = validate_preset(doc)
    if problems:
        raise PresetError(problems, source)
    return doc


def too_large(size: int) -> str:
    return (f"is {size / 2**20:.1f} MB; a preset is at most {MAX_PRESET_BYTES // 2**20} MB of "
            "settings and network (is it a preset? data belongs in a CSV or .npz file that "
            "dataset.path names)")


class _NonFinite:
    """What json reads NaN, Infinity and -Infinity as (JSON allows none of them), so that the
    field holding one can be named."""

    def __init__(self, name: str):
        self.name = name


def _size_problem(doc) -> Problem | None:
    """A place nested too deeply, a list too long or a document of too many values (walked
    without recursion), else None."""
    stack, values = [(doc, "", 0)], 0
    while stack:
        value, path, depth = stack.pop()
        values += 1
        if depth > MAX_DEPTH:
            return Problem(path, f"nested too deeply: a preset is at most {MAX_DEPTH} levels of "
                                 "objects and lists deep")
        if values > MAX_VALUES:
            return Problem("", f"holds more than {MAX_VALUES:,} values; a preset describes "
                               "settings and a network (data belongs in a CSV or .npz file)")
        if isinstance(value, dict):
            stack.extend((v, _join(path, str(k)), depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            if len(value) > MAX_ITEMS:
                return Problem(path, f"has {len(value):,} items; at most {MAX_ITEMS:,} are "
                                     "allowed in a list")
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value))
    return None


_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')


def _non_finite(doc, text: str) -> list[Problem]:
    """A problem for each NaN/Infinity: its field, line and column."""
    found = []
    stack = [(doc, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, _NonFinite):
            found.append((path, value.name))
        elif isinstance(value, dict):
            stack.extend(reversed([(v, _join(path, str(k))) for k, v in value.items()]))
        elif isinstance(value, list):
            stack.extend(reversed([(v, f"{path}[{i}]") for i, v in enumerate(value)]))
    if not found:
        return []
    # In document order, as in the text (the walk above visits it in that order too).
    places = [m.start(1) for m in _CONSTANT.finditer(text) if m.group(1)]
    problems = []
    for i, (path, name) in enumerate(found):
        where = ""
        if i < len(places):
            line = text.count("\n", 0, places[i]) + 1
            column = places[i] - (text.rfind("\n", 0, places[i]) + 1) + 1
            where = f" at line {line}, column {column}"
        problems.append(Problem(path, f"{name}{where} is not a number in JSON; write a finite "
                                      "number instead"))
    return problems


def _join(base: str, key: str) -> str:
    return f"{base}.{key}" if base else key


def load_preset(path) -> dict:
    """Read and validate a preset file; every problem is reported at once in a PresetError."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_PRESET_BYTES and path.is_file():
            raise PresetError([Problem("", too_large(size))], path)
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
    remove_stale_temp_files(path)
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


STALE_TEMP_SECONDS = 600.0


def remove_stale_temp_files(path, now: float | None = None) -> list[Path]:
    """Delete the temp files a killed save of `path` left beside it; returns them.

    Only our own names are touched (".<name>.<8 mkstemp characters>.tmp", as
    atomic_write_bytes makes them), and only when untouched for STALE_TEMP_SECONDS, so a save
    of the same file under way in another process keeps its temp file.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    return _remove_stale(folder, f".{glob.escape(path.name)}.*.tmp",
                         re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}\.tmp"), now)


# What the app's own atomic writes leave when killed before their rename: a preset (.json), a
# model with its training history (.npz) by atomic_write_bytes, a download (.gz, ".part") by
# data/download.py. Other programs' temp files of the same shape are left alone.
_APP_TEMP_FILE = re.compile(r"\..+\.(json|npz|gz)\.[a-z0-9_]{8}\.(tmp|part)")


def remove_stale_temp_files_in(folder, now: float | None = None) -> list[Path]:
    """Delete, in `folder`, the temp files killed saves of the app's files left (any preset,
    model or download: see _APP_TEMP_FILE), untouched for STALE_TEMP_SECONDS; returns them.
    The app runs this at startup on the folders it writes to, so a leftover goes even when
    that file is never saved again. A folder that is gone or unreadable is skipped."""
    return _remove_stale(Path(folder), ".*.*", _APP_TEMP_FILE, now)


def _remove_stale(folder: Path, pattern: str, name: re.Pattern, now) -> list[Path]:
    now = time.time() if now is None else now
    removed = []
    try:
        candidates = list(folder.glob(pattern))
    except OSError:
        return removed
    for candidate in candidates:
        try:
            if (name.fullmatch(candidate.name) and candidate.is_file()
                    and now - candidate.stat().st_mtime > STALE_TEMP_SECONDS):
                candidate.unlink()
                removed.append(candidate)
        except OSError:          # gone meanwhile, or not ours to delete: leave it
            continue
    return removed


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
