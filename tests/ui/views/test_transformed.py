"""The transformed-space view draws the worker's coordinates for the chosen layer and units,
or the layer's principal components, and follows the training."""

import dataclasses

import numpy as np

from nnplayground.experiment import Experiment
from nnplayground.presets import load_builtin
from nnplayground.ui.views.classes import class_colour
from nnplayground.ui.views.transformed import PCA, TransformedView, polyline
from nnplayground.worker import snapshot as S
from nnplayground.worker.builder import SnapshotBuilder
from view_helpers import load, show_apart, small_doc, step

W = np.array([[1.0, 0.5, -0.25], [0.0, -1.0, 0.75]], np.float32)
B = np.array([0.1, 0.0, -0.2], np.float32)


def _snapshot():
    """Three blobs through x -> h (3 tanh units with known weights) -> out (softmax)."""
    doc = load_builtin("blobs5")
    doc["dataset"].update(n_classes=3, n_samples=120)
    nodes = doc["model"]["nodes"]
    nodes[1].update(id="h", params={"units": 3, "activation": "tanh"})
    nodes[2].update(inputs=["h"], params={"units": 3, "activation": "softmax"})
    exp = Experiment.from_preset(doc)
    exp.model.layers["h"].params["W"][...] = W
    exp.model.layers["h"].params["b"][...] = B
    info = S.dataset_info(exp.dataset)
    return info, SnapshotBuilder(exp, info).build({S.VIEW_TRANSFORMED}, 0.0)


def _shown(view):
    return np.stack(view.scatter.getData(), axis=1)


def test_points_are_the_chosen_units_activations_at_the_training_points(qtbot):
    info, snap = _snapshot()
    view = TransformedView()
    qtbot.addWidget(view)
    view.set_dataset(info)
    view.show_snapshot(snap)
    assert [view.layer_box.itemText(i) for i in range(view.layer_box.count())] == ["h", "out"]
    assert view.axes()[0] == "h"           # the last hidden layer first
    view.choose("h", (0, 2))
    expected = np.tanh(info.points_train @ W + B)
    np.testing.assert_allclose(_shown(view), expected[:, [0, 2]], atol=1e-5)
    # the grid lines too: the first one is the plane's bottom edge (x2 at its lowest)
    xs = np.linspace(info.extent[0], info.extent[1], S.GRID, dtype=np.float32)
    bottom = np.tanh(np.stack([xs, np.full(S.GRID, xs[0])], axis=1) @ W + B)
    line_x, line_y = view.lines.getData()
    np.testing.assert_allclose(line_x[:S.GRID], bottom[:, 0], atol=1e-5)
    np.testing.assert_allclose(line_y[:S.GRID], bottom[:, 2], atol=1e-5)
    assert np.isnan(line_x[S.GRID])         # one polyline per grid line
    # each point in its class's colour
    for brush, label in zip(view.scatter.data["brush"], info.y_train):
        assert brush.color().getRgb()[:3] == class_colour(label)


def test_choosing_units_with_the_spin_boxes_and_pca_with_the_combo(qtbot):
    info, snap = _snapshot()
    view = TransformedView()
    qtbot.addWidget(view)
    view.show()
    view.set_dataset(info)
    view.show_snapshot(snap)
    view.unit_x.setValue(3)
    view.unit_y.setValue(2)
    np.testing.assert_allclose(_shown(view), snap.spaces["h"].points[:, [2, 1]])
    view.axes_box.setCurrentText(PCA)
    assert view.axes() == ("h", None) and not view.unit_x.isEnabled()
    np.testing.assert_allclose(_shown(view), snap.spaces["h"].pca_points)
    x = snap.spaces["h"].points.astype(np.float64)
    centred = x - x.mean(axis=0)
    _u, _s, vt = np.linalg.svd(centred, full_matrices=False)
    np.testing.assert_allclose(np.abs(_shown(view)), np.abs(centred @ vt[:2].T), atol=1e-4)
    assert "component 1" in view.plot.getAxis("bottom").labelText
    view.layer_box.setCurrentText("out")
    np.testing.assert_allclose(_shown(view), snap.spaces["out"].pca_points)


def test_polyline_separates_the_lines():
    lines = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    x, y = polyline(lines)
    assert x.shape == (8,) and np.isnan(x[3]) and np.isnan(y[7])
    assert x[:3].tolist() == [0, 2, 4] and y[4:7].tolist() == [7, 9, 11]


def test_the_view_follows_training_through_the_worker(qtbot, window):
    win, controller, docks = window
    hub = win.live_views
    info = load(qtbot, controller, small_doc("spiral3"))
    show_apart(win, docks, ["transformed"])
    qtbot.waitUntil(lambda: "transformed" in hub.visible_views(), timeout=5_000)
    qtbot.waitUntil(lambda: S.VIEW_TRANSFORMED in hub._parts, timeout=5_000)
    view = hub.views["transformed"]
    first = step(qtbot, controller)
    assert view.axes()[0] == "h2"
    before = _shown(view)
    np.testing.assert_allclose(before, first.spaces["h2"].points[:, [0, 1]])
    assert len(before) == min(len(info.y_train), S.MAX_SPACE_POINTS)
    second = step(qtbot, controller)
    after = _shown(view)
    np.testing.assert_allclose(after, second.spaces["h2"].points[:, [0, 1]])
    assert not np.allclose(before, after)
    # choosing PCA redraws at once, without waiting for a snapshot (or training)
    view.axes_box.setCurrentIndex(1)
    np.testing.assert_allclose(_shown(view), second.spaces["h2"].pca_points)


def test_a_replayed_moment_keeps_the_latest_space_and_says_so(qtbot):
    info, snap = _snapshot()
    view = TransformedView()
    qtbot.addWidget(view)
    view.set_dataset(info)
    view.show_snapshot(snap)
    shown = _shown(view)
    view.show_snapshot(dataclasses.replace(snap, spaces={}, replay=True))
    np.testing.assert_allclose(_shown(view), shown)
    assert "does not keep the transformed space" in view.caption.text()
