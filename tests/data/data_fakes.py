"""Fake MNIST sets for the data tests (a plain module: conftest is not importable reliably)."""

import numpy as np

from nnplayground.data import mnist
from nnplayground.data.idx import write_idx


def fake_mnist_arrays(n_train=30, n_test=10, seed=0):
    """Small random uint8 images and labels 0-9 with MNIST's layout."""
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


def write_fake_mnist(folder, n_train=30, n_test=10, seed=0, compress=True):
    """Write a fake full set as the four IDX files; returns the arrays written."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays = fake_mnist_arrays(n_train, n_test, seed)
    for key, base in mnist.PARTS.items():
        write_idx(folder / (base + (".gz" if compress else "")), arrays[key], compress=compress)
    return arrays
