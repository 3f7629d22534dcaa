"""The input plane the boundary and hidden-unit views draw: one computation (snapshot.py)."""

import numpy as np

from nnplayground.data import make_features
from nnplayground.experiment import Experiment
from nnplayground.presets import load_builtin
from nnplayground.worker import snapshot as S
from nnplayground.worker.builder import SnapshotBuilder
from nnplayground.worker.snapshot import dataset_info, plane_features


def test_the_plane_is_mapped_through_the_datasets_features_row_by_row():
    doc = load_builtin("xor")
    doc["dataset"]["features"] = ["x1", "x2", "x1*x2", "sin(x1)"]
    doc["model"]["nodes"][0]["params"]["shape"] = [4]
    exp = Experiment.from_preset(doc)
    info = dataset_info(exp.dataset)
    assert info.kind == "plane" and info.extent == (-6.0, 6.0, -6.0, 6.0)
    feats = plane_features(info, 5)
    xs = np.linspace(-6, 6, 5)
    assert feats.shape == (25, 4)
    # row-major: the second point moves along x1, the sixth starts the next row in x2
    np.testing.assert_allclose(feats[1], [xs[1], xs[0], xs[1] * xs[0], np.sin(xs[1])],
                               rtol=1e-6)
    np.testing.assert_allclose(feats[5, :2], [xs[0], xs[1]])
    assert exp.model.predict(feats).reshape(5, 5, -1).shape == (5, 5, 1)


def test_one_dimensional_data_is_a_line_and_images_have_no_plane():
    assert dataset_info(Experiment.from_preset(load_builtin("regression-sine")).dataset).kind \
        == "line"
    doc = load_builtin("mnist-mlp")
    doc["dataset"].update(source="sample", train_limit=64, test_limit=32)
    assert dataset_info(Experiment.from_preset(doc).dataset).kind == "image"


def test_a_file_whose_columns_are_named_x1_to_x10_is_no_plane(tmp_path):
    """Its header names x1 and x2, but x3..x10 are no feature of the plane: the plane views
    would map the grid through features it cannot make ("'x3': unknown feature", which
    refused the whole experiment when such a file was opened in the xor preset)."""
    from nnplayground.data import load_file
    rng = np.random.default_rng(0)
    path = tmp_path / "wide.csv"
    rows = [",".join(f"{v:.3f}" for v in rng.normal(size=10)) + f",{i % 3}" for i in range(40)]
    path.write_text(",".join(f"x{i}" for i in range(1, 11)) + ",label\n" + "\n".join(rows))
    info = dataset_info(load_file(path))
    assert info.kind == "other" and info.points_train is None
    assert info.feature_names == tuple(f"x{i}" for i in range(1, 11))


def test_with_more_classes_the_boundary_is_every_classs_probability_over_the_plane():
    """The diagram draws each softmax output unit's map from this (`neuron_maps.class_maps`):
    p(class k | x) at every grid point, a copy that the next step leaves as it was."""
    exp = Experiment.from_preset(load_builtin("spiral3"))
    for _ in range(20):
        exp.trainer.step()
    info = dataset_info(exp.dataset)
    # the diagram alone asks for the units part; the boundary comes with it
    snap = SnapshotBuilder(exp, info).build(frozenset({S.VIEW_UNITS}), 0.0)
    p = snap.boundary
    assert p.shape == (S.GRID, S.GRID, 3) and p.dtype == np.float32
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, atol=1e-5)
    grid = plane_features(info)
    predicted = exp.model.predict(grid)
    np.testing.assert_allclose(p, predicted.reshape(S.GRID, S.GRID, 3), atol=1e-5)
    # row = x2, column = x1: the bottom-right pixel is the plane's (x1 max, x2 min) corner
    corner = make_features(np.array([[info.extent[1], info.extent[2]]], np.float32),
                           info.feature_names)
    np.testing.assert_allclose(p[0, -1], exp.model.predict(corner)[0], atol=1e-5)
    assert len(np.unique(p.argmax(axis=-1))) == 3       # every class claims a region
    before = p.copy()
    exp.trainer.step()
    np.testing.assert_array_equal(snap.boundary, before)
