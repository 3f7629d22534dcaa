"""The user's own data: CSV (`x1,x2,label` or `x1,x2,target`, header optional) and .npz (`x`, `y`).

Errors give the file, the line number and the problem, because the file was most likely typed
or exported by hand and the user needs to find the bad line.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from .dataset import Dataset, DatasetError, split_indices
from .npz import read_npz_arrays

TASKS = ("classification", "regression")
FLOAT32_MAX = float(np.finfo(np.float32).max)   # training runs in float32: larger is infinity


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value


def read_csv(path, task=None) -> tuple[np.ndarray, np.ndarray, list[str], str | None]:
    """Parse a CSV of inputs and a final target column.

    Returns (x float64 (N, d), y float64 (N,), input column names, task implied by the header:
    "classification" for a last column named `label`, "regression" for `target`, else None).
    Blank lines and lines starting with '#' are skipped. With `task` (or a `label` header)
    "classification", every label is checked to be a whole number >= 0, by line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read the file as UTF-8 text ({exc})") from exc
    header, rows, width = None, [], None
    for line_no, row in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [cell.strip() for cell in row]
        if not cells or all(not c for c in cells) or cells[0].startswith("#"):
            continue
        values = [_number(c) for c in cells]
        if header is None and not rows and any(v is None for v in values):
            header = cells
            width = len(cells)
            if width < 2:
                raise DatasetError(f"{path} line {line_no}: the header names {width} column; "
                                   "expected inputs then a label or target, e.g. x1,x2,label")
            continue
        if width is None:
            width = len(cells)
            if width < 2:
                raise DatasetError(f"{path} line {line_no}: found 1 value; expected at least "
                                   "one input and a label or target, e.g. 0.5,-1.2,1")
        if len(cells) != width:
            raise DatasetError(f"{path} line {line_no}: expected {width} values, got {len(cells)}")
        for col, (cell, value) in enumerate(zip(cells, values), start=1):
            if value is None or not math.isfinite(value):
                raise DatasetError(f"{path} line {line_no}, column {col}: {cell!r} is not a "
                                   "finite number")
            if abs(value) > FLOAT32_MAX:
                raise DatasetError(f"{path} line {line_no}, column {col}: {cell} is beyond "
                                   f"the {FLOAT32_MAX:.3g} that training's 32-bit floats hold; "
                                   "rescale the column")
        rows.append((line_no, values))
    if not rows:
        raise DatasetError(f"{path}: no data rows; expected lines like 0.5,-1.2,1")
    data = np.array([values for _, values in rows], dtype=np.float64)
    names = header[:-1] if header else [f"x{i + 1}" for i in range(width - 1)]
    implied = None
    if header:
        implied = {"label": "classification", "target": "regression"}.get(header[-1].lower())
    _check_labels_if_classes(path, rows, task or implied)
    return data[:, :-1], data[:, -1], names, implied


def _check_labels_if_classes(path, rows, task):
    if task != "classification":
        return
    for line_no, values in rows:
        label = values[-1]
        if label < 0 or label != int(label):
            raise DatasetError(f"{path} line {line_no}: label {label:g} is not a class number; "
                               "labels must be whole numbers 0, 1, 2, ... (use a 'target' "
                               "column for regression)")


def read_npz(path) -> tuple[np.ndarray, np.ndarray]:
    """Read arrays `x` (N, ...) and `y` (N,) or (N, k) from an .npz without pickles."""
    path = Path(path)
    arrays = read_npz_arrays(path)
    missing = [key for key in ("x", "y") if key not in arrays]
    if missing:
        raise DatasetError(f"{path}: missing array {' and '.join(missing)}; the file "
                           f"needs arrays 'x' (inputs) and 'y' (labels or targets), "
                           f"found: {', '.join(arrays) or 'none'}")
    x, y = arrays["x"], arrays["y"]
    for name, array in (("x", x), ("y", y)):
        if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
            raise DatasetError(f"{path}: array {name!r} has dtype {array.dtype}; numbers needed")
        if array.ndim == 0 or len(array) == 0:
            raise DatasetError(f"{path}: array {name!r} is empty (shape {array.shape})")
    if len(x) != len(y):
        raise DatasetError(f"{path}: x has {len(x)} samples but y has {len(y)}")
    with np.errstate(over="ignore"):        # beyond float32 is infinity in training
        x32, y32 = x.astype(np.float32), y.astype(np.float32)
    if not np.all(np.isfinite(x32)) or not np.all(np.isfinite(y32)):
        if np.all(np.isfinite(x)) and np.all(np.isfinite(y)):
            raise DatasetError(f"{path}: values beyond the {FLOAT32_MAX:.3g} that training's "
                               "32-bit floats hold; rescale the data")
        bad = int(np.argmax(~np.isfinite(x).reshape(len(x), -1).all(axis=1)
                            | ~np.isfinite(y).reshape(len(y), -1).all(axis=1)))
        raise DatasetError(f"{path}: sample {bad} holds NaN or infinity")
    return x, y


def load_file(path, task=None, train_fraction=0.8, seed=0) -> Dataset:
    """Load a CSV or .npz file as a Dataset, shuffled with `seed` and split by train_fraction.

    task: "classification" or "regression"; None infers it from a CSV header (label/target) or
    from the targets (whole numbers in a 1-D y -> classification).
    """
    path = Path(path).expanduser()
    # Folders resolved ("models/../data" -> "data") so messages name the real place; the file
    # itself is not, so a symlinked data file keeps the name the user gave it.
    path = path.absolute().parent.resolve() / path.name
    if not path.is_file():
        raise DatasetError(f"dataset.path: {path} does not exist or is not a file; a relative "
                           "path is relative to the preset or model file, so copy or move the "
                           "data there (keep the data folder beside the file), or set "
                           "dataset.path to where the data now is")
    if task is not None and task not in TASKS:
        raise DatasetError(f"dataset.task: must be 'classification' or 'regression', got {task!r}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        x, y, names, implied = read_csv(path, task)
        task = task or implied
    elif suffix == ".npz":
        x, y = read_npz(path)
        names = [f"x{i + 1}" for i in range(x.shape[1])] if x.ndim == 2 else ["pixels"]
    else:
        raise DatasetError(f"dataset.path: {path.name}: unsupported file type {suffix!r}; "
                           "use .csv (x1,x2,label) or .npz (arrays x and y)")
    if task is None:
        whole = y.ndim == 1 and np.all(y == np.round(y)) and y.min() >= 0
        task = "classification" if whole else "regression"
    if task == "classification":
        if y.ndim != 1 or np.any(y != np.round(y)) or y.min() < 0:
            raise DatasetError(f"{path}: classification needs one whole-number label (0, 1, ...) "
                               "per sample; set task to 'regression' for real-valued targets")
        y = y.astype(np.int64)
        n_classes = max(2, int(y.max()) + 1)
    else:
        y = y.astype(np.float32).reshape(len(y), -1)
        n_classes = None
    if len(x) < 2:
        raise DatasetError(f"{path}: only {len(x)} sample; at least 2 are needed to split "
                           "into training and test data")
    x = x.astype(np.float32)
    if x.ndim == 1:
        x = x[:, None]
    train, test = split_indices(len(x), train_fraction, np.random.default_rng(seed))
    note = f"From {path} ({len(x)} samples)."
    span = None
    # One or two input columns are points on a line or plane: name them x1, x2 so the GUI's
    # grid goes through `make_features` like the generated data.
    tabular = x.ndim == 2 and x.shape[1] <= 2
    if tabular:
        low, high = float(x.min()), float(x.max())
        pad = 0.1 * (high - low) or 1.0
        span = (low - pad, high + pad)
        plane_names = ["x1", "x2"][: x.shape[1]]
        if names != plane_names:
            note = f"From {path} ({len(x)} samples); columns {', '.join(names)} as " \
                   f"{', '.join(plane_names)}."
        names = plane_names
    return Dataset(
        name=path.name, task=task, x_train=x[train], y_train=y[train], x_test=x[test],
        y_test=y[test], n_classes=n_classes, input_shape=tuple(x.shape[1:]),
        feature_names=tuple(names), note=note,
        points_train=x[train] if tabular else None, points_test=x[test] if tabular else None,
        input_range=span, raw_features=tuple(names) if tabular else ())
