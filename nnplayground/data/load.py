"""`load_dataset(spec)`: the one entry point from a preset's "dataset" dict to a Dataset.

Parameters are checked here, strictly: a misspelt key or an out-of-range value raises
DatasetError naming `dataset.<key>`, the value and the allowed range, rather than silently
training on something the user did not ask for.
"""

from __future__ import annotations

import numbers
import os
from pathlib import Path

from .dataset import Dataset, DatasetError
from .files import load_file
from .download import fetch_mnist
from .mnist import load_mnist
from .points import DEFAULTS as _POINTS
from .points import make_points
from .toy import (CLASSIFICATION, GATES, MAX_CLASSES, MULTICLASS, REGRESSION_1D, REGRESSION_2D,
                  check_features, make_gate, make_toy)

_TOY = {"n_samples": 500, "noise": 0, "train_fraction": 0.5, "seed": 0, "features": None}
DATASET_KINDS = {
    **{kind: _TOY for kind in (*CLASSIFICATION, *REGRESSION_2D, *REGRESSION_1D)},
    **{kind: {**_TOY, "n_classes": 3} for kind in MULTICLASS},
    # Gates accept the toy parameters so a GUI can switch kinds freely; only features matter.
    **{kind: _TOY for kind in GATES},
    "mnist": {"source": "auto", "train_limit": None, "test_limit": None},
    "fashion-mnist": {"source": "auto", "train_limit": None, "test_limit": None, "path": None},
    "file": {"path": None, "task": None, "train_fraction": 0.8, "seed": 0, "input_columns": None,
             "target_column": None},
    "points": _POINTS,
}


def dataset_defaults(kind: str) -> dict:
    """The parameters a kind accepts and their defaults (features None = the raw inputs)."""
    if kind not in DATASET_KINDS:
        raise DatasetError(f"dataset.kind: unknown kind {kind!r}; choose from "
                           f"{', '.join(DATASET_KINDS)}")
    return dict(DATASET_KINDS[kind])


def _number(params, key, low, high, integer=False):
    value = params[key]
    ok_type = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, ok_type):
        what = "an integer" if integer else "a number"
        raise DatasetError(f"dataset.{key}: must be {what} from {low} to {high}, got {value!r}")
    if not low <= value <= high:
        raise DatasetError(f"dataset.{key}: must be from {low} to {high}, got {value!r}")
    return value


def resolve_data_path(path, base_dir=None) -> str:
    """`dataset.path` as a usable path: a relative one is taken from `base_dir`, the folder of
    the preset file it came from, so that a preset shared with its data file (`"path":
    "points.csv"` beside it) works from whatever folder it is opened; without `base_dir` (a
    document built in memory) it stays relative to the current folder.

    A preset written by hand on Windows may say "data\\points.csv": where backslashes are not
    separators (Linux, macOS) and no file has that literal name, they are read as slashes."""
    resolved = _as_given(Path(path).expanduser(), base_dir)
    if "\\" in str(path) and os.sep == "/" and not resolved.exists():
        resolved = _as_given(Path(str(path).replace("\\", "/")).expanduser(), base_dir)
    return str(resolved)


def _as_given(path: Path, base_dir) -> Path:
    if base_dir is not None and not path.is_absolute():
        return Path(base_dir).expanduser() / path
    return path


def load_dataset(spec: dict, mnist_dir=None, progress=None, base_dir=None) -> Dataset:
    """Build the Dataset a preset describes.

    mnist_dir: a folder (or mnist.npz) to look in first for the full MNIST set (the CLI's
    --mnist). progress(done_bytes, total_bytes, filename) is reported while MNIST is read;
    `source: "full"` downloads the set when it is nowhere on disk (see `load_mnist`).
    base_dir: the folder of the preset file, against which a relative `dataset.path` is read.
    """
    if not isinstance(spec, dict):
        raise DatasetError(f"dataset: must be an object with a 'kind', got {spec!r}")
    kind = spec.get("kind")
    params = dataset_defaults(kind)
    unknown = sorted(set(spec) - set(params) - {"kind"})
    if unknown:
        raise DatasetError(f"dataset.{unknown[0]}: not a parameter of kind {kind!r}; it takes "
                           f"{', '.join(params) or 'no parameters'}")
    params.update({k: v for k, v in spec.items() if k != "kind"})
    if isinstance(params.get("path"), str) and params["path"]:
        params["path"] = resolve_data_path(params["path"], base_dir)
    if kind in ("mnist", "fashion-mnist"):
        return load_mnist(kind, mnist_dir=mnist_dir, progress=progress, fetch=fetch_mnist,
                          **params)
    if kind == "file":
        if not params["path"]:
            raise DatasetError("dataset.path: a 'file' dataset needs the path of a .csv or .npz")
        _number(params, "train_fraction", 0.1, 0.9)
        _number(params, "seed", 0, 2**63 - 1, integer=True)
        return load_file(**params)
    if kind == "points":
        _number(params, "train_fraction", 0.1, 0.9)
        _number(params, "seed", 0, 2**63 - 1, integer=True)
        return make_points(**params)
    _number(params, "seed", 0, 2**63 - 1, integer=True)
    n_raw = 1 if kind in REGRESSION_1D else 2
    features = params["features"]
    if features is not None:
        features = check_features(features, n_raw)
    if kind in GATES:
        return make_gate(kind, features)
    _number(params, "n_samples", 4, 100_000, integer=True)
    _number(params, "noise", 0, 50)
    _number(params, "train_fraction", 0.1, 0.9)
    if kind in MULTICLASS:
        _number(params, "n_classes", 2, MAX_CLASSES, integer=True)
    return make_toy(kind, params["n_samples"], params["noise"], params["train_fraction"],
                    params["seed"], features, params.get("n_classes", 3))
