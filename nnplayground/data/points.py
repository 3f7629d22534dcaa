"""Points placed by hand: the `points` dataset kind, held inline in the preset.

    {"kind": "points", "task": "classification", "inputs": 2,
     "points": [[-2.5, 1.0, 0], [3.1, -0.4, 2], ...], "train_fraction": 0.5, "seed": 0}

Each row is the raw inputs followed by the label: `[x1, x2, class]` for 2-D classification
(classes 0 to 5), `[x1, x2, target]` for 2-D regression, `[x, y]` for 1-D regression. The
inputs then go through `features` like the generated data's.

The split is seeded, as for generated data, but drawn per point: point i is for training when
the i-th number of `default_rng(seed)` is below `train_fraction`. The i-th draw does not depend
on how many points there are, so adding a point never moves the others between training and
test (a whole-set shuffle would reshuffle every point on every click). At least one point
lands on each side.

`points_problems(spec)` is the one check, used by `load_dataset` (the first problem raises
DatasetError) and by preset validation (every problem, by path); `write_csv` writes any 1-D or
2-D dataset in the CSV format `files.read_csv` reads back.
"""

from __future__ import annotations

import io
import math
import numbers

import numpy as np

from .dataset import Dataset, DatasetError
from .toy import LINE_RANGE, PLANE_RANGE, check_features, make_features

KIND = "points"
MAX_CLASSES = 6
MAX_POINTS = 1000          # a preset's lists hold at most presets.io.MAX_ITEMS items
TASKS = ("classification", "regression")
DEFAULTS = {"task": "classification", "inputs": 2, "points": [], "train_fraction": 0.5,
            "seed": 0, "features": None}


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def points_problems(spec: dict) -> list[tuple[str, str]]:
    """Every problem of a `points` dataset spec as (path, message), [] when it can be trained.

    Checks what a schema cannot: the rows' width against `inputs`, class labels, the task
    against the number of inputs, and that there are points on both sides of the split."""
    task, inputs = spec.get("task", DEFAULTS["task"]), spec.get("inputs", DEFAULTS["inputs"])
    rows = spec.get("points", [])
    if task not in TASKS:
        return [("dataset.task", f"must be \"classification\" or \"regression\", got {task!r}")]
    if inputs not in (1, 2) or isinstance(inputs, bool):
        return [("dataset.inputs", f"must be 1 (x, y) or 2 (x1, x2, label), got {inputs!r}")]
    if inputs == 1 and task == "classification":
        return [("dataset.task", "1-D points are a regression (x, y); use 2 inputs for "
                                 "classes")]
    if not isinstance(rows, list):
        return [("dataset.points", f"must be a list of rows, got {type(rows).__name__}")]
    if len(rows) > MAX_POINTS:
        return [("dataset.points", f"holds {len(rows)} points; a preset keeps at most "
                                   f"{MAX_POINTS} inline (save the data as CSV for more)")]
    width = inputs + 1
    shape = "[x1, x2, class]" if task == "classification" else \
        "[x1, x2, target]" if inputs == 2 else "[x, y]"
    problems = []
    for i, row in enumerate(rows):
        where = f"dataset.points[{i}]"
        if not isinstance(row, list) or len(row) != width or not all(map(_is_number, row)):
            problems.append((where, f"must be {width} numbers {shape}, got {row!r}"))
            continue
        if not all(math.isfinite(v) for v in row):
            problems.append((where, f"must hold finite numbers, got {row!r}"))
        elif task == "classification" and (row[-1] != int(row[-1])
                                           or not 0 <= row[-1] < MAX_CLASSES):
            problems.append((where, f"class {row[-1]!r} must be a whole number from 0 to "
                                    f"{MAX_CLASSES - 1}"))
        if len(problems) >= 10:       # a pasted list of bad rows: the first ten say enough
            break
    if not problems and len(rows) < 2:
        problems.append(("dataset.points", f"holds {len(rows)} point"
                                           f"{'' if len(rows) == 1 else 's'}; at least 2 are "
                                           "needed (one to train on, one to test); click the "
                                           "plot to add points"))
    return problems


def split_mask(n: int, train_fraction: float, seed: int) -> np.ndarray:
    """(n,) bool, True for training points: the i-th draw of `default_rng(seed)` below
    `train_fraction` (so a point's side does not depend on the points after it); at least one
    point on each side when n >= 2."""
    u = np.random.default_rng(seed).random(n)
    train = u < train_fraction
    if n >= 2 and train.all():
        train[np.argmax(u)] = False
    elif n >= 2 and not train.any():
        train[np.argmin(u)] = True
    return train


def covering_range(xy: np.ndarray, usual: tuple[float, float]) -> tuple[float, float]:
    """The usual plane (or line) when every coordinate lies inside it, else a padded range
    that covers them all (points converted from a file, typed into a preset)."""
    if xy.size == 0 or (xy.min() >= usual[0] and xy.max() <= usual[1]):
        return usual
    low, high = min(float(xy.min()), usual[0]), max(float(xy.max()), usual[1])
    pad = 0.05 * (high - low)
    return (low - pad, high + pad)


def make_points(points, task="classification", inputs=2, train_fraction=0.5, seed=0,
                features=None) -> Dataset:
    """The Dataset of a `points` spec's parameters (checked by `load_dataset`)."""
    problems = points_problems({"task": task, "inputs": inputs, "points": points})
    if problems:
        path, message = problems[0]
        raise DatasetError(f"{path}: {message}")
    raw, y, train = split_points(points, task, inputs, train_fraction, seed)
    features = check_features(features or ("x1", "x2")[:inputs], inputs)
    x = make_features(raw, features)
    n_classes = max(2, int(y.max()) + 1) if task == "classification" else None
    test = ~train
    shown = covering_range(raw, PLANE_RANGE if inputs == 2 else LINE_RANGE)
    return Dataset(
        name=KIND, task=task, x_train=x[train], y_train=y[train], x_test=x[test],
        y_test=y[test], n_classes=n_classes, input_shape=(len(features),),
        feature_names=features, note=f"{len(raw)} points placed by hand.",
        points_train=raw[train].astype(np.float32), points_test=raw[test].astype(np.float32),
        input_range=shown, raw_features=("x1", "x2")[:inputs])


def split_points(points, task="classification", inputs=2, train_fraction=0.5, seed=0):
    """Rows (well-formed, any number) -> (raw (N, inputs) float64, labels (N,) int64 or
    targets (N, 1) float32, training mask (N,)): what the editor draws before there are enough
    points to train on."""
    data = np.asarray(points, dtype=np.float64).reshape(len(points), inputs + 1)
    raw, labels = data[:, :inputs], data[:, inputs]
    if task == "classification":
        y = labels.astype(np.int64)
    else:
        y = labels.astype(np.float32)[:, None]
    return raw, y, split_mask(len(data), train_fraction, seed)


def rows_of(points: np.ndarray, labels: np.ndarray, task: str) -> list[list[float]]:
    """Raw points (N, d) and labels (N,) or targets (N, 1) as the spec's rows (JSON numbers:
    float32 values rounded to the 7 digits they hold, class labels as ints)."""
    points = np.asarray(points, dtype=np.float64)
    labels = np.asarray(labels).reshape(len(points), -1)[:, 0]
    rows = []
    for p, label in zip(points, labels):
        row = [_short(v) for v in p]
        row.append(int(label) if task == "classification" else _short(label))
        rows.append(row)
    return rows


def _short(value) -> float:
    """A float32 coordinate as the shortest decimal that reads back to the same float32."""
    return float(np.format_float_positional(np.float32(value), unique=True, trim="-"))


def csv_text(points: np.ndarray, labels: np.ndarray, task: str) -> str:
    """Raw points (N, 1 or 2) and their labels/targets as a CSV `files.read_csv` reads back:
    a header `x1,x2,label` (classification) or `x1,x2,target` (regression), one row each."""
    points = np.asarray(points, dtype=np.float64)
    names = ["x1", "x2"][:points.shape[1]]
    out = io.StringIO()
    out.write(",".join([*names, "label" if task == "classification" else "target"]) + "\n")
    for row in rows_of(points, labels, task):
        out.write(",".join(repr(v) if isinstance(v, float) else str(v) for v in row) + "\n")
    return out.getvalue()
