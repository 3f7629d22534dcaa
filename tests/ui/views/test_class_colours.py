"""One class-colour table for the points, the boundary, the confusion matrix and the legend;
many classes colour each boundary pixel by the class the model predicts there."""

import colorsys

import numpy as np
import pytest

from nnplayground.data import make_features
from nnplayground.experiment import Experiment
from nnplayground.presets import load_builtin
from nnplayground.ui.document import fit_output_to_classes
from nnplayground.ui.views.classes import FULL, PALE, class_colour, class_image
from nnplayground.ui.views.common import CLASS_COLOURS, DIVERGING
from nnplayground.ui.views.mnist import ConfusionView
from nnplayground.ui.views.plane import SMOOTH, BoundaryView, smooth_plane
from nnplayground.worker import snapshot as S
from nnplayground.worker.builder import SnapshotBuilder


def _hue(rgb):
    r, g, b = (np.asarray(rgb, np.float64) / 255.0).T
    return np.vectorize(lambda *c: colorsys.rgb_to_hsv(*c)[0])(r, g, b)


def _hue_distance(a, b):
    d = np.abs(a - b) % 1.0
    return np.minimum(d, 1.0 - d)


def _trained(name, steps, **dataset):
    doc = load_builtin(name)
    doc["dataset"].update(dataset)
    fit_output_to_classes(doc)        # what the Data panel's class count does
    exp = Experiment.from_preset(doc)
    for _ in range(steps):
        exp.trainer.step()
    info = S.dataset_info(exp.dataset)
    builder = SnapshotBuilder(exp, info)
    builder.update_confusion()
    return exp, info, builder.build(S.ALL_VIEWS, 0.0)


@pytest.mark.parametrize("name, classes, steps", [("spiral3", 3, 300), ("blobs5", 5, 200),
                                                  ("blobs5", 6, 0)])
def test_every_boundary_pixel_has_the_hue_of_the_class_predicted_there(qtbot, name, classes,
                                                                        steps):
    exp, info, snap = _trained(name, steps, n_classes=classes)
    view = BoundaryView()
    qtbot.addWidget(view)
    view.set_dataset(info)
    view.show_snapshot(snap)
    shown = view.class_image.image
    assert view.class_image.isVisible() and not view.image.isVisible()
    m = S.GRID * SMOOTH
    assert shown.shape == (m, m, 3) and shown.dtype == np.uint8
    # each pixel's class: the larger of the probabilities interpolated there
    predicted = smooth_plane(snap.boundary).argmax(axis=-1)
    hues = _hue(shown.reshape(-1, 3)).reshape(m, m)
    class_hues = _hue([class_colour(k) for k in range(classes)])
    distance = _hue_distance(hues[..., None], class_hues[None, None, :])
    # the nearest class hue is the predicted class's, for every pixel
    assert np.array_equal(distance.argmin(axis=-1), predicted)
    assert np.all(distance[np.arange(m)[:, None], np.arange(m), predicted] < 0.02)
    # and it is what the model itself predicts at the pixel's centre, but for pixels on a
    # boundary that the interpolation moves by less than a grid cell
    lo, hi = info.extent[:2], info.extent[2:]
    centres = [np.linspace(a, b, m, endpoint=False) + (b - a) / (2 * m) for a, b in (lo, hi)]
    g1, g2 = np.meshgrid(*centres)
    points = np.stack([g1.ravel(), g2.ravel()], axis=1).astype(np.float32)
    model_says = exp.model.predict(make_features(points, info.feature_names)).argmax(axis=1)
    assert np.mean(model_says.reshape(m, m) == predicted) > 0.97
    assert len(np.unique(predicted)) > 1 or steps == 0
    # shaded by confidence: from PALE of the colour (unsure) to FULL (sure), surer = stronger
    colours = np.array(CLASS_COLOURS[:classes], np.float64)[predicted]
    strength = ((255.0 - shown) / np.maximum(255.0 - colours, 1e-9)).mean(axis=-1)
    assert strength.max() <= FULL + 1e-2 and strength.min() >= PALE - 1e-2
    top = smooth_plane(snap.boundary).max(axis=-1)
    sure, unsure = top > np.quantile(top, 0.9), top < np.quantile(top, 0.1)
    assert strength[sure].mean() > strength[unsure].mean() or steps == 0
    # the legend names each class in its colour, and the points use the same colours
    for k in range(classes):
        r, g, b = class_colour(k)
        assert f"rgb({r},{g},{b})" in view.legend.text() and f"class {k}" in view.legend.text()
    brushes = view.scatter.data["brush"]
    for brush, label in zip(brushes, info.y_train):
        assert brush.color().getRgb()[:3] == class_colour(label)


def test_shading_runs_from_pale_when_unsure_to_full_when_sure():
    def mixed(k, share):
        return [round(255 - share * (255 - c)) for c in class_colour(k)]
    p = np.array([[[0.4, 0.35, 0.25], [0.1, 0.1, 0.8]]], np.float32)
    assert class_image(p, discrete=True).tolist() == [[mixed(0, FULL), mixed(2, FULL)]]
    assert class_image(np.full((1, 1, 3), 1 / 3, np.float32))[0, 0].tolist() == mixed(0, PALE)
    assert class_image(np.eye(3, dtype=np.float32)[None, 1:2])[0, 0].tolist() == mixed(1, FULL)


def test_two_classes_keep_the_playgrounds_orange_grey_blue(qtbot):
    exp, info, snap = _trained("spiral", 5)
    view = BoundaryView()
    qtbot.addWidget(view)
    view.set_dataset(info)
    view.show_snapshot(snap)
    assert view.image.isVisible() and not view.class_image.isVisible()
    assert np.array_equal(view.image.image, smooth_plane(snap.boundary))
    assert np.array_equal(view.image.lut, DIVERGING.getLookupTable(nPts=256))
    assert "class 0" in view.legend.text() and "class 1" in view.legend.text()


def test_confusion_matrix_marks_its_rows_and_columns_with_the_class_colours(qtbot):
    exp, info, snap = _trained("blobs5", 50)
    view = ConfusionView()
    qtbot.addWidget(view)
    view.set_dataset(info)
    view.show_snapshot(snap)
    top, left = view.bands
    colours = [list(class_colour(k)) for k in range(5)]
    assert top.image[0].tolist() == colours and left.image[:, 0].tolist() == colours
    assert [int(t.textItem.toPlainText()) for t in view.texts] == list(snap.confusion.ravel())
