"""Toy generators, logic gates and derived features: shapes, labels, noise, seeds, splits."""

import numpy as np
import pytest

from nnplayground.data import DatasetError, input_range, load_dataset, make_features

CLASSIFICATION = ["circle", "xor", "gauss", "spiral"]
REGRESSION_2D = ["reg-plane", "reg-gauss"]
REGRESSION_1D = ["sine", "abs", "poly", "step"]


def all_points(ds):
    return np.concatenate([ds.points_train, ds.points_test])


def all_targets(ds):
    return np.concatenate([ds.y_train, ds.y_test])


@pytest.mark.parametrize("kind", CLASSIFICATION)
def test_classification_shapes_labels_and_dtypes(kind):
    ds = load_dataset({"kind": kind, "n_samples": 400})
    assert ds.task == "classification" and ds.n_classes == 2
    assert ds.x_train.shape == (200, 2) and ds.x_test.shape == (200, 2)
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert set(np.unique(all_targets(ds))) == {0, 1}
    assert ds.input_shape == (2,) and ds.feature_names == ("x1", "x2")
    assert ds.input_range == (-6.0, 6.0)
    assert np.abs(all_points(ds)).max() <= 6.0
    np.testing.assert_array_equal(ds.x_train, ds.points_train)


@pytest.mark.parametrize("kind", ["circle", "gauss", "spiral"])
def test_noise_free_classes_are_exactly_balanced(kind):
    ds = load_dataset({"kind": kind, "n_samples": 500})
    assert all_targets(ds).sum() == 250


def test_xor_labels_follow_the_quadrants_without_noise():
    ds = load_dataset({"kind": "xor", "n_samples": 1000})
    p, y = all_points(ds), all_targets(ds)
    np.testing.assert_array_equal(y, (p[:, 0] * p[:, 1] >= 0).astype(int))
    assert np.abs(p).min() >= 0.3  # the Playground's gap along the axes
    assert 0.4 < y.mean() < 0.6


def test_circle_noise_blurs_the_boundary():
    def mislabelled(noise):
        ds = load_dataset({"kind": "circle", "n_samples": 1000, "noise": noise})
        inside = np.hypot(*all_points(ds).T) < 2.5
        return np.mean(inside != all_targets(ds).astype(bool))
    assert mislabelled(0) == 0
    assert 0.02 < mislabelled(25) < mislabelled(50)


def test_gauss_noise_widens_the_clusters():
    def spread(noise):
        ds = load_dataset({"kind": "gauss", "n_samples": 2000, "noise": noise})
        p, y = all_points(ds), all_targets(ds)
        return p[y == 1].std()
    assert spread(0) == pytest.approx(np.sqrt(0.5), rel=0.1)
    assert spread(50) == pytest.approx(2.0, rel=0.1)


def test_spiral_points_lie_on_the_arms_only_without_noise():
    def off_curve(noise):
        ds = load_dataset({"kind": "spiral", "n_samples": 200, "noise": noise, "seed": 3})
        radius = np.hypot(*all_points(ds).T)
        return radius.max()
    assert off_curve(0) <= 5.0
    assert off_curve(50) > 5.0


@pytest.mark.parametrize("kind", CLASSIFICATION + REGRESSION_2D + REGRESSION_1D)
def test_same_seed_same_data_other_seed_other_data(kind):
    spec = {"kind": kind, "n_samples": 100, "noise": 10, "seed": 7}
    a, b = load_dataset(spec), load_dataset(spec)
    c = load_dataset({**spec, "seed": 8})
    for name in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.x_train, c.x_train)


@pytest.mark.parametrize("fraction, n_train", [(0.1, 50), (0.5, 250), (0.9, 450)])
def test_train_fraction_sets_the_split(fraction, n_train):
    ds = load_dataset({"kind": "spiral", "train_fraction": fraction})
    assert len(ds.x_train) == n_train and len(ds.x_test) == 500 - n_train
    # the split is shuffled, so both classes are on both sides
    assert set(ds.y_train) == {0, 1} and set(ds.y_test) == {0, 1}


@pytest.mark.parametrize("spec, words", [
    ({"kind": "circle", "train_fraction": 0.95}, ["dataset.train_fraction", "0.1", "0.9"]),
    ({"kind": "circle", "noise": 70}, ["dataset.noise", "0 to 50", "70"]),
    ({"kind": "circle", "n_samples": True}, ["dataset.n_samples", "integer"]),
    ({"kind": "circle", "seed": -1}, ["dataset.seed"]),
    ({"kind": "circle", "nosie": 5}, ["dataset.nosie", "not a parameter", "noise"]),
    ({"kind": "circles"}, ["dataset.kind", "circles", "circle"]),
    ({"kind": "sine", "features": ["x2"]}, ["dataset.features", "x2", "1-D"]),
    ({"kind": "xor", "features": ["x1", "cos(x1)"]}, ["dataset.features", "cos(x1)"]),
    ({"kind": "xor", "features": []}, ["dataset.features"]),
])
def test_bad_parameters_name_the_key_and_the_fix(spec, words):
    with pytest.raises(DatasetError) as info:
        load_dataset(spec)
    for word in words:
        assert word in str(info.value)


def test_reg_plane_targets_are_the_scaled_sum():
    ds = load_dataset({"kind": "reg-plane", "n_samples": 300})
    p, y = all_points(ds), all_targets(ds)
    assert ds.task == "regression" and ds.n_classes is None
    assert y.shape == (300, 1) and y.dtype == np.float32
    np.testing.assert_allclose(y[:, 0], (p[:, 0] + p[:, 1]) / 10, atol=1e-6)
    noisy = load_dataset({"kind": "reg-plane", "n_samples": 300, "noise": 30})
    assert not np.allclose(all_targets(noisy)[:, 0], all_points(noisy).sum(axis=1) / 10)


def test_reg_gauss_has_bumps_of_both_signs_within_minus_one_one():
    ds = load_dataset({"kind": "reg-gauss", "n_samples": 2000})
    y = all_targets(ds)[:, 0]
    assert y.min() < -0.8 and y.max() > 0.8 and np.abs(y).max() <= 1.0
    p = all_points(ds)
    near_negative_bump = np.hypot(p[:, 0] - 0, p[:, 1] - 2.5) < 0.5
    assert np.all(y[near_negative_bump] < -0.7)


@pytest.mark.parametrize("kind, curve", [
    ("sine", lambda x: np.sin(np.pi * x)), ("abs", np.abs),
    ("poly", lambda x: 4 * x**3 - 3 * x), ("step", lambda x: np.where(x >= 0, 1.0, -1.0)),
])
def test_1d_regression_follows_its_curve_and_noise_adds_spread(kind, curve):
    ds = load_dataset({"kind": kind, "n_samples": 2000})
    x, y = all_points(ds)[:, 0], all_targets(ds)[:, 0]
    assert ds.input_shape == (1,) and ds.feature_names == ("x1",) and ds.input_range == (-1, 1)
    assert np.abs(x).max() <= 1.0
    np.testing.assert_allclose(y, curve(x), atol=1e-5)
    noisy = load_dataset({"kind": kind, "n_samples": 2000, "noise": 20})
    residual = all_targets(noisy)[:, 0] - curve(all_points(noisy)[:, 0])
    assert residual.std() == pytest.approx(0.2, rel=0.1)


@pytest.mark.parametrize("kind, labels", [
    ("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]), ("nand", [1, 1, 1, 0]), ("xor-gate", [0, 1, 1, 0]),
])
def test_logic_gates_are_the_four_corners_and_train_is_test(kind, labels):
    ds = load_dataset({"kind": kind})
    np.testing.assert_array_equal(ds.x_train, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(ds.y_train, labels)
    np.testing.assert_array_equal(ds.x_test, ds.x_train)
    np.testing.assert_array_equal(ds.y_test, ds.y_train)
    assert "training and the test set" in ds.note


def test_derived_features_are_computed_from_the_raw_points():
    names = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
    ds = load_dataset({"kind": "circle", "features": names, "n_samples": 50})
    p = ds.points_train.astype(np.float64)
    expected = np.stack([p[:, 0], p[:, 1], p[:, 0] ** 2, p[:, 1] ** 2, p[:, 0] * p[:, 1],
                         np.sin(p[:, 0]), np.sin(p[:, 1])], axis=1)
    np.testing.assert_allclose(ds.x_train, expected, rtol=1e-5, atol=1e-5)
    assert ds.input_shape == (7,) and ds.feature_names == tuple(names)


def test_make_features_maps_a_grid_for_the_gui():
    gx, gy = np.meshgrid(np.linspace(-6, 6, 5), np.linspace(-6, 6, 4))
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    out = make_features(grid, ["x1*x2", "sin(x2)"])
    assert out.shape == (20, 2) and out.dtype == np.float32
    np.testing.assert_allclose(out[:, 0], grid[:, 0] * grid[:, 1], rtol=1e-6)
    np.testing.assert_allclose(out[:, 1], np.sin(grid[:, 1]), rtol=1e-6, atol=1e-7)
    assert make_features(np.zeros((3, 1)), ["x1", "x1^2"]).shape == (3, 2)
    with pytest.raises(DatasetError, match="shape"):
        make_features(np.zeros((3, 3)), ["x1"])


def test_input_ranges_are_documented_per_kind():
    assert input_range("spiral") == (-6.0, 6.0)
    assert input_range("sine") == (-1.0, 1.0)
    assert input_range("xor-gate")[0] < 0 < 1 < input_range("xor-gate")[1]


# --- several classes ------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["blobs", "spirals"])
@pytest.mark.parametrize("classes", [2, 3, 5, 6])
def test_multiclass_generators_make_every_class_evenly_and_reproducibly(kind, classes):
    spec = {"kind": kind, "n_classes": classes, "n_samples": 601, "seed": 4}
    ds = load_dataset(spec)
    assert ds.task == "classification" and ds.n_classes == classes
    labels = np.concatenate([ds.y_train, ds.y_test])
    counts = np.bincount(labels, minlength=classes)
    assert len(counts) == classes and counts.max() - counts.min() <= 1
    again = load_dataset(spec)
    assert np.array_equal(ds.x_train, again.x_train) and np.array_equal(ds.y_test, again.y_test)
    assert ds.input_range == input_range(kind) == (-6.0, 6.0)


def test_blobs_sit_on_a_ring_one_centre_per_class():
    ds = load_dataset({"kind": "blobs", "n_classes": 5, "n_samples": 2000})
    points, labels = ds.points_train, ds.y_train
    for k in range(5):
        centre = points[labels == k].mean(axis=0)
        angle = 2 * np.pi * k / 5 + np.pi / 2
        np.testing.assert_allclose(centre, 4 * np.array([np.cos(angle), np.sin(angle)]),
                                   atol=0.15)


def test_spiral_arms_are_turned_a_third_of_a_circle_apart():
    ds = load_dataset({"kind": "spirals", "n_classes": 3, "n_samples": 300})
    points = np.concatenate([ds.points_train, ds.points_test])
    labels = np.concatenate([ds.y_train, ds.y_test])
    c, s = np.cos(2 * np.pi / 3), np.sin(2 * np.pi / 3)
    turn = np.array([[c, -s], [s, c]])
    arm0 = points[labels == 0]
    arm1 = points[labels == 1]
    # arm k is arm 0 at angle t + 120k degrees (x1, x2 = r sin t, r cos t)
    order = np.argsort(np.hypot(*arm0.T)), np.argsort(np.hypot(*arm1.T))
    np.testing.assert_allclose(arm0[order[0]] @ turn, arm1[order[1]], atol=1e-4)


@pytest.mark.parametrize("value, words", [(7, "from 2 to 6"), (1, "from 2 to 6"),
                                          (3.0, "an integer")])
def test_a_bad_class_count_names_the_key_and_the_range(value, words):
    with pytest.raises(DatasetError, match="dataset.n_classes") as err:
        load_dataset({"kind": "blobs", "n_classes": value})
    assert words in str(err.value)
    with pytest.raises(DatasetError, match="not a parameter"):
        load_dataset({"kind": "spiral", "n_classes": 3})
