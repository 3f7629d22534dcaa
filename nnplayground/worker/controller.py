"""`TrainingController`: the GUI thread's handle on the training thread.

The main window creates one controller and talks only to it: each method posts a typed
command (`commands.py`) and returns at once; results come back as signals on the GUI thread.
The controller never touches the live model itself.
"""

from __future__ import annotations

import atexit
import copy
import itertools
import time
import weakref
from concurrent.futures import Future

import numpy as np
import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from nnplayground.engine import make_optimizer
from nnplayground.worker import commands as C
from nnplayground.worker import gui_gc
from nnplayground.worker.live import HYPERPARAMETERS
from nnplayground.worker.pace import check_speed
from nnplayground.worker.runner import TrainingThread


def _default_factory(mnist_dir):
    def build(doc):
        from nnplayground.experiment import Experiment
        return Experiment.from_preset(doc, mnist_dir=mnist_dir)
    return build


def _stop_and_join(thread):
    if shiboken6.isValid(thread) and thread.isRunning():
        thread.stop()
        thread.wait()
    if thread.gc_running:
        thread.gc_running = False
        gui_gc.training_stopped()
    if thread.holds_gc:     # joined: it can no longer run a collection
        thread.holds_gc = False
        gui_gc.release()


_THREADS = weakref.WeakSet()


@atexit.register
def _stop_all_threads():
    """Last resort when a script exits (even by an exception) without shutdown()."""
    for thread in list(_THREADS):
        _stop_and_join(thread)


class ControllerSignals(QObject):
    """The signals a training controller answers with (all delivered on the GUI thread):

      snapshot_ready(Snapshot)     the newest frame; the next is built only after this returns
      state_changed(str)           "idle", "running", "paused" or "loading"
      error_occurred(str, str)     title, message - show it in a dialog (a failed load() with a
                                   `done` callback goes to the callback instead)
      diverged(str)                training paused on a non-finite loss; the message says why
      dataset_ready(DatasetInfo)   the points/images the data views draw, once per load/reset
      classified(int, object)      answer to `classify()`: request id, probabilities or None
      explained(int, object)       answer to `explain()`: request id, Explanation or None
      walked(int, object)          answer to `walk_through()`: request id, (sample index,
                                   [engine.backprop.Stage]) or a message saying why not
      cleared()                    `unload()` dropped the run: views show none
      data_changed(DatasetInfo)    `set_data()` is done: the run trains on these points now

    A test double that derives from it has the same signals by construction.
    """

    snapshot_ready = Signal(object)
    state_changed = Signal(str)
    error_occurred = Signal(str, str)
    diverged = Signal(str)
    dataset_ready = Signal(object)
    classified = Signal(int, object)
    explained = Signal(int, object)
    walked = Signal(int, object)
    cleared = Signal()
    data_changed = Signal(object)


class TrainingController(ControllerSignals):
    """Play, Pause, Step, Reset and live hyperparameters for one run at a time; answers with
    the signals of `ControllerSignals`."""

    def __init__(self, parent=None, *, mnist_dir=None, experiment_factory=None,
                 clock=time.perf_counter, sleep=None):
        super().__init__(parent)
        self._state = "idle"
        self._latest = None
        self._status = ""
        self._dataset = None
        self._ids = itertools.count(1)
        self._runs = itertools.count(1)
        self._run = 0           # snapshots of other runs (an old model's) are dropped
        self._load_callbacks = {}   # run -> done(error) of a load() not answered yet
        self._thread = TrainingThread(experiment_factory or _default_factory(mnist_dir),
                                      clock=clock, sleep=sleep)
        self._thread.snapshot.connect(self._on_snapshot)
        self._thread.state.connect(self._on_state)
        self._thread.error.connect(self.error_occurred)
        self._thread.diverged.connect(self.diverged)
        self._thread.loaded.connect(self._on_loaded)
        self._thread.load_failed.connect(self._on_load_failed)
        self._thread.classified.connect(self.classified)
        self._thread.explained.connect(self.explained)
        self._thread.walked.connect(self.walked)
        self._thread.data_changed.connect(self._on_data_changed)
        # Before the thread starts: it must never run Python's cyclic GC (see gui_gc).
        self._thread.holds_gc = gui_gc.acquire()
        self._thread.gc_running = False     # counted by gui_gc as a running training
        self._thread.start()
        _THREADS.add(self._thread)
        # Whoever forgets shutdown(): never let Qt destroy a running QThread.
        thread = self._thread
        self.destroyed.connect(lambda *_: _stop_and_join(thread))
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # -- commands (return immediately) -------------------------------------------------------

    def load(self, doc, state=None, done=None):
        """Build the experiment described by a preset document; it replaces the current run
        once it is built.

        state: optional trained parameters {"<node_id>/<name>": array} (as in a model .npz)
        loaded into the fresh model. Nothing of the current run changes until the new one is
        built: if the data cannot be read, the document is refused or `state` does not fit,
        the current experiment, its weights and its snapshots stay as they were, and
        `done(exception)` is called (without `done`, error_occurred reports it). On success
        `done(None)` is called after dataset_ready. Both on the GUI thread.
        """
        self._set_state("loading")
        run = next(self._runs)
        if done is not None:
            self._load_callbacks[run] = done
        self._thread.post(C.Load(doc, state, run))

    def save_model(self, path, timeout=60.0):
        """Save the live model and its preset as a model .npz (atomic), between two steps.

        Blocks until the worker has written the file (at most one training step plus the
        write); raises what the save raised, e.g. when nothing is loaded.
        """
        done = Future()
        self._thread.post(C.SaveModel(str(path), done))
        return done.result(timeout=timeout)

    def play(self):
        """Train until the preset's `training.epochs` epochs are complete, then pause with
        `status` set; Play after that trains as many epochs again."""
        self._status = ""
        self._thread.post(C.Play())

    def pause(self):
        self._thread.post(C.Pause())

    def step(self):
        """Train exactly one mini-batch, then stay paused."""
        self._thread.post(C.Step())

    def step_epoch(self):
        """Train until the current epoch ends, then pause."""
        self._thread.post(C.StepEpoch())

    def unload(self):
        """Drop the run (nothing is trained until the next load); emits `cleared` at once."""
        self._new_run(next(self._runs))
        self._dataset = None
        self._thread.post(C.Unload(self._run))
        self.cleared.emit()

    def reset(self):
        """Rebuild the model from the loaded document (fresh weights; live changes kept).
        Should that fail (its data file has gone), the current run goes on and error_occurred
        says why."""
        self._thread.post(C.Reset(next(self._runs)))

    def set_optimizer(self, spec):
        """Switch the optimizer live, e.g. set_optimizer({"type": "adam", "lr": 0.001}).

        spec is a preset's `optimizer` dict; keys it leaves out take make_optimizer's defaults.
        The model and its weights stay; the new optimizer starts with fresh per-parameter
        state. Kept over Reset like the other live changes; forgotten by load(). Raises
        ValueError at once (naming the key) for a bad spec.
        """
        make_optimizer(spec)      # validate here, so the caller gets the error, not a dialog
        self._thread.post(C.SetOptimizer(dict(spec)))

    def set_hyperparameters(self, **changes):
        """Change lr, momentum, beta1, beta2, eps, rho, batch_size, l1 or l2 between steps
        (the optimizer's *type* changes through set_optimizer)."""
        unknown = sorted(set(changes) - HYPERPARAMETERS)
        if unknown:
            raise ValueError(f"cannot change {', '.join(unknown)} during training; live "
                             f"changes are limited to {', '.join(sorted(HYPERPARAMETERS))} "
                             f"(anything else needs load(doc))")
        self._thread.post(C.SetHyperparameters(dict(changes)))

    def set_parameter(self, edit):
        """Set one weight or bias of the live model (a `live.ParameterEdit`) between two
        steps; the next snapshot shows it. A parameter the model does not have is refused
        through error_occurred, naming it."""
        self._thread.post(C.SetParameter(edit))

    def set_data(self, spec):
        """Train the current run on the dataset `spec` (a preset's "dataset") from the next
        step, its weights kept: points drawn by hand. `data_changed(info)` answers; a spec
        the network cannot train on is refused through error_occurred, the data unchanged."""
        self._thread.post(C.SetData(copy.deepcopy(dict(spec))))

    def set_speed(self, speed):
        """"slow", "normal" or "fast" (pace.SPEEDS): how fast Play trains, live. Load takes
        the document's `display.speed`; Reset keeps the current one. Raises ValueError at
        once for another name."""
        self._thread.post(C.SetSpeed(check_speed(speed)))

    def set_visible_views(self, names):
        """Tell the worker which views are shown, so it computes only what they draw."""
        self._thread.post(C.SetVisibleViews(frozenset(names)))

    def select_image(self, index):
        """Choose the test image whose feature maps the snapshots carry."""
        self._thread.post(C.SelectImage(int(index)))

    def classify(self, x):
        """Ask the worker to classify x (a batch of one, in the model's input layout).

        Returns the request id that `classified` will carry with the answer.
        """
        request_id = next(self._ids)
        self._thread.post(C.Classify(request_id, x))
        return request_id

    def explain(self, x, target=None):
        """Ask the worker why the model answers what it does for x (a batch of one): the
        `explained` signal carries the request id and an `engine.explain.Explanation`."""
        request_id = next(self._ids)
        self._thread.post(C.Explain(request_id, np.asarray(x, dtype=np.float32), target))
        return request_id

    def walk_through(self, index):
        """Ask the worker for back-propagation step by step on training sample `index`; the
        `walked` signal carries the request id and the stages (or why not)."""
        request_id = next(self._ids)
        self._thread.post(C.WalkThrough(request_id, int(index)))
        return request_id

    def show_checkpoint(self, step):
        """Show the views the training history's checkpoint at (or before) `step`: a frame
        with `replay` set arrives on snapshot_ready. Training pauses there; Play, Step or a
        live change brings the live model back."""
        self._thread.post(C.ShowCheckpoint(int(step)))

    def continue_from(self, step, play=False):
        """Restore the checkpoint at (or before) `step` (weights, optimizer state, place in the
        data) and train on from there as a new branch: the later history is dropped, and a
        frame with `rewound` set carries the curves up to there. Trains at once if `play`."""
        self._status = ""
        self._thread.post(C.ContinueFrom(int(step), bool(play)))

    def restore_history(self, arrays):
        """After load(): bring back the training history of a model file (the arrays
        `presets.load_history_arrays` read): curves, timeline and checkpoints, the trainer at
        the step the file was saved. A frame with `rewound` set carries it all."""
        self._thread.post(C.RestoreHistory(dict(arrays)))

    def shutdown(self):
        """Stop training and join the thread; safe to call more than once."""
        _stop_and_join(self._thread)

    # -- state -------------------------------------------------------------------------------

    @property
    def running(self):
        return self._state == "running"

    @property
    def state(self):
        return self._state

    @property
    def latest_snapshot(self):
        return self._latest

    @property
    def dataset(self):
        return self._dataset

    def _new_run(self, run):
        """A load, reset or unload is done: from now on only the new run's snapshots count."""
        self._run = run
        self._latest = None
        self._status = ""

    @property
    def status(self):
        """Why the last run stopped by itself ("Finished 100 epochs; press Play to train
        further"), or "" - show it when the state turns "paused"."""
        return self._status

    def _set_state(self, state):
        if state != self._state:
            self._state = state
            self._tell_gui_gc(state == "running")
            self.state_changed.emit(state)

    def _tell_gui_gc(self, running):
        """Long-lived objects stay frozen while training runs (gui_gc says why)."""
        thread = self._thread
        if not thread.holds_gc or running == thread.gc_running:
            return
        thread.gc_running = running
        if running:
            gui_gc.training_started()
        else:
            gui_gc.training_stopped()

    def _on_state(self, state):
        self._set_state(state)

    def _on_loaded(self, info, run):
        self._new_run(run)
        self._dataset = info
        self.dataset_ready.emit(info)
        done = self._load_callbacks.pop(run, None)
        if done is not None:
            done(None)

    def _on_data_changed(self, info, run):
        if run == self._run:
            self._dataset = info
            self.data_changed.emit(info)

    def _on_load_failed(self, run, exc):
        done = self._load_callbacks.pop(run, None)
        if done is not None:
            done(exc)
            return
        self.error_occurred.emit("Could not load the experiment", str(exc) or type(exc).__name__)

    def _on_snapshot(self, snapshot):
        if snapshot.run != self._run:       # queued before a load/reset: an old model's frame
            self._thread.frame_drawn()
            return
        self._latest = snapshot
        self._status = snapshot.status
        start = self._thread.clock()
        try:
            self.snapshot_ready.emit(snapshot)
        finally:
            # The views repaint after this slot returns, when the event loop handles their
            # update requests; a zero timer fires after that, so the frame's whole cost is
            # measured and the next snapshot is built only once this one is on screen.
            QTimer.singleShot(0, lambda: self._on_frame_drawn(start))

    def _on_frame_drawn(self, start):
        self._thread.frame_drawn(self._thread.clock() - start)
