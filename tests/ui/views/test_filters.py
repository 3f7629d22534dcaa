"""The filters view says "no convolutional layer" only when the model has none; a snapshot
without filters (the worker skipped them that frame) keeps the last ones on screen."""

import numpy as np

from nnplayground.ui.views.mnist import FILTERS_CAPTION, NO_CONV_CAPTION, FiltersView
from nnplayground.worker.snapshot import DatasetInfo, Snapshot
from view_helpers import load, show_apart, small_doc, step

RNG = np.random.default_rng(0)


def _info():
    return DatasetInfo(name="digits", task="classification", kind="image", n_classes=10,
                       feature_names=(), points_train=None, y_train=np.zeros(4, np.int64),
                       points_test=None, y_test=np.zeros(4, np.int64), extent=(0, 1, 0, 1),
                       images_test=RNG.random((4, 1, 28, 28), dtype=np.float32))


def _snapshot(step, weights, filters=None, maps=None):
    return Snapshot(step=step, epoch=0, steps_per_second=0.0, step_points=np.zeros((0, 2)),
                    epoch_records=(), last_epoch=None, task="classification", lr=0.01,
                    weights=weights, filters=filters, feature_maps=maps or {})


CONV = {"conv1": {"W": RNG.normal(size=(8, 1, 3, 3)), "b": np.zeros(8)},
        "out": {"W": RNG.normal(size=(8 * 14 * 14, 10)), "b": np.zeros(10)}}
DENSE = {"h1": {"W": RNG.normal(size=(784, 16)), "b": np.zeros(16)}}


def test_a_frame_without_filters_keeps_the_last_ones(qtbot):
    view = FiltersView()
    qtbot.addWidget(view)
    view.set_dataset(_info())
    maps = {"conv1": RNG.random((8, 28, 28), dtype=np.float32)}
    view.show_snapshot(_snapshot(1, CONV, CONV["conv1"]["W"], maps))
    kernels, drawn_maps = view.filter_image.image.copy(), view.maps_image.image.copy()
    assert view.filters_label.text() == FILTERS_CAPTION
    assert view.maps_label.text() == "conv1: 8 maps of 28x28"
    view.show_snapshot(_snapshot(2, CONV))          # the worker skipped the heavy parts
    assert view.filters_label.text() == FILTERS_CAPTION
    assert view.maps_label.text() == "conv1: 8 maps of 28x28"
    assert np.array_equal(view.filter_image.image, kernels)
    assert np.array_equal(view.maps_image.image, drawn_maps)


def test_no_convolutional_layer_only_for_a_model_without_one(qtbot):
    view = FiltersView()
    qtbot.addWidget(view)
    view.set_dataset(_info())
    view.show_snapshot(_snapshot(1, CONV))           # a conv model whose filters are not in yet
    assert view.filters_label.text() == FILTERS_CAPTION
    view.set_dataset(_info())                        # another model loaded: a dense one
    view.show_snapshot(_snapshot(1, DENSE))
    assert view.filters_label.text() == NO_CONV_CAPTION
    assert "no convolutional layer" in view.maps_label.text()
    assert view.filter_image.image is None and view.maps_image.image is None
    assert view.layer_box.count() == 0
    view.set_dataset(_info())                        # and a conv model again
    view.show_snapshot(_snapshot(1, CONV, CONV["conv1"]["W"],
                                 {"conv1": RNG.random((8, 28, 28), dtype=np.float32)}))
    assert view.filters_label.text() == FILTERS_CAPTION
    assert view.maps_label.text() == "conv1: 8 maps of 28x28"



def test_mnist_cnn_frame_without_filters_never_says_no_conv(qtbot, window):
    """Right after a load the worker builds snapshots before it hears that the filters view
    is shown, so they carry no filters: the view used to say "no convolutional layer" (beside
    "conv1: 8 maps of 28x28") and kept saying it."""
    win, controller, docks = window
    hub = win.live_views
    filters = hub.views["filters"]
    load(qtbot, controller, small_doc("mnist-cnn"))
    show_apart(win, docks, ["filters"])
    qtbot.waitUntil(lambda: filters.maps_image.image is not None, timeout=10_000)
    kernels = filters.filter_image.image.copy()
    captions = []
    controller.snapshot_ready.connect(lambda s: captions.append(filters.filters_label.text()))
    controller.set_visible_views(set())    # as if the worker had not heard of the view yet
    bare = step(qtbot, controller)
    assert bare.filters is None and "filters" in hub.visible_views()   # routed to the view
    assert captions == [FILTERS_CAPTION]
    assert filters.maps_label.text() == "conv1: 16 maps of 28x28"
    assert np.array_equal(filters.filter_image.image, kernels)      # the last ones kept
    with qtbot.waitSignal(controller.snapshot_ready, timeout=10_000) as blocker:
        controller.set_visible_views(hub._parts)                    # the worker hears of it
    assert blocker.args[0].filters is not None
    assert not np.array_equal(filters.filter_image.image, kernels)  # one step later
    assert set(captions) == {FILTERS_CAPTION}


def test_filters_dock_hides_for_a_dense_network_and_returns_with_a_conv_layer(qtbot, window):
    """mnist-mlp has no Conv2D: its filters dock would only say so, cut off (lessons 8, 10,
    14). It is hidden, its View menu entry disabled; loading a network with a Conv2D on the
    same data brings it back."""
    win, controller, docks = window
    load(qtbot, controller, small_doc("mnist-cnn"))
    qtbot.waitUntil(lambda: docks["filters"].isVisibleTo(win), timeout=5_000)
    load(qtbot, controller, small_doc("mnist-mlp"))
    qtbot.waitUntil(lambda: not docks["filters"].isVisibleTo(win), timeout=5_000)
    assert not docks["filters"].toggleViewAction().isEnabled()
    docks["filters"].show()                  # e.g. the window showing a preset's views
    step(qtbot, controller)
    assert not docks["filters"].isVisibleTo(win)
    load(qtbot, controller, small_doc("mnist-cnn"))
    qtbot.waitUntil(lambda: docks["filters"].isVisibleTo(win), timeout=5_000)
    assert docks["filters"].toggleViewAction().isEnabled()


def test_confusion_title_says_when_the_matrix_was_computed(qtbot):
    """A matrix refreshed on pause 56 steps into the first epoch is not "before training"."""
    from types import SimpleNamespace

    from nnplayground.ui.views.mnist import ConfusionView
    view = ConfusionView()
    qtbot.addWidget(view)
    c = np.eye(3, dtype=np.int64)

    def title(epoch, step, from_file=False):
        view.on_snapshot(SimpleNamespace(confusion=c, confusion_epoch=epoch,
                                         confusion_step=step, weights_from_file=from_file))
        return view.caption.text()
    assert title(0, 0) == "Test set, before training"
    assert title(0, 56) == "Test set, after step 56"
    assert title(2, 1200) == "Test set, after epoch 2"
    assert title(0, 0, from_file=True) == "Test set, the opened model's weights"
    assert title(1, 25, from_file=True) == "Test set, after epoch 1"
