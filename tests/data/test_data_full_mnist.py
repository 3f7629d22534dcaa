"""Tests on the real, full MNIST: checksums, shapes, and the bundled sample being its prefix.

They read the full set where the README says (tests/mnist_paths.py) and skip where it is
missing.
"""


import numpy as np
import pytest

from mnist_paths import FULL_MNIST_DIR, MISSING, has_full_mnist

from nnplayground.data import DatasetError, MNIST_SHA256, load_dataset, mnist, read_idx
from nnplayground.data.idx import LABELS_MAGIC

MNIST_DIR = FULL_MNIST_DIR
needs_mnist = pytest.mark.skipif(not has_full_mnist(), reason=MISSING)


@pytest.fixture(scope="module")
def full():
    return load_dataset({"kind": "mnist", "source": "full"}, mnist_dir=MNIST_DIR)


@needs_mnist
def test_label_files_match_their_published_sha256():
    # The image files are hash-checked by the `full` fixture's loader (load_idx_folder).
    for base in ("train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte"):
        labels = read_idx(mnist._idx_file(MNIST_DIR, base), LABELS_MAGIC, MNIST_SHA256[base])
        assert labels.shape in ((60_000,), (10_000,))


@needs_mnist
def test_the_loader_checks_the_published_sha256(monkeypatch):
    wrong = dict(MNIST_SHA256, **{"train-images-idx3-ubyte": "0" * 64})  # read first
    monkeypatch.setattr(mnist, "MNIST_SHA256", wrong)
    with pytest.raises(DatasetError, match="train-images-idx3-ubyte.* SHA-256"):
        load_dataset({"kind": "mnist", "source": "full"}, mnist_dir=MNIST_DIR)


@needs_mnist
def test_a_wrong_checksum_is_refused_on_the_real_file():
    path = mnist._idx_file(MNIST_DIR, "t10k-labels-idx1-ubyte")
    with pytest.raises(DatasetError, match="SHA-256"):
        read_idx(path, LABELS_MAGIC, sha256=MNIST_SHA256["t10k-images-idx3-ubyte"])


@needs_mnist
def test_full_set_shapes_and_note(full):
    assert full.x_train.shape == (60_000, 1, 28, 28) and full.x_test.shape == (10_000, 1, 28, 28)
    assert full.x_train.dtype == np.float32 and full.y_train.dtype == np.int64
    assert full.x_train.min() == 0.0 and full.x_train.max() == 1.0
    assert np.bincount(full.y_train).tolist()[:2] == [5923, 6742]  # MNIST's class counts
    assert "Full MNIST" in full.note and "sample" not in full.note


@needs_mnist
def test_bundled_sample_is_the_first_images_of_the_full_set(full):
    sample = load_dataset({"kind": "mnist", "source": "sample"})
    assert full.y_train[0] == sample.y_train[0] == 5
    np.testing.assert_array_equal(sample.x_train, full.x_train[:10_000])
    np.testing.assert_array_equal(sample.y_train, full.y_train[:10_000])
    np.testing.assert_array_equal(sample.x_test, full.x_test[:2_000])
    np.testing.assert_array_equal(sample.y_test, full.y_test[:2_000])


@needs_mnist
def test_auto_finds_the_full_set_through_the_environment(monkeypatch):
    monkeypatch.setenv("NNPLAYGROUND_MNIST_DIR", str(MNIST_DIR))
    assert mnist.find_full_set("mnist") == MNIST_DIR
