"""Toy datasets in the manner of TensorFlow Playground, plus logic gates and derived inputs.

Input ranges (the raw coordinates before derived features):
- 2-D classification (`circle`, `xor`, `gauss`, `spiral`; with 2 to 6 classes `blobs` and the
  n-arm `spirals`) and 2-D regression (`reg-plane`,
  `reg-gauss`): TensorFlow Playground's plane, points within about [-6, 6] on each axis
  (`input_range` = (-6, 6)). reg-plane's target is (x1 + x2) / 10 (|y| <= 1.2 without noise);
  reg-gauss's lies in [-1, 1]. Noise perturbs the point used to pick the label (circle, xor,
  regression) or the point itself (spiral) or widens the clusters (gauss), as in the Playground.
- 1-D regression (`sine`, `abs`, `poly`, `step`): x uniform in [-1, 1]; targets in [-1, 1];
  noise adds Gaussian noise of standard deviation noise/100 to the target.
- Logic gates (`and`, `or`, `nand`, `xor-gate`): the four corners of [0, 1]^2, train = test.

`noise` is a percentage 0-50 as on the Playground's slider; everything is drawn from
`np.random.default_rng(seed)`, so the same spec gives the same arrays on every run.
"""

from __future__ import annotations

import numpy as np

from .dataset import Dataset, DatasetError, split_indices

FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
_FEATURE_FUNCS = {
    "x1": lambda p: p[:, 0],
    "x2": lambda p: p[:, 1],
    "x1^2": lambda p: p[:, 0] ** 2,
    "x2^2": lambda p: p[:, 1] ** 2,
    "x1*x2": lambda p: p[:, 0] * p[:, 1],
    "sin(x1)": lambda p: np.sin(p[:, 0]),
    "sin(x2)": lambda p: np.sin(p[:, 1]),
}
_FEATURES_1D = ("x1", "x1^2", "sin(x1)")

PLANE_RANGE = (-6.0, 6.0)
LINE_RANGE = (-1.0, 1.0)
GATE_RANGE = (-0.5, 1.5)


def make_features(points: np.ndarray, features=("x1", "x2")) -> np.ndarray:
    """Map raw input points (N, 2) or (N, 1) to the chosen derived inputs, (N, len(features)).

    The GUI calls this on a grid over the input plane so that the network sees the same
    features there as in training.
    """
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] not in (1, 2):
        raise DatasetError(f"points must have shape (N, 2) or (N, 1), got {points.shape}")
    check_features(features, points.shape[1])
    columns = [_FEATURE_FUNCS[name](points) for name in features]
    return np.stack(columns, axis=1).astype(np.float32)


def check_features(features, n_raw: int = 2) -> tuple[str, ...]:
    """Return `features` as a tuple, or raise DatasetError naming the unknown or unusable one."""
    if isinstance(features, str) or not isinstance(features, (list, tuple)) or not features:
        raise DatasetError(f"dataset.features: must be a non-empty list of names from "
                           f"{', '.join(FEATURES)}, got {features!r}")
    allowed = FEATURES if n_raw == 2 else _FEATURES_1D
    for name in features:
        if name not in allowed:
            what = "a 1-D dataset has only x1" if name in FEATURES else "unknown feature"
            raise DatasetError(f"dataset.features: {name!r}: {what}; choose from "
                               f"{', '.join(allowed)}")
    if len(set(features)) != len(features):
        raise DatasetError(f"dataset.features: lists a feature twice: {list(features)}")
    return tuple(features)


# --- 2-D classification -------------------------------------------------------------------
# Each returns (points (n, 2) float64, labels (n,) int64 in {0, 1}); `noise` is a fraction 0-0.5.

def _circle(rng, n, noise):
    radius = 5.0
    n_in = n // 2
    r = np.concatenate([rng.uniform(0, radius * 0.5, n_in),
                        rng.uniform(radius * 0.7, radius, n - n_in)])
    angle = rng.uniform(0, 2 * np.pi, n)
    points = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    jitter = rng.uniform(-radius, radius, (n, 2)) * noise
    labels = np.hypot(*(points + jitter).T) < radius * 0.5
    return points, labels.astype(np.int64)


def _xor(rng, n, noise):
    points = rng.uniform(-5, 5, (n, 2))
    points += np.where(points > 0, 0.3, -0.3)  # a gap along the axes, as on the Playground
    jitter = rng.uniform(-5, 5, (n, 2)) * noise
    shifted = points + jitter
    labels = shifted[:, 0] * shifted[:, 1] >= 0
    return points, labels.astype(np.int64)


def _gauss(rng, n, noise):
    variance = 0.5 + noise / 0.5 * 3.5  # the Playground's scale: noise 0..50% -> variance 0.5..4
    n_pos = n // 2
    pos = rng.normal(2.0, np.sqrt(variance), (n_pos, 2))
    neg = rng.normal(-2.0, np.sqrt(variance), (n - n_pos, 2))
    labels = np.concatenate([np.ones(n_pos), np.zeros(n - n_pos)])
    return np.concatenate([pos, neg]), labels.astype(np.int64)


def _spiral(rng, n, noise):
    parts, labels = [], []
    for label, count, delta in ((1, n // 2, 0.0), (0, n - n // 2, np.pi)):
        i = np.arange(count) / count
        r = i * 5
        t = 1.75 * i * 2 * np.pi + delta
        xy = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
        parts.append(xy + rng.uniform(-1, 1, (count, 2)) * noise)
        labels.append(np.full(count, label))
    return np.concatenate(parts), np.concatenate(labels).astype(np.int64)


# --- 2-D classification with several classes ----------------------------------------------
# Each takes `n_classes` (2 to 6) and returns labels in {0, ..., n_classes - 1}, the points
# dealt out to the classes as evenly as n allows (class k gets n // K, the first n % K one more).

MAX_CLASSES = 6


def _class_sizes(n, n_classes):
    return [n // n_classes + (k < n % n_classes) for k in range(n_classes)]


def _blobs(rng, n, noise, n_classes):
    """One Gaussian cluster per class, the centres evenly spaced on a circle of radius 4.

    Noise widens the clusters on the Playground's gauss scale (variance 0.5 at 0 %, 4 at 50 %).
    """
    variance = 0.5 + noise / 0.5 * 3.5
    parts, labels = [], []
    for k, count in enumerate(_class_sizes(n, n_classes)):
        angle = 2 * np.pi * k / n_classes + np.pi / 2
        centre = 4.0 * np.array([np.cos(angle), np.sin(angle)])
        parts.append(rng.normal(centre, np.sqrt(variance), (count, 2)))
        labels.append(np.full(count, k))
    return np.concatenate(parts), np.concatenate(labels).astype(np.int64)


def _spirals(rng, n, noise, n_classes):
    """`spiral` with one arm per class: the arms start together at the centre and wind 1.75
    times round it, turned 360 / n_classes degrees from each other (ConvNetJS's and CS231n's
    3-class spiral for n_classes = 3). Noise moves the points, as in `spiral`."""
    parts, labels = [], []
    for k, count in enumerate(_class_sizes(n, n_classes)):
        i = np.arange(count) / count
        r = i * 5
        t = 1.75 * i * 2 * np.pi + 2 * np.pi * k / n_classes
        xy = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
        parts.append(xy + rng.uniform(-1, 1, (count, 2)) * noise)
        labels.append(np.full(count, k))
    return np.concatenate(parts), np.concatenate(labels).astype(np.int64)


# --- regression ---------------------------------------------------------------------------
# Each returns (points (n, d) float64, targets (n,) float64, about [-1, 1]).

def _reg_plane(rng, n, noise):
    points = rng.uniform(-6, 6, (n, 2))
    shifted = points + rng.uniform(-6, 6, (n, 2)) * noise
    return points, shifted.sum(axis=1) / 10.0  # unclamped, as on the Playground: |y| <= 1.2


_GAUSSIANS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
                       [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]])


def _reg_gauss(rng, n, noise):
    """Six bumps of alternating sign; each point takes the strongest bump's value."""
    points = rng.uniform(-6, 6, (n, 2))
    shifted = points + rng.uniform(-6, 6, (n, 2)) * noise
    dist = np.linalg.norm(shifted[:, None, :] - _GAUSSIANS[None, :, :2], axis=2)
    values = _GAUSSIANS[None, :, 2] * np.clip(1.0 - dist / 2.0, 0.0, 1.0)
    strongest = np.abs(values).argmax(axis=1)
    return points, values[np.arange(n), strongest]


_CURVES = {
    "sine": lambda x: np.sin(np.pi * x),     # one full period over [-1, 1]
    "abs": lambda x: np.abs(x),
    "poly": lambda x: 4 * x**3 - 3 * x,      # Chebyshev T3: wiggles between -1 and 1
    "step": lambda x: np.where(x >= 0, 1.0, -1.0),
}


def _curve(kind):
    def generate(rng, n, noise):
        x = rng.uniform(-1, 1, n)
        y = _CURVES[kind](x) + rng.normal(0.0, 1.0, n) * noise
        return x[:, None], y
    return generate


CLASSIFICATION = {"circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral}
MULTICLASS = {"blobs": _blobs, "spirals": _spirals}       # these take n_classes
REGRESSION_2D = {"reg-plane": _reg_plane, "reg-gauss": _reg_gauss}
REGRESSION_1D = {kind: _curve(kind) for kind in _CURVES}
GATES = {"and": (0, 0, 0, 1), "or": (0, 1, 1, 1), "nand": (1, 1, 1, 0), "xor-gate": (0, 1, 1, 0)}


def input_range(kind: str) -> tuple[float, float]:
    """The (low, high) range of the raw coordinates of a toy kind, for plotting and grids."""
    if kind in CLASSIFICATION or kind in MULTICLASS or kind in REGRESSION_2D:
        return PLANE_RANGE
    if kind in REGRESSION_1D:
        return LINE_RANGE
    if kind in GATES:
        return GATE_RANGE
    raise DatasetError(f"{kind!r} is not a toy dataset kind")


def make_toy(kind: str, n_samples=500, noise=0, train_fraction=0.5, seed=0,
             features=None, n_classes=3) -> Dataset:
    """Generate a toy dataset (classification, 2-D or 1-D regression) and split it.

    Parameters are assumed validated by `load_dataset`; `noise` is a percentage (0-50);
    `n_classes` is used by the MULTICLASS kinds only.
    """
    generators = {**CLASSIFICATION, **MULTICLASS, **REGRESSION_2D, **REGRESSION_1D}
    if kind not in generators:
        raise DatasetError(f"{kind!r} is not a toy dataset kind")
    rng = np.random.default_rng(seed)
    extra = {"n_classes": int(n_classes)} if kind in MULTICLASS else {}
    points, y = generators[kind](rng, int(n_samples), float(noise) / 100.0, **extra)
    n_raw = points.shape[1]
    if features is None:
        features = ("x1", "x2") if n_raw == 2 else ("x1",)
    features = check_features(features, n_raw)
    x = make_features(points, features)
    if kind in CLASSIFICATION or kind in MULTICLASS:
        task, n_classes, y = "classification", int(extra.get("n_classes", 2)), y.astype(np.int64)
    else:
        task, n_classes, y = "regression", None, y.astype(np.float32)[:, None]
    train, test = split_indices(len(points), train_fraction, rng)
    return Dataset(
        name=kind, task=task, x_train=x[train], y_train=y[train], x_test=x[test], y_test=y[test],
        n_classes=n_classes, input_shape=(len(features),), feature_names=features,
        points_train=points[train].astype(np.float32), points_test=points[test].astype(np.float32),
        input_range=input_range(kind), raw_features=("x1", "x2")[:n_raw])


def make_gate(kind: str, features=None) -> Dataset:
    """The four corners of [0, 1]^2 labelled by a logic gate; train and test are the same set."""
    if kind not in GATES:
        raise DatasetError(f"{kind!r} is not a logic gate; choose from {', '.join(GATES)}")
    features = check_features(features or ("x1", "x2"), 2)
    points = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    labels = np.array(GATES[kind], dtype=np.int64)
    x = make_features(points, features)
    return Dataset(
        name=kind, task="classification", x_train=x, y_train=labels, x_test=x.copy(),
        y_test=labels.copy(), n_classes=2, input_shape=(len(features),), feature_names=features,
        note="Logic gate: the four points are both the training and the test set.",
        points_train=points, points_test=points.copy(), input_range=GATE_RANGE,
        raw_features=("x1", "x2"))
