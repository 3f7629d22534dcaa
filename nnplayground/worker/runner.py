"""The training thread: owns the live Experiment and drives `trainer.step()` between messages.

Why a hand-written loop instead of one queued slot per step: at xor's 7,000+ steps a second a
Qt event per step would cost more than the step itself. The loop trains in slices of at least
33 ms (longer when frames are expensive to draw), checks the pause/stop flag between steps and
between the eval batches of an epoch's end (so Stop answers within one step or one eval batch,
even when evaluating full MNIST takes seconds), drains a thread-safe queue of typed commands
(`commands.py`) between slices and publishes one snapshot per slice. Before the next slice it
waits (briefly, bounded) until the GUI has drawn that snapshot: stale frames are never built,
and painting never competes with a numpy call for the interpreter lock.

Time is read from an injectable `clock` (seconds, `time.perf_counter` by default), so a test
can check the throttle against the worker's own notion of time instead of the machine's load.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
import time

import numpy as np
from PySide6.QtCore import QThread, Signal

from nnplayground.engine import DivergenceError, make_optimizer
from nnplayground.worker import commands as C
from nnplayground.worker import snapshot as S
from nnplayground.worker.builder import SnapshotBuilder
from nnplayground.worker.history import TrainingHistory, restore
from nnplayground.worker.history_file import from_arrays, saved_history
from nnplayground.worker.live import OPTIMIZER_KEYS, apply_parameter_edit
from nnplayground.worker.memory import release_free_memory
from nnplayground.worker.priority import lower_this_thread
from nnplayground.worker.pace import (DEFAULT_SPEED, StepRate, check_speed, speed_of,
                                      step_interval)

PUBLISH_INTERVAL = 0.033    # seconds: at most ~30 snapshots a second
TRAIN_SHARE = 3.0           # train at least this many times as long as a frame takes to draw
MAX_GUI_WAIT = 0.25         # seconds the trainer waits at most for the GUI to draw a frame
CONFUSION_INTERVAL = 0.5    # seconds between confusion matrices while epochs fly by
TRIM_INTERVAL = 1.0         # seconds between handing freed memory back after evaluations
IDLE_POLL = 0.1             # seconds the idle loop waits for a message before checking stop


class TrainingThread(QThread):
    """Runs the training loop. Talk to it only through `post()`, `frame_drawn()`, `stop()`
    and its signals."""

    snapshot = Signal(object)
    state = Signal(str)
    error = Signal(str, str)
    diverged = Signal(str)
    loaded = Signal(object, int)       # DatasetInfo, run
    load_failed = Signal(int, object)  # run, the exception; the current experiment is kept
    classified = Signal(int, object)   # request id, probabilities (K,) or None
    explained = Signal(int, object)    # request id, engine.explain.Explanation or None
    walked = Signal(int, object)       # request id, (index, [backprop Stage]) or a message
    data_changed = Signal(object, int)  # DatasetInfo of data edited live (SetData), run

    def __init__(self, factory, parent=None, clock=time.perf_counter, sleep=None):
        super().__init__(parent)
        self._factory = factory
        self.clock = clock
        self._commands = queue.Queue()
        self._interrupt = threading.Event()   # an urgent command: checked between steps
        # the wait between paced steps; an urgent command ends it (tests inject their own)
        self._sleep = sleep or self._interrupt.wait
        self._speed = DEFAULT_SPEED
        self._next_step_at = float("-inf")
        self._rate = StepRate()               # the status bar's steps a second
        self._stopping = threading.Event()
        self._ack = threading.Event()         # set by the GUI once it has drawn a snapshot
        self._ack.set()
        self.draw_seconds = 0.0               # how long the GUI takes to draw a snapshot (EMA)
        self.holds_gc = False                 # the controller holds gui_gc for this thread
        self.gc_running = False               # ... and has told it that this one is training
        self.native_id = None                 # the OS's id of the thread, once it runs
        self._exp = self._doc = self._builder = None
        self._evaluation = None      # the trainer's EpochEvaluation while it is under way
        self._evaluation_step = 0    # the step that ended the epoch being evaluated
        self._mode = None            # None, "play", "epoch"
        self._epoch_goal = 0         # in "epoch" mode: stop once this epoch is recorded
        self._play_goal = None       # in "play" mode: stop once this epoch is recorded
        self._finished = False       # Play has just reached its goal
        self._run = 0                # the controller's id of the current load/reset
        self._overrides = {}
        self._visible = set(S.ALL_VIEWS)
        self._state = "idle"
        self._confusion_at = float("-inf")
        self._trimmed_at = float("-inf")
        self._history = None         # the run's TrainingHistory (checkpoints)
        self._viewing = None         # the Checkpoint shown instead of the live model, if any
        self._drawing = None         # the drawing pad's last digit (classify input)
        self._scratch = None         # a model of the run's graph for a checkpoint's answers
        self._capture_seconds = 0.0  # time the last unit of work spent taking a checkpoint

    # -- called from the GUI thread ----------------------------------------------------------

    def post(self, command: C.Command):
        if command.urgent:
            self._interrupt.set()
        self._commands.put(command)

    def stop(self):
        self._stopping.set()
        self.post(C.Stop())

    def frame_drawn(self, seconds=None):
        """The GUI has drawn the last snapshot (in `seconds`, when it was this run's frame):
        the next slice may start."""
        if seconds is not None:
            self.draw_seconds = 0.8 * self.draw_seconds + 0.2 * seconds
        self._ack.set()

    # -- the loop (worker thread) ------------------------------------------------------------

    def run(self):
        self.native_id = threading.get_native_id()
        lower_this_thread()         # the window gets a core before training does (priority)
        while not self._stopping.is_set():
            self._drain(block=self._mode is None)
            if self._mode is not None and not self._stopping.is_set():
                try:
                    self._train_slice()
                except Exception as exc:   # noqa: BLE001 - the thread must survive and say why
                    self._fail("Training stopped", exc)

    def _fail(self, title, exc):
        """Pause, and tell the user what went wrong (the thread keeps serving messages)."""
        self._mode = None
        self._set_state("paused" if self._exp is not None else "idle")
        self.error.emit(title, f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc))

    def _drain(self, block):
        try:
            command = self._commands.get(timeout=IDLE_POLL) if block else \
                self._commands.get_nowait()
        except queue.Empty:
            return
        while True:
            self._interrupt.clear()
            if isinstance(command, C.Stop):
                return
            try:
                self._handle(command)
            except Exception as exc:   # noqa: BLE001 - every failure must reach the user
                self._fail(command.error_title, exc)
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return

    def _handle(self, command: C.Command):
        match command:
            case C.Load(doc=doc, state=state, run=run):
                self._load(doc, state, run, overrides={}, speed=speed_of(doc))
            case C.Unload(run=run):
                self._unload(run)
            case C.Reset(run=run):
                self._reset(run)
            case C.Play():
                self._play()
            case C.Pause():
                self._pause()
            case C.Step():
                self._step()
            case C.StepEpoch():
                self._step_epoch()
            case C.SaveModel(path=path, done=done):
                self._save_model(path, done)
            case C.SetHyperparameters(changes=changes):
                self._set_hyperparameters(changes)
            case C.SetOptimizer(spec=spec):
                self._set_optimizer(spec)
            case C.SetParameter(edit=edit):
                self._set_parameter(edit)
            case C.SetData(spec=spec):
                self._set_data(spec)
            case C.SetSpeed(speed=speed):
                self._speed = check_speed(speed)
                self._next_step_at = float("-inf")
            case C.SetVisibleViews(names=names):
                self._set_visible_views(names)
            case C.SelectImage(index=index):
                self._select_image(index)
            case C.Classify(request_id=request_id, x=x):
                self._classify(request_id, x)
            case C.Explain(request_id=request_id, x=x, target=target):
                self._explain(request_id, x, target)
            case C.WalkThrough(request_id=request_id, index=index):
                self._walk_through(request_id, index)
            case C.ShowCheckpoint(step=step):
                self._show_checkpoint(step)
            case C.ContinueFrom(step=step, play=play):
                self._continue_from(step, play)
            case C.RestoreHistory(arrays=arrays):
                self._restore_history(arrays)
            case _:
                raise TypeError(f"the training thread has no handler for {command!r}")

    def _set_state(self, state):
        if state != self._state:
            self._state = state
            self.state.emit(state)

    def _train_slice(self):
        trainer = self._exp.trainer
        self._wait_for_gui()
        start = self.clock()
        # Publish no more often than every TRAIN_SHARE frame-drawing times: drawing competes
        # with training for the interpreter lock, so it must not take more than about a quarter.
        deadline = start + max(PUBLISH_INTERVAL, TRAIN_SHARE * self.draw_seconds)
        now, longest = start, 0.0
        try:
            while not self._interrupt.is_set() and self._pace():
                record = self._advance()
                if record is not None and self._goal_reached(record["epoch"]):
                    break
                # End the slice before a unit that would overrun the deadline: a mnist-cnn
                # step takes ~20 ms, and one step past a 33 ms deadline is a frame at 18 fps.
                before, now = now, self.clock()
                # (a checkpoint's capture is no measure of the steps to come)
                longest = max(longest, now - before - self._capture_seconds)
                self._capture_seconds = 0.0
                if now + longest >= deadline:
                    break
        except DivergenceError as exc:
            self._diverged(exc)
            return
        rate = self._rate.update(self.clock(), trainer.steps_done)
        if self._mode is None:
            self._refresh_confusion_if_stale()
            self._publish(rate, force=True, status=self._finished_status())
            self._set_state("paused")
        elif not self._interrupt.is_set():
            # (when interrupted, the urgent message - pause, step, load - publishes itself)
            self._publish(rate)

    def _pace(self):
        """At a capped speed, wait until the next training step is due (evaluation batches
        are not held back). False when an urgent command ended the wait."""
        trainer = self._exp.trainer
        interval = step_interval(self._speed, len(trainer.x_train), trainer.batch_size)
        if interval <= 0.0 or self._evaluation is not None:
            return True
        now = self.clock()
        if now < self._next_step_at:
            self._sleep(self._next_step_at - now)
            if self._interrupt.is_set():
                return False
            now = self.clock()
        self._next_step_at = max(self._next_step_at, now) + interval
        return True

    def _goal_reached(self, epoch):
        """After an epoch's record: has Step Epoch or Play reached its goal? Then stop."""
        goal = self._epoch_goal if self._mode == "epoch" else self._play_goal
        if self._mode in ("epoch", "play") and goal is not None and epoch >= goal:
            self._finished = self._mode == "play"
            self._mode = None
            return True
        return False

    def _finished_status(self):
        """The message of a Play that ran to its goal (once), else ""."""
        if not self._finished:
            return ""
        self._finished = False
        done = len(self._exp.trainer.history.epochs)
        status = f"Finished {done} epochs; press Play to train further"
        warning = self._exp.training_warning()
        return f"{status}. Warning: {warning}" if warning else status

    def _diverged(self, exc):
        """Pause on the restored (finite) weights and tell the user why and what to do."""
        self._mode = None
        self._refresh_confusion_if_stale()
        self._publish(0.0, force=True)
        self._set_state("paused")
        self.diverged.emit(self._exp.divergence_message(exc))

    def _advance(self):
        """One unit of work between two flag checks: a training step, or one batch of the
        epoch-end evaluation (a whole one can take a second on full MNIST). Returns the epoch
        record when this unit completed one, else None."""
        if self._evaluation is None:
            result = self._exp.trainer.step()
            if self._history.due(result.step, self.clock()):
                self._capture_seconds += self._history.take(self._exp, self._builder,
                                                            self.clock)
            if not result.epoch_done:
                return None
            self._evaluation = self._exp.trainer.epoch_evaluation()
            self._evaluation_step = result.step
        if not self._evaluation.advance():
            return None
        record, self._evaluation = self._evaluation.record, None
        self._epoch_recorded(self._evaluation_step)
        return record

    def _finish_epoch_now(self):
        """Complete the evaluation under way, if any, in one go (a single Step waits for it)."""
        if self._evaluation is not None:
            self._evaluation.run()
            self._evaluation = None
            self._epoch_recorded(self._evaluation_step)

    def _epoch_recorded(self, step):
        """Bookkeeping once an epoch's record is in the history."""
        self._builder.epoch_ended(step)
        # xor finishes hundreds of epochs a second: a few matrices a second are plenty.
        if (S.VIEW_CONFUSION in self._visible and self._builder.info.task == "classification"
                and self.clock() - self._confusion_at >= CONFUSION_INTERVAL):
            self._update_confusion()
        # the evaluation's large temporaries are free now: give their pages back (see memory)
        if self.clock() - self._trimmed_at >= TRIM_INTERVAL:
            self._trimmed_at = self.clock()
            release_free_memory()

    def _wait_for_gui(self):
        """Let the GUI finish drawing the last snapshot before training on.

        Python threads share one interpreter lock, and a numpy call of the engine can hold it
        for tens of milliseconds: painting while the trainer runs would make every paint event
        wait for it (measured: 150 ms event-loop stalls with mnist-cnn, 35 ms without views).
        The wait is bounded, and a pause or stop request ends it at once.
        """
        deadline = time.monotonic() + MAX_GUI_WAIT
        while not self._ack.wait(0.002):
            if self._interrupt.is_set() or time.monotonic() > deadline:
                return

    def _publish(self, rate, force=False, status=""):
        if not force and not self._ack.is_set():
            return
        if force:       # a moment the user looks at (pause, step, load): keep it
            self._history.take(self._exp, self._builder, self.clock)
        self._viewing = None
        self._ack.clear()
        self.snapshot.emit(self._builder.build(self._visible, rate, force_heavy=force,
                                               status=status))

    # -- commands ---------------------------------------------------------------------------

    def _load(self, doc, state, run, overrides, speed):
        """Make the experiment `doc` describes (with trained `state`, if given, and the live
        changes `overrides`) the current one.

        The new experiment is built completely (data read, weights drawn or loaded, live
        changes applied) before anything of the current one is touched: when any of that fails,
        `load_failed` says why and the current experiment, its weights, its run, its history and
        whether it was training stay exactly as they were.
        """
        previous = self._state
        self._set_state("loading")
        try:
            exp = self._factory(doc)
            if state is not None:
                exp.model.load_state_dict(state)
            # a switched optimizer first: the hyperparameters changed after it apply to it
            for key, value in sorted(overrides.items(), key=lambda kv: kv[0] != "optimizer"):
                self._apply(exp, key, value)
            info = S.dataset_info(exp.dataset)
            history = TrainingHistory()
            builder = SnapshotBuilder(exp, info, run, clock=self.clock, history=history,
                                      weights_from_file=state is not None)
        except Exception as exc:   # noqa: BLE001 - the caller shows it; nothing was replaced
            self._set_state(previous)
            self.load_failed.emit(run, exc)
            return
        self._mode = None
        self._play_goal = None
        self._finished = False
        self._run = run
        self._doc, self._overrides, self._speed = doc, dict(overrides), speed
        self._exp, self._builder, self._evaluation, self._history = exp, builder, None, history
        self._scratch = None
        if info.task == "classification":
            self._update_confusion()
        self.loaded.emit(info, run)
        self._publish(0.0, force=True)
        self._set_state("idle")

    def _unload(self, run):
        self._mode = None
        self._play_goal = None
        self._finished = False
        self._run = run
        self._exp = self._builder = self._evaluation = self._doc = None
        self._history = self._viewing = self._scratch = None
        self._set_state("idle")

    def _refresh_confusion_if_stale(self):
        """On pause the matrix must match the weights the user is looking at: any step since
        the last matrix makes it stale (not only a new epoch: 143 steps into the first epoch
        the network is no longer the untrained one)."""
        if (S.VIEW_CONFUSION in self._visible and self._builder.info.task == "classification"
                and self._builder.confusion_is_stale()):
            self._update_confusion()

    def _update_confusion(self):
        self._confusion_at = self.clock()
        self._builder.update_confusion()

    def _require_experiment(self):
        if self._exp is None:
            raise RuntimeError("no experiment is loaded: open a preset (or fix its problems) "
                               "before training")

    def _play(self):
        """Train until the next multiple of the preset's `training.epochs` is recorded: from
        scratch to `epochs`, after a pause (or a few Steps) on to the same goal, and once
        there, `epochs` more."""
        self._require_experiment()
        per_run = max(int(self._exp.epochs), 1)
        recorded = len(self._exp.trainer.history.epochs)
        self._play_goal = (recorded // per_run + 1) * per_run
        self._finished = False
        self._mode = "play"
        self._rate.restart(self.clock(), self._exp.trainer.steps_done)
        self._set_state("running")

    def _pause(self):
        if self._exp is None:
            return
        was_running = self._mode is not None
        self._mode = None
        if was_running:
            self._refresh_confusion_if_stale()
            self._publish(0.0, force=True)
            self._set_state("paused")

    def _step(self):
        self._require_experiment()
        self._mode = None
        try:
            self._finish_epoch_now()    # one a pause left under way
            self._advance()             # the step (and the first batch of its evaluation)
            self._finish_epoch_now()
        except DivergenceError as exc:
            self._diverged(exc)
            return
        self._refresh_confusion_if_stale()
        self._publish(0.0, force=True)
        self._set_state("paused")

    def _step_epoch(self):
        """Train to the end of the next epoch (an evaluation left by a pause is finished
        first and does not count as that epoch)."""
        self._require_experiment()
        self._epoch_goal = self._exp.trainer.epoch + 1
        self._mode = "epoch"
        self._rate.restart(self.clock(), self._exp.trainer.steps_done)
        self._set_state("running")

    def _reset(self, run):
        """Fresh weights from the preset's seed (a trained model opened from a file included:
        Reset means start learning again)."""
        if self._doc is not None:
            self._load(self._doc, None, run, self._overrides, self._speed)

    def _save_model(self, path, done):
        if done.set_running_or_notify_cancel():
            try:
                self._require_experiment()
                self._exp.save_model(path, history=saved_history(
                    self._history, self._exp, self._builder, self.clock))
            except Exception as exc:   # noqa: BLE001 - handed to the caller's thread
                done.set_exception(exc)
            else:
                done.set_result(path)

    def _set_hyperparameters(self, changes):
        self._overrides.update(changes)
        if self._exp is not None:
            for key, value in changes.items():
                self._apply(self._exp, key, value)

    def _set_data(self, spec):
        """Points edited by hand: the live model trains on them from the next step, its
        weights, optimizer and curves kept (Reset too starts from them now). The views get the
        new points, and a fresh frame while paused."""
        self._require_experiment()
        self._finish_epoch_now()      # an evaluation under way was of the old data
        self._exp.replace_data(dict(spec))
        self._doc = {**self._doc, "dataset": dict(spec)}
        info = S.dataset_info(self._exp.dataset)
        self._builder.data_changed(info)
        self.data_changed.emit(info, self._run)
        if info.task == "classification":
            self._update_confusion()
        if self._mode is None:
            self._publish(0.0, force=True)

    def _set_optimizer(self, spec):
        """A new optimizer type, live: same model and weights, fresh per-parameter state
        (Adam's moments mean nothing to SGD). It replaces earlier optimizer hyperparameter
        changes, since `spec` gives the new optimizer's own."""
        for key in OPTIMIZER_KEYS:
            self._overrides.pop(key, None)
        self._overrides["optimizer"] = dict(spec)
        if self._exp is not None:
            self._apply(self._exp, "optimizer", spec)
            if self._mode is None:
                self._publish(0.0, force=True)

    def _set_parameter(self, edit):
        """A weight or bias set by hand: the live model takes it between two steps, and a
        paused run shows the result at once (the running one in its next frame)."""
        self._require_experiment()
        apply_parameter_edit(self._exp.model, edit)
        if S.VIEW_CONFUSION in self._visible and self._builder.info.task == "classification":
            self._update_confusion()
        if self._mode is None:
            self._publish(0.0, force=True)

    @staticmethod
    def _apply(exp, key, value):
        if key == "optimizer":
            optimizer = make_optimizer(value)
            exp.optimizer = exp.trainer.optimizer = optimizer
            exp.doc["optimizer"] = dict(value)     # a saved model names what trained it last
            return
        target = exp.optimizer if key in OPTIMIZER_KEYS else exp.trainer
        setattr(target, key, int(value) if key == "batch_size" else float(value))

    def _set_visible_views(self, names):
        """A newly shown view gets its data at once, even while training is paused."""
        added = set(names) - self._visible
        self._visible = set(names)
        if self._builder is not None:
            self._builder.reset_heavy()
            if added and self._viewing is not None:   # looking back: that moment again
                self._show_checkpoint(self._viewing.step)
            elif added and self._mode is None:
                self._refresh_confusion_if_stale()     # the matrix counted at load otherwise
                self._publish(0.0, force=True)

    def _select_image(self, index):
        if self._builder is not None:
            self._builder.select_image(index)
            if self._mode is None:
                self._publish(0.0, force=True)

    def _classify(self, request_id, x):
        if self._exp is None:
            self.classified.emit(request_id, None)
            return
        self._drawing = np.asarray(x, dtype=np.float32)
        model = self._exp.model if self._viewing is None else self._model_at(self._viewing)
        probs = np.asarray(model.predict(self._drawing))[0]
        self.classified.emit(request_id, np.array(probs))

    def _explain(self, request_id, x, target):
        """Saliency, occlusion and nudge for x, on the model the views show (between steps)."""
        from nnplayground.engine.explain import explain
        if self._exp is None:
            self.explained.emit(request_id, None)
            return
        model = self._exp.model if self._viewing is None else self._model_at(self._viewing)
        self.explained.emit(request_id, explain(model, np.asarray(x), target))

    def _walk_through(self, request_id, index):
        """One SGD update of the model the views show on one training sample, stage by stage
        (computed on a copy); or why this network cannot be stepped through."""
        from nnplayground.engine.backprop import steppable_problem, walkthrough
        if self._exp is None:
            self.walked.emit(request_id, "No network loaded")
            return
        model = self._exp.model if self._viewing is None else self._model_at(self._viewing)
        problem = steppable_problem(model)
        if problem:
            self.walked.emit(request_id, problem[:1].upper() + problem[1:])
            return
        trainer = self._exp.trainer
        i = int(index) % len(trainer.x_train)
        stages = walkthrough(model, trainer.loss, trainer.x_train[i:i + 1],
                             trainer.y_train[i:i + 1], float(self._exp.optimizer.lr))
        self.walked.emit(request_id, (i, stages))

    # -- the training history --------------------------------------------------------------

    def _show_checkpoint(self, step):
        """Show the views the checkpoint at (or before) `step`; training pauses there."""
        self._require_experiment()
        if self._mode is not None:      # keep the moment training paused at, the newest
            self._mode = None
            self._history.take(self._exp, self._builder, self.clock)
            self._set_state("paused")
        self._viewing = checkpoint = self._history.at(step)
        drawing = None
        if self._drawing is not None:
            drawing = np.array(self._model_at(checkpoint).predict(self._drawing)[0])
        self._ack.clear()
        self.snapshot.emit(dataclasses.replace(
            checkpoint.frame, run=self._run, replay=True, drawing=drawing,
            timeline=self._history.steps()))

    def _continue_from(self, step, play):
        """Back to the checkpoint at (or before) `step`: its weights, optimizer state and place
        in the data; the later checkpoints and curves are dropped and training goes on from
        there (a new branch), at once when `play`."""
        self._require_experiment()
        self._mode, self._evaluation = None, None
        checkpoint = self._history.at(step)
        restore(self._exp, checkpoint)
        self._history.cut_after(checkpoint.step)
        self._evaluate_if_unrecorded()
        self._builder.rewind(checkpoint.frame, self._history)
        self._history.take(self._exp, self._builder, self.clock)
        self._viewing = None
        self._ack.clear()
        self.snapshot.emit(dataclasses.replace(
            self._builder.build(self._visible, 0.0, force_heavy=True), rewound=True))
        self._set_state("paused")
        if play:
            self._play()

    def _restore_history(self, arrays):
        """The history of a model file onto the experiment just loaded from it."""
        if self._exp is None:        # its Load failed and said why
            return
        history, losses, epochs, epoch_steps = from_arrays(arrays)
        if not len(history):
            return
        trainer, checkpoint = self._exp.trainer, history.checkpoints[-1]
        restore(self._exp, checkpoint)     # first: a bad array is refused before any change
        trainer.history.steps[:] = [(i + 1, float(loss))
                                    for i, loss in enumerate(losses[:trainer.steps_done])]
        trainer.history.epochs[:] = [dict(record) for record in epochs[:trainer.epoch]]
        self._evaluate_if_unrecorded()
        self._history = history
        self._builder.epoch_steps.update(epoch_steps)
        self._builder.rewind(checkpoint.frame, history)
        self._viewing = None
        self._ack.clear()
        self.snapshot.emit(dataclasses.replace(
            self._builder.build(self._visible, 0.0, force_heavy=True), rewound=True))

    def _evaluate_if_unrecorded(self):
        """A checkpoint taken as an epoch ended, before its evaluation: evaluate it now."""
        trainer = self._exp.trainer
        if len(trainer.history.epochs) < trainer.epoch:
            trainer.finish_epoch()
            self._builder.epoch_ended(trainer.steps_done)

    def _model_at(self, checkpoint):
        """A model of the run's graph holding the checkpoint's weights (never the live one)."""
        if self._scratch is None:
            from nnplayground.engine import build_model
            self._scratch = build_model(self._exp.doc["model"], seed=0,
                                        dtype=self._exp.model.dtype)
        self._scratch.load_state_dict(checkpoint.state_dict())
        return self._scratch
