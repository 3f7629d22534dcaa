"""The training history inside a trained-model .npz: plain arrays and JSON text, no pickle.

Format "nnplayground-history", version 1 (docs/model-history-format.md is the reference). All
names below sit under `history/` in the model file (`presets.modelfile` writes and reads them):

    index.json            uint8 UTF-8 JSON: {"format", "version", "epochs": [epoch records],
                          "epoch_steps": [step that ended each epoch], "checkpoints": [one
                          object per checkpoint: step, epoch, task, lr, optimizer, image_index,
                          last_epoch, confusion_epoch, confusion_step, position, dropout,
                          optimizer_type, optimizer_state: [{key, scalars, arrays}], parts]}
    losses                (steps,) float64: the training loss of every step, 1, 2, 3, ...
    c<i>/weights/<node>/<name>, c<i>/gradients/<node>/<name>, c<i>/buffers/<node>/<name>
    c<i>/optimizer/<j>/<name>   array state of the optimizer's j-th parameter key
    c<i>/boundary, c<i>/filters, c<i>/confusion, c<i>/units/<node>, c<i>/feature_maps/<node>,
    c<i>/curve/x, c<i>/curve/y, c<i>/predictions/{indices,predicted,true}
                          the views' parts of checkpoint i (`parts` lists those present)

A saved history is thinned to FILE_BUDGET bytes (and FILE_CHECKPOINTS) by the same rule as in
memory, so a model file stays small enough to mail. Reading checks the format, the version and
every array the index names, and raises HistoryFileError naming what is wrong.
"""

from __future__ import annotations

import dataclasses
import json
import time
from types import MappingProxyType

import numpy as np

from nnplayground.worker import snapshot as S
from nnplayground.worker.history import Checkpoint, TrainingHistory, nbytes

FORMAT = "nnplayground-history"
VERSION = 1
FILE_BUDGET = 20 * 2**20
FILE_CHECKPOINTS = 300
_ARRAYS = ("boundary", "filters", "confusion")
_MAPS = ("units", "feature_maps")
_PAIRS = {"curve": ("x", "y"), "predictions": ("indices", "predicted", "true")}
_NESTED = ("weights", "gradients")


class HistoryFileError(ValueError):
    """A model file's history part cannot be read; the message names the array or field."""


def _text(obj) -> np.ndarray:
    return np.frombuffer(json.dumps(obj).encode("utf-8"), dtype=np.uint8)


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (dict, MappingProxyType)):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def saved_history(history: TrainingHistory, experiment, builder,
                  clock=time.perf_counter) -> dict[str, np.ndarray]:
    """What a model file keeps of a run (the app's Save Trained Model, `train --save`): the
    present moment added as the last checkpoint, so the history ends at the saved weights,
    then `to_arrays`."""
    history.take(experiment, builder, clock)
    return to_arrays(history, experiment.trainer, builder.epoch_steps)


def to_arrays(history: TrainingHistory, trainer, epoch_steps) -> dict[str, np.ndarray]:
    """The history, the trainer's loss curve and epoch records as {name: array} (no prefix)."""
    kept = TrainingHistory(FILE_BUDGET, FILE_CHECKPOINTS)
    for checkpoint in history.checkpoints:
        kept.add(checkpoint)
    arrays = {"losses": np.array([loss for _step, loss in trainer.history.steps],
                                 dtype=np.float64)}
    entries = []
    for i, cp in enumerate(kept.checkpoints):
        entries.append(_checkpoint_arrays(f"c{i:04d}/", cp, arrays))
    arrays["index.json"] = _text({
        "format": FORMAT, "version": VERSION, "epochs": _jsonable(trainer.history.epochs),
        "epoch_steps": [int(epoch_steps.get(i, 0)) for i in range(len(trainer.history.epochs))],
        "checkpoints": entries})
    return arrays


def _checkpoint_arrays(prefix, cp: Checkpoint, arrays) -> dict:
    frame, parts = cp.frame, []
    for name in _ARRAYS:
        if getattr(frame, name) is not None:
            arrays[prefix + name] = np.asarray(getattr(frame, name))
            parts.append(name)
    for name in _MAPS:
        for node, value in getattr(frame, name).items():
            arrays[f"{prefix}{name}/{node}"] = np.asarray(value)
        parts.append(name)
    for name, fields in _PAIRS.items():
        if getattr(frame, name) is not None:
            for field, value in zip(fields, getattr(frame, name)):
                arrays[f"{prefix}{name}/{field}"] = np.asarray(value)
            parts.append(name)
    for name in _NESTED:
        for node, params in getattr(frame, name).items():
            for key, value in params.items():
                arrays[f"{prefix}{name}/{node}/{key}"] = np.asarray(value)
    for key, value in cp.buffers.items():
        arrays[f"{prefix}buffers/{key}"] = np.asarray(value)
    state = []
    for j, (key, per_param) in enumerate(cp.optimizer.get("state", {}).items()):
        entry = {"key": list(key) if isinstance(key, tuple) else key, "scalars": {},
                 "arrays": []}
        for name, value in per_param.items():
            if isinstance(value, np.ndarray):
                arrays[f"{prefix}optimizer/{j}/{name}"] = value
                entry["arrays"].append(name)
            else:
                entry["scalars"][name] = _jsonable(value)
        state.append(entry)
    return {"step": cp.step, "epoch": cp.epoch, "task": frame.task, "lr": frame.lr,
            "optimizer": frame.optimizer, "image_index": frame.image_index,
            "last_epoch": _jsonable(frame.last_epoch) if frame.last_epoch else None,
            "confusion_epoch": frame.confusion_epoch, "confusion_step": frame.confusion_step,
            "position": _jsonable(cp.position), "dropout": _jsonable(cp.dropout),
            "optimizer_type": cp.optimizer.get("type", ""), "optimizer_state": state,
            "parts": parts}


def from_arrays(arrays: dict[str, np.ndarray]):
    """-> (TrainingHistory, losses (steps,), epoch records, {epoch index: step}).

    Raises HistoryFileError naming the first array or field that is missing or malformed."""
    index = _index(arrays)
    groups = {}                  # "c0001/" -> {"weights/h1/W": array, ...}
    for name, value in arrays.items():
        head, _, rest = name.partition("/")
        groups.setdefault(head + "/", {})[rest] = value
    history = TrainingHistory()
    for i, entry in enumerate(index["checkpoints"]):
        try:
            cp = _checkpoint(entry, groups.get(f"c{i:04d}/", {}))
        except KeyError as exc:
            raise HistoryFileError(f"history/c{i:04d}/{exc.args[0]}: missing; the file's "
                                   f"history is incomplete (save the model again)") from None
        history.add(cp)
    if "losses" not in arrays or arrays["losses"].ndim != 1:
        raise HistoryFileError("history/losses: missing or not a 1-D array of step losses")
    losses = arrays["losses"].astype(np.float64)
    epoch_steps = {i: int(s) for i, s in enumerate(index.get("epoch_steps", []))}
    return history, losses, list(index.get("epochs", [])), epoch_steps


def _index(arrays) -> dict:
    raw = arrays.get("index.json")
    if raw is None or raw.dtype != np.uint8 or raw.ndim != 1:
        raise HistoryFileError("history/index.json: missing, or not 1-D uint8 JSON text")
    try:
        index = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HistoryFileError(f"history/index.json: not readable JSON ({exc})") from None
    if index.get("format") != FORMAT:
        raise HistoryFileError(f"history/index.json: format must be {FORMAT!r}, got "
                               f"{index.get('format')!r}")
    if index.get("version") != VERSION:
        raise HistoryFileError(f"history/index.json: version {index.get('version')!r} is not "
                               f"one this nnplayground reads (it reads version {VERSION}); "
                               f"update nnplayground to open this model's history")
    if not isinstance(index.get("checkpoints"), list):
        raise HistoryFileError("history/index.json: 'checkpoints' must be a list")
    return index


def _under(arrays, prefix) -> dict:
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}


def _checkpoint(entry, arrays) -> Checkpoint:
    """One checkpoint from its index entry and its arrays (names without the c<i>/ prefix)."""
    prefix = ""
    parts = {}
    for name in _ARRAYS:
        if name in entry["parts"]:
            parts[name] = arrays[prefix + name]
    for name in _MAPS:
        parts[name] = MappingProxyType(_under(arrays, f"{prefix}{name}/"))
    for name, fields in _PAIRS.items():
        if name in entry["parts"]:
            parts[name] = tuple(arrays[f"{prefix}{name}/{field}"] for field in fields)
    for name in _NESTED:
        nested = {}
        for key, value in _under(arrays, f"{prefix}{name}/").items():
            node, param = key.split("/", 1)
            nested.setdefault(node, {})[param] = value
        parts[name] = MappingProxyType({n: MappingProxyType(p) for n, p in nested.items()})
    last_epoch = entry["last_epoch"]
    frame = S.Snapshot(
        step=int(entry["step"]), epoch=int(entry["epoch"]), steps_per_second=0.0,
        step_points=np.zeros((0, 2)), epoch_records=(),
        last_epoch=MappingProxyType(last_epoch) if last_epoch else None,
        task=entry["task"], lr=float(entry["lr"]), image_index=int(entry["image_index"]),
        confusion_epoch=int(entry["confusion_epoch"]),
        confusion_step=int(entry["confusion_step"]), optimizer=entry["optimizer"], **parts)
    state = {}
    for j, item in enumerate(entry["optimizer_state"]):
        key = tuple(item["key"]) if isinstance(item["key"], list) else item["key"]
        values = dict(item["scalars"])
        values.update({name: arrays[f"{prefix}optimizer/{j}/{name}"] for name in item["arrays"]})
        state[key] = values
    cp = Checkpoint(step=int(entry["step"]), epoch=int(entry["epoch"]), frame=frame,
                    buffers=MappingProxyType(_under(arrays, f"{prefix}buffers/")),
                    optimizer=MappingProxyType({"type": entry["optimizer_type"],
                                                "state": state}),
                    position=MappingProxyType(entry["position"]),
                    dropout=MappingProxyType(entry["dropout"]))
    return dataclasses.replace(cp, nbytes=nbytes(cp))
