"""Reading the IDX files MNIST is published in (gzip-compressed or raw).

IDX layout: a big-endian uint32 magic (two zero bytes, a type code, the number of dimensions),
one big-endian uint32 per dimension, then the data in row-major order. Every check below names
the file and what is wrong, because a half-downloaded file is the common failure in a classroom.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

import numpy as np

from .dataset import DatasetError

IMAGES_MAGIC = 0x00000803   # uint8, 3 dimensions: count, rows, cols
LABELS_MAGIC = 0x00000801   # uint8, 1 dimension: count
_UINT8 = 0x08
_KIND = {IMAGES_MAGIC: "an images file (0x00000803)", LABELS_MAGIC: "a labels file (0x00000801)"}


def read_payload(path: Path) -> bytes:
    """The file's bytes, decompressed when it is gzip (detected by content, not by name)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as exc:
        raise DatasetError(f"{path}: the gzip data is damaged or truncated ({exc}); "
                           "delete the file and download it again") from exc


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_idx(data: bytes, name: str, expect_magic: int | None = None) -> np.ndarray:
    """Parse IDX bytes into a read-only uint8 array of the header's shape.

    `name` is only used in error messages (the file the bytes came from).
    """
    if len(data) < 4:
        raise DatasetError(f"{name}: only {len(data)} bytes, too short for an IDX header "
                           "(the file is empty or truncated)")
    magic = int.from_bytes(data[:4], "big")
    if expect_magic is not None and magic != expect_magic:
        raise DatasetError(f"{name}: wrong magic number 0x{magic:08x}, expected "
                           f"{_KIND.get(expect_magic, f'0x{expect_magic:08x}')}; "
                           "is this the right file?")
    if data[0] != 0 or data[1] != 0 or data[2] != _UINT8 or not 1 <= data[3] <= 4:
        raise DatasetError(f"{name}: wrong magic number 0x{magic:08x}: not an unsigned-byte "
                           "IDX file (expected 0x000008 followed by 1-4 dimensions)")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetError(f"{name}: truncated inside the header: expected at least {header} "
                           f"bytes, got {len(data)}")
    dims = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(dims, dtype=np.int64))
    if len(data) < expected:
        raise DatasetError(f"{name}: truncated: expected {expected} bytes for shape {dims}, "
                           f"got {len(data)}; delete the file and download it again")
    if len(data) > expected:
        raise DatasetError(f"{name}: wrong size: expected {expected} bytes for shape {dims}, "
                           f"got {len(data)} ({len(data) - expected} bytes too many)")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def read_idx(path, expect_magic: int | None = None, sha256: str | None = None) -> np.ndarray:
    """Read an IDX file (gzip or raw) and check its header, size and optionally its SHA-256.

    The hash is of the decompressed payload, because gzip headers differ between mirrors.
    """
    path = Path(path)
    data = read_payload(path)
    if sha256 is not None:
        actual = sha256_hex(data)
        if actual != sha256:
            raise DatasetError(f"{path}: SHA-256 of the decompressed data is {actual}, expected "
                               f"{sha256}; the file is damaged or not the original: delete it "
                               "and download it again")
    return parse_idx(data, str(path), expect_magic)


def write_idx(path, array: np.ndarray, compress: bool = True) -> None:
    """Write a uint8 array as IDX (used by tests and tools; not atomic, callers decide)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, _UINT8, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape)
    data = header + array.tobytes()
    Path(path).write_bytes(gzip.compress(data, mtime=0) if compress else data)
