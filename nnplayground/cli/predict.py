"""`nnplayground predict MODEL.npz INPUT`: run a trained model on a file of inputs.

INPUT is read by its suffix: `.npy` (one sample or a batch in the model's input layout), `.csv`
(one row of features per sample, header optional) or an image, which is turned into an MNIST
digit the way MNIST itself was made (`nnplayground.data.digits`).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

from nnplayground.cli.common import check_input_file, note, write_atomically
from nnplayground.cli.errors import EXIT_INVALID, CliError, one_line

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm",
                  ".ppm", ".pbm"}
CSV_SUFFIXES = {".csv", ".txt"}
# 1-D regression generators take one raw coordinate; every other toy generator takes two.
LINE_KINDS = {"sine", "abs", "poly", "step"}


def run_predict(args) -> int:
    from nnplayground.presets import PresetError, load_trained_model

    model_path = check_input_file(args.model)
    input_path = check_input_file(args.input)
    if args.out and Path(args.out).suffix.lower() != ".npy":
        raise CliError(f"--out {args.out}: outputs are written as .npy; "
                       "give a file name ending in .npy", EXIT_INVALID)
    try:
        doc, model = load_trained_model(model_path)  # checks every array's name and shape
    except PresetError as exc:  # its problems name the array, not the file: add the file
        raise CliError(one_line(exc, subject=str(model_path)), EXIT_INVALID) from exc
    x = read_input(input_path, tuple(model.input_shape), doc.get("dataset", {}))
    outputs = model.predict(x)
    if args.out:
        out = Path(args.out)
        write_atomically(out, lambda f: np.save(f, outputs, allow_pickle=False))
        note(f"wrote outputs of shape {outputs.shape} to {out}")
    else:
        print_predictions(outputs, doc, sys.stdout)
    return 0


# ------------------------------------------------------------------------------------ reading

def read_input(path: Path, input_shape: tuple, dataset: dict) -> np.ndarray:
    """The batch (N, *input_shape) float32 held in `path`, or a CliError saying what to give."""
    suffix = path.suffix.lower()
    if suffix == ".npy":
        x = _read_npy(path, input_shape)
    elif suffix in CSV_SUFFIXES:
        x = _read_csv(path, input_shape, dataset)
    elif suffix in IMAGE_SUFFIXES:
        x = _read_image(path, input_shape)
    else:
        raise CliError(f"{path}: unknown input type {suffix or '(no suffix)'!r}; give a .npy, a "
                       f".csv or an image ({', '.join(sorted(IMAGE_SUFFIXES))})", EXIT_INVALID)
    if not np.all(np.isfinite(x)):
        raise CliError(f"{path}: contains NaN or infinite values", EXIT_INVALID)
    return x


def fit_batch(x: np.ndarray, input_shape: tuple, source) -> np.ndarray:
    """`x` as a batch (N, *input_shape): accepts one sample, a batch, or images lacking the
    channel axis ((28, 28) or (N, 28, 28) for a (1, 28, 28) model)."""
    if x.shape == input_shape:
        return x[None]
    if x.ndim == len(input_shape) + 1 and x.shape[1:] == input_shape:
        return x
    if len(input_shape) == 3 and input_shape[0] == 1:
        if x.shape == input_shape[1:]:
            return x[None, None]
        if x.ndim == 3 and x.shape[1:] == input_shape[1:]:
            return x[:, None]
    shape = ", ".join(map(str, input_shape)) + ("," if len(input_shape) == 1 else "")
    raise CliError(f"{source}: an array of shape {x.shape} does not fit the model's input "
                   f"({shape}); give ({shape}) for one sample or (N, {shape.rstrip(',')}) for "
                   "a batch", EXIT_INVALID)


def _read_npy(path: Path, input_shape: tuple) -> np.ndarray:
    try:
        x = np.load(path, allow_pickle=False)
    except ValueError as exc:
        raise CliError(f"{path}: not a plain numeric .npy array ({exc}); save it with "
                       "numpy.save from a numeric array", EXIT_INVALID) from exc
    if not isinstance(x, np.ndarray) or x.dtype.kind not in "biuf":
        kind = getattr(x, "dtype", type(x).__name__)
        raise CliError(f"{path}: holds {kind} values; give real numbers", EXIT_INVALID)
    batch = fit_batch(x, input_shape, path)
    if batch.dtype.kind in "ui" and len(input_shape) == 3 and batch.size and batch.max() > 1:
        # Pixel values 0-255: the models were trained on images scaled to [0, 1].
        note(f"{path}: integer pixels scaled from 0-255 to 0-1, as in training")
        return batch.astype(np.float32) / 255.0
    return batch.astype(np.float32)


def _read_csv(path: Path, input_shape: tuple, dataset: dict) -> np.ndarray:
    rows = parse_csv(path)
    width = len(rows[0])
    n_inputs = math.prod(input_shape)
    x = np.asarray(rows, dtype=np.float64)
    if width == n_inputs:
        return x.reshape((len(rows), *input_shape)).astype(np.float32)
    features = dataset.get("features")
    n_raw = 1 if dataset.get("kind") in LINE_KINDS else 2
    if features and width == n_raw and len(input_shape) == 1:
        # Raw coordinates for a model trained on derived inputs (x1^2, sin(x1)...): derive them
        # the same way the dataset did, so the user need not.
        from nnplayground.data.toy import make_features
        return make_features(x, tuple(features))
    hint = " (drop the label or target column)" if width == n_inputs + 1 else ""
    raise CliError(f"{path}: rows have {width} values but the model takes {n_inputs} inputs"
                   f"{hint}", EXIT_INVALID)


def parse_csv(path: Path) -> list[list[float]]:
    """Rows of floats; the first row may be a header. Errors name the line and the value.
    The lines are read by the data files' own reader (`csv_rows`)."""
    from nnplayground.data import DatasetError
    from nnplayground.data.files import csv_rows
    try:
        lines = csv_rows(path)
    except DatasetError as exc:
        raise CliError(str(exc), EXIT_INVALID) from None
    rows: list[list[float]] = []
    for line_no, cells in lines:
        try:
            values = [float(cell) for cell in cells]
        except ValueError:
            if not rows and line_no == lines[0][0]:
                continue  # a header line
            bad = next(c for c in cells if not _is_number(c))
            raise CliError(f"{path}: line {line_no}: {bad!r} is not a number",
                           EXIT_INVALID) from None
        if rows and len(values) != len(rows[0]):
            raise CliError(f"{path}: line {line_no}: {len(values)} values, but the first "
                           f"row has {len(rows[0])}", EXIT_INVALID)
        rows.append(values)
    if not rows:
        raise CliError(f"{path}: no rows of numbers found", EXIT_INVALID)
    return rows


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_image(path: Path, input_shape: tuple) -> np.ndarray:
    if len(input_shape) != 3 or input_shape[1:] != (28, 28) or input_shape[0] != 1:
        raise CliError(f"{path}: an image needs a model that takes 28x28 digit images, but this "
                       f"model takes inputs of shape {input_shape}", EXIT_INVALID)
    from nnplayground.data import DatasetError
    from nnplayground.data.digits import load_digit_image
    try:
        image = np.asarray(load_digit_image(path), dtype=np.float32)
    except DatasetError as exc:  # a blank or unreadable image is a wrong input, like the others
        raise CliError(one_line(exc, subject=str(path)), EXIT_INVALID) from exc
    return fit_batch(image, input_shape, path)


# ------------------------------------------------------------------------------------ output

def task_of(doc: dict) -> str:
    """"classification" or "regression", from the preset's dataset (classification if unsure)."""
    dataset = doc.get("dataset", {})
    try:
        from nnplayground.presets.validation import task_of as preset_task_of
        task = preset_task_of(dataset)
    except ImportError:
        task = dataset.get("task")
    return task or "classification"


def class_names(doc: dict) -> tuple[str, ...]:
    """Names for datasets whose class numbers mean nothing by themselves (Fashion-MNIST)."""
    if doc.get("dataset", {}).get("kind") != "fashion-mnist":
        return ()
    from nnplayground.data.mnist import FASHION_CLASSES
    return tuple(FASHION_CLASSES)


def print_predictions(outputs: np.ndarray, doc: dict, stream) -> None:
    """One line per sample: `index class probability` or `index value...`, with a header.

    Whitespace-separated columns read well in a terminal and split easily in a script.
    """
    outputs = np.asarray(outputs, dtype=np.float64).reshape(len(outputs), -1)
    if task_of(doc) == "classification":
        label = "probability" if doc.get("loss") != "mse" else "score"
        if outputs.shape[1] == 1:  # one sigmoid unit: p is the probability of class 1
            p = outputs[:, 0]
            classes = (p >= 0.5).astype(int)
            scores = np.where(classes == 1, p, 1.0 - p)
        else:
            classes = outputs.argmax(axis=1)
            scores = outputs[np.arange(len(outputs)), classes]
        names = class_names(doc)
        print(f"sample  class  {label}" + ("  name" if names else ""), file=stream)
        for i, (c, s) in enumerate(zip(classes, scores)):
            name = f"  {names[c]}" if names and c < len(names) else ""
            print(f"{i:<6}  {c:<5}  {s:.4f}{name}", file=stream)
    else:
        names = ["value"] if outputs.shape[1] == 1 else [f"value_{j}" for j in
                                                         range(outputs.shape[1])]
        print("sample  " + "  ".join(names), file=stream)
        for i, row in enumerate(outputs):
            print(f"{i:<6}  " + "  ".join(f"{v:.6g}" for v in row), file=stream)
