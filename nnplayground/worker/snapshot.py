"""Frozen snapshots of a training run, built on the worker thread for the views.

The views never touch the live model (it is being trained on another thread), so everything they
draw is copied here into a `Snapshot`: plain numbers and numpy copies that nobody mutates again.
Expensive parts (the boundary image, feature maps, test-grid predictions) are only computed for
views that are visible, because at 30 snapshots a second they would otherwise cost more than the
training itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from collections.abc import Mapping

import numpy as np

from nnplayground.data import FEATURES, make_features

# Names of the views whose data costs something to produce; the controller is told which are
# visible (`TrainingController.set_visible_views`) and the builder skips the others.
VIEW_BOUNDARY = "boundary"      # 2-D output heatmap (classification or regression)
VIEW_UNITS = "units"            # one small heatmap per hidden unit
VIEW_CURVE = "curve"            # 1-D regression curve
VIEW_HISTOGRAMS = "histograms"  # weights and gradients per layer
VIEW_FILTERS = "filters"        # first conv filters and feature maps of a chosen test image
VIEW_PREDICTIONS = "predictions"  # grid of test images with predicted labels
VIEW_CONFUSION = "confusion"    # confusion matrix (computed at epoch ends and on pause)
VIEW_HEALTH = "health"          # dead / saturated units and gradient norm of every layer
VIEW_TRANSFORMED = "transformed"  # the input plane's grid and points as a layer sees them
ALL_VIEWS = frozenset({VIEW_BOUNDARY, VIEW_UNITS, VIEW_CURVE, VIEW_HISTOGRAMS, VIEW_FILTERS,
                       VIEW_PREDICTIONS, VIEW_CONFUSION, VIEW_HEALTH, VIEW_TRANSFORMED})

GRID = 50               # boundary heatmap resolution (GRID x GRID points of the input plane)
MAX_UNIT_IMAGES = 16    # hidden units drawn as images only for layers up to this wide
N_TEST_GRID = 36        # test images in the predictions view
SPACE_LINES = 11        # grid lines each way in the transformed space (every 5th of GRID)
MAX_SPACE_POINTS = 1000  # training points carried into the transformed space
MAX_SPACE_UNITS = 64    # layers up to this wide are offered in the transformed space

def _frozen(mapping):
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class DatasetInfo:
    """What the data views draw once per load: the points in the raw input plane.

    points_*: (N, 2) raw (x1, x2) for 2-D data, (N, 1) for 1-D regression, None for images.
    y_*: class indices (N,) or targets (N, k). images_test: (N, C, H, W) for image data.
    extent: (x_min, x_max, y_min, y_max) of the input plane the boundary image covers.
    """

    name: str
    task: str
    kind: str                          # "plane" (2-D), "line" (1-D), "image" or "other"
    n_classes: int | None
    feature_names: tuple
    points_train: np.ndarray | None
    y_train: np.ndarray
    points_test: np.ndarray | None
    y_test: np.ndarray
    extent: tuple
    images_test: np.ndarray | None = None
    note: str = ""


@dataclass(frozen=True)
class LayerSpace:
    """The input plane as one layer sees it (ConvNetJS's transformed space), U = its units.

    lines: (2 * SPACE_LINES, GRID, U) the layer's output along grid lines of the input plane:
        the first SPACE_LINES at constant x2 (bottom to top), the others at constant x1 (left
        to right); the same GRID x GRID plane the boundary is computed on (`plane_features`).
    points: (N, U) its output at the first N training points (N <= MAX_SPACE_POINTS).
    pca_lines (2 * SPACE_LINES, GRID, 2), pca_points (N, 2): the same projected onto the top
        two principal components of `points` (centred on their mean; each component's sign
        chosen so that its largest loading is positive, so the picture does not flip between
        frames); explained: (2,) the share of the points' variance each component carries.
    labels: (N,) the points' classes (or first target), for their colours: points drawn by
        hand change them during a run.
    """

    lines: np.ndarray
    points: np.ndarray
    pca_lines: np.ndarray
    pca_points: np.ndarray
    explained: np.ndarray
    labels: np.ndarray


def layer_space(grid_out: np.ndarray, points_out: np.ndarray, labels, n=GRID) -> LayerSpace:
    """A LayerSpace from a layer's output over the plane grid (n*n, U), row by row as
    `plane_grid` lays it out, and at the training points (N, U) labelled `labels` (N,)."""
    units = grid_out.shape[1]
    grid = np.asarray(grid_out, dtype=np.float32).reshape(n, n, units)   # [x2 row, x1 column]
    pick = np.linspace(0, n - 1, SPACE_LINES).round().astype(int)
    lines = np.concatenate([grid[pick, :, :], grid[:, pick, :].transpose(1, 0, 2)])
    points = np.asarray(points_out, dtype=np.float32)
    components, explained = principal_components(points)
    mean = points.mean(axis=0) if len(points) else np.zeros(units, np.float32)
    return LayerSpace(
        lines=np.ascontiguousarray(lines), points=points,
        pca_lines=((lines - mean) @ components).astype(np.float32),
        pca_points=((points - mean) @ components).astype(np.float32), explained=explained,
        labels=np.asarray(labels))


def principal_components(x: np.ndarray, k=2):
    """(U, k) the top-k principal directions of the rows of `x` (N, U), as columns, and (k,)
    the share of the variance each explains. Fewer than k units or points: the missing
    directions are zero (so a 1-unit layer draws on a line)."""
    x = np.asarray(x, dtype=np.float64)
    units = x.shape[1]
    components = np.zeros((units, k))
    explained = np.zeros(k)
    if len(x) >= 2:
        centred = x - x.mean(axis=0)
        _u, sv, vt = np.linalg.svd(centred, full_matrices=False)
        m = min(k, len(sv))
        components[:, :m] = vt[:m].T
        total = float(np.sum(sv ** 2))
        if total > 0:
            explained[:m] = sv[:m] ** 2 / total
    for j in range(k):
        if components[np.argmax(np.abs(components[:, j])), j] < 0:
            components[:, j] *= -1
    return components.astype(np.float32), explained.astype(np.float32)


@dataclass(frozen=True)
class Snapshot:
    """One frame of a training run: numpy copies, safe to read on any thread.

    step_points: (k, 2) [step, training batch loss] since the previous snapshot.
    epoch_records: epoch dicts (epoch, train_loss, test_loss, train_accuracy, ...) since the
        previous snapshot; `last_epoch` is the newest record of the whole run (or None).
    boundary: (GRID, GRID) model output over the input plane, row = x2, column = x1 (2-D data);
        for classification the probability of class 1; with K > 2 outputs (GRID, GRID, K), every
        class's probability (the view colours a pixel by its most probable class).
    spaces: {node_id: LayerSpace} the input plane's grid lines and the first training points
        as each hidden layer sees them (the transformed-space view).
    units: {node_id: (units, GRID, GRID)} each hidden unit's output over the plane.
    weights / gradients: {node_id: {name: array}}; Dense W is (in, out).
    curve: (xs, ys) of the network over the x range for 1-D regression.
    filters: (F, C, kh, kw) first conv layer's kernels; feature_maps {node_id: (C, H, W)} of the
        chosen test image (`image_index`).
    predictions: (indices, predicted, true) for a grid of test images; confusion: (K, K) on at
        most 2,000 test samples, refreshed at epoch ends and on pause: `confusion_step` is the
        training step it was computed after (0 = untrained), `confusion_epoch` the completed
        epochs then (0 also after 143 steps of the first epoch: say "after step 143").
    run: which load/reset of the controller produced it; the controller drops older runs' frames.
    optimizer: the live optimizer's type ("sgd", "adam", ...).
    status: non-empty on the frame that ends a run by itself, e.g. "Finished 100 epochs; press
        Play to train further" (the state then turns "paused").
    timeline: (n,) steps of the training history's checkpoints, on the frames after it changed
        (None: as before). replay: this frame is a checkpoint of the history, not the live
        model (the loss view marks its step instead of adding points). rewound: the history
        was cut here ("Continue from here", or a model opened with its history): the frame's
        step_points and epoch_records are the whole curves so far, drawn afresh.
    drawing: on a replayed frame, that moment's probabilities for the drawing pad's digit.
    confusion_probabilities: (n, K) the model's output for the n test samples the confusion
        matrix counts (the first n), computed with it: the mistakes browser lists a cell's.
    health: (LayerHealth, ...) of every layer on a fixed training batch (`engine.health`).
    """

    step: int
    epoch: int
    steps_per_second: float
    step_points: np.ndarray
    epoch_records: tuple
    last_epoch: Mapping | None
    task: str
    lr: float
    boundary: np.ndarray | None = None
    units: Mapping[str, np.ndarray] = field(default_factory=lambda: _frozen({}))
    weights: Mapping[str, Mapping[str, np.ndarray]] = field(default_factory=lambda: _frozen({}))
    gradients: Mapping[str, Mapping[str, np.ndarray]] = field(default_factory=lambda: _frozen({}))
    curve: tuple | None = None
    filters: np.ndarray | None = None
    feature_maps: Mapping[str, np.ndarray] = field(default_factory=lambda: _frozen({}))
    image_index: int = 0
    predictions: tuple | None = None
    confusion: np.ndarray | None = None
    confusion_epoch: int = 0         # the epoch after which `confusion` was computed
    confusion_step: int = 0          # the step after which `confusion` was computed
    run: int = 0
    optimizer: str = ""
    status: str = ""
    timeline: np.ndarray | None = None
    replay: bool = False
    rewound: bool = False
    drawing: np.ndarray | None = None
    weights_from_file: bool = False  # the run started from a trained model's weights (.npz)
    confusion_probabilities: np.ndarray | None = None
    health: tuple | None = None
    spaces: Mapping[str, LayerSpace] = field(default_factory=lambda: _frozen({}))


def _raw_points(ds, split):
    """The raw input-plane coordinates of a 2-D or 1-D dataset, or None for other data."""
    raw = getattr(ds, f"points_{split}")
    if raw is not None:
        return np.array(raw, dtype=np.float32)
    x = np.asarray(getattr(ds, f"x_{split}"))
    names = tuple(ds.feature_names)
    if x.ndim != 2:
        return None
    if "x1" in names and "x2" in names and set(names) <= set(FEATURES):
        return np.array(x[:, [names.index("x1"), names.index("x2")]], dtype=np.float32)
    if x.shape[1] in (1, 2) and (not names or set(names) <= {"x1", "x2"}):
        return np.array(x, dtype=np.float32)
    return None


def dataset_info(ds) -> DatasetInfo:
    """Describe a loaded `Dataset` for the views (copies, so the views can keep it)."""
    names = tuple(ds.feature_names)
    pts_train, pts_test = _raw_points(ds, "train"), _raw_points(ds, "test")
    x_train = np.asarray(ds.x_train)
    images = None
    if x_train.ndim == 4:
        kind = "image"
        images = np.array(ds.x_test, dtype=np.float32)
    elif pts_train is not None and pts_train.shape[1] == 2:
        kind = "plane"
    elif pts_train is not None and pts_train.shape[1] == 1 and ds.task == "regression":
        kind = "line"
    else:
        kind = "other"
    extent = (0.0, 1.0, 0.0, 1.0)
    if kind in ("plane", "line") and ds.input_range is not None:
        lo, hi = (float(v) for v in ds.input_range)
        extent = (lo, hi, lo, hi) if kind == "plane" else (lo, hi, 0.0, 1.0)
    elif kind in ("plane", "line"):
        both = np.concatenate([pts_train, pts_test]) if pts_test is not None else pts_train
        lo, hi = both.min(axis=0), both.max(axis=0)
        pad = 0.05 * np.maximum(hi - lo, 1e-6)
        lo, hi = lo - pad, hi + pad
        if kind == "plane":
            extent = (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))
        else:
            extent = (float(lo[0]), float(hi[0]), 0.0, 1.0)
    return DatasetInfo(
        name=ds.name, task=ds.task, kind=kind, n_classes=ds.n_classes, feature_names=names,
        points_train=pts_train, y_train=np.array(ds.y_train),
        points_test=pts_test, y_test=np.array(ds.y_test), extent=extent,
        images_test=images, note=ds.note)


def plane_features(info: DatasetInfo, n=GRID):
    """The input plane as the model sees it: `plane_grid` mapped through the dataset's
    features (the same `make_features` as training), (n*n, F). The one input-plane
    computation: the boundary and hidden-unit images are `model(plane_features).reshape(n, n)`,
    rows along x2."""
    return make_features(plane_grid(info.extent, n), info.feature_names)


def plane_grid(extent, n=GRID):
    """(n*n, 2) points covering the extent row by row (row = x2 ascending, column = x1)."""
    x1 = np.linspace(extent[0], extent[1], n, dtype=np.float32)
    x2 = np.linspace(extent[2], extent[3], n, dtype=np.float32)
    g1, g2 = np.meshgrid(x1, x2)
    return np.stack([g1.ravel(), g2.ravel()], axis=1)
