"""The input plane the boundary and hidden-unit views draw: one computation (snapshot.py)."""

import numpy as np

from nnplayground.experiment import Experiment
from nnplayground.presets import load_builtin
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
