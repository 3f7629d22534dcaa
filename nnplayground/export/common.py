"""What the code exporters share: the task, the training settings and the data file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

# The files a generated program reads, beside it: spiral.py -> spiral_weights.npz, spiral_data.npz
WEIGHTS_SUFFIX = "_weights.npz"
DATA_SUFFIX = "_data.npz"

REGRESSION_KINDS = ("reg-plane", "reg-gauss", "sine", "abs", "poly", "step")


def task_of(doc, dataset=None):
    """"classification" or "regression", from the dataset when given, else from the preset."""
    if dataset is not None:
        return dataset.task
    if doc.get("loss") in ("cross_entropy", "binary_cross_entropy"):
        return "classification"
    spec = doc.get("dataset", {}) or {}
    if spec.get("kind") == "file":
        return spec.get("task", "classification")
    return "regression" if spec.get("kind") in REGRESSION_KINDS else "classification"


def training_settings(doc):
    """(optimizer spec with the engine's defaults filled in, batch size, epochs, seed, l1, l2)."""
    from nnplayground.engine.optimizers import OPTIMIZERS

    opt = dict(doc.get("optimizer") or {"type": "sgd"})
    kind = opt.get("type", "sgd")
    if kind in OPTIMIZERS:
        opt = {**OPTIMIZERS[kind].DEFAULTS, **opt}
    training = doc.get("training", {}) or {}
    reg = doc.get("regularization", {}) or {}
    return (opt, int(training.get("batch_size", 32)), int(training.get("epochs", 1)),
            int(training.get("seed", 0)), float(reg.get("l1", 0.0) or 0.0),
            float(reg.get("l2", 0.0) or 0.0))


def companion(out, suffix):
    """The file written beside `out`: spiral.py -> spiral_weights.npz (suffix "_weights.npz")."""
    out = Path(out)
    return out.with_name(out.stem + suffix)


def write_data(dataset, path):
    """The dataset's arrays as a plain .npz (x_train, y_train, x_test, y_test), written
    atomically; classification labels as int64 class indices, as in nnplayground."""
    write_arrays({"x_train": dataset.x_train, "y_train": dataset.y_train,
                  "x_test": dataset.x_test, "y_test": dataset.y_test}, path)


def write_program(out, code: str, weights: dict, dataset=None) -> list:
    """A generated program: OUT.py (`code`), its weights beside it (OUT_weights.npz) and, with
    a dataset, its data (OUT_data.npz), each written atomically. Returns the paths written."""
    from nnplayground.presets.io import atomic_write_bytes

    out = Path(out)
    written = [out, companion(out, WEIGHTS_SUFFIX)]
    write_arrays(weights, written[1])
    if dataset is not None:
        written.append(companion(out, DATA_SUFFIX))
        write_data(dataset, written[2])
    atomic_write_bytes(out, code.encode("utf-8"))
    return written


def write_arrays(arrays, path):
    """A dict of arrays as a compressed .npz, atomically (never a pickle)."""
    from nnplayground.presets.io import atomic_write_bytes

    arrays = {k: np.ascontiguousarray(v) for k, v in arrays.items()}
    atomic_write_bytes(path, writer=lambda fh: np.savez_compressed(fh, **arrays))
