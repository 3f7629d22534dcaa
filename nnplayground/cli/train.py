"""`nnplayground train`: a thin headless driver around `Trainer.step()`.

stdout carries results only (a final summary line, or with `--json` one JSON object per epoch
and nothing else); progress, notes and errors go to stderr. With `--save`, the run's training
history is kept as the app keeps it (`worker.recorder`, Qt-free) and saved with the model, so
the app opens it with its loss curves, scrubber and views.
"""

from __future__ import annotations

import copy
import json
import math
import sys
from pathlib import Path

from nnplayground.cli.common import (
    MODEL_SUFFIX, check_mnist_dir, load_target, note, preset_folder,
)
from nnplayground.cli.errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_INVALID, CliError
from nnplayground.cli.progress import TrainProgress, metric_items


def run_train(args) -> int:
    doc, label = load_target(args.target)  # a preset, or a model file to train further
    doc = with_overrides(doc, seed=args.seed)
    doc = with_augmentation(doc, args)
    epochs = args.epochs if args.epochs is not None else int(doc["training"].get("epochs", 1))
    mnist_dir = check_mnist_dir(args.mnist)
    save = check_save_path(args.save)

    exp = make_experiment(doc, mnist_dir, preset_folder(args.target))
    if Path(label).suffix.lower() == MODEL_SUFFIX and Path(label).is_file():
        # A trained model carries on from its saved weights (a fresh optimizer state, though).
        from nnplayground.presets import load_model
        exp.model.load_state_dict(load_model(label)[1])
        note(f"continuing from the weights saved in {label}")
    trainer = exp.trainer
    recorder = None
    if save is not None:
        from nnplayground.worker.recorder import HistoryRecorder
        recorder = HistoryRecorder(exp)
    progress = TrainProgress(sys.stderr, epochs, steps_per_epoch(trainer, exp.dataset))
    records = []
    try:
        for _ in range(epochs):
            record = json_record(run_epoch(trainer, progress, recorder))
            records.append(record)
            progress.epoch(record)
            if args.json:
                print(json.dumps(record), flush=True)
    except KeyboardInterrupt:
        progress.close()
        done = len(records)
        if save is not None:
            save_model(save, doc, trainer.model, exp.base_dir, recorder.arrays())
            note(f"saved the model as it was when interrupted to {save}")
        raise CliError(f"interrupted after {done} complete epoch{'s' if done != 1 else ''}",
                       EXIT_INTERRUPTED) from None
    except Exception as exc:
        progress.close()
        from nnplayground.engine import DivergenceError
        if isinstance(exc, DivergenceError):  # the step, the likely cause and the remedy
            done = len(records)
            raise CliError(f"{label}: {' '.join(exp.divergence_message(exc).split())} ({done} "
                           f"complete epoch{'s' if done != 1 else ''}; nothing saved)",
                           EXIT_FAILURE) from exc
        raise
    progress.close()
    warning = exp.training_warning()
    if warning:
        note(f"warning: {warning}")

    if save is not None:
        save_model(save, doc, trainer.model, exp.base_dir, recorder.arrays())
        note(f"saved the model after {epochs} epoch{'s' if epochs != 1 else ''} to {save}")
    if records and not args.json:
        final = "  ".join(f"{k} {v:.4f}" for k, v in metric_items(records[-1]))
        print(f"{label}: {len(records)} epoch{'s' if len(records) != 1 else ''}  {final}")
    return 0


def with_overrides(doc: dict, *, seed: int | None) -> dict:
    """A copy of `doc` with the command line's seed; the preset's own epochs are kept so that a
    saved `--epochs 0` model still opens as the original experiment."""
    doc = copy.deepcopy(doc)
    training = doc.setdefault("training", {})
    if seed is not None:
        training["seed"] = seed
    return doc


AUGMENTATION_OPTIONS = ("shift", "rotation", "scale", "elastic")


def with_augmentation(doc: dict, args) -> dict:
    """`doc` with the command line's augmentation options in `training.augmentation`
    (`--no-augmentation` removes it); refuses them for data that is not images."""
    given = {key: getattr(args, key) for key in AUGMENTATION_OPTIONS
             if getattr(args, key, None) is not None}
    if not given and not getattr(args, "no_augmentation", False):
        return doc
    from nnplayground.presets.validation import IMAGE_KINDS

    kind = doc.get("dataset", {}).get("kind")
    if given and kind not in IMAGE_KINDS:
        options = " ".join(f"--{key}" for key in given)
        raise CliError(f"{options}: augmentation distorts images, but this preset's dataset is "
                       f"{kind!r}; use it with an MNIST or Fashion-MNIST preset", EXIT_INVALID)
    if given and args.no_augmentation:
        raise CliError("--no-augmentation cannot be combined with --shift, --rotation, --scale "
                       "or --elastic; give one or the other", EXIT_INVALID)
    doc = copy.deepcopy(doc)
    training = doc.setdefault("training", {})
    if args.no_augmentation:
        training.pop("augmentation", None)
        return doc
    augmentation = {**training.get("augmentation", {}), **given}
    training["augmentation"] = augmentation
    return doc


def check_save_path(save: str | None) -> Path | None:
    """Refuse a bad --save target before training, not after an hour of it."""
    if save is None:
        return None
    path = Path(save)
    if path.suffix.lower() != MODEL_SUFFIX:
        raise CliError(f"--save {save}: model files end in .npz; try --save "
                       f"{path.with_suffix(MODEL_SUFFIX)}", EXIT_INVALID)
    if not path.parent.is_dir():
        raise CliError(f"--save {save}: folder {path.parent} does not exist; create it or "
                       f"save elsewhere", EXIT_INVALID)
    if path.is_dir():
        raise CliError(f"--save {save}: is a folder; give a file name ending in .npz inside "
                       f"it", EXIT_INVALID)
    return path


def make_experiment(doc: dict, mnist_dir: str | None, base_dir=None):
    """The preset's Experiment; says on stderr when the data is not what the user may expect.
    `base_dir`: the preset file's folder, where a relative dataset.path is read."""
    from nnplayground.experiment import Experiment

    progress = download_progress(doc, mnist_dir)
    try:
        exp = Experiment.from_preset(doc, mnist_dir=mnist_dir, base_dir=base_dir,
                                     progress=progress)
    finally:
        if progress is not None:
            progress.close()
    if exp.dataset.note:
        note(exp.dataset.note)
    return exp


def download_progress(doc: dict, mnist_dir: str | None):
    """A progress display when loading will download MNIST (source "full", nothing on disk),
    so an 11 MB download on a slow line is not a silent pause; None otherwise."""
    from nnplayground.data import mnist

    dataset = doc.get("dataset", {})
    if dataset.get("kind") != "mnist" or dataset.get("source") != "full" or mnist_dir:
        return None
    if mnist.find_full_set("mnist") is not None:
        return None
    from nnplayground.cli.info import DownloadProgress

    dest = mnist.user_mnist_dir("mnist")
    note(f"full MNIST is not on this computer: downloading it into {dest}")
    return DownloadProgress()


def steps_per_epoch(trainer, dataset) -> int:
    return max(1, math.ceil(len(dataset.x_train) / max(1, int(trainer.batch_size))))


def run_epoch(trainer, progress: TrainProgress, recorder=None) -> dict:
    """One epoch, step by step so the bar can move, then the trainer's own epoch record;
    `recorder` (a `HistoryRecorder`, or None) keeps the training history meanwhile."""
    epoch = trainer.epoch + 1  # the one now running; a step that ends it already counts it
    step_in_epoch = 0
    while True:
        result = trainer.step()
        step_in_epoch += 1
        progress.step(epoch, step_in_epoch, float(result.loss))
        if recorder is not None:
            recorder.stepped(result)
        if result.epoch_done:
            break
    record = trainer.finish_epoch()
    if recorder is not None:
        recorder.epoch_ended()
    return record


def json_record(record: dict) -> dict:
    """The scalar fields of an epoch record as plain JSON numbers (NaN/inf become null)."""
    clean = {}
    for key, value in record.items():
        if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        clean[key] = value
    return clean


def save_model(path: Path, doc: dict, model, base_dir=None, history=None) -> None:
    """`base_dir`: where the preset's relative data path was read from, so the model file
    names the same data file relative to itself; `history`: the training history's arrays."""
    from nnplayground.presets import save_model as save

    save(path, doc, model, base_dir=base_dir, history=history)
