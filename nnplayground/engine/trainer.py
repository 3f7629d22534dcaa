"""The Trainer: one mini-batch per `step()`, epochs of shuffled batches, evaluation, history.

The trainer is a step, not a loop you cannot stop: `step()` does one mini-batch and
returns plain numbers; `run_epoch()`, `fit()`, the CLI and the GUI worker are thin drivers
around it. It has no threads, no Qt and prints nothing.

Determinism: the randomness here is the order of the samples, drawn per epoch from
`np.random.default_rng(seed)`, and the optional `augment(x_batch, rng) -> x_batch` applied to
each training batch (never to evaluation), which gets a generator of its own spawned from the
same seed; the model owns the RNG of its Dropout layers. Same seed, same platform ->
bit-identical `history` (except the wall-clock `seconds` of each epoch record).

Learning-rate decay: with `lr_decay` below 1, the optimizer's `lr` is multiplied by it at the
end of every epoch (lr after k epochs = lr * lr_decay**k, Keras' ExponentialDecay per epoch).

Evaluation: `finish_epoch()` evaluates both splits in one call; `epoch_evaluation()` hands out
the same work as an `EpochEvaluation` that a responsive driver (the GUI worker) advances one eval
batch at a time between its pause/stop checks.

Live changes: `batch_size`, `l1`, `l2` and the optimizer's hyperparameters are read at the start
of every step, so a change between two steps applies to the next one. A smaller or larger batch
simply takes the next `batch_size` samples of the current epoch's shuffled order.

Regularisation (weights `W` only; biases and BatchNorm's gamma/beta are not penalised, as in
"Deep Learning from Scratch" and Keras' kernel_regularizer):
    L1: loss += l1 * sum|W|,        dL/dW += l1 * sign(W)
    L2: loss += l2/2 * sum(W * W),  dL/dW += l2 * W   (PyTorch's weight_decay = l2)
The penalty is added to the step losses (what the optimizer minimises) and to the layers'
gradients in place (so gradient views show what the optimizer used). `evaluate()` reports the
data loss alone, so train and test losses stay comparable.

Divergence: a non-finite loss is caught before the update, so the parameters are untouched.
The update itself goes through `optimizer.guarded_step` (an `engine.optimizers.Optimizer`) on
the model's packed parameters, which checks every update (one dot product over all of them)
before applying any; a finite update of a finite parameter stays finite (see its docstring), so
no copy of the parameters is ever needed. The trainer leaves the parameters (and BatchNorm
statistics, copied before the forward pass only when the model has any) as they were before
the failed step and raises `DivergenceError(step, message)`;
the step can be retried with, say, a lower learning rate. Costs are measured by
benchmarks/bench_mnist.py ("safety net").
"""

import math
import time
from typing import NamedTuple

import numpy as np

from .losses import make_loss
from .metrics import predicted_classes, r2_score, rmse

__all__ = ["Trainer", "StepResult", "DivergenceError", "History", "EpochEvaluation"]


PACKED = "all parameters"   # the optimizer-state key of a model packed into one array


class StepResult(NamedTuple):
    """What one `Trainer.step()` did: the step number (1-based, counting all steps so far),
    the number of completed epochs after it, the mini-batch loss (penalty included) and
    whether this step finished an epoch."""

    step: int
    epoch: int
    loss: float
    epoch_done: bool


class DivergenceError(RuntimeError):
    """Training produced a non-finite loss or parameter. `step` is the step that failed; the
    trainer restored the parameters from before it, so `trainer.model` stays usable."""

    def __init__(self, step, message, what=None):
        super().__init__(message)
        self.step = step
        self.message = message
        self.what = what        # what went non-finite, for a caller's own diagnosis


class History:
    """`steps`: [(step, loss)], one per step; `epochs`: [dict], one per finished epoch with
    epoch, train_loss, test_loss, train_accuracy, test_accuracy (classification) or train_rmse,
    test_rmse, train_r2, test_r2 (regression), and seconds (training time of that epoch)."""

    def __init__(self):
        self.steps = []
        self.epochs = []

    def __repr__(self):
        return f"History({len(self.steps)} steps, {len(self.epochs)} epochs)"


class _Penalty:
    """A regularisation strength (`l1`, `l2`), a live setting checked when it is set, so a bad
    value fails at the user's change rather than steps later. Stored as `_l1`/`_l2`, which the
    step reads directly."""

    def __set_name__(self, owner, name):
        self.name, self.slot = name, "_" + name

    def __get__(self, trainer, owner=None):
        return self if trainer is None else getattr(trainer, self.slot)

    def __set__(self, trainer, value):
        value = float(value)
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{self.name}: must be a number >= 0 (0 turns it off), got "
                             f"{value!r}")
        setattr(trainer, self.slot, value)


class Trainer:
    """Trains `model` on (x_train, y_train) with `loss` and `optimizer`; see the module doc.

    x: (N, *model.input_shape), converted once to the model's dtype;
    y: (N,) int class indices (classification) or (N, k) floats (regression).
    `task` defaults to "classification" for integer 1-D labels, else "regression".
    """

    def __init__(self, model, loss, optimizer, x_train, y_train, x_test=None, y_test=None,
                 task=None, batch_size=32, seed=0, l1=0.0, l2=0.0, eval_batch_size=500,
                 augment=None, lr_decay=1.0):
        self.model = model
        self.loss = make_loss(loss)
        self.optimizer = optimizer
        self.dtype = np.dtype(model.dtype)
        if task is None:
            y = np.asarray(y_train)
            task = "classification" if y.ndim == 1 and y.dtype.kind in "iub" else "regression"
        if task not in ("classification", "regression"):
            raise ValueError(f"task: must be 'classification' or 'regression', got {task!r}")
        self.task = task
        self.x_train, self.y_train = self._data(x_train, y_train, "train")
        if x_test is None or y_test is None or len(x_test) == 0:
            self.x_test = self.y_test = None
        else:
            self.x_test, self.y_test = self._data(x_test, y_test, "test")
        if len(self.x_train) == 0:
            raise ValueError("x_train: the training set is empty; give at least one sample")
        model.check_loss(self.loss)
        self.batch_size = batch_size
        self.l1, self.l2 = l1, l2
        self.eval_batch_size = int(eval_batch_size)
        if self.eval_batch_size < 1:
            raise ValueError(f"eval_batch_size: must be a positive integer, got "
                             f"{eval_batch_size!r}")
        self.seed = seed
        # augment(x_batch, rng) -> x_batch: distorts training batches only, with its own RNG
        # so that the shuffled order is the same with and without it
        self.augment = augment
        self._augment_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
        self.lr_decay = float(lr_decay)
        if not 0 < self.lr_decay <= 1:
            raise ValueError(f"lr_decay: must be a number in (0, 1] (1 keeps the learning "
                             f"rate constant), got {lr_decay!r}")
        self.history = History()
        self.steps_done = 0
        self.epoch = 0                      # completed epochs
        self._rng = np.random.default_rng(seed)
        self._perm = None
        self._epoch_rng = None              # the RNG's state before this epoch's order was drawn
        self._cursor = 0
        self._epoch_seconds = 0.0
        self._evaluation = None             # the EpochEvaluation under way, if any
        self._collect_parameters()

    # ------------------------------------------------------------ set-up

    def _data(self, x, y, split):
        x = np.ascontiguousarray(x, dtype=self.dtype)
        y = np.asarray(y)
        if self.task == "classification":
            if y.ndim != 1 or y.dtype.kind not in "iub":
                raise ValueError(f"y_{split}: classification labels must be int class indices "
                                 f"of shape (N,), got {y.dtype} {y.shape}")
            y = y.astype(np.int64, copy=False)
            units = int(np.prod(self.model.output_shape))
            top = int(y.max(initial=0))
            if y.size and y.min() < 0:
                raise ValueError(f"y_{split}: class labels must be >= 0, got {int(y.min())}; "
                                 f"number the classes 0, 1, 2, ...")
            if top >= max(units, 2):
                raise ValueError(f"y_{split}: label {top} needs at least {top + 1} output "
                                 f"units, but the model has {units}; give the output layer "
                                 f"one unit per class")
        else:
            y = np.ascontiguousarray(y, dtype=self.dtype)
            if y.ndim == 1:
                y = y[:, None]
        if len(x) != len(y):
            raise ValueError(f"x_{split} has {len(x)} samples but y_{split} has {len(y)}; "
                             f"they must have one label per sample")
        # Bad data would otherwise surface as a "divergence" blamed on the learning rate.
        for name, a in ((f"x_{split}", x), (f"y_{split}", y)):
            if a.dtype.kind == "f" and not math.isfinite(float(a.sum(dtype=np.float64))):
                row = int(np.argwhere(~np.isfinite(a.reshape(len(a), -1)))[0, 0])
                raise ValueError(f"{name}: sample {row} holds NaN or infinite values; remove "
                                 f"or fix those samples in the data")
        if x.shape[1:] != tuple(self.model.input_shape):
            raise ValueError(f"x_{split}: samples of shape {x.shape[1:]} do not fit the input "
                             f"shape {tuple(self.model.input_shape)} of the model")
        return x, y

    def _collect_parameters(self):
        """What a step updates, built once: the model's parameters packed into one flat array
        (and its gradients into another), which the optimizer updates as one (`PACKED`), with
        each parameter's slice to name the one that diverged; the weights `W` for the
        penalties; the buffers (BatchNorm statistics) to restore after a divergence.
        """
        packed = self.model.packed
        self._packed = ({PACKED: packed.params}, {PACKED: packed.grads}, packed.slices)
        self._weights = [(p, self.model.grads[key]) for key, p in self.model.params.items()
                         if key[1] == "W"]
        layers = self.model.layers
        self._buffers = [(layer.buffers, name) for node_id in self.model.order
                         for layer in [layers[node_id]] for name in layer.buffers]
        self._buffer_copies = [np.empty_like(b[name]) for b, name in self._buffers]

    # ------------------------------------------------------------ live settings

    @property
    def batch_size(self):
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value):
        ok = isinstance(value, (int, float, np.integer)) and not isinstance(value, bool)
        if not ok or value != int(value) or value < 1:
            raise ValueError(f"batch_size: must be a positive integer, got {value!r}")
        self._batch_size = int(value)

    l1 = _Penalty()
    l2 = _Penalty()

    # ------------------------------------------------------------ training

    def step(self):
        """One mini-batch: forward, loss, backward, penalties, optimizer update, history.

        Raises DivergenceError (parameters restored) on a non-finite loss or parameter.
        """
        if self._evaluation is not None:
            self._evaluation.run()
        start = time.perf_counter()
        n = len(self.x_train)
        if self._perm is None or self._cursor >= n:
            self._epoch_rng = self._rng.bit_generator.state
            self._perm = self._rng.permutation(n)
            self._cursor = 0
            self._epoch_seconds = 0.0
        cursor = self._cursor
        idx = self._perm[cursor:cursor + self._batch_size]
        step = self.steps_done + 1
        saved_buffers = None
        if self._buffers:                   # BatchNorm statistics change in the forward pass
            saved_buffers = self._buffer_copies
            for (buffers, name), copy in zip(self._buffers, saved_buffers):
                copy[...] = buffers[name]
        # A diverging network overflows on purpose; that is reported as DivergenceError, not
        # as numpy RuntimeWarnings (which the test suite turns into errors). ~3 us a step.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"), \
                self.model.threads_held():
            loss = self._compute(idx, step, saved_buffers)   # the cursor stays put if it raises
        self._cursor = cursor + len(idx)

        self.steps_done = step
        epoch_done = self._cursor >= n
        if epoch_done:
            self.epoch += 1
            if self.lr_decay != 1 and hasattr(self.optimizer, "lr"):
                self.optimizer.lr *= self.lr_decay
        self.history.steps.append((step, loss))
        self._epoch_seconds += time.perf_counter() - start
        return StepResult(step, self.epoch, loss, epoch_done)

    def set_data(self, x_train, y_train, x_test=None, y_test=None) -> None:
        """Train on other data from the next step (points drawn or erased by hand): checked
        like the constructor's, the model, optimizer state and history kept. The next step
        starts a new sample order; an evaluation under way is dropped (it was of the old data).
        """
        x_train, y_train = self._data(x_train, y_train, "train")
        if len(x_train) == 0:
            raise ValueError("x_train: the training set is empty; give at least one sample")
        test = (None, None) if x_test is None or y_test is None or len(x_test) == 0 else \
            self._data(x_test, y_test, "test")
        self.x_train, self.y_train = x_train, y_train
        self.x_test, self.y_test = test
        self._perm, self._cursor, self._evaluation = None, 0, None

    def position(self) -> dict:
        """Where training stands, as plain JSON-able values: steps and epochs done, the place in
        this epoch's sample order and the RNG state that order was drawn from. With the
        parameters and the optimizer's state, `set_position` continues bit for bit from here."""
        return {"steps_done": int(self.steps_done), "epoch": int(self.epoch),
                "cursor": int(self._cursor), "epoch_rng": self._epoch_rng,
                "epoch_seconds": float(self._epoch_seconds),
                "augment_rng": self._augment_rng.bit_generator.state,
                "lr": float(self.optimizer.lr) if hasattr(self.optimizer, "lr") else None}

    def set_position(self, position: dict) -> None:
        """Go back (or forward) to a `position()`: the same sample order, the same next batch.

        The history is cut to the steps and epochs done then; an evaluation under way is
        dropped (the caller evaluates a finished epoch that has no record yet)."""
        self.steps_done = int(position["steps_done"])
        self.epoch = int(position["epoch"])
        self._epoch_seconds = float(position.get("epoch_seconds", 0.0))
        self._evaluation = None
        self._rng = np.random.default_rng(self.seed)
        self._epoch_rng, self._perm, self._cursor = position.get("epoch_rng"), None, 0
        if self._epoch_rng is not None:
            self._rng.bit_generator.state = self._epoch_rng
            self._perm = self._rng.permutation(len(self.x_train))
            self._cursor = int(position["cursor"])
        if position.get("augment_rng") is not None:
            self._augment_rng.bit_generator.state = position["augment_rng"]
        if self.lr_decay != 1 and position.get("lr") is not None:
            self.optimizer.lr = position["lr"]      # the decayed rate of that epoch
        del self.history.steps[self.steps_done:]
        del self.history.epochs[self.epoch:]

    def _compute(self, idx, step, saved_buffers):
        """Forward, backward, penalties, update; raise DivergenceError after restoring."""
        x = self.x_train[idx]
        if self.augment is not None:
            x = self.augment(x, self._augment_rng)
        loss, _ = self.model.forward_backward(x, self.y_train[idx], self.loss)
        if self._l1 or self._l2:
            loss += self._apply_penalties()
        if not math.isfinite(loss):
            self._restore_buffers(saved_buffers)
            what = f"the loss became {loss}"
            raise DivergenceError(step, self._divergence_message(step, what), what)

        bad = self.optimizer.guarded_step(*self._packed)
        if bad is not None:
            self._restore_buffers(saved_buffers)
            # The moments were fed the exploding gradients; keeping them would diverge again.
            self.optimizer.reset()
            what = f"the update of {bad[0]}/{bad[1]} became infinite or NaN"
            raise DivergenceError(step, self._divergence_message(step, what), what)
        return loss

    def _apply_penalties(self):
        """Add the L1/L2 gradients to the layers' W gradients; return the penalty value."""
        l1, l2 = self._l1, self._l2
        penalty = 0.0
        for w, g in self._weights:
            if l2:
                penalty += 0.5 * l2 * float(np.vdot(w, w))
                g += l2 * w
            if l1:
                penalty += l1 * float(np.abs(w).sum())
                g += l1 * np.sign(w)
        return penalty

    def _restore_buffers(self, saved_buffers):
        if saved_buffers is not None:
            for (buffers, name), value in zip(self._buffers, saved_buffers):
                np.copyto(buffers[name], value)

    def _divergence_message(self, step, what):
        lr = getattr(self.optimizer, "lr", None)
        cause = ""
        if lr is not None:
            cause = (f" The learning rate {lr:g} is probably too high for this network; "
                     f"try {lr / 10:g} or lower.")
        if self._l1 > 1 or self._l2 > 1:
            cause += f" The regularisation (l1 {self._l1:g}, l2 {self._l2:g}) is also large."
        return (f"training diverged at step {step}: {what}.{cause} The parameters were "
                f"restored to their values before step {step}.")

    def finish_epoch(self):
        """Evaluate on the training and test sets and append the epoch record (returned).

        `step()` does not evaluate by itself (that costs a pass over both sets), so a driver
        calls this when a step reports `epoch_done`; `run_epoch()` does it for you. A driver
        that must stay responsive meanwhile uses `epoch_evaluation()` instead.
        """
        return self.epoch_evaluation().run()

    def epoch_evaluation(self):
        """The end-of-epoch evaluation as an `EpochEvaluation`, advanced one eval batch at a
        time: over full MNIST with a CNN the two passes (70,000 images) take seconds, far longer
        than a GUI may go without answering Pause. The one already under way, if any, is returned again, so
        an epoch never gets two records."""
        if self._evaluation is None:
            self._evaluation = EpochEvaluation(self._epoch_record())
        return self._evaluation

    def _epoch_record(self):
        """Generator behind `EpochEvaluation`: yields after each eval batch, returns the record
        once it is in the history."""
        record = {"epoch": self.epoch}
        for split in ("train", "test") if self.x_test is not None else ("train",):
            metrics = yield from self._evaluation_batches(split)
            record.update((f"{split}_{key}", value) for key, value in metrics.items()
                          if key != "confusion")
        record["seconds"] = self._epoch_seconds
        self.history.epochs.append(record)
        self._evaluation = None
        return record

    def run_epoch(self):
        """Step until the current epoch ends, then evaluate; returns the epoch record."""
        while not self.step().epoch_done:
            pass
        return self.finish_epoch()

    def fit(self, epochs, callback=None):
        """Run `epochs` epochs; `callback(record)` after each may return False to stop early.
        Returns the history."""
        for _ in range(int(epochs)):
            record = self.run_epoch()
            if callback is not None and callback(record) is False:
                break
        return self.history

    # ------------------------------------------------------------ evaluation

    def evaluate(self, split="test"):
        """Data loss and metrics on a whole split, in batches of `eval_batch_size`.

        classification -> {"loss", "accuracy", "confusion" (n_classes x n_classes)};
        regression -> {"loss", "rmse", "r2"}.
        """
        return _run(self._evaluation_batches(split))

    def _evaluation_batches(self, split):
        """Generator behind `evaluate`: predicts one eval batch per `next()`, then returns the
        metrics. (A generator, so `EpochEvaluation` can pause between batches.)"""
        if split == "train":
            x, y = self.x_train, self.y_train
        elif split == "test":
            if self.x_test is None:
                raise ValueError("evaluate('test'): this trainer has no test set; "
                                 "pass x_test and y_test, or evaluate('train')")
            x, y = self.x_test, self.y_test
        else:
            raise ValueError(f"evaluate: split must be 'train' or 'test', got {split!r}")
        size = self.eval_batch_size
        out = np.empty((len(x),) + tuple(self.model.output_shape), dtype=self.dtype)
        for start in range(0, len(x), size):
            # Parameters restored after a divergence may be huge: report inf/nan, do not warn.
            # (The errstate is entered per batch: one held across a yield would leak into the
            # driver's code.)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                batch = x[start:start + size]
                out[start:start + size] = self.model.predict(batch, batch_size=size)
            yield
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            return self._metrics(out, y)

    def _metrics(self, out, y):
        loss = float(self.loss(out, y))
        if self.task == "classification":
            # Labels were checked against the output units in __init__, so the confusion
            # matrix is one bincount and the accuracy its trace (the GUI evaluates both
            # splits every epoch: this path is hot for small networks).
            k = max(2, int(np.prod(self.model.output_shape)))
            pred = predicted_classes(out)
            confusion = np.bincount(y * k + pred, minlength=k * k).reshape(k, k)
            correct = int(np.trace(confusion))
            return {"loss": loss, "accuracy": correct / len(y) if len(y) else float("nan"),
                    "confusion": confusion}
        out = out.reshape(len(out), -1)
        return {"loss": loss, "rmse": rmse(y, out), "r2": r2_score(y, out)}


class EpochEvaluation:
    """One epoch's evaluation of both splits, in slices: `advance()` runs one eval batch.

    A driver that must answer pause/stop within ~200 ms (the GUI worker) calls `advance()`
    between its checks; `run()` finishes it in one go (`finish_epoch`, the CLI, tests). When
    the last batch is done the record is appended to the trainer's history and kept in
    `record`. `Trainer.step()` finishes a pending evaluation first, so the record always
    describes the weights at the end of its epoch.
    """

    def __init__(self, batches):
        self._batches = batches
        self.record = None

    @property
    def done(self):
        return self.record is not None

    def advance(self):
        """Run one eval batch (or build the record after the last); True once done."""
        if self.record is None:
            try:
                next(self._batches)
            except StopIteration as stop:
                self.record = stop.value
        return self.record is not None

    def run(self):
        """Finish the evaluation; returns the epoch record."""
        while not self.advance():
            pass
        return self.record


def _run(generator):
    """Exhaust a generator; return what it returned."""
    while True:
        try:
            next(generator)
        except StopIteration as stop:
            return stop.value
