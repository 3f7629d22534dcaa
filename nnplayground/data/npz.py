"""Reading an .npz archive: every array at once, no pickles, and one clear error for any damage.

Three loaders read .npz files (a user's dataset, a Keras-style mnist.npz, a trained model) and a
damaged archive fails in many ways inside numpy and zipfile: a flipped bit in a compressed
member (zlib.error, or a CRC mismatch), a truncated file (EOFError), a member that is not an
.npy array at all (numpy then hands back raw bytes), a header asking for an object array (which
would need pickle) or for more memory than there is, a header whose text no longer parses (numpy
evaluates it as a Python literal: a flipped byte that makes a backslash would warn about an
invalid escape sequence before failing, and one that makes a bytes key breaks numpy's own key
check with TypeError). `read_npz_arrays` turns each of them into an `NpzError` naming the file,
the array and what to do, and lets no warning through.
"""

from __future__ import annotations

import os
import struct
import tokenize
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .dataset import DatasetError

# What a damaged archive raises inside zipfile, zlib and numpy's .npy reader (a header that
# declares an impossible shape raises ValueError, OverflowError or MemoryError; an unsupported
# compression method NotImplementedError; a flipped "encrypted" flag RuntimeError; a header
# whose text no longer parses SyntaxError or tokenize's TokenError, and one with a bytes key
# TypeError, from numpy sorting the keys for its message).
_DAMAGE = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, OverflowError,
           MemoryError, NotImplementedError, KeyError, RuntimeError, SyntaxError,
           tokenize.TokenError, TypeError)
# The .npy header's length field, by format version (numpy.lib.format: 1.0 a 2-byte length,
# 2.0 and 3.0 a 4-byte one), and the longest header numpy reads.
_HEADER_LENGTH = {1: "<H", 2: "<I", 3: "<I"}
_MAX_HEADER = 10_000


class NpzError(DatasetError):
    """An .npz that cannot be read. `reason` says why without the file name (and `fix` what
    to do), `member` is the array it concerns (None for the archive as a whole)."""

    def __init__(self, path, reason: str, member: str | None = None, fix: str = ""):
        self.path, self.reason, self.member, self.fix = str(path), reason, member, fix
        super().__init__(f"{path}: {reason}" + (f"; {fix}" if fix else ""))


DAMAGED = "the file may be truncated or damaged: save or copy it again"


def read_npz_arrays(path, what: str = ".npz file", fix: str = DAMAGED) -> dict[str, np.ndarray]:
    """Every array in the .npz at `path`, by name (".npy" dropped), read without pickles.

    Raises NpzError (a DatasetError) for a missing file, a file that is not a zip archive, and
    any damaged or non-array member. `what` names the file in messages ("a .npz model file"),
    `fix` ends the message of a damaged one.
    """
    path = Path(path)
    if not path.exists():
        raise NpzError(path, "file not found")
    if not path.is_file() or not zipfile.is_zipfile(path):
        with open(path, "rb") if path.is_file() else open(os.devnull, "rb") as fh:
            started_as_zip = fh.read(4) == b"PK\x03\x04"
        if started_as_zip:     # the start of an archive whose end (its directory) is missing
            raise NpzError(path, f"is not a readable {what} (the end of the zip archive is "
                                 "missing)", fix=fix)
        raise NpzError(path, f"is not a readable {what} (not a zip archive)")
    arrays = {}
    try:
        with np.load(path, allow_pickle=False) as npz:
            for name in npz.files:
                arrays[name] = _member(npz, name, path, what, fix)
    except NpzError:
        raise
    except _DAMAGE as exc:
        raise NpzError(path, f"is not a readable {what} ({_describe(exc)})", fix=fix) from None
    return arrays


def _member(npz, name: str, path: Path, what: str, fix: str) -> np.ndarray:
    try:
        if _damaged_header(npz, name):
            raise NpzError(path, f"array {name!r} cannot be read (its .npy header is damaged: "
                                 "a backslash in its text)", name, fix=fix)
        value = npz[name]
    except _DAMAGE as exc:
        if isinstance(exc, ValueError) and "allow_pickle" in str(exc):
            raise NpzError(path, f"array {name!r} holds Python objects, which only pickle can "
                                 f"read, and pickles are refused (they can run code): a {what} "
                                 "is read without pickles",
                           name, fix="save it from a numeric array") from None
        raise NpzError(path, f"array {name!r} cannot be read ({_describe(exc)})", name,
                       fix=fix) from None
    if not isinstance(value, np.ndarray):     # numpy returns a member without .npy header raw
        raise NpzError(path, f"array {name!r} is not a numpy array (no .npy header)", name,
                       fix=fix)
    return value


def _damaged_header(npz, name: str) -> bool:
    """Whether the member's .npy header holds a backslash. numpy evaluates the header (a dict
    of plain keys, a dtype code, a bool and a shape) as a Python literal, where a backslash
    can only come from damage and first raises a DeprecationWarning ("invalid escape
    sequence"; SyntaxWarning from Python 3.12) on its way to failing. Checked on the raw bytes
    so no warning is ever raised (a warnings filter would be process-wide, and the worker
    thread reads files while the GUI runs). A member without the .npy magic is left to numpy."""
    member = f"{name}.npy" if f"{name}.npy" in npz.zip.namelist() else name
    with npz.zip.open(member) as fh:
        start = fh.read(8)
        if start[:6] != b"\x93NUMPY" or start[6] not in _HEADER_LENGTH:
            return False
        size_format = _HEADER_LENGTH[start[6]]
        raw = fh.read(struct.calcsize(size_format))
        if len(raw) < struct.calcsize(size_format):
            return False                # truncated: numpy says so
        length = struct.unpack(size_format, raw)[0]
        return b"\\" in fh.read(min(length, _MAX_HEADER + 1))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "its header asks for more memory than there is"
    if isinstance(exc, zlib.error):
        return f"compressed data damaged: {exc}"
    return str(exc) or type(exc).__name__
