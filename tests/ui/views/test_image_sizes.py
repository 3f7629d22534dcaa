"""The MNIST pictures grow with the room they get: the filters view's test digit, kernels and
feature maps, and the test predictions' digits, drawn nearest-neighbour with their aspect kept
(at 1280x720 they were 40 px, 10 px and 29 px thumbnails, and 20 px digits)."""

from types import SimpleNamespace

import numpy as np
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication

from nnplayground.ui.views.common import PixelImage, grid_columns
from nnplayground.ui.views.mnist import FiltersView, PredictionsView
from nnplayground.worker.snapshot import DatasetInfo

RNG = np.random.default_rng(0)


def _info(n=36):
    return DatasetInfo(name="digits", task="classification", kind="image", n_classes=10,
                       feature_names=(), points_train=None, y_train=np.zeros(4, np.int64),
                       points_test=None, y_test=np.zeros(n, np.int64), extent=(0, 1, 0, 1),
                       images_test=RNG.random((n, 1, 28, 28), dtype=np.float32))


def _settle():
    QApplication.sendPostedEvents()
    QApplication.processEvents()


def _shown(qtbot, widget, width, height):
    """`widget` on screen at width x height (pytest-qt cleans it up)."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_grid_columns_follow_the_area_shape():
    assert grid_columns(16, 1, 1, 800, 200) == 8          # wide and short: two rows
    assert grid_columns(16, 1, 1, 400, 400) == 4          # square: a square
    assert grid_columns(16, 1, 1, 100, 800) == 1          # tall and narrow: one column


def test_a_picture_fills_its_widget_nearest_neighbour(qtbot):
    picture = _shown(qtbot, PixelImage(), 300, 200)
    digit = np.zeros((28, 28), np.float32)
    digit[:, :14] = 1.0                                   # left half white
    picture.setImage(digit)
    assert picture.target().size().toTuple() == (200, 200)   # aspect kept, height-bound
    image = picture.grab().toImage()
    x0 = picture.target().left()
    # nearest neighbour: a sharp edge, no grey blend between the halves
    row = [image.pixelColor(x, 100).value() for x in range(x0, x0 + 200)]
    assert set(row) == {0, 255}


def test_the_filters_view_fills_a_1280x720_dock(qtbot):
    """The dock mnist-cnn's filters get at 1280x720 (window mode, measured 513x330)."""
    view = _shown(qtbot, FiltersView(), 513, 330)
    view.set_dataset(_info())
    view.show_snapshot(SimpleNamespace(
        image_index=0, weights={"conv1": {"W": RNG.normal(size=(16, 1, 3, 3))}},
        filters=RNG.normal(size=(16, 1, 3, 3)),
        feature_maps={"conv1": RNG.random((16, 28, 28), dtype=np.float32)}))
    _settle()
    assert view.input_image.target().height() >= 80
    assert view.filter_image.tile_side() >= 15
    assert view.maps_image.tile_side() >= 55
    view.resize(1223, 400)              # wide and short (presenting at 1920x1080): more
    _settle()                           # columns, each map larger
    assert view.maps_image.columns > 4 and view.maps_image.tile_side() >= 100


def test_test_predictions_grow_and_keep_their_labels_apart(qtbot):
    """The right column's lower dock at 1280x720 (435x320): the 36 digits at least 26 px,
    every label within its own cell."""
    view = PredictionsView()
    qtbot.addWidget(view)
    font = view.font()
    font.setPointSizeF(11.0)                # the window's font at 1280x720
    view.setFont(font)
    view.resize(435, 320)
    view.show()
    qtbot.waitExposed(view)
    view.set_dataset(_info())
    pred = np.arange(36) % 10
    true = pred.copy()
    true[5] = 3
    view.show_snapshot(SimpleNamespace(predictions=(np.arange(36), pred, true)))
    _settle()
    grid = view.grid
    columns, side = grid.layout_cells()
    assert side >= 26, (columns, side)
    metrics = QFontMetrics(grid.label_font())
    assert grid.label_font().pointSizeF() >= 11.0
    label = max(metrics.horizontalAdvance(t) for t in view.labels)
    assert columns * label <= grid.width(), (columns, label, grid.width())
    assert view.labels[5] == "5 (3)" and grid.wrong[5] and grid.wrong.sum() == 1
