"""The window's training controls: Play/Pause, Step, Step epoch and Reset, the controller's
state and errors, and when the worker gets the document.

`TrainingControls` is one of the window's collaborators, given what it works on in its
constructor. The rule it implements:
a structural change reloads the run (asking first while training), a live change (learning
rate, optimizer settings, batch size, L1/L2) is sent as hyperparameters without a reset, and
a new optimizer type is switched live too (set_optimizer: weights kept, fresh optimizer state).
"""

from __future__ import annotations

import copy

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from nnplayground.presets.datapath import with_data_path_absolute
from nnplayground.ui import document as D
from nnplayground.ui.actions import make_action
from nnplayground.ui.fileops import problem_lines
from nnplayground.worker.live import live_hyperparameters, without_live_settings
from nnplayground.worker.pace import speed_of

# A preset's "views" names -> the live views' dock names (install_views) where they differ.
VIEW_ALIASES = {"loss": "metrics", "hidden_units": "units", "hidden": "units",
                "weights": "histograms", "regression": "curve", "feature_maps": "filters",
                "drawing": "drawpad"}


class TrainingControls(QObject):
    """Play/Pause, Step, Step epoch and Reset (`act_play`, `act_step`, `act_epoch`,
    `act_reset`, actions of `parent`), and what the worker has loaded (`loaded_doc`).

    `model` is the edited DocumentModel; `controller` the worker's TrainingController (None:
    training is not available and the actions stay disabled); `parent` the widget the actions
    and dialogs belong to. The window tells it about every change of the document
    (`document_changed(kind, ok)`, ok when the editor finds no problem).

    Signals: `message(text, ms)` for the status bar (ms 0: until the next message);
    `loading()` when the worker is handed the current document (the window shows the views
    it names).
    """

    message = Signal(str, int)
    loading = Signal()

    def __init__(self, model, controller, parent: QWidget):
        super().__init__(parent)
        self.model = model
        self.controller = controller
        self.dialog_parent = parent
        self.loaded_doc: dict | None = None     # the document the worker has (data path resolved)
        self.ok = False                          # the document has no problems
        self._building = None   # the open the worker is building, until it answers (build)
        self._reload_timer = QTimer(self, singleShot=True, interval=150)
        self._reload_timer.timeout.connect(self._on_reload_timer)
        a = make_action
        self.act_play = a(parent, "Play", self.play_pause, "Space", "Train / pause (Space)")
        self.act_step = a(parent, "Step", self.step, "S", "Train one mini-batch (S)")
        self.act_epoch = a(parent, "Step epoch", self.step_epoch, "E", "Train one epoch (E)")
        self.act_reset = a(parent, "Reset", self.reset, "R", "Fresh weights, start again (R)")
        if controller is not None:
            controller.state_changed.connect(self._on_state_changed)
            controller.error_occurred.connect(self._on_error)
            controller.diverged.connect(self._on_diverged)
        self.update_actions()

    def run_actions(self) -> list:
        return [self.act_play, self.act_step, self.act_epoch, self.act_reset]

    def document_changed(self, kind: str, ok: bool) -> None:
        """After every change of the document: a live one goes to the worker now, a
        structural one reloads shortly (one reload for a burst of edits), unless the worker
        has this very document already (it was just opened)."""
        self.ok = ok
        self.update_actions()
        if kind == "live":
            self._send_live_changes()
        elif kind == "data":
            self._send_data()
        elif kind == "structure":
            if self.loaded_doc is not None and self.loaded_doc == self.doc_for_worker():
                self._reload_timer.stop()
            else:
                self._reload_timer.start()

    def update_actions(self) -> None:
        ok = self.ok and self.controller is not None
        for act in self.run_actions():
            act.setEnabled(ok)
        why = "" if ok else ("Fix the problems listed below first" if self.controller else
                             "Training is not available")
        self.act_play.setToolTip(why or ("Pause (Space)" if self.is_running() else
                                         "Train (Space)"))

    def _send_live_changes(self) -> None:
        if self.controller is None or self.loaded_doc is None:
            return
        doc = self.model.doc
        kind = doc.get("optimizer", {}).get("type")
        if kind != self.loaded_doc.get("optimizer", {}).get("type"):
            # Live, as in TensorFlow Playground: the weights stay, the new optimizer starts
            # with fresh state, so a class sees what the switch alone does to the curve.
            try:
                self.controller.set_optimizer(copy.deepcopy(doc["optimizer"]))
            except ValueError as exc:
                self._on_error("Optimizer not switched", str(exc))
                return
            self.loaded_doc["optimizer"] = copy.deepcopy(doc["optimizer"])
            self.message.emit(f"Switched the optimizer to {kind}; the weights are kept "
                              "(Reset starts again from fresh ones)", 5000)
        speed = speed_of(doc)
        if speed != speed_of(self.loaded_doc):
            self.controller.set_speed(speed)
            self.loaded_doc["display"] = copy.deepcopy(doc.get("display", {}))
        self.controller.set_hyperparameters(**live_hyperparameters(doc))

    def _send_data(self) -> None:
        """Points edited ("data" change): the worker trains on them from its next step, keeping
        the weights; when it has no run of this very network yet, the usual reload instead."""
        if self.controller is None or not self.ok:
            return          # the Problems list says why (e.g. fewer than 2 points)
        doc = self.doc_for_worker()
        loaded = self.loaded_doc

        def network(d):
            return {k: v for k, v in without_live_settings(d).items() if k != "dataset"}
        if loaded is None or self._reload_timer.isActive() or network(loaded) != network(doc):
            self._reload_timer.start()
            return
        self.controller.set_data(doc["dataset"])
        loaded["dataset"] = copy.deepcopy(doc["dataset"])

    def _on_reload_timer(self) -> None:
        """A structural edit: the worker must rebuild; mid-run, only if the user agrees."""
        if not self.ok:
            return
        if self.is_running() and not self.confirm_restart():
            self.message.emit("Training goes on with the previous network; press Reset to "
                              "train the edited one", 8000)
            return
        self.load_into_controller()

    def confirm_restart(self) -> bool:
        answer = QMessageBox.question(
            self.dialog_parent, "Restart training?",
            "The network changed during training. Restart with the edited network and fresh "
            "weights?\n\nNo: keep training the previous network (Reset applies the edit later).",
            QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
        return answer == QMessageBox.Yes

    def doc_for_worker(self) -> dict:
        """A copy of the document with its data path resolved against the preset's folder:
        the worker does not know where the preset lives, and the document keeps the relative
        path so that the preset's folder can move."""
        return with_data_path_absolute(self.model.doc, D.document_folder(self.model.path))

    def load_into_controller(self, then=None) -> None:
        """Hands the current document to the worker (a fresh run) when the graph is valid;
        `then()` runs once the worker has built it. When the worker cannot (the data file is
        missing, say), the dialog says why, the worker keeps the run it had, and the next
        Play, Step or Reset tries this document again."""
        if self.controller is None or not self.ok:
            return
        # The worker gets the data path resolved against the preset's folder (it does not
        # know where the preset lives); the document itself keeps the relative path.
        self.loaded_doc = doc = self.doc_for_worker()
        self._building = None               # an edit made during an open wins over it

        def built(error) -> None:
            if error is not None:
                if self.loaded_doc is doc:
                    self.loaded_doc = None
                self._on_error("Could not load the experiment", "\n".join(problem_lines(error)))
            elif then is not None:
                then()

        self.controller.load(doc, done=built)
        self.loading.emit()

    def build(self, doc: dict, state, done) -> None:
        """The worker builds `doc`'s run (its data read, `state` loaded: trained weights) while
        the current run goes on; `done(None)` once it is the worker's run (and `loaded_doc`),
        or `done(error)` with the current run untouched. When a later build, an edit's reload
        or `clear_run` takes over meanwhile, `done` is never called."""
        self._building = token = object()

        def built(error) -> None:
            if self._building is not token:     # a later open or edit has taken over
                return
            self._building = None
            if error is None:
                self.loaded_doc = doc
            done(error)

        self.controller.load(doc, state=state, done=built)

    # -- training -----------------------------------------------------------------------------
    def is_running(self) -> bool:
        return bool(self.controller is not None and self.controller.running)

    def play_pause(self) -> None:
        if not self.act_play.isEnabled():
            return
        if self.is_running():
            self.controller.pause()
            return
        if self.controller.status and not self._reload_timer.isActive():
            # the run has reached the preset's epochs: training on is a choice, not a keypress
            choice = self.ask_after_finished()
            if choice == "reset":
                self.reset()
            if choice != "train":
                return
        self._ensure_loaded(self.controller.play)

    def ask_after_finished(self) -> str:
        """"train" (as many epochs again), "reset" or "" (cancel); tests replace this."""
        epochs = int(self.model.doc.get("training", {}).get("epochs", 0))
        box = QMessageBox(QMessageBox.Question, "Training finished",
                          f"{self.controller.status.split(';')[0]}: the run is complete "
                          f"(Training > Epochs is {epochs}).", parent=self.dialog_parent)
        box.setInformativeText("Train on from here, or reset to fresh weights?")
        train = box.addButton(f"Train {epochs} more epochs", QMessageBox.AcceptRole)
        reset = box.addButton("Reset", QMessageBox.DestructiveRole)
        box.addButton(QMessageBox.Cancel)
        box.setDefaultButton(train)
        box.exec()
        return {train: "train", reset: "reset"}.get(box.clickedButton(), "")

    def clear_run(self) -> None:
        """The document can no longer be trained as it was (File > New): the worker drops the
        run, so the views and the status bar stop showing it."""
        self._reload_timer.stop()
        self.loaded_doc = None
        self._building = None               # an open still being built is abandoned
        if self.controller is not None:
            self.controller.unload()

    def step(self) -> None:
        if self.act_step.isEnabled():
            self._ensure_loaded(self.controller.step)

    def step_epoch(self) -> None:
        if self.act_epoch.isEnabled():
            self._ensure_loaded(self.controller.step_epoch)

    def reset(self) -> None:
        if not self.act_reset.isEnabled():
            return
        if self._reload_timer.isActive() or self.loaded_doc != self.doc_for_worker():
            self._reload_timer.stop()
            self.load_into_controller()
        else:
            self.controller.reset()

    def _ensure_loaded(self, then) -> None:
        """then() now, or once the worker has the current document (never on another one)."""
        if self._reload_timer.isActive() or self.loaded_doc is None:
            self._reload_timer.stop()
            self.load_into_controller(then)
        else:
            then()

    def _on_state_changed(self, state: str) -> None:
        self.act_play.setText("Pause" if state == "running" else "Play")
        self.update_actions()
        finished = self.controller.status if state == "paused" else ""
        if finished:        # the run reached the preset's epochs: say so until the next action
            self.message.emit(finished, 0)
            return
        self.message.emit({"loading": "Loading data\u2026", "running": "Training",
                           "paused": "Paused", "idle": "Ready"}.get(state, state), 3000)

    def _on_diverged(self, message: str) -> None:
        self._on_error("Training diverged", message)

    def _on_error(self, title: str, message: str) -> None:
        QMessageBox.warning(self.dialog_parent, title, message)
