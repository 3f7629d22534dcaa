"""Evaluation metrics: accuracy and confusion matrix for classification, RMSE and R² for
regression.

Arguments follow scikit-learn's order, truth first: `accuracy(y_true, output)`. For
classification, `output` may be the model's raw output (N, k) or already predicted labels (N,);
`predicted_classes` turns the former into the latter the same way everywhere, so the accuracy,
the confusion matrix and the GUI's decision boundary always agree.
"""

import numpy as np

__all__ = ["predicted_classes", "accuracy", "confusion_matrix", "rmse", "r2_score"]


def predicted_classes(output):
    """Class labels (N,) int64 from a model output.

    (N,) integer array -> returned as is (already labels);
    (N, 1) or (N,) float -> 1 where the output is >= 0.5 (one sigmoid unit);
    (N, k), k > 1 -> argmax over the units (ties go to the lowest class, as numpy does).
    """
    output = np.asarray(output)
    if output.ndim == 1 and np.issubdtype(output.dtype, np.integer):
        return output.astype(np.int64, copy=False)
    if output.ndim == 1 or (output.ndim == 2 and output.shape[1] == 1):
        return (output.reshape(-1) >= 0.5).astype(np.int64)
    if output.ndim == 2:
        return output.argmax(axis=1).astype(np.int64, copy=False)
    raise ValueError(f"predicted_classes: expected an output of shape (N,) or (N, k), "
                     f"got {output.shape}; flatten the model's output first")


def _labels(y_true, output, name):
    y_true = np.asarray(y_true).reshape(-1).astype(np.int64, copy=False)
    pred = predicted_classes(output)
    if pred.shape[0] != y_true.shape[0]:
        raise ValueError(f"{name}: {y_true.shape[0]} labels but {pred.shape[0]} predictions; "
                         f"pass the outputs for the same samples as the labels")
    return y_true, pred


def accuracy(y_true, output):
    """Fraction of samples whose predicted class equals the label, in [0, 1].

    y_true: (N,) int labels; output: (N, k) model output or (N,) predicted labels.
    An empty set gives nan (there is no accuracy of nothing), not a ZeroDivisionError.
    """
    y_true, pred = _labels(y_true, output, "accuracy")
    if y_true.size == 0:
        return float("nan")
    return float(np.count_nonzero(pred == y_true)) / y_true.size


def confusion_matrix(y_true, output, n_classes=None):
    """Counts (n_classes, n_classes) int64: row = true class, column = predicted class.

    n_classes defaults to the largest label or prediction + 1 (at least 2), so a class that
    never occurs still gets its row when you pass `n_classes` explicitly.
    """
    y_true, pred = _labels(y_true, output, "confusion_matrix")
    if n_classes is None:
        top = max(int(y_true.max(initial=0)), int(pred.max(initial=0)))
        n_classes = max(2, top + 1)
    if y_true.size and (min(y_true.min(), pred.min()) < 0
                        or max(y_true.max(), pred.max()) >= n_classes):
        raise ValueError(f"confusion_matrix: labels must lie in [0, {n_classes}), got "
                         f"{min(y_true.min(), pred.min())}..{max(y_true.max(), pred.max())}; "
                         f"pass the right n_classes")
    flat = np.bincount(y_true * n_classes + pred, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes).astype(np.int64, copy=False)


def _pair(y_true, y_pred, name):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.ndim == 1:
        y_true = y_true[:, None]
    if y_pred.ndim == 1:
        y_pred = y_pred[:, None]
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{name}: targets {y_true.shape} and predictions {y_pred.shape} "
                         f"differ in shape; both must be (N, k)")
    return y_true, y_pred


def rmse(y_true, y_pred):
    """Root mean squared error over all samples and outputs (float64 sums, so float32
    predictions do not lose precision on 10,000 samples)."""
    y_true, y_pred = _pair(y_true, y_pred, "rmse")
    if y_true.size == 0:
        return float("nan")
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


def r2_score(y_true, y_pred):
    """Coefficient of determination 1 - SS_res / SS_tot, averaged uniformly over outputs
    (scikit-learn's default). A constant target gives 1.0 for a perfect fit, else 0.0
    (scikit-learn's convention), never a division by zero."""
    y_true, y_pred = _pair(y_true, y_pred, "r2_score")
    if y_true.shape[0] == 0:
        return float("nan")
    ss_res = ((y_true - y_pred) ** 2).sum(axis=0)
    ss_tot = ((y_true - y_true.mean(axis=0)) ** 2).sum(axis=0)
    scores = np.where(ss_tot > 0, 1.0 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0),
                      np.where(ss_res == 0, 1.0, 0.0))
    return float(scores.mean())
