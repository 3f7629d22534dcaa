"""The `Dataset` every loader returns, the one error type, and the shared helpers.

Every source (toy generators, MNIST, the user's files) ends in the same frozen `Dataset`, so the
experiment, the CLI and the GUI never need to know where the numbers came from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class DatasetError(ValueError):
    """A dataset could not be made or read. The message names the file or parameter and the fix."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train and test arrays ready for the engine.

    x_*: float32, (N, features) for tabular data or (N, 1, 28, 28) in [0, 1] for images.
    y_*: int64 class indices (N,) for classification; float32 (N, k) for regression.
    points_*: the raw input coordinates, (N, 2) or (N, 1), before derived features were added;
        the GUI scatters these over the input plane. None for images and user files.
    input_range: (low, high) of the raw coordinates on each axis, for the GUI's evaluation grid.
    """

    name: str
    task: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int | None
    input_shape: tuple
    feature_names: tuple[str, ...]
    note: str = ""
    points_train: np.ndarray | None = None
    points_test: np.ndarray | None = None
    input_range: tuple[float, float] | None = None
    raw_features: tuple[str, ...] = ()

    def __repr__(self):
        return (f"Dataset({self.name!r}, task={self.task!r}, train={len(self.x_train)}, "
                f"test={len(self.x_test)}, input_shape={self.input_shape})")


def split_indices(n: int, train_fraction: float, rng: np.random.Generator):
    """Shuffle 0..n-1 and cut it into (train, test) index arrays.

    The generators produce points class by class, so shuffling before the cut is what keeps
    both halves balanced. At least one sample lands on each side.
    """
    order = rng.permutation(n)
    n_train = int(round(n * train_fraction))
    n_train = min(max(n_train, 1), n - 1)
    return order[:n_train], order[n_train:]

