"""The boundary view draws a big imported plane's points as a sample, and says so."""

from types import SimpleNamespace

import numpy as np

from nnplayground.ui.views.classes import class_colour
from nnplayground.ui.views.plane import MAX_POINTS, BoundaryView


def test_a_big_imported_plane_draws_a_sample_of_its_points_and_says_so(qtbot):
    """100,000 points of a file: 2,000 drawn, spread through the file, in their class
    colours, and a line under the plot says how many."""
    rng = np.random.default_rng(1)
    n = 100_000
    points = rng.normal(size=(n, 2)).astype(np.float32)
    labels = (points[:, 0] > 0).astype(np.int64)
    info = SimpleNamespace(kind="plane", task="classification", n_classes=2,
                           extent=(-4.0, 4.0, -4.0, 4.0), points_train=points, y_train=labels,
                           points_test=points[:10], y_test=labels[:10])
    view = BoundaryView()
    qtbot.addWidget(view)
    view.set_dataset(info)
    x, y = view.scatter.getData()
    assert len(x) == MAX_POINTS
    shown = np.stack([x, y], axis=1)
    rows = np.linspace(0, n - 1, MAX_POINTS).astype(np.intp)
    np.testing.assert_array_equal(shown, points[rows])
    brushes = view.scatter.data["brush"]
    assert all(b.color().getRgb()[:3] == class_colour(k) for b, k in zip(brushes, labels[rows]))
    assert view.thinned.text() == "2,000 of 100,000 training points shown"
    assert not view.thinned.isHidden()
    view.test_radio.setChecked(True)               # the test split is small: all of it
    assert len(view.scatter.getData()[0]) == 10 and view.thinned.isHidden()
