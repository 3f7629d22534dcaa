"""Trained-model files: one `.npz` holding the preset and every parameter, never a pickle.

Layout (all plain arrays, so `np.load(..., allow_pickle=False)` reads it and any numpy user can
inspect it):
    preset.json              uint8 array of the preset document's UTF-8 JSON text
    params/<node_id>/<name>  one array per parameter or buffer (engine conventions: Dense W (in,
                             out) and b (out,), Conv2D W (out_c, in_c, kh, kw), BatchNorm
                             gamma/beta/running_mean/running_var)
    history/...              optional: the training history (checkpoints and curves) the app
                             saves with a model, docs/model-history-format.md; read with
                             `load_history_arrays`, ignored by `load_model`

Loading rebuilds the preset's graph and compares every array name and shape with the fresh
model's `state_dict()`, so a file edited by hand or saved by a different graph is refused with the
array, the shape the graph expects and the shape found, instead of failing later inside numpy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .datapath import with_data_path_for_file
from .errors import ModelFileError, Problem
from .io import atomic_write_bytes, dumps_preset, parse_preset

PRESET_KEY = "preset.json"
PARAM_PREFIX = "params/"
HISTORY_PREFIX = "history/"


def save_model(path, doc: dict, model, base_dir=None, history=None) -> None:
    """Write `doc` and `model.state_dict()` to `path` (.npz, compressed) atomically.

    A file dataset's path is stored relative to `path`, so the model and its data folder can
    move together; `base_dir` is the folder a relative path in `doc` is read from now (None:
    already relative to `path`). `doc` itself is not changed. `history`: {name: array} of
    the training history (`worker.history_file.to_arrays`), stored under history/.
    """
    doc = with_data_path_for_file(doc, path, base_dir)
    arrays = {PRESET_KEY: np.frombuffer(dumps_preset(doc).encode("utf-8"), dtype=np.uint8)}
    for key, value in model.state_dict().items():
        arrays[PARAM_PREFIX + key] = np.asarray(value)
    for key, value in (history or {}).items():
        arrays[HISTORY_PREFIX + key] = np.asarray(value)
    atomic_write_bytes(path, writer=lambda fh: np.savez_compressed(fh, **arrays))


def load_model(path) -> tuple[dict, dict]:
    """Read a model file -> (preset document, state dict {"<node_id>/<name>": array}).

    The document is returned as stored: a relative `dataset.path` is relative to the model
    file's folder (pass that as `base_dir` to `load_dataset`, or use
    `datapath.with_data_path_resolved(doc, path)` for a document that outlives the file).

    Raises ModelFileError listing every missing, unexpected or wrongly shaped array, and
    PresetError when the embedded preset itself is invalid.
    """
    path = Path(path)
    arrays = _read_npz(path)
    if PRESET_KEY not in arrays:
        raise ModelFileError([Problem(PRESET_KEY, "missing: this .npz was not written by "
                                                  "nnplayground (no embedded preset)")], path)
    raw = arrays.pop(PRESET_KEY)
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise ModelFileError([Problem(PRESET_KEY, f"must be a 1-D uint8 array of UTF-8 text, got "
                                                  f"{raw.dtype} of shape {raw.shape}")], path)
    try:
        text = raw.tobytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ModelFileError([Problem(PRESET_KEY, "is not UTF-8 text")], path) from None
    doc = parse_preset(text, f"{path} ({PRESET_KEY})")
    state = {}
    problems = []
    for name, value in arrays.items():
        if name.startswith(HISTORY_PREFIX):
            continue
        if not name.startswith(PARAM_PREFIX):
            problems.append(Problem(name, "unexpected array: a model file holds only preset.json, "
                                          "params/<node_id>/<name> and history/..."))
        else:
            state[name[len(PARAM_PREFIX):]] = value
    problems += _shape_problems(doc, state)
    if problems:
        raise ModelFileError(problems, path)
    return doc, state


def load_history_arrays(path) -> dict[str, np.ndarray]:
    """The training history's arrays of a model file, names without history/ ({} if none)."""
    arrays = _read_npz(Path(path))
    return {name[len(HISTORY_PREFIX):]: value for name, value in arrays.items()
            if name.startswith(HISTORY_PREFIX)}


def load_trained_model(path, dtype=np.float32):
    """Read a model file -> (doc, model) with the saved parameters loaded into a fresh model."""
    from nnplayground.engine import build_model

    doc, state = load_model(path)
    model = build_model(doc["model"], seed=0, dtype=dtype)
    model.load_state_dict({k: v.astype(dtype, copy=False) for k, v in state.items()})
    return doc, model


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    from nnplayground.data.npz import NpzError, read_npz_arrays

    try:
        return read_npz_arrays(path, what=".npz model file",
                               fix="save the model again, or copy the file again")
    except NpzError as exc:
        reason = exc.reason + (f"; {exc.fix}" if exc.fix else "")
        raise ModelFileError([Problem("", reason)], path) from None


def _shape_problems(doc: dict, state: dict) -> list[Problem]:
    """Compare names and shapes with a freshly built model of the embedded preset."""
    from nnplayground.engine import build_model

    expected = {k: np.shape(v) for k, v in build_model(doc["model"], seed=0).state_dict().items()}
    problems = []
    for key, shape in expected.items():
        if key not in state:
            problems.append(Problem(PARAM_PREFIX + key, f"missing: the preset's graph expects an "
                                                        f"array of shape {_fmt(shape)}"))
        elif tuple(state[key].shape) != tuple(shape):
            problems.append(Problem(PARAM_PREFIX + key, f"expected shape {_fmt(shape)}, found "
                                                        f"{_fmt(state[key].shape)}"))
        elif not np.issubdtype(state[key].dtype, np.floating):
            problems.append(Problem(PARAM_PREFIX + key,
                                    f"must hold floats, found {state[key].dtype}"))
        elif not np.isfinite(state[key]).all():
            bad = int(np.size(state[key]) - np.isfinite(state[key]).sum())
            problems.append(Problem(PARAM_PREFIX + key,
                                    f"holds {bad:,} NaN or infinite value(s): these weights "
                                    "cannot train or predict; retrain the model, or open an "
                                    "earlier save of it"))
    for key in state:
        if key not in expected:
            problems.append(Problem(PARAM_PREFIX + key, "not part of the preset's graph "
                                                        f"(its arrays: {', '.join(expected)})"))
    return problems


def _fmt(shape) -> str:
    return str(tuple(int(s) for s in shape))

