"""Downloading full MNIST, only when the user asks for it.

Each file is streamed into a temporary file next to its destination, its decompressed payload
is checked against the known SHA-256, and only then renamed into place: an interrupted or
corrupted download never leaves a file that a later run would trust. Mirrors are tried in
order; the error lists why each one failed. Plain urllib rather than pooch: the payload check
and the atomic rename are ours either way, and urllib lets us report progress per chunk.
"""

from __future__ import annotations

import http.client
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from .dataset import DatasetError
from .idx import read_payload, sha256_hex
from . import mnist
from .mnist import MNIST_SHA256, PARTS

# The mirrors torchvision and others use since yann.lecun.com started refusing downloads.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
CHUNK = 64 * 1024


def fetch_mnist(dest, progress=None) -> Path:
    """`load_mnist`'s fetch for `source: "full"`: download_mnist with the mirrors and
    checksums as they are at call time, so that tests (and a user behind a local mirror) can
    point them elsewhere."""
    return download_mnist(dest, progress=progress, mirrors=MIRRORS, checksums=mnist.MNIST_SHA256)


def download_mnist(dest=None, progress=None, mirrors=MIRRORS, checksums=MNIST_SHA256,
                   timeout: float = 30.0) -> Path:
    """Download the four MNIST files into `dest` (default: the user data folder) and return it.

    progress(done_bytes, total_bytes, filename) is called as each file streams in (total 0
    when the server does not say). Files already present with the right payload are kept.
    Raises DatasetError naming each mirror's failure when a file cannot be fetched.
    """
    dest = Path(dest).expanduser() if dest else mnist.user_mnist_dir("mnist")
    dest.mkdir(parents=True, exist_ok=True)
    for base in PARTS.values():
        target = dest / f"{base}.gz"
        expected = checksums[base]
        if target.is_file() and _payload_ok(target, expected):
            if progress is not None:
                size = target.stat().st_size
                progress(size, size, target.name)
            continue
        failures = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + target.name
            try:
                fetch(url, target, expected, progress, timeout)
                break
            except DatasetError as exc:
                failures.append(f"{url}: {exc}")
        else:
            raise DatasetError(f"could not download {target.name} from any mirror:\n  "
                               + "\n  ".join(failures))
    return dest


def _payload_ok(path: Path, expected: str) -> bool:
    try:
        return sha256_hex(read_payload(path)) == expected
    except DatasetError:
        return False


def fetch(url: str, target: Path, sha256: str, progress=None, timeout: float = 30.0) -> None:
    """Fetch one gzip file to `target`, verify its decompressed SHA-256, rename into place."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            _stream(url, out, target.name, progress, timeout)
        actual = sha256_hex(read_payload(tmp))
        if actual != sha256:
            raise DatasetError(f"checksum mismatch: the decompressed data has SHA-256 {actual}, "
                               f"expected {sha256}")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _stream(url, out, filename, progress, timeout):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            if progress is not None:
                progress(0, total, filename)
            while chunk := response.read(CHUNK):
                out.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total, filename)
    except urllib.error.HTTPError as exc:
        raise DatasetError(f"HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise DatasetError(f"cannot connect ({exc.reason})") from exc
    except http.client.IncompleteRead as exc:
        raise DatasetError(f"connection dropped after {len(exc.partial)} more bytes "
                           f"({exc.expected} still expected)") from exc
    except (http.client.HTTPException, OSError) as exc:
        raise DatasetError(f"download failed ({exc})") from exc
    if total and done != total:
        raise DatasetError(f"connection dropped after {done} of {total} bytes")
