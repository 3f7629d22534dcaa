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
from dataclasses import dataclass
from pathlib import Path


from nnplayground.data import Dataset, load_dataset
from nnplayground.data.augment import Augmentation
from nnplayground.engine import Trainer, build_model, make_optimizer
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
        doc = copy.deepcopy(doc)
        dataset = load_dataset(doc["dataset"], mnist_dir=mnist_dir, progress=progress,
                               base_dir=base_dir)
        _check_input_shape(doc, dataset)
        model, optimizer, trainer = _build(doc, dataset)
        # Without base_dir, load_dataset read a relative path from the current folder: remember
        # which one, since the process may change folders before the model is saved.
        folder = str(Path(base_dir if base_dir is not None else Path.cwd()).resolve())
        return cls(doc, dataset, model, optimizer, trainer, folder)

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
