"""Build `Snapshot`s from the live experiment (runs on the worker thread only)."""

from __future__ import annotations

import time
from types import MappingProxyType

import numpy as np

from nnplayground.data import make_features
from nnplayground.engine.metrics import confusion_matrix
from nnplayground.worker import snapshot as S

# Parts that cost a forward pass over many images are refreshed at most this often; the cheap
# parts (metrics, weights, a 50x50 boundary of a tiny net) go out with every snapshot.
HEAVY_INTERVAL = 0.25
# Layer health runs a forward and a backward pass through the reference layers (the textbook
# kernels, slower than training's: 200 samples of mnist-cnn took 1.3 s of CPU, 50 training
# steps' worth, and it was asked for every 0.25 s). It changes slowly, so it is refreshed at
# most every HEALTH_INTERVAL seconds, on a training batch's worth of samples.
HEALTH_INTERVAL = 1.0
HEALTH_SAMPLES = 64         # training samples layer health is measured on (the first ones)
# A heavy part is also refreshed only after COST_RATIO times as long as its last computation
# took: together they take at most about 1 / COST_RATIO of the training thread's time, and a
# slow machine shows them less often rather than training (and answering Pause) more slowly.
COST_RATIO = 10
CONFUSION_POINTS = 2000     # test points in the confusion matrix: cheap enough per epoch


class Refresh:
    """When a costly part is due again, on the builder's clock: `interval` seconds after the
    last computation began, and no sooner than COST_RATIO times as long as it took."""

    def __init__(self, clock, interval):
        self._clock, self.interval = clock, interval
        self.at, self.cost = None, 0.0

    def reset(self):
        self.at = None

    def due(self) -> bool:
        return self.at is None or \
            self._clock() - self.at >= max(self.interval, COST_RATIO * self.cost)

    def compute(self, fn):
        """fn(), timed: its cost sets when the next one is due."""
        start = self._clock()
        value = fn()
        self.at, self.cost = start, self._clock() - start
        return value


def _copy_params(layers, attr):
    out = {}
    for node_id, layer in layers.items():
        arrays = getattr(layer, attr, None) or {}
        if arrays:
            out[node_id] = MappingProxyType({k: np.array(v) for k, v in arrays.items()})
    return MappingProxyType(out)


class SnapshotBuilder:
    """Turns the live experiment into frozen snapshots, computing only what visible views need.

    One builder per loaded experiment; it remembers how far the metric history has been sent so
    each snapshot carries only the new points.
    """

    def __init__(self, experiment, info: S.DatasetInfo, run=0, clock=time.perf_counter,
                 history=None, weights_from_file=False):
        """history: the run's TrainingHistory (its steps go to the timeline), or None;
        weights_from_file: the run starts from a saved model's weights."""
        self.exp = experiment
        self._clock = clock
        self.run = run
        self.info = info
        self.node_types = {n["id"]: n["type"] for n in experiment.doc["model"]["nodes"]}
        self.output_id = experiment.output_id
        self.steps_sent = 0
        self.epochs_sent = 0
        self._epoch_steps = {}    # epoch index -> step at which it ended (for the loss plot)
        self.image_index = 0
        self.weights_from_file = bool(weights_from_file)
        self._confusion = None
        self._confusion_probabilities = None
        self._health = None
        self._health_refresh = Refresh(clock, HEALTH_INTERVAL)
        self._confusion_epoch = 0
        self._confusion_step = 0
        self._heavy = {}
        self._heavy_refresh = Refresh(clock, HEAVY_INTERVAL)
        self.history = history
        self._timeline_version = -1
        self._set_plane(info)
        self.first_conv = next((i for i in experiment.model.order
                                if self.node_types.get(i) == "Conv2D"), None)

    def data_changed(self, info: S.DatasetInfo):
        """The live model trains on other data now (points edited by hand)."""
        self.info = info
        self._set_plane(info)
        self.reset_heavy()

    def _set_plane(self, info: S.DatasetInfo):
        """The model's inputs over the input plane (the boundary's grid) and at the training
        points the transformed space carries, with their labels; None for other data."""
        self._grid = self._space_inputs = self._space_labels = None
        if info.kind == "plane":
            self._grid = S.plane_features(info)
            self._space_inputs = make_features(info.points_train[:S.MAX_SPACE_POINTS],
                                               info.feature_names)
            self._space_labels = np.array(info.y_train[:S.MAX_SPACE_POINTS]).reshape(
                len(self._space_inputs), -1)[:, 0]

    def reset_heavy(self):
        """Forget the cached heavy parts (after a newly shown view or a reset)."""
        self._heavy_refresh.reset()
        self._health_refresh.reset()

    def select_image(self, index):
        """Choose the test image whose feature maps the snapshots carry (wraps around)."""
        self.image_index = int(index) % max(len(self.info.y_test), 1)
        self.reset_heavy()

    def epoch_ended(self, step):
        """The newest epoch record of the history ended at training step `step`."""
        self._epoch_steps[len(self.exp.trainer.history.epochs) - 1] = int(step)

    def confusion_is_stale(self):
        """Has the model trained since the last confusion matrix (or is there none)?"""
        return self._confusion_step != self.exp.trainer.steps_done

    def update_confusion(self):
        """The test confusion matrix on at most CONFUSION_POINTS test points, with the
        trainer's own rule for turning outputs into classes (argmax, or >= 0.5 for one sigmoid
        unit), so the matrix and the epoch's accuracy always agree."""
        ds, model = self.exp.dataset, self.exp.model
        n = min(len(ds.y_test), CONFUSION_POINTS)
        if n == 0:
            return
        # (in the evaluation's batches: at predict's default 500, mnist-cnn's 2,000 points
        # held 240 MB of temporaries at each epoch's end)
        out = np.asarray(model.predict(ds.x_test[:n],
                                       batch_size=self.exp.trainer.eval_batch_size))
        k = max(int(ds.n_classes or 2), out.shape[1])
        self._confusion = confusion_matrix(ds.y_test[:n], out, k)
        self._confusion_probabilities = out.astype(np.float32)
        self._confusion_epoch = int(self.exp.trainer.epoch)
        self._confusion_step = int(self.exp.trainer.steps_done)

    @property
    def epoch_steps(self):
        """{epoch index: the step that ended it}, for the loss plot."""
        return self._epoch_steps

    def rewind(self, frame, history):
        """The run went back to `frame`'s step ("Continue from here", a model file's history):
        send the whole curves and `history`'s timeline with the next snapshot, and that
        moment's confusion matrix."""
        self.history, self._timeline_version = history, -1
        self.steps_sent = self.epochs_sent = 0
        self._epoch_steps = {i: s for i, s in self._epoch_steps.items()
                             if i < self.exp.trainer.epoch}
        self._confusion = frame.confusion
        self._confusion_probabilities = frame.confusion_probabilities
        self._confusion_epoch, self._confusion_step = frame.confusion_epoch, frame.confusion_step

    def build(self, visible, steps_per_second, force_heavy=False, status="") -> S.Snapshot:
        trainer = self.exp.trainer
        steps = trainer.history.steps
        new_steps = steps[self.steps_sent:]
        self.steps_sent = len(steps)
        points = (np.array(new_steps, dtype=np.float64).reshape(-1, 2) if new_steps
                  else np.zeros((0, 2)))
        epochs = trainer.history.epochs
        new_epochs = tuple(
            MappingProxyType({"step": self._epoch_steps.get(i, 0), **epochs[i]})
            for i in range(self.epochs_sent, len(epochs)))
        self.epochs_sent = len(epochs)
        parts = {}
        if self.info.kind == "plane" and visible & {S.VIEW_BOUNDARY, S.VIEW_UNITS,
                                                    S.VIEW_TRANSFORMED}:
            parts.update(self._plane_parts(visible))
        if self.info.kind == "line" and S.VIEW_CURVE in visible:
            parts["curve"] = self._curve()
        if self.info.kind == "image" and (force_heavy or self._heavy_refresh.due()):
            self._heavy = self._heavy_refresh.compute(lambda: self._image_parts(visible))
        if self.info.kind == "image":
            parts.update(self._heavy)
        if S.VIEW_HISTOGRAMS in visible:
            parts["gradients"] = _copy_params(self.exp.model.layers, "grads")
        if S.VIEW_HEALTH in visible and (force_heavy or self._health_refresh.due()):
            self._health = self._health_refresh.compute(self._layer_health)
        if S.VIEW_HEALTH in visible:
            parts["health"] = self._health
        if self.history is not None and self.history.version != self._timeline_version:
            self._timeline_version = self.history.version
            parts["timeline"] = self.history.steps()
        return self._snapshot(steps_per_second, points, new_epochs, status=status, **parts)

    def moment(self) -> S.Snapshot:
        """The present moment with every part any view draws and no new metric points: what
        the training history keeps of it (`worker.history`). The transformed space is left
        out: it would triple a small network's checkpoints, and the history's budget is
        better spent on more moments."""
        parts = {}
        if self.info.kind == "plane":
            parts.update(self._plane_parts(S.ALL_VIEWS - {S.VIEW_TRANSFORMED}))
        if self.info.kind == "line":
            parts["curve"] = self._curve()
        if self.info.kind == "image":
            parts.update(self._image_parts(S.ALL_VIEWS))
        parts["gradients"] = _copy_params(self.exp.model.layers, "grads")
        return self._snapshot(0.0, np.zeros((0, 2)), (), **parts)

    def _snapshot(self, steps_per_second, points, new_epochs, **parts) -> S.Snapshot:
        trainer, model = self.exp.trainer, self.exp.model
        steps, epochs = trainer.history.steps, trainer.history.epochs
        parts.setdefault("gradients", MappingProxyType({}))
        return S.Snapshot(
            step=int(steps[-1][0]) if steps else 0,
            epoch=int(getattr(trainer, "epoch", len(epochs))),
            steps_per_second=float(steps_per_second), step_points=points,
            epoch_records=new_epochs,
            last_epoch=MappingProxyType(dict(epochs[-1])) if epochs else None,
            task=self.info.task, lr=float(getattr(self.exp.optimizer, "lr", float("nan"))),
            weights=_copy_params(model.layers, "params"),
            image_index=self.image_index, confusion=self._confusion,
            confusion_epoch=self._confusion_epoch, confusion_step=self._confusion_step,
            confusion_probabilities=self._confusion_probabilities,
            run=self.run, optimizer=str(getattr(self.exp.optimizer, "name", "")),
            weights_from_file=self.weights_from_file, **parts)

    def _layer_health(self):
        """Every layer's health on the first HEALTH_SAMPLES training samples (the model's
        gradients are left as the last step made them)."""
        from nnplayground.engine.health import layer_health
        trainer = self.exp.trainer
        n = min(len(trainer.x_train), HEALTH_SAMPLES)
        return tuple(layer_health(self.exp.model, trainer.x_train[:n], trainer.y_train[:n],
                                  trainer.loss))

    # -- the parts -------------------------------------------------------------------------

    def _plane_output(self, y):
        """(n*n, k) model output over the plane -> what the heatmap shows: (n, n) P(class 1)
        or the target, or (n, n, k) every class's probability when k > 2."""
        n = S.GRID
        if self.info.task == "regression" or y.shape[1] == 1:
            return y[:, 0].reshape(n, n).astype(np.float32)
        if y.shape[1] == 2:
            return y[:, 1].reshape(n, n).astype(np.float32)
        return y.reshape(n, n, y.shape[1]).astype(np.float32)

    def _plane_parts(self, visible):
        """The boundary, hidden-unit maps and transformed space: one forward pass over the
        input plane (`plane_features`) serves all three."""
        model = self.exp.model
        n = S.GRID
        outs = model.forward_all(self._grid)
        parts = {"boundary": self._plane_output(np.asarray(outs[self.output_id]))}
        if S.VIEW_TRANSFORMED in visible:
            parts["spaces"] = self._spaces(outs)
        if S.VIEW_UNITS in visible:
            units = {}
            for node_id in model.order:
                a = np.asarray(outs[node_id])
                if (node_id == self.output_id or self.node_types.get(node_id) == "Input"
                        or a.ndim != 2 or a.shape[1] > S.MAX_UNIT_IMAGES):
                    continue
                units[node_id] = np.ascontiguousarray(a.T.reshape(-1, n, n), dtype=np.float32)
            parts["units"] = MappingProxyType(units)
        return parts

    def _spaces(self, grid_outs):
        """{node_id: LayerSpace} of every layer after the input with 1 to MAX_SPACE_UNITS
        units per example, in the model's order."""
        model = self.exp.model
        point_outs = model.forward_all(self._space_inputs)
        spaces = {}
        for node_id in model.order:
            a = np.asarray(grid_outs[node_id])
            if (self.node_types.get(node_id) == "Input" or a.ndim != 2
                    or a.shape[1] > S.MAX_SPACE_UNITS):
                continue
            spaces[node_id] = S.layer_space(a, np.asarray(point_outs[node_id]),
                                            self._space_labels)
        return MappingProxyType(spaces)

    def _curve(self):
        lo, hi = self.info.extent[0], self.info.extent[1]
        xs = np.linspace(lo, hi, 200, dtype=np.float32)
        inputs = make_features(xs[:, None], self.info.feature_names or ("x1",))
        ys = np.asarray(self.exp.model.predict(inputs))[:, 0]
        return (xs, ys.astype(np.float32))

    def _image_parts(self, visible):
        model, images = self.exp.model, self.info.images_test
        parts = {}
        if self.first_conv is not None and S.VIEW_FILTERS in visible:
            parts["filters"] = np.array(model.layers[self.first_conv].params["W"])
            outs = model.forward_all(images[self.image_index:self.image_index + 1])
            maps = {}
            for node_id in model.order:
                a = np.asarray(outs[node_id])
                if a.ndim == 4 and self.node_types.get(node_id) != "Input":
                    maps[node_id] = np.array(a[0], dtype=np.float32)
            parts["feature_maps"] = MappingProxyType(maps)
        if S.VIEW_PREDICTIONS in visible:
            idx = np.arange(min(S.N_TEST_GRID, len(images)))
            probs = np.asarray(model.predict(images[idx]))
            parts["predictions"] = (idx, np.argmax(probs, axis=1),
                                    np.array(self.info.y_test[idx]))
        return parts
