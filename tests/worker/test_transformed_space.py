"""The transformed space and the many-class boundary the worker sends (snapshot.py, builder.py):
every coordinate is the layer's real output at known inputs, and PCA is the top two
principal components."""

import numpy as np
import pytest

from nnplayground.data import make_features
from nnplayground.experiment import Experiment
from nnplayground.presets import load_builtin
from nnplayground.worker import snapshot as S
from nnplayground.worker.builder import SnapshotBuilder


def _doc(hidden_activation="tanh"):
    """Three blobs, x -> h (3 units) -> out (3 classes)."""
    doc = load_builtin("blobs5")
    doc["dataset"].update(n_classes=3, n_samples=120)
    nodes = doc["model"]["nodes"]
    nodes[1].update(id="h", params={"units": 3, "activation": hidden_activation})
    nodes[2].update(inputs=["h"], params={"units": 3, "activation": "softmax"})
    return doc


def _built(doc, weights=None):
    exp = Experiment.from_preset(doc)
    if weights:
        for name, value in weights.items():
            exp.model.layers["h"].params[name][...] = value
    info = S.dataset_info(exp.dataset)
    return exp, info, SnapshotBuilder(exp, info).build({S.VIEW_TRANSFORMED, S.VIEW_BOUNDARY},
                                                       0.0)


W = np.array([[1.0, 0.5, -0.25], [0.0, -1.0, 0.75]], np.float32)
B = np.array([0.1, 0.0, -0.2], np.float32)


def test_points_and_grid_lines_are_the_layers_outputs_at_those_inputs():
    exp, info, snap = _built(_doc(), {"W": W, "b": B})
    space = snap.spaces["h"]
    points = info.points_train
    np.testing.assert_allclose(space.points, np.tanh(points @ W + B), atol=1e-5)
    # the grid lines: rows of constant x2 first (bottom to top), then columns of constant x1
    lo, hi = info.extent[0], info.extent[1]
    xs = np.linspace(lo, hi, S.GRID, dtype=np.float32)
    pick = np.linspace(0, S.GRID - 1, S.SPACE_LINES).round().astype(int)
    row = np.stack([xs, np.full(S.GRID, xs[pick[3]])], axis=1)       # x2 fixed, x1 runs
    column = np.stack([np.full(S.GRID, xs[pick[2]]), xs], axis=1)    # x1 fixed, x2 runs
    assert space.lines.shape == (2 * S.SPACE_LINES, S.GRID, 3)
    np.testing.assert_allclose(space.lines[3], np.tanh(row @ W + B), atol=1e-5)
    np.testing.assert_allclose(space.lines[S.SPACE_LINES + 2], np.tanh(column @ W + B),
                               atol=1e-5)
    # every layer after the input, the output's probabilities included
    assert list(snap.spaces) == ["h", "out"]
    np.testing.assert_allclose(snap.spaces["out"].points.sum(axis=1), 1.0, atol=1e-5)


def test_an_identity_layer_draws_the_input_plane_itself():
    exp, info, snap = _built(_doc("identity"), {"W": np.eye(2, 3, dtype=np.float32),
                                                "b": np.zeros(3, np.float32)})
    space = snap.spaces["h"]
    np.testing.assert_allclose(space.points[:, :2], info.points_train, atol=1e-6)
    assert np.all(space.points[:, 2] == 0)
    lines = space.lines[:S.SPACE_LINES, :, 1]           # rows: x2 constant along each
    assert np.allclose(lines, lines[:, :1])


def test_pca_gives_the_top_two_principal_components():
    exp, info, snap = _built(_doc(), {"W": W, "b": B})
    space = snap.spaces["h"]
    x = space.points.astype(np.float64)
    centred = x - x.mean(axis=0)
    values, vectors = np.linalg.eigh(np.cov(centred, rowvar=False))
    order = np.argsort(values)[::-1]
    top = vectors[:, order[:2]]
    projected = centred @ top
    for j in range(2):      # the same axis up to its sign, which the snapshot fixes
        sign = np.sign(np.dot(projected[:, j], space.pca_points[:, j]))
        np.testing.assert_allclose(space.pca_points[:, j], sign * projected[:, j], atol=1e-4)
        assert np.max(np.abs(top[:, j])) == pytest.approx(
            sign * top[np.argmax(np.abs(top[:, j])), j], abs=1e-6)   # largest loading > 0
    np.testing.assert_allclose(space.explained, values[order[:2]] / values.sum(), atol=1e-5)
    mean = x.mean(axis=0)
    np.testing.assert_allclose(space.pca_lines[0], (space.lines[0] - mean) @
                               (top * np.sign(np.sum(projected * space.pca_points, axis=0))),
                               atol=1e-4)


def test_a_many_class_boundary_carries_every_class_probability():
    exp, info, snap = _built(_doc())
    assert snap.boundary.shape == (S.GRID, S.GRID, 3)
    expected = exp.model.predict(S.plane_features(info)).reshape(S.GRID, S.GRID, 3)
    np.testing.assert_allclose(snap.boundary, expected, atol=1e-6)


def test_the_space_is_only_computed_while_its_view_is_visible_and_not_kept_in_history():
    exp = Experiment.from_preset(_doc())
    info = S.dataset_info(exp.dataset)
    builder = SnapshotBuilder(exp, info)
    assert not builder.build({S.VIEW_BOUNDARY}, 0.0).spaces
    assert not builder.moment().spaces
    points = make_features(info.points_train, info.feature_names)
    assert len(builder.build({S.VIEW_TRANSFORMED}, 0.0).spaces["h"].points) == len(points)


def test_points_drawn_by_hand_move_into_the_space_with_their_labels():
    points = [[-3, -3, 0], [-2.5, -4, 0], [3, 3, 1], [4, 2.5, 1], [-3, 3, 1], [3, -3, 0]]
    doc = load_builtin("xor")
    doc["dataset"] = {"kind": "points", "task": "classification", "points": points}
    exp = Experiment.from_preset(doc)
    builder = SnapshotBuilder(exp, S.dataset_info(exp.dataset))
    before = builder.build({S.VIEW_TRANSFORMED}, 0.0).spaces["h1"]
    more = points + [[x, -x / 2, int(x > 0)] for x in np.linspace(-5, 5, 30).tolist()]
    exp.replace_data({**exp.doc["dataset"], "points": more})
    info = S.dataset_info(exp.dataset)
    builder.data_changed(info)
    after = builder.build({S.VIEW_TRANSFORMED}, 0.0).spaces["h1"]
    assert len(after.points) == len(info.points_train) > len(before.points)
    assert np.array_equal(after.labels, info.y_train)
    expected = exp.model.forward_all(make_features(info.points_train, info.feature_names))["h1"]
    np.testing.assert_allclose(after.points, expected, atol=1e-6)
