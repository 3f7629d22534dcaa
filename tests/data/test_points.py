"""The `points` dataset kind: points placed by hand, held inline in the preset."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from nnplayground.data import DatasetError, load_dataset
from nnplayground.data.files import read_csv
from nnplayground.data.points import csv_text, split_mask
from nnplayground.presets import load_builtin, validate_preset

PLANE = [[-3, -3, 0], [-2.5, -4, 0], [3, 3, 1], [4, 2.5, 1], [3, -3, 2], [4.5, -4, 2]]


def spec(points=PLANE, **more):
    return {"kind": "points", "task": "classification", "points": copy.deepcopy(points),
            **more}


def test_points_load_as_a_seeded_split_of_every_point():
    ds = load_dataset(spec(seed=3))
    assert ds.task == "classification" and ds.n_classes == 3 and ds.input_shape == (2,)
    both = np.concatenate([ds.points_train, ds.points_test]).tolist()
    assert sorted(both) == sorted([r[:2] for r in PLANE])
    assert len(ds.y_train) >= 1 and len(ds.y_test) >= 1
    again = load_dataset(spec(seed=3))
    assert np.array_equal(again.x_train, ds.x_train) and np.array_equal(again.y_test, ds.y_test)
    assert ds.input_range == (-6.0, 6.0)


def test_adding_a_point_never_moves_the_others_between_train_and_test():
    for n in range(10, 80):
        assert np.array_equal(split_mask(n + 1, 0.5, seed=7)[:n], split_mask(n, 0.5, seed=7))
    assert abs(split_mask(1000, 0.3, seed=1).mean() - 0.3) < 0.05
    assert split_mask(2, 0.9, seed=0).tolist().count(True) == 1     # one on each side


def test_features_and_1d_regression():
    ds = load_dataset(spec(features=["x1", "x2", "x1*x2"]))
    assert ds.input_shape == (3,) and ds.feature_names == ("x1", "x2", "x1*x2")
    line = load_dataset({"kind": "points", "task": "regression", "inputs": 1,
                         "points": [[-0.5, 0.1], [0.2, 0.3], [0.9, -0.4]]})
    assert line.task == "regression" and line.input_shape == (1,)
    assert line.y_train.shape[1] == 1 and line.input_range == (-1.0, 1.0)


def test_points_outside_the_plane_widen_it():
    ds = load_dataset(spec([[-10, 0, 0], [12, 1, 1]]))
    low, high = ds.input_range
    assert low < -10 and high > 12


@pytest.mark.parametrize("points, path, words", [
    ([[0, 0, 0]], "dataset.points", "at least 2"),
    ([[0, 0, 0], [1, 1]], "dataset.points[1]", "3 numbers"),
    ([[0, 0, 0], [1, 1, 0.5]], "dataset.points[1]", "whole number"),
    ([[0, 0, 0], [1, 1, 6]], "dataset.points[1]", "from 0 to 5"),
])
def test_bad_points_are_refused_naming_the_row(points, path, words):
    with pytest.raises(DatasetError) as err:
        load_dataset(spec(points))
    assert str(err.value).startswith(path) and words in str(err.value)
    doc = load_builtin("xor")
    doc["dataset"] = spec(points)
    problems = validate_preset(doc)
    assert any(p.path == path and words in p.message for p in problems), problems


def test_the_preset_format_checks_the_points_kind():
    doc = load_builtin("xor")
    doc["dataset"] = spec([[0, 0, 0], [1, 1, 1]])
    assert validate_preset(doc) == []
    for key, value, path in [("task", "clustering", "dataset.task"),
                             ("inputs", 3, "dataset.inputs"),
                             ("noise", 5, "dataset.noise"),
                             ("points", [[0, "a", 1], [1, 1, 1]], "dataset.points[0][1]")]:
        bad = copy.deepcopy(doc)
        bad["dataset"][key] = value
        assert any(p.path == path for p in validate_preset(bad)), (key, validate_preset(bad))
    del doc["dataset"]["points"]
    assert any(p.path == "dataset.points" and "required" in p.message
               for p in validate_preset(doc))


def test_the_network_must_be_able_to_give_every_class():
    doc = load_builtin("xor")          # one sigmoid output: two classes
    doc["dataset"] = spec()
    problems = validate_preset(doc)
    assert any(p.path == "loss" and "3 classes" in p.message for p in problems)
    doc["dataset"]["task"] = "regression"
    assert any(p.path == "loss" and "mse" in p.message for p in validate_preset(doc))


def test_a_preset_can_hold_every_point_the_kind_allows():
    from nnplayground.data.points import MAX_POINTS
    from nnplayground.presets.io import MAX_ITEMS, MAX_VALUES
    assert MAX_POINTS <= MAX_ITEMS and 4 * MAX_POINTS < MAX_VALUES / 2
    with pytest.raises(DatasetError, match="at most 1000"):
        load_dataset(spec([[0, 0, 0]] * (MAX_POINTS + 1)))


def test_csv_text_reads_back_through_the_csv_loader(tmp_path):
    points = np.array([[-3.25, 1.5], [0.1, 0.2], [5.9, -5.9]], np.float32)
    path = tmp_path / "p.csv"
    path.write_text(csv_text(points, np.array([0, 2, 1]), "classification"))
    x, y, names, task = read_csv(path)
    assert names == ["x1", "x2"] and task == "classification"
    assert np.array_equal(x.astype(np.float32), points) and y.tolist() == [0, 2, 1]
    path.write_text(csv_text(points[:, :1], np.array([[0.5], [-1.0], [0.25]]), "regression"))
    x, y, names, task = read_csv(path)
    assert names == ["x1"] and task == "regression" and y.tolist() == [0.5, -1.0, 0.25]
