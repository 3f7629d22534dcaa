"""Every view draws every built-in preset through the real path: the worker trains a step,
the controller emits `snapshot_ready`, the hub routes it to the visible views. The assertions
read what the plot items hold (curves, images, histograms, texts), and that it changes as the
network learns, so a view that drew nothing, or the same thing forever, fails."""

import numpy as np
import pytest

from nnplayground.presets import builtin_presets
from nnplayground.ui.views.classes import class_image
from nnplayground.ui.views.common import mosaic
from nnplayground.ui.views.mnist import FILTERS_CAPTION
from nnplayground.ui.views.plane import smooth_plane
from view_helpers import load, show_apart, small_doc, step, stroke

pytestmark = pytest.mark.window_size(2400, 1600)

# Which views each kind of data shows (the others must be hidden, saying why they are empty).
EXPECTED = {
    "plane": {"metrics", "boundary", "units", "histograms", "confusion", "health", "backprop",
              "transformed"},
    "line": {"metrics", "curve", "histograms", "health", "backprop"},
    "image": {"metrics", "histograms", "filters", "predictions", "confusion", "unit_weights",
              "drawpad", "explain", "mistakes", "health", "layers"},
}



def _capture(hub):
    """What each view's plot items hold now (copies)."""
    v = hub.views

    def image(item):
        return None if item.image is None else np.array(item.image)

    def hist(curve):
        return tuple(np.array(a) for a in curve.getData())
    boundary = v["boundary"]
    return {
        "metrics": np.array(v["metrics"].step_curve.getData()[0]),
        "boundary": image(boundary.class_image if boundary.class_image.isVisible()
                          else boundary.image),
        "transformed": np.array(v["transformed"].scatter.getData()),
        "units": image(v["units"].tiles),
        "curve": np.array(v["curve"].curve.getData()[1]),
        "histograms": hist(v["histograms"].w_hist) + hist(v["histograms"].g_hist),
        "unit_weights": image(v["unit_weights"].image),
        "filters": (image(v["filters"].filter_image), image(v["filters"].maps_image)),
    }


def _changed(a, b):
    if isinstance(a, tuple):
        return any(_changed(x, y) for x, y in zip(a, b))
    return a is not None and b is not None and (a.shape != b.shape or not np.array_equal(a, b))


def _check_contents(hub, s, info, name):
    """Each shown view holds the data of snapshot `s`."""
    v = hub.views
    assert v["metrics"].step_curve.getData()[1][-1] == pytest.approx(s.step_points[-1, 1])
    hist = v["histograms"]
    node, param = hist._keys[hist.combo.currentIndex()]
    assert hist.w_hist.getData()[1].sum() == s.weights[node][param].size   # every weight binned
    assert hist.g_hist.getData()[1].sum() == s.gradients[node][param].size
    if info.kind == "plane":
        if s.boundary.ndim == 3:       # more than two classes: each pixel its class's colour
            assert np.array_equal(v["boundary"].class_image.image,
                                      class_image(smooth_plane(s.boundary)))
        else:
            assert np.array_equal(v["boundary"].image.image, smooth_plane(s.boundary)), name
        layer, units = v["transformed"].axes()
        space = s.spaces[layer]
        shown = np.stack(v["transformed"].scatter.getData(), axis=1)
        assert np.allclose(shown, space.points[:, list(units)] if units else space.pca_points)
        if s.units:
            assert v["units"].tiles.image.shape[0] >= 50 * len(s.units)
        else:
            assert "no small hidden dense layer" in v["units"].caption.text()
    if info.kind == "line":
        assert np.array_equal(v["curve"].curve.getData()[1], s.curve[1])
    if info.task == "classification":
        texts = [int(t.textItem.toPlainText()) for t in v["confusion"].texts]
        assert texts == list(s.confusion.ravel())
        assert sum(texts) == min(len(info.y_test), 2000)
    if info.kind == "image":
        idx, pred, true = s.predictions
        assert v["predictions"].labels == [f"{p} ({t})" for p, t in zip(pred, true)]
        wrong = int(np.sum(pred != true))
        assert (f"{wrong} mistake," if wrong == 1 else f"{wrong} mistakes,") \
            in v["predictions"].caption.text()
        filters = v["filters"]
        if s.filters is not None:
            f = s.filters
            assert np.allclose(filters.filter_image.image,
                               mosaic(f.reshape(-1, *f.shape[2:]),
                                      columns=filters.filter_image.columns))
            first = next(iter(s.feature_maps))
            maps = s.feature_maps[first]
            assert filters.filters_label.text() == FILTERS_CAPTION
            assert filters.maps_label.text().startswith(f"{first}: {maps.shape[0]} maps")
        else:     # a dense network: no filters, and their dock is out of the way
            assert not hub.docks["filters"].isVisible()
            assert all(np.ndim(p.get("W")) != 4 for p in s.weights.values())


@pytest.mark.parametrize("name", [p.name for p in builtin_presets()])
def test_every_view_draws_every_builtin_preset(qtbot, window, name):
    win, controller, docks = window
    hub = win.live_views
    doc = small_doc(name)
    info = load(qtbot, controller, doc)
    expected = set(EXPECTED.get(info.kind, {"metrics", "histograms", "health", "backprop"}))
    if info.task == "regression":
        expected.discard("confusion")
    for view_name, view in hub.views.items():
        assert view.applies_to(info) == (view_name in expected), view_name
    # A dense network on images has no filters to draw: its dock is hidden (and stays out of
    # the View menu) once the load's first snapshot has shown the model has no Conv2D.
    has_conv = any(n["type"] == "Conv2D" for n in doc["model"]["nodes"])
    if info.kind == "image" and not has_conv:
        expected.discard("filters")
        assert not docks["filters"].toggleViewAction().isEnabled()
    for view_name in hub.views:
        assert docks[view_name].isVisibleTo(win) == (view_name in expected), view_name
    show_apart(win, docks, sorted(expected))
    qtbot.waitUntil(lambda: set(hub.visible_views()) == expected, timeout=5_000)
    wanted = set().union(*(hub.views[n].parts for n in expected))
    qtbot.waitUntil(lambda: hub._parts == wanted, timeout=5_000)   # the worker has been told

    first = step(qtbot, controller)
    before = _capture(hub)
    _check_contents(hub, first, info, name)
    second = step(qtbot, controller)
    after = _capture(hub)
    _check_contents(hub, second, info, name)
    assert f"step {second.step}" in hub.status.text()
    assert list(after["metrics"]) == [1, 2]
    # The network learnt a step: every view that draws it shows something new.
    moving = {"histograms"}
    if info.kind == "plane":
        moving |= {"boundary", "transformed"} | ({"units"} if second.units else set())
    if info.kind == "line":
        moving.add("curve")
    if info.kind == "image":
        moving |= {"filters"} if second.filters is not None else {"unit_weights"}
    for view_name in moving:
        assert _changed(before[view_name], after[view_name]), f"{view_name} did not change"

    if "drawpad" in expected:
        pad = hub.views["drawpad"]
        with qtbot.waitSignal(controller.classified, timeout=10_000):
            stroke(pad.canvas, [(140, 50 + 10 * i) for i in range(19)])
        qtbot.waitUntil(lambda: pad.probabilities is not None)
        bars = [bar.value() for bar in pad.bars]
        assert bars == [round(1000 * float(p)) for p in pad.probabilities]
        assert abs(sum(bars) - 1000) <= 10
        assert pad.answer.text().startswith(f"It is a {int(np.argmax(bars))} ")
