"""Pure edits of hand-placed points in a preset document (no Qt), as `document.py` does for
the graph: each takes the document (a copy, inside `DocumentModel.edit`) and changes it.

The points live in the `points` dataset kind (`nnplayground.data.points`). An edit of any other
2-D or 1-D dataset first turns it into an editable copy of its points (`editable_copy`), so the
first click on generated data keeps what is there and adds to it, in the same undo step.
"""

from __future__ import annotations

import numpy as np

from nnplayground.data import Dataset, load_dataset
from nnplayground.data.points import KIND, MAX_POINTS, rows_of
from nnplayground.presets.validation import IMAGE_KINDS

BRUSH_POINTS = 8          # points a brush click drops
BRUSH_SPREAD = 0.03       # their standard deviation, as a share of the plot's width
ERASE_RADIUS = 0.04       # the eraser's reach, as a share of the plot's width and height
REGRESSION_TARGETS = (-1.0, 1.0)
DECIMALS = 3              # places kept of a clicked coordinate: the preset stays readable    # what the two "classes" mean on 2-D regression data


class NotEditable(ValueError):
    """This dataset has no points to draw on (images, a file of many columns)."""


def is_points(doc: dict) -> bool:
    return doc.get("dataset", {}).get("kind") == KIND


def editable_copy(spec: dict, dataset: Dataset) -> dict:
    """A `points` spec holding every point of `dataset` (training first, then test), with the
    spec's split fraction, seed and features. Raises NotEditable for data that is not 1-D or
    2-D points (or 1-D classification, which no view draws)."""
    if dataset.points_train is None or dataset.points_test is None:
        raise NotEditable(f"the dataset {dataset.name!r} has no points on a plane or a line "
                          "to edit")
    inputs = dataset.points_train.shape[1]
    if inputs == 1 and dataset.task != "regression":
        raise NotEditable("1-D classification data cannot be drawn; use 2 inputs")
    points = np.concatenate([dataset.points_train, dataset.points_test])
    if len(points) > MAX_POINTS:
        raise NotEditable(f"the dataset {dataset.name!r} has {len(points)} points; a preset "
                          f"keeps at most {MAX_POINTS} inline: lower its number of points "
                          "first")
    labels = np.concatenate([np.asarray(dataset.y_train).reshape(len(dataset.y_train), -1),
                             np.asarray(dataset.y_test).reshape(len(dataset.y_test), -1)])
    out = {"kind": KIND, "task": dataset.task, "inputs": int(inputs),
           "points": rows_of(points, labels, dataset.task),
           "train_fraction": spec.get("train_fraction", 0.5), "seed": spec.get("seed", 0)}
    if spec.get("features") is not None:
        out["features"] = list(spec["features"])
    return out


def points_spec(doc: dict, base_dir=None) -> tuple[dict, str | None]:
    """(the document's points spec, the name of the data it was copied from or None): the
    dataset as it is when it holds points already, else an editable copy of its points."""
    spec = doc.get("dataset", {})
    if spec.get("kind") == KIND:
        return spec, None
    if spec.get("kind") in IMAGE_KINDS:       # (not worth reading the images to say so)
        raise NotEditable(f"the dataset {spec['kind']!r} is images, not points")
    dataset = load_dataset(spec, base_dir=base_dir)
    return editable_copy(spec, dataset), dataset.name


def label_value(spec: dict, choice: int):
    """What the picked class means in this data: the class itself, or on 2-D regression the
    target -1 (orange) or +1 (blue)."""
    if spec["task"] == "classification":
        return int(choice)
    return REGRESSION_TARGETS[int(choice) % 2]


def add(spec: dict, rows: list) -> int:
    """Append rows (each [x1, x2, label] or [x, y]), as many as the kind keeps (MAX_POINTS);
    returns how many were added."""
    room = max(MAX_POINTS - len(spec["points"]), 0)
    spec["points"] = spec["points"] + [list(r) for r in rows[:room]]
    return min(len(rows), room)


def erase_near(spec: dict, centre, scale, radius=ERASE_RADIUS) -> int:
    """Remove the points within `radius` of `centre` in units of `scale` (the plot's (width,
    height) in data units, so a 1-D plot's x and y reach equally far on screen); when none is
    that close, nothing. Returns how many were removed."""
    if not spec["points"]:
        return 0
    # the first two numbers of a row are where it is drawn: (x1, x2), or (x, y) in 1-D
    xy = np.asarray(spec["points"], dtype=np.float64)[:, :2]
    d = np.hypot((xy[:, 0] - centre[0]) / scale[0], (xy[:, 1] - centre[1]) / scale[1])
    keep = d > radius
    removed = int((~keep).sum())
    spec["points"] = [row for row, k in zip(spec["points"], keep) if k]
    return removed


def brush(spec: dict, centre, label, scale, bounds=None) -> list[list[float]]:
    """A small cloud of BRUSH_POINTS rows of class `label` around `centre` (2-D), spread by
    BRUSH_SPREAD of the plot, seeded by the data seed and the number of points so far: the same
    clicks give the same clouds. `bounds` (x0, x1, y0, y1) clips them to the plot."""
    rng = np.random.default_rng([int(spec.get("seed", 0)), len(spec["points"])])
    cloud = rng.normal(0.0, 1.0, (BRUSH_POINTS, 2)) * np.asarray(scale) * BRUSH_SPREAD
    cloud += np.asarray(centre, dtype=np.float64)
    if bounds is not None:
        cloud[:, 0] = np.clip(cloud[:, 0], bounds[0], bounds[1])
        cloud[:, 1] = np.clip(cloud[:, 1], bounds[2], bounds[3])
    cloud = np.round(cloud, DECIMALS)
    labels = np.full(BRUSH_POINTS, label)
    return rows_of(cloud.astype(np.float32), labels, spec["task"])


def point_row(spec: dict, x: float, y: float, label) -> list:
    """The row of one click: [x1, x2, label] on the plane, [x, y] on the line, to DECIMALS
    places (a pixel is about 0.04 of the plane)."""
    x, y = round(float(x), DECIMALS), round(float(y), DECIMALS)
    if spec.get("inputs", 2) == 1:
        return rows_of(np.array([[x]], np.float32), np.array([y], np.float32), "regression")[0]
    return rows_of(np.array([[x, y]], np.float32), np.array([label]), spec["task"])[0]
