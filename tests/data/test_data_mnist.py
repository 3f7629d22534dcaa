"""IDX parsing, the MNIST folder/npz loaders, the lookup order and the bundled sample."""

import gzip

import numpy as np
import pytest
from data_fakes import fake_mnist_arrays, write_fake_mnist

from nnplayground.data import DatasetError, load_dataset, mnist, read_idx
from nnplayground.data.idx import IMAGES_MAGIC, LABELS_MAGIC, write_idx


@pytest.fixture
def no_checksums(monkeypatch):
    """Fake sets cannot match MNIST's SHA-256s; the checksum path is tested on the real set."""
    monkeypatch.setattr(mnist, "MNIST_SHA256", {})


@pytest.mark.parametrize("compress", [True, False])
def test_idx_round_trip_gzip_and_raw(tmp_path, compress):
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    path = tmp_path / "img"
    write_idx(path, images, compress=compress)
    out = read_idx(path, IMAGES_MAGIC)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, images)


def test_truncated_idx_names_the_file_and_the_sizes(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    write_idx(path, np.zeros((3, 28, 28), np.uint8), compress=False)
    data = path.read_bytes()
    path.write_bytes(data[:-100])
    with pytest.raises(DatasetError) as info:
        read_idx(path, IMAGES_MAGIC)
    message = str(info.value)
    assert str(path) in message and "truncated" in message
    assert f"expected {16 + 3 * 784} bytes" in message and f"got {16 + 3 * 784 - 100}" in message


def test_truncated_gzip_is_reported_as_damaged(tmp_path):
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    write_idx(path, np.random.default_rng(0).integers(0, 10, 5000, dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:-200])
    with pytest.raises(DatasetError, match="damaged or truncated") as info:
        read_idx(path, LABELS_MAGIC)
    assert str(path) in str(info.value)


def test_wrong_magic_names_what_was_expected(tmp_path):
    path = tmp_path / "labels.gz"
    write_idx(path, np.zeros(10, np.uint8))
    with pytest.raises(DatasetError) as info:
        read_idx(path, IMAGES_MAGIC)
    assert "wrong magic number 0x00000801" in str(info.value)
    assert "images file" in str(info.value) and str(path) in str(info.value)


def test_not_an_idx_file_at_all(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello, this is not IDX")
    with pytest.raises(DatasetError, match="wrong magic number"):
        read_idx(path)


def test_extra_bytes_are_a_wrong_size(tmp_path):
    path = tmp_path / "labels"
    write_idx(path, np.zeros(10, np.uint8), compress=False)
    path.write_bytes(path.read_bytes() + b"\0" * 7)
    with pytest.raises(DatasetError, match="wrong size: expected 18 bytes .* got 25"):
        read_idx(path, LABELS_MAGIC)


def test_empty_file(tmp_path):
    path = tmp_path / "empty"
    path.write_bytes(b"")
    with pytest.raises(DatasetError, match="too short"):
        read_idx(path)


def test_checksum_mismatch_is_refused(tmp_path):
    path = tmp_path / "labels.gz"
    write_idx(path, np.zeros(10, np.uint8))
    with pytest.raises(DatasetError, match="SHA-256 .* expected 00ff"):
        read_idx(path, LABELS_MAGIC, sha256="00ff")


def test_label_and_image_counts_must_match(tmp_path, no_checksums):
    folder = tmp_path / "set"
    write_fake_mnist(folder, n_train=30)
    write_idx(folder / "train-labels-idx1-ubyte.gz", np.zeros(29, np.uint8))
    with pytest.raises(DatasetError, match="30 train images but 29 train labels"):
        load_dataset({"kind": "mnist", "source": "full"}, mnist_dir=folder)


def test_images_of_the_wrong_size_are_refused(tmp_path, no_checksums):
    folder = tmp_path / "set"
    write_fake_mnist(folder)
    write_idx(folder / "t10k-images-idx3-ubyte.gz", np.zeros((10, 32, 32), np.uint8))
    with pytest.raises(DatasetError, match=r"x_test has shape \(10, 32, 32\)"):
        load_dataset({"kind": "mnist", "source": "full"}, mnist_dir=folder)


def test_full_set_from_a_given_folder_raw_or_gzip(tmp_path, no_checksums):
    folder = tmp_path / "raw"
    arrays = write_fake_mnist(folder, compress=False)
    progress = []
    ds = load_dataset({"kind": "mnist"}, mnist_dir=folder,
                      progress=lambda *args: progress.append(args))
    assert ds.x_train.shape == (30, 1, 28, 28) and ds.x_train.dtype == np.float32
    assert ds.y_train.dtype == np.int64 and ds.n_classes == 10 and ds.input_shape == (1, 28, 28)
    np.testing.assert_allclose(ds.x_train[:, 0] * 255, arrays["x_train"], atol=1e-3)
    np.testing.assert_array_equal(ds.y_test, arrays["y_test"])
    assert "Full MNIST" in ds.note and "sample" not in ds.note
    sizes = [f.stat().st_size for f in sorted(folder.iterdir())]
    assert len(progress) == 4 and progress[-1][:2] == (sum(sizes), sum(sizes))
    assert progress[0][2] == "train-images-idx3-ubyte" and progress[0][0] < progress[1][0]


def test_lookup_order_argument_then_env_then_user_folder(tmp_path, monkeypatch,
                                                         isolated_mnist_lookup, no_checksums):
    write_fake_mnist(tmp_path / "given", n_train=11)
    write_fake_mnist(tmp_path / "env", n_train=12)
    write_fake_mnist(isolated_mnist_lookup / "mnist", n_train=13)
    assert len(load_dataset({"kind": "mnist"}).x_train) == 13
    monkeypatch.setenv("NNPLAYGROUND_MNIST_DIR", str(tmp_path / "env"))
    assert len(load_dataset({"kind": "mnist"}).x_train) == 12
    ds = load_dataset({"kind": "mnist"}, mnist_dir=tmp_path / "given")
    assert len(ds.x_train) == 11



@pytest.mark.parametrize("source", ["auto", "full"])
def test_a_named_folder_without_mnist_is_an_error_not_a_fallback(tmp_path, monkeypatch,
                                                                 no_checksums, source):
    write_fake_mnist(tmp_path / "env", n_train=12)  # a fallback that must not be taken
    monkeypatch.setenv("NNPLAYGROUND_MNIST_DIR", str(tmp_path / "env"))
    folder = tmp_path / "typo"
    folder.mkdir()
    (folder / "train-images-idx3-ubyte.gz").write_bytes(b"")
    with pytest.raises(DatasetError) as info:
        load_dataset({"kind": "mnist", "source": source}, mnist_dir=folder)
    message = str(info.value)
    assert message.startswith(f"{folder}: the MNIST folder given holds no MNIST set")
    assert "missing train-labels-idx1-ubyte.gz" in message
    assert "train-images" not in message.split("missing")[1].split(")")[0]
    with pytest.raises(DatasetError, match="does not exist"):
        load_dataset({"kind": "mnist"}, mnist_dir=tmp_path / "nowhere")
    # the sample was asked for: the folder does not matter
    assert len(load_dataset({"kind": "mnist", "source": "sample"}, mnist_dir=folder).x_test)


def test_auto_without_full_set_uses_the_sample_and_says_so():
    ds = load_dataset({"kind": "mnist", "source": "auto"})
    assert ds.x_train.shape == (10_000, 1, 28, 28) and ds.x_test.shape == (2_000, 1, 28, 28)
    assert ds.x_train.dtype == np.float32 and 0 <= ds.x_train.min() and ds.x_train.max() == 1.0
    assert ds.y_train.dtype == np.int64 and set(np.unique(ds.y_train)) == set(range(10))
    assert "bundled sample" in ds.note and "full MNIST not found" in ds.note
    assert "NNPLAYGROUND_MNIST_DIR" in ds.note


def test_sample_source_says_it_is_the_sample_and_limits_apply():
    ds = load_dataset({"kind": "mnist", "source": "sample", "train_limit": 500,
                       "test_limit": 100})
    assert len(ds.x_train) == 500 and len(ds.x_test) == 100
    assert "bundled MNIST sample" in ds.note and "limited to 500" in ds.note


def test_full_source_without_a_set_explains_where_it_looked(tmp_path):
    with pytest.raises(DatasetError) as info:
        load_dataset({"kind": "mnist", "source": "full"}, mnist_dir=tmp_path)
    assert str(tmp_path) in str(info.value) and "NNPLAYGROUND_MNIST_DIR" in str(info.value)


def test_bad_mnist_parameters():
    with pytest.raises(DatasetError, match="dataset.source"):
        load_dataset({"kind": "mnist", "source": "internet"})
    with pytest.raises(DatasetError, match="dataset.train_limit"):
        load_dataset({"kind": "mnist", "train_limit": 0})


def test_damaged_full_set_is_an_error_not_a_silent_fallback(tmp_path, no_checksums):
    folder = tmp_path / "set"
    write_fake_mnist(folder)
    path = folder / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes())[:-5]))
    with pytest.raises(DatasetError, match="truncated"):
        load_dataset({"kind": "mnist"}, mnist_dir=folder)


def test_keras_npz_is_found_and_read(tmp_path):
    arrays = fake_mnist_arrays(20, 5)
    np.savez_compressed(tmp_path / "mnist.npz", **arrays)
    ds = load_dataset({"kind": "mnist", "source": "full"}, mnist_dir=tmp_path)
    assert len(ds.x_train) == 20 and len(ds.x_test) == 5
    np.testing.assert_array_equal(ds.y_train, arrays["y_train"])
    direct = load_dataset({"kind": "mnist"}, mnist_dir=tmp_path / "mnist.npz")
    assert len(direct.x_test) == 5


def test_npz_errors_missing_array_and_pickles(tmp_path):
    arrays = fake_mnist_arrays(4, 2)
    del arrays["y_test"]
    np.savez(tmp_path / "mnist.npz", **arrays)
    with pytest.raises(DatasetError, match="missing arrays y_test"):
        mnist.load_npz(tmp_path / "mnist.npz")
    arrays = fake_mnist_arrays(4, 2)
    arrays["x_train"] = np.array([object()] * 4, dtype=object)
    np.savez(tmp_path / "pickled.npz", **arrays)
    with pytest.raises(DatasetError, match="without pickles"):
        mnist.load_npz(tmp_path / "pickled.npz")


def test_fashion_mnist_reads_the_same_idx_files_and_needs_a_folder(tmp_path):
    with pytest.raises(DatasetError, match="full fashion-mnist not found"):
        load_dataset({"kind": "fashion-mnist"})
    write_fake_mnist(tmp_path / "fashion", n_train=8, n_test=4, seed=5)
    ds = load_dataset({"kind": "fashion-mnist", "path": str(tmp_path / "fashion")})
    assert ds.name == "fashion-mnist" and ds.x_train.shape == (8, 1, 28, 28)
    assert "Fashion-MNIST" in ds.note
    with pytest.raises(DatasetError, match="Fashion-MNIST has no bundled sample"):
        load_dataset({"kind": "fashion-mnist", "source": "sample"})


def test_resources_can_be_overridden(tmp_path, monkeypatch):
    monkeypatch.setenv("NNPLAYGROUND_RESOURCES", str(tmp_path))
    with pytest.raises(DatasetError, match="bundled MNIST sample is missing"):
        load_dataset({"kind": "mnist", "source": "sample"})
    monkeypatch.setenv("NNPLAYGROUND_RESOURCES", str(tmp_path / "nope"))
    with pytest.raises(DatasetError, match="NNPLAYGROUND_RESOURCES"):
        load_dataset({"kind": "mnist", "source": "sample"})


def test_truncated_keras_npz_is_a_dataset_error_naming_the_file(tmp_path):
    np.savez(tmp_path / "mnist.npz", **fake_mnist_arrays(20, 5))
    data = (tmp_path / "mnist.npz").read_bytes()
    (tmp_path / "mnist.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError) as info:
        load_dataset({"kind": "mnist", "source": "full"}, mnist_dir=tmp_path)
    assert str(tmp_path / "mnist.npz") in str(info.value)
    assert "download or copy it again" in str(info.value)
