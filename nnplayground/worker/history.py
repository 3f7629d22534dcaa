"""The training history: checkpoints of a run that the views can show again and training can
continue from, in bounded memory however long the run.

A `Checkpoint` keeps one moment whole: the frame the views draw (a `Snapshot` with every part:
boundary and hidden-unit maps, 1-D curve, filters and feature maps, predictions, confusion
matrix, weights and gradients), plus what training needs to go on from there bit for bit (the
BatchNorm statistics, the optimizer's per-parameter state, the trainer's position in its sample
order and the Dropout layers' random state).

Spacing, dense at first and thinning as it goes: step s is taken when it is at least
max(1, SPACING * s) steps after the previous checkpoint (every step up to 50, then one every
2 % of the run: about 430 checkpoints over 100,000 steps, about 600 over ten million). Should
the checkpoints outgrow the budget (`budget_bytes`, 200 MB, or `max_checkpoints`), the one whose
neighbours are closest on a log1p(step / DENSE_STEPS) scale is dropped, again and again: the
survivors stay dense early and spread out later, and the first and the newest always stay.

Capturing costs a forward pass over the views' inputs; for a wide network that is more than a
training step, so after the first DENSE_STEPS `take` also waits COST_RATIO times as long as
the last capture took (and at least MIN_INTERVAL) before the next is due: checkpoints then
take at most a fifth of the training time, and xor's 7,000 steps a second are not copied 100
times a second. (Which steps are kept then depends on the machine's speed; the training
itself never does.)

Everything here is plain numpy and Python (no Qt): the worker thread records, the GUI only
receives frozen frames.
"""

from __future__ import annotations

import copy
import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

BUDGET_BYTES = 200 * 2**20     # the stated memory budget of one run's checkpoints
MAX_CHECKPOINTS = 2000         # and at most this many (a timeline position is a checkpoint)
DENSE_STEPS = 50               # every step is kept up to here ...
SPACING = 0.02                 # ... then one every 2 % of the steps done
COST_RATIO = 4                 # train at least 4x as long as capturing (<= 20 % of the time)
MIN_INTERVAL = 0.05            # and capture at most 20 times a second of training


@dataclass(frozen=True)
class Checkpoint:
    """One moment of a run. Nothing in it is mutated after it is made, so it can be shown on
    the GUI thread and restored on the worker thread at the same time.

    frame: the Snapshot the views draw (every part, its own copies of weights and gradients).
    buffers: {"<node_id>/<name>": array} BatchNorm statistics (with `frame.weights`, the
        model's whole state_dict). optimizer: {"type": name, "state": {key: {name: array or
        number}}}. position: `Trainer.position()`. dropout: {node_id: bit generator state}.
    """

    step: int
    epoch: int
    frame: object
    buffers: Mapping[str, np.ndarray]
    optimizer: Mapping
    position: Mapping
    dropout: Mapping
    nbytes: int = 0

    def state_dict(self) -> dict:
        """The model's parameters and buffers at this moment ("<node_id>/<name>": array)."""
        state = {f"{node}/{name}": value for node, params in self.frame.weights.items()
                 for name, value in params.items()}
        state.update(self.buffers)
        return state


def capture(experiment, builder) -> Checkpoint:
    """The experiment's present moment as a checkpoint (worker thread: reads the live model)."""
    frame = builder.moment()
    model, optimizer = experiment.model, experiment.optimizer
    buffers = {f"{node}/{name}": np.array(value) for node in model.order
               for name, value in getattr(model.layers[node], "buffers", {}).items()}
    state = {key: {name: np.array(v) if isinstance(v, np.ndarray) else v
                   for name, v in per_param.items()}
             for key, per_param in getattr(optimizer, "state", {}).items()}
    dropout = {node: copy.deepcopy(layer.rng.bit_generator.state)
               for node, layer in model.layers.items() if hasattr(layer, "rng")}
    cp = Checkpoint(step=int(frame.step), epoch=int(frame.epoch), frame=frame,
                    buffers=MappingProxyType(buffers),
                    optimizer=MappingProxyType({"type": getattr(optimizer, "name", ""),
                                                "state": state}),
                    position=MappingProxyType(experiment.trainer.position()),
                    dropout=MappingProxyType(dropout))
    return dataclasses.replace(cp, nbytes=nbytes(cp))


def restore(experiment, checkpoint: Checkpoint) -> None:
    """Put the experiment back to `checkpoint` (worker thread): parameters, BatchNorm
    statistics, the optimizer's state when it is still the same kind of optimizer (else it
    starts fresh, as after switching), Dropout's random state and the trainer's position.
    The trainer's history is cut there; the checkpoint itself is left untouched."""
    model, optimizer = experiment.model, experiment.optimizer
    model.load_state_dict({k: np.array(v) for k, v in checkpoint.state_dict().items()})
    if hasattr(optimizer, "state"):
        optimizer.state.clear()
        if checkpoint.optimizer.get("type") == getattr(optimizer, "name", None):
            optimizer.state.update(copy.deepcopy(dict(checkpoint.optimizer["state"])))
    for node, state in checkpoint.dropout.items():
        model.layers[node].rng.bit_generator.state = copy.deepcopy(state)
    experiment.trainer.set_position(dict(checkpoint.position))


def nbytes(obj, seen=None) -> int:
    """Bytes of the numpy arrays reachable from `obj` (each array counted once)."""
    seen = set() if seen is None else seen
    if isinstance(obj, np.ndarray):
        if id(obj) in seen:
            return 0
        seen.add(id(obj))
        return obj.nbytes
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return sum(nbytes(getattr(obj, f.name), seen) for f in dataclasses.fields(obj))
    if isinstance(obj, Mapping):
        return sum(nbytes(v, seen) for v in obj.values())
    if isinstance(obj, (tuple, list)):
        return sum(nbytes(v, seen) for v in obj)
    return 0


class TrainingHistory:
    """A run's checkpoints in step order, within `budget_bytes` and `max_checkpoints`.

    The worker asks `due(step)` after each training step and `add()`s a capture when it is;
    pauses add one too (a moment the user has looked at), replacing a checkpoint of the same
    step. `version` changes with every change, so the timeline is only sent when it moved.
    """

    def __init__(self, budget_bytes=BUDGET_BYTES, max_checkpoints=MAX_CHECKPOINTS):
        if budget_bytes <= 0 or max_checkpoints < 2:
            raise ValueError("a training history needs a positive budget and room for at "
                             "least 2 checkpoints")
        self.budget_bytes = int(budget_bytes)
        self.max_checkpoints = int(max_checkpoints)
        self.checkpoints: list[Checkpoint] = []
        self.nbytes = 0
        self.version = 0
        self._free_at = float("-inf")    # (clock) no capture is due before this

    def __len__(self):
        return len(self.checkpoints)

    def steps(self) -> np.ndarray:
        """(n,) int64 steps of the checkpoints, ascending (a copy)."""
        return np.array([cp.step for cp in self.checkpoints], dtype=np.int64)

    def due(self, step: int, now: float | None = None) -> bool:
        """Whether a checkpoint should be taken after training step `step`; `now` (the clock
        `take` measured with) also applies the cost rule."""
        if not self.checkpoints:
            return True
        if now is not None and now < self._free_at and step > DENSE_STEPS:
            return False
        last = self.checkpoints[-1].step
        return step - last >= max(1, int(SPACING * last)) if last >= DENSE_STEPS \
            else step > last

    def take(self, experiment, builder, clock=time.perf_counter) -> float:
        """Capture and add the experiment's present moment; returns the seconds it took."""
        start = clock()
        self.add(capture(experiment, builder))
        end = clock()
        self._free_at = end + max(COST_RATIO * (end - start), MIN_INTERVAL)
        return end - start

    def add(self, checkpoint: Checkpoint) -> None:
        """Append a checkpoint (one of the newest step replaces it), then thin to the budget."""
        if self.checkpoints and checkpoint.step <= self.checkpoints[-1].step:
            if checkpoint.step < self.checkpoints[-1].step:
                raise ValueError(f"checkpoint of step {checkpoint.step} after step "
                                 f"{self.checkpoints[-1].step}: cut the history first")
            self.nbytes -= self.checkpoints.pop().nbytes
        self.checkpoints.append(checkpoint)
        self.nbytes += checkpoint.nbytes
        self._thin()
        self.version += 1

    def at(self, step: int) -> Checkpoint:
        """The checkpoint at `step`, or the latest one before it (the first if none is)."""
        if not self.checkpoints:
            raise LookupError("the training history is empty")
        i = int(np.searchsorted(self.steps(), int(step), side="right")) - 1
        return self.checkpoints[max(i, 0)]

    def cut_after(self, step: int) -> None:
        """Forget the checkpoints after `step`: training goes on from there as a new branch."""
        keep = [cp for cp in self.checkpoints if cp.step <= step]
        if len(keep) != len(self.checkpoints):
            self.checkpoints = keep
            self.nbytes = sum(cp.nbytes for cp in keep)
            self.version += 1

    def _thin(self):
        while len(self.checkpoints) > 2 and (self.nbytes > self.budget_bytes
                                             or len(self.checkpoints) > self.max_checkpoints):
            u = np.log1p(self.steps() / DENSE_STEPS)
            # removing interior checkpoint i leaves the gap u[i+1] - u[i-1]: take the smallest
            i = 1 + int(np.argmin(u[2:] - u[:-2]))
            self.nbytes -= self.checkpoints.pop(i).nbytes
