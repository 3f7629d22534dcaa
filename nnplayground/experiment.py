"""A preset document made runnable: dataset, model, optimizer and trainer, built consistently.

The CLI and the GUI worker both start from a preset, and both must get the same network with the
same initial weights and the same data from it; this module is the only place that turns a
document into live objects. It validates first, so a bad preset fails with the document's own
`path: reason` problems before any data is loaded or weights are drawn.

    exp = Experiment.from_preset(load_builtin("xor"))
    exp.fit()                              # the preset's own epochs
    exp.trainer.history.epochs[-1]         # {"epoch", "train_loss", "test_accuracy", ...}
"""

from __future__ import annotations

import copy
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnplayground.data import Dataset, DatasetError, load_dataset
from nnplayground.data.augment import Augmentation
from nnplayground.engine import GraphError, Trainer, build_model, make_optimizer
from nnplayground.presets import PresetError, Problem, validate_preset
from nnplayground.presets.gallery import resolve
from nnplayground.presets.io import load_preset
from nnplayground.presets.modelfile import load_model, save_model


@dataclass
class Experiment:
    """The live objects of one preset. `doc` is a private copy: editing the caller's dict later
    does not change a running experiment (the GUI rebuilds on structural edits)."""

    doc: dict
    dataset: Dataset
    model: object
    optimizer: object
    trainer: Trainer
    # The folder a relative dataset.path was read from, so that `save_model` can name the same
    # data file from wherever the model is written (None only for hand-built instances).
    base_dir: str | None = None

    # ---------------------------------------------------------------------------- building

    @classmethod
    def from_preset(cls, doc: dict, mnist_dir=None, progress=None,
                    base_dir=None) -> Experiment:
        """Validate `doc`, load its dataset (progress(done, total, name) while MNIST is read)
        and build the seeded model, optimizer and trainer. `base_dir` is the folder of the
        preset file the document came from: a relative `dataset.path` is read from there.
        Raises PresetError for a bad document and nnplayground.data.DatasetError when the data
        cannot be had."""
        problems = validate_preset(doc)
        if problems:
            raise PresetError(problems, doc.get("name") if isinstance(doc, dict) else None)
        problem = memory_problem(doc)
        if problem is not None:
            raise PresetError([problem], doc.get("name"))
        doc = copy.deepcopy(doc)
        dataset = load_dataset(doc["dataset"], mnist_dir=mnist_dir, progress=progress,
                               base_dir=base_dir)
        _check_input_shape(doc, dataset)
        try:
            model, optimizer, trainer = _build(doc, dataset)
        except GraphError:
            raise
        except ValueError as exc:   # the data against the network: labels beyond its outputs
            raise DatasetError(f"{dataset.name}: {exc}") from None
        # Without base_dir, load_dataset read a relative path from the current folder: remember
        # which one, since the process may change folders before the model is saved.
        folder = str(Path(base_dir if base_dir is not None else Path.cwd()).resolve())
        return cls(doc, dataset, model, optimizer, trainer, folder)

    def replace_data(self, spec: dict) -> None:
        """Train on the dataset `spec` from the next step, keeping the model, its weights and
        the optimizer (points edited by hand while the network trains). The new data must fit
        the network as the old did: the same inputs, and labels its outputs can give; otherwise
        DatasetError (or PresetError for the input shape) and nothing changes."""
        dataset = load_dataset(spec, base_dir=self.base_dir)
        if dataset.task != self.dataset.task:
            raise DatasetError(f"dataset: the new data is a {dataset.task} task, the network "
                               f"was built for {self.dataset.task}; reload the preset")
        _check_input_shape(self.doc, dataset)
        try:
            self.trainer.set_data(dataset.x_train, dataset.y_train, dataset.x_test,
                                  dataset.y_test)
        except ValueError as exc:
            raise DatasetError(f"{dataset.name}: {exc}") from None
        self.dataset = dataset
        self.doc["dataset"] = copy.deepcopy(spec)

    @classmethod
    def from_name(cls, name_or_path, mnist_dir=None, progress=None) -> Experiment:
        """A built-in name ("xor") or a preset file path, as the CLI accepts."""
        path = resolve(name_or_path)
        return cls.from_preset(load_preset(path), mnist_dir, progress, base_dir=path.parent)

    @classmethod
    def from_model_file(cls, path, mnist_dir=None, progress=None) -> Experiment:
        """A trained-model .npz: its preset's experiment with the saved weights loaded."""
        doc, state = load_model(path)  # a relative dataset.path is read beside the model file
        exp = cls.from_preset(doc, mnist_dir, progress, base_dir=Path(path).parent)
        exp.model.load_state_dict(state)
        return exp

    def divergence_message(self, exc) -> str:
        """What a DivergenceError means here: what happened, the likely cause read from this
        experiment's actual settings (an init scale, bias, L1/L2 or learning rate), and what to
        do. The trainer has restored the last finite weights."""
        return divergence_message(exc, self.doc, float(getattr(self.optimizer, "lr", 0.0)),
                                  float(self.trainer.l1), float(self.trainer.l2))

    def training_warning(self) -> str | None:
        """A warning when the loss has stopped falling far above what guessing gives (the
        units saturated, typically after too large a learning rate), else None."""
        losses = [r["train_loss"] for r in self.trainer.history.epochs if "train_loss" in r]
        return saturation_warning(losses, self.chance_loss(), self.doc,
                                  float(getattr(self.optimizer, "lr", 0.0)),
                                  float(self.trainer.l1), float(self.trainer.l2))

    def chance_loss(self) -> float:
        """The loss of always guessing the class frequencies (classification) or the mean
        target (regression) on the training set: a trained network should beat it."""
        y = self.dataset.y_train
        if self.task == "regression":
            return float(np.mean(np.var(np.asarray(y, dtype=np.float64), axis=0)))
        counts = np.bincount(np.asarray(y), minlength=2).astype(np.float64)
        p = counts[counts > 0] / counts.sum()
        return float(-(p * np.log(p)).sum())

    def reset(self) -> None:
        """Fresh weights, optimizer state and history from the preset's seed; data kept."""
        self.model, self.optimizer, self.trainer = _build(self.doc, self.dataset)

    # ---------------------------------------------------------------------------- training

    @property
    def epochs(self) -> int:
        """The preset's number of epochs (`training.epochs`)."""
        return int(self.doc["training"]["epochs"])

    def fit(self, epochs: int | None = None, callback=None) -> list[dict]:
        """Train `epochs` more epochs (default: the preset's). `callback(record)` runs after each
        epoch and may return False to stop early. Returns the records of the epochs run now.
        DivergenceError propagates; the trainer has then restored the last finite weights."""
        start = len(self.trainer.history.epochs)
        self.trainer.fit(self.epochs if epochs is None else epochs, callback)
        return self.trainer.history.epochs[start:]

    def evaluate(self, split: str = "test") -> dict:
        """Loss and metrics of the current weights on a whole split (`Trainer.evaluate`)."""
        return self.trainer.evaluate(split)

    def save_model(self, path, history=None) -> None:
        """The trained weights and this experiment's preset, as a model .npz (atomic).

        A user file's path is stored relative to `path` (the GUI's worker holds it absolute), so
        the model opens again after it and its data folder have moved together; `self.doc` is
        left as it is, so a second save elsewhere is relative to that file in turn. `history`:
        the training history's arrays, saved with the model (`presets.modelfile`)."""
        save_model(path, self.doc, self.model, base_dir=self.base_dir, history=history)

    # ---------------------------------------------------------------------------- helpers

    @property
    def task(self) -> str:
        return self.dataset.task

    @property
    def output_id(self) -> str:
        """The output node's id (the graph check resolved an omitted "output" already)."""
        return self.model.output_id

    @property
    def class_names(self) -> tuple[str, ...]:
        """Display names of the classes (digits for MNIST, garments for Fashion-MNIST); () for
        regression."""
        n = self.dataset.n_classes
        if self.task != "classification" or not n:
            return ()
        if self.doc["dataset"]["kind"] == "fashion-mnist":
            from nnplayground.data.mnist import FASHION_CLASSES
            return tuple(FASHION_CLASSES)
        return tuple(str(i) for i in range(n))

    def result(self) -> dict:
        """The headline figures now: test accuracy (classification) or test RMSE and R²."""
        ev = self.evaluate("test" if self.trainer.x_test is not None else "train")
        return {k: float(v) for k, v in ev.items() if k != "confusion"}


def _build(doc: dict, dataset: Dataset):
    training = doc["training"]
    reg = doc.get("regularization", {})
    seed = int(training.get("seed", 0))
    model = build_model(doc["model"], seed=seed)
    optimizer = make_optimizer(doc["optimizer"])
    trainer = Trainer(model, loss=doc["loss"], optimizer=optimizer,
                      x_train=dataset.x_train, y_train=dataset.y_train,
                      x_test=dataset.x_test, y_test=dataset.y_test, task=dataset.task,
                      batch_size=int(training["batch_size"]), seed=seed,
                      l1=float(reg.get("l1", 0.0)), l2=float(reg.get("l2", 0.0)),
                      eval_batch_size=eval_batch_size(doc),
                      augment=Augmentation.from_spec(training.get("augmentation")),
                      lr_decay=float(training.get("lr_decay", 1.0)))
    return model, optimizer, trainer


def _check_input_shape(doc: dict, dataset: Dataset) -> None:
    """The data decides what the Input node must be (user files and 1-D data included)."""
    for i, node in enumerate(doc["model"]["nodes"]):
        if node["type"] == "Input":
            got = tuple(node["params"]["shape"])
            if got != tuple(dataset.input_shape):
                raise PresetError([Problem(
                    f"model.nodes[{i}].params.shape",
                    f"the dataset {dataset.name!r} gives inputs of shape "
                    f"{list(dataset.input_shape)} ({', '.join(dataset.feature_names)}), got "
                    f"{list(got)}; set the Input shape to {list(dataset.input_shape)}")],
                    doc.get("name"))


# ------------------------------------------------------------------------------------- memory

# Bytes of float32 memory per activation value in a training step, per sample: the outputs the
# backward pass reads, their gradients, and a convolution's im2col columns and their gradient.
# Measured with tracemalloc on mnist-cnn (padding 0 and 20) and mnist-mlp: a step's new
# allocations peak at 1.1-1.4 times 4 bytes x batch x (outputs + columns), and as much again
# stays cached in the layers between steps.
TRAIN_BYTES_PER_VALUE = 4 * 3
# Inference keeps no gradients: predicting 500 images peaked at 1.2-1.6 times 4 bytes x values.
EVAL_BYTES_PER_VALUE = 4 * 2
EVAL_BATCH = 500
# An evaluation batch holds at most this much: its temporaries come on top of training's at
# every epoch's end. At 500 images mnist-cnn's peaked at 280 MB, a rise and fall of a third of
# the main window's memory at each epoch (soak_gui); 64 MiB is 137 images, as fast per image.
EVAL_MEMORY = 64 * 2**20
# A network may take at most this share of the memory the machine has free.
MEMORY_SHARE = 0.75


def activation_values(model_spec: dict) -> dict[str, int]:
    """{node_id: values one sample's step holds for the node}: its output, and for a
    convolution its im2col columns (C_in * kh * kw per output position). Needs a valid graph."""
    from nnplayground.engine import check_graph
    from nnplayground.engine.layers.base import pair

    report = check_graph(model_spec)
    values = {}
    for node_id, shape in report.shapes.items():
        if shape is None:           # a graph problem, which validation reports
            continue
        count = int(np.prod(shape, dtype=object))
        if report.types[node_id] == "Conv2D":
            kh, kw = pair(report.params[node_id]["kernel"])
            channels = report.shapes[report.inputs[node_id][0]][0]
            count += channels * kh * kw * int(np.prod(shape[1:], dtype=object))
        values[node_id] = count
    return values


def available_memory() -> int | None:
    """Bytes of memory the machine has free now (Linux: MemAvailable; elsewhere half the
    physical memory), or None where neither can be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    except (AttributeError, ValueError, OSError):
        return None


def memory_problem(doc: dict, available: int | None = None) -> Problem | None:
    """A Problem when training the valid preset `doc` in its batches would need more memory
    than this machine has free (`available` bytes; measured when None), else None.

    The engine refuses a layer too large for any machine (per sample); this is the batch: a
    network that fits one sample may need gigabytes for 64 (mnist-cnn with padding 1000 asked
    for 7.8 GiB and the process was killed), so it is refused before anything is allocated,
    with the batch size that would fit.
    """
    available = available_memory() if available is None else available
    if not available:
        return None
    values = activation_values(doc["model"])
    per_sample = sum(values.values()) * TRAIN_BYTES_PER_VALUE
    batch = int(doc["training"]["batch_size"])
    budget = int(available * MEMORY_SHARE)
    if per_sample * batch <= budget:
        return None
    node_id = max(values, key=values.get)
    index = next(i for i, n in enumerate(doc["model"]["nodes"]) if n["id"] == node_id)
    largest = f'"{node_id}" ({_size(values[node_id] * TRAIN_BYTES_PER_VALUE * batch)})'
    need = (f"training in batches of {batch} needs about {_size(per_sample * batch)}, most of "
            f"it for {largest}, and this machine has {_size(available)} free")
    most = budget // per_sample
    if most >= 1:
        return Problem("training.batch_size", f"{need}; use a batch_size of at most {most:,}, "
                                              f'or make "{node_id}" smaller')
    return Problem(f"model.nodes[{index}]", f'{need}, too much even for one sample; make '
                                            f'"{node_id}" smaller (its size, padding or input)')


def eval_batch_size(doc: dict, available: int | None = None) -> int:
    """How many samples an evaluation takes at once: 500, or fewer when a network's inference
    on 500 would hold more than EVAL_MEMORY, or not fit in the memory free (`available` bytes;
    measured when None)."""
    available = available_memory() if available is None else available
    budget = min(EVAL_MEMORY, available * MEMORY_SHARE) if available else EVAL_MEMORY
    per_sample = sum(activation_values(doc["model"]).values()) * EVAL_BYTES_PER_VALUE
    return int(min(EVAL_BATCH, max(1, budget // max(per_sample, 1))))


def _size(n_bytes: float) -> str:
    """Memory for a message: "7.8 GiB", "130 GiB", "310 MiB"."""
    if n_bytes >= 2 ** 30:
        return f"{n_bytes / 2 ** 30:,.{1 if n_bytes < 10 * 2 ** 30 else 0}f} GiB"
    return f"{n_bytes / 2 ** 20:,.0f} MiB"


# ---------------------------------------------------------------------------- when it fails

# Settings far outside what any preset needs, which blow a network up whatever the learning
# rate: the diagnosis names them before blaming the learning rate.
LARGE_INIT_SCALE = 10.0
LARGE_BIAS = 1e3
LARGE_PENALTY = 1.0


def divergence_cause(doc: dict, lr: float, l1: float, l2: float) -> tuple[str, str]:
    """(likely cause, what to do) of a divergence, from the settings that were trained."""
    for node in doc["model"]["nodes"]:
        params, label = node.get("params", {}), f'"{node["id"]}"'
        scale = params.get("init_scale")
        if isinstance(scale, (int, float)) and abs(scale) > LARGE_INIT_SCALE:
            return (f"the init_scale {scale:g} of {label}: its first weights are that large, so "
                    f"its outputs overflow", f"set {label}'s init_scale to at most 1 (or clear "
                    f"it for the init's own default)")
        bias = params.get("bias_init")
        if isinstance(bias, (int, float)) and abs(bias) > LARGE_BIAS:
            return (f"the bias_init {bias:g} of {label}, which saturates or overflows what comes "
                    f"after it", f"set {label}'s bias_init near 0")
    if max(l1, l2) > LARGE_PENALTY:
        return (f"the regularisation (l1 {l1:g}, l2 {l2:g}): a penalty that large swamps the "
                f"loss and its gradient blows the weights up", "lower l1/l2 to 0.01 or less")
    return (f"the learning rate {lr:g} is too high for this network, so its updates "
            f"overshoot", f"lower the learning rate (try {lr / 10:g})")


def divergence_message(exc, doc: dict, lr: float, l1: float, l2: float) -> str:
    """The three lines the CLI and the GUI show for a DivergenceError."""
    step = getattr(exc, "step", None)
    where = f" at step {step}" if step is not None else ""
    what = getattr(exc, "what", None) or "the loss or a weight became infinite or NaN"
    cause, fix = divergence_cause(doc, lr, l1, l2)
    return (f"Training diverged{where}: {what}.\nLikely cause: {cause}.\n"
            f"The weights are back to their last finite values; {fix}, then train on or "
            f"Reset.")


# A loss this many times the guessing loss, not falling over the last epochs, is saturated.
SATURATED_RATIO = 2.0
STALL_EPOCHS = 3


def saturation_warning(losses: list[float], chance: float, doc: dict, lr: float, l1: float,
                       l2: float) -> str | None:
    """A warning for a training loss that has stopped falling far above `chance` (what
    guessing gives), with its likely cause, else None. xor and mnist-mlp at learning rate 10
    ran their epochs at a loss of 47 to 78 with units stuck at 0 or 1, and exited as if all
    was well."""
    if len(losses) < STALL_EPOCHS or chance <= 0:
        return None
    recent = losses[-STALL_EPOCHS:]
    last = recent[-1]
    if not math.isfinite(last) or last < SATURATED_RATIO * chance:
        return None
    if last < 0.9 * recent[0]:      # still falling
        return None
    cause, fix = divergence_cause(doc, lr, l1, l2)
    return (f"the loss stopped falling at {last:.3g}, far above the {chance:.2g} that guessing "
            f"gives: the units are probably saturated (stuck at their extremes). Likely cause: "
            f"{cause}; {fix}, then Reset")
