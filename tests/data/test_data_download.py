"""Downloading MNIST against a loopback HTTP server: progress, checksums, dropped connections."""

import gzip
import hashlib
import http.server
import threading

import numpy as np
import pytest
from data_fakes import fake_mnist_arrays

from nnplayground.data import DatasetError, download_mnist, mnist

BASES = list(mnist.PARTS.values())


def idx_bytes(array):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()


@pytest.fixture(scope="module")
def payloads():
    """{base name: (gz bytes, SHA-256 of the decompressed payload)} for a fake set."""
    arrays = fake_mnist_arrays(200, 50)
    out = {}
    for key, base in mnist.PARTS.items():
        raw = idx_bytes(arrays[key])
        out[base] = (gzip.compress(raw, mtime=0), hashlib.sha256(raw).hexdigest())
    return out


class Server:
    """A loopback server; `files` maps URL paths to bytes, `drop` lists paths cut mid-body."""

    def __init__(self):
        self.files, self.drop, self.requests = {}, set(), []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.path in server.drop:
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,),
                                       daemon=True)
        self.thread.start()

    def url(self, prefix):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{prefix}/"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def server(payloads):
    srv = Server()
    for base, (gz, _sha) in payloads.items():
        srv.files[f"/good/{base}.gz"] = gz
    yield srv
    srv.close()


def checksums(payloads):
    return {base: sha for base, (_gz, sha) in payloads.items()}


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_download_reports_progress_and_verifies(tmp_path, server, payloads):
    calls = []
    dest = download_mnist(tmp_path / "mnist", progress=lambda *a: calls.append(a),
                          mirrors=[server.url("good")], checksums=checksums(payloads))
    assert sorted(p.name for p in dest.iterdir()) == sorted(b + ".gz" for b in BASES)
    for base in BASES:
        assert (dest / f"{base}.gz").read_bytes() == payloads[base][0]
        mine = [c for c in calls if c[2] == f"{base}.gz"]
        size = len(payloads[base][0])
        assert mine[0] == (0, size, f"{base}.gz") and mine[-1] == (size, size, f"{base}.gz")
        assert [c[0] for c in mine] == sorted(c[0] for c in mine)
    loaded = mnist.load_idx_folder(dest, checksums(payloads))
    assert loaded["x_train"].shape == (200, 28, 28)


def test_present_valid_files_are_not_downloaded_again(tmp_path, server, payloads):
    sums = checksums(payloads)
    download_mnist(tmp_path, mirrors=[server.url("good")], checksums=sums)
    n = len(server.requests)
    download_mnist(tmp_path, mirrors=[server.url("good")], checksums=sums)
    assert len(server.requests) == n == 4


def test_checksum_mismatch_leaves_nothing_at_destination(tmp_path, server, payloads):
    sums = checksums(payloads)
    sums["t10k-images-idx3-ubyte"] = "0" * 64
    dest = tmp_path / "mnist"
    with pytest.raises(DatasetError) as info:
        download_mnist(dest, mirrors=[server.url("good")], checksums=sums)
    assert "t10k-images-idx3-ubyte.gz" in str(info.value)
    assert "checksum mismatch" in str(info.value) and "0" * 64 in str(info.value)
    assert not (dest / "t10k-images-idx3-ubyte.gz").exists()
    assert leftovers(dest) == []


def test_dropped_connection_is_reported_and_cleaned_up(tmp_path, server, payloads):
    server.drop.add("/good/train-labels-idx1-ubyte.gz")
    dest = tmp_path / "mnist"
    with pytest.raises(DatasetError, match="connection dropped") as info:
        download_mnist(dest, mirrors=[server.url("good")], checksums=checksums(payloads),
                       timeout=5)
    assert "train-labels-idx1-ubyte.gz" in str(info.value)
    assert not (dest / "train-labels-idx1-ubyte.gz").exists()
    assert leftovers(dest) == []


def test_falls_back_to_the_next_mirror_and_lists_failures(tmp_path, server, payloads):
    dest = download_mnist(tmp_path, mirrors=[server.url("missing"), server.url("good")],
                          checksums=checksums(payloads))
    assert all((dest / f"{b}.gz").is_file() for b in BASES)
    with pytest.raises(DatasetError) as info:
        download_mnist(tmp_path / "other", mirrors=[server.url("missing"), server.url("gone")],
                       checksums=checksums(payloads))
    message = str(info.value)
    assert "from any mirror" in message and message.count("HTTP 404") == 2


def test_unreachable_server_is_a_clear_error(tmp_path):
    with pytest.raises(DatasetError, match="cannot connect"):
        download_mnist(tmp_path, mirrors=["http://127.0.0.1:9/"], timeout=2)


@pytest.mark.parametrize("source", ["auto", "sample"])
def test_auto_and_sample_never_download(server, monkeypatch, source):
    import urllib.request

    from nnplayground.data import download

    def forbidden(*args, **kwargs):
        raise AssertionError(f"source {source!r} must not touch the network")
    monkeypatch.setattr(urllib.request, "urlopen", forbidden)
    monkeypatch.setattr(download, "MIRRORS", (server.url("good"),))
    ds = mnist.load_mnist("mnist", source=source, train_limit=10, test_limit=10)
    assert "bundled" in ds.note and "sample" in ds.note
    assert server.requests == []
    assert np.all(ds.y_train < 10)


def test_full_downloads_into_the_user_folder_with_progress_then_loads(
        server, payloads, monkeypatch, isolated_mnist_lookup):
    from nnplayground.data import download, load_dataset

    monkeypatch.setattr(download, "MIRRORS", (server.url("missing"), server.url("good")))
    monkeypatch.setattr(mnist, "MNIST_SHA256", checksums(payloads))
    calls = []
    ds = load_dataset({"kind": "mnist", "source": "full"}, progress=lambda *a: calls.append(a))
    dest = isolated_mnist_lookup / "mnist"
    assert len(ds.x_train) == 200 and len(ds.x_test) == 50
    assert f"Full MNIST downloaded to {dest}" in ds.note
    assert sorted(p.name for p in dest.iterdir()) == sorted(b + ".gz" for b in BASES)
    for base in BASES:  # each file streamed with its byte count, ending complete
        size = len(payloads[base][0])
        assert (0, size, f"{base}.gz") in calls and (size, size, f"{base}.gz") in calls
    requests = len(server.requests)
    again = load_dataset({"kind": "mnist", "source": "full"})  # now found on disk
    assert len(server.requests) == requests and "Full MNIST from" in again.note


def test_full_offline_says_where_it_looked_and_how_to_get_the_set(
        monkeypatch, isolated_mnist_lookup):
    from nnplayground.data import download, load_dataset

    monkeypatch.setattr(download, "MIRRORS", ("http://127.0.0.1:9/",))
    with pytest.raises(DatasetError) as info:
        load_dataset({"kind": "mnist", "source": "full"})
    message = str(info.value)
    dest = isolated_mnist_lookup / "mnist"
    assert f"looked in: {dest} (the user data folder)" in message
    assert f"Downloading it into {dest} failed" in message and "cannot connect" in message
    for way in ("--mnist DIR", "NNPLAYGROUND_MNIST_DIR", "nnplayground download-mnist"):
        assert way in message
    assert leftovers(dest) == [] and not any(dest.glob("*.gz"))


def test_default_destination_is_the_user_folder_where_auto_then_finds_it(
        server, payloads, monkeypatch, isolated_mnist_lookup):
    monkeypatch.setattr(mnist, "MNIST_SHA256", checksums(payloads))
    dest = download_mnist(mirrors=[server.url("good")], checksums=checksums(payloads))
    assert dest == isolated_mnist_lookup / "mnist"
    ds = mnist.load_mnist("mnist", source="auto")
    assert len(ds.x_train) == 200 and "Full MNIST" in ds.note and str(dest) in ds.note
