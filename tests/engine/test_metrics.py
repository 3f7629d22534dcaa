"""Metrics on hand-made cases."""

import numpy as np
import pytest

from nnplayground.engine.metrics import (accuracy, confusion_matrix, predicted_classes,
                                         r2_score, rmse)


def test_one_output_unit_thresholds_at_one_half():
    out = np.array([[0.1], [0.5], [0.49], [0.9]], np.float32)
    assert predicted_classes(out).tolist() == [0, 1, 0, 1]
    assert accuracy(np.array([0, 1, 1, 1]), out) == 0.75


def test_several_units_take_the_argmax():
    out = np.array([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]])
    assert predicted_classes(out).tolist() == [1, 0, 2, 1]
    assert accuracy([1, 0, 1, 2], out) == 0.5


def test_labels_pass_through_and_empty_is_nan():
    assert accuracy([0, 1, 2], np.array([0, 1, 1])) == pytest.approx(2 / 3)
    assert np.isnan(accuracy(np.zeros(0, np.int64), np.zeros((0, 3))))


def test_confusion_matrix_rows_are_true_classes():
    y = np.array([0, 0, 1, 2, 2, 2])
    pred = np.array([0, 1, 1, 2, 0, 2])
    cm = confusion_matrix(y, pred, n_classes=4)
    expected = np.zeros((4, 4), np.int64)
    expected[[0, 0, 1, 2, 2], [0, 1, 1, 2, 0]] = [1, 1, 1, 2, 1]     # (true, predicted) counts
    np.testing.assert_array_equal(cm, expected)
    assert cm.dtype == np.int64
    assert confusion_matrix(y, pred).shape == (3, 3)
    # from a one-unit output
    np.testing.assert_array_equal(confusion_matrix([0, 1, 1], np.array([[0.2], [0.7], [0.3]])),
                                  [[1, 0], [1, 1]])


def test_confusion_matrix_and_accuracy_reject_mismatches():
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\)"):
        confusion_matrix([0, 3], np.array([0, 1]), n_classes=2)
    with pytest.raises(ValueError, match="3 labels but 2 predictions"):
        accuracy([0, 1, 1], np.array([0, 1]))


def test_rmse_and_r2_by_hand():
    y = np.array([[1.0], [2.0], [3.0], [4.0]])
    pred = np.array([[1.0], [2.0], [4.0], [2.0]])        # errors 0, 0, 1, -2
    assert rmse(y, pred) == pytest.approx(np.sqrt(5 / 4))
    # SS_res = 5, SS_tot = 1.5^2 + 0.5^2 + 0.5^2 + 1.5^2 = 5 -> R² = 0
    assert r2_score(y, pred) == pytest.approx(0.0)
    assert r2_score(y, y) == 1.0 and rmse(y, y) == 0.0
    assert r2_score(y.ravel(), (y * 0 + 2.5).ravel()) == pytest.approx(0.0)
    # two outputs are averaged: the second is perfect
    two_true = np.hstack([y, y])
    assert r2_score(two_true, np.hstack([pred, y])) == pytest.approx(0.5)


def test_r2_of_a_constant_target_does_not_divide_by_zero():
    y = np.ones((3, 1))
    assert r2_score(y, y) == 1.0
    assert r2_score(y, y + 1) == 0.0


def test_regression_shape_mismatch_is_named():
    with pytest.raises(ValueError, match=r"rmse: targets \(2, 1\) and predictions \(2, 2\)"):
        rmse(np.zeros((2, 1)), np.zeros((2, 2)))
