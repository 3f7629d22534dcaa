"""download-mnist against a loopback HTTP server: progress, success, and no network."""

import functools
import http.server
import socket
import threading
from pathlib import Path

import pytest

from mnist_paths import FULL_MNIST_DIR, MISSING, has_full_mnist

from nnplayground.cli import main

MNIST_DIR = FULL_MNIST_DIR

FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def serve():
    """serve(folder) -> base URL of a 127.0.0.1 server for `folder`, stopped after the test."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def use_mirrors(monkeypatch, *urls):
    """Points the real download_mnist at `urls` instead of the public mirrors."""
    import nnplayground.data as data

    real = data.download_mnist
    monkeypatch.setattr(data, "download_mnist",
                        lambda dest=None, progress=None: real(dest, progress=progress,
                                                              mirrors=urls, timeout=5))


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_download_from_a_mirror_with_progress(serve, monkeypatch, tmp_path, capsys):
    if not has_full_mnist():
        pytest.skip(MISSING)
    use_mirrors(monkeypatch, serve(MNIST_DIR))
    dest = tmp_path / "mnist"
    assert main(["download-mnist", str(dest)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    for name in FILES:
        assert (dest / name).read_bytes() == (MNIST_DIR / name).read_bytes()
        assert f"downloading {name}" in captured.err  # stderr is no tty: a line per file
    assert captured.err.strip().endswith(f"MNIST is ready in {dest}")


def test_download_without_network_is_one_line_with_a_way_out(monkeypatch, tmp_path, capsys):
    use_mirrors(monkeypatch, closed_port_url())
    assert main(["download-mnist", str(tmp_path / "mnist")]) == 1
    err_lines = [line for line in capsys.readouterr().err.splitlines()
                 if not line.startswith("downloading")]
    assert len(err_lines) == 1
    assert err_lines[0].startswith("nnplayground: error: could not download ")
    assert "cannot connect" in err_lines[0] and "--mnist DIR" in err_lines[0]


def test_download_checksum_mismatch_is_refused(serve, monkeypatch, tmp_path, capsys):
    import gzip

    bad = tmp_path / "server"
    bad.mkdir()
    for name in FILES:
        (bad / name).write_bytes(gzip.compress(b"not mnist"))
    use_mirrors(monkeypatch, serve(bad))
    dest = tmp_path / "mnist"
    assert main(["download-mnist", str(dest)]) == 1
    err = capsys.readouterr().err
    assert "nnplayground: error: could not download train-images-idx3-ubyte.gz" in err
    assert not (dest / FILES[0]).exists()


def test_download_into_a_file_is_refused(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["download-mnist", str(target)]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err


def test_train_on_a_full_mnist_preset_downloads_it_with_progress(serve, monkeypatch, tmp_path,
                                                                 capsys):
    import copy
    import hashlib

    import numpy as np

    from nnplayground.data import download, idx, mnist
    from nnplayground.presets import load_builtin, save_preset

    server_dir = tmp_path / "server"
    server_dir.mkdir()
    rng = np.random.default_rng(0)
    sums = {}
    for key, base in mnist.PARTS.items():
        n = 40 if "train" in base else 10
        array = (rng.integers(0, 256, (n, 28, 28)) if key.startswith("x")
                 else rng.integers(0, 10, n)).astype(np.uint8)
        idx.write_idx(server_dir / f"{base}.gz", array)
        sums[base] = hashlib.sha256(idx.read_payload(server_dir / f"{base}.gz")).hexdigest()
    user = tmp_path / "user"
    monkeypatch.setattr(mnist, "user_mnist_dir", lambda kind="mnist": user / kind)
    monkeypatch.setattr(mnist, "MNIST_SHA256", sums)
    monkeypatch.setattr(download, "MIRRORS", (serve(server_dir),))
    monkeypatch.delenv("NNPLAYGROUND_MNIST_DIR", raising=False)
    doc = copy.deepcopy(load_builtin("mnist-mlp"))
    doc["dataset"] = {"kind": "mnist", "source": "full"}
    save_preset(doc, tmp_path / "full.json")
    assert main(["train", str(tmp_path / "full.json"), "--epochs", "0"]) == 0
    err = capsys.readouterr().err
    assert f"downloading it into {user / 'mnist'}" in err
    assert all(f"downloading {name}" in err for name in FILES)  # stderr is no tty
    assert f"Full MNIST downloaded to {user / 'mnist'} (40 training, 10 test images)" in err
    assert sorted(p.name for p in (user / "mnist").iterdir()) == sorted(FILES)
