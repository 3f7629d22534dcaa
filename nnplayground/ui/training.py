"""Training wiring of the main window: the controller's signals, Play/Step/Reset, and when the
worker gets the document.

A mixin beside FileOpsMixin so that main_window.py stays about layout. The rule it implements:
a structural change reloads the run (asking first while training), a live change (learning
rate, optimizer settings, batch size, L1/L2) is sent as hyperparameters without a reset, and
a new optimizer type is switched live too (set_optimizer: weights kept, fresh optimizer state).
"""

from __future__ import annotations

import copy

from PySide6.QtWidgets import QMessageBox

from nnplayground.presets.datapath import with_data_path_absolute
from nnplayground.ui import document as D
from nnplayground.ui.fileops import problem_lines
from nnplayground.worker.live import live_hyperparameters
from nnplayground.worker.pace import speed_of

# A preset's "views" names -> the live views' dock names (install_views) where they differ.
VIEW_ALIASES = {"loss": "metrics", "hidden_units": "units", "hidden": "units",
                "weights": "histograms", "regression": "curve", "feature_maps": "filters",
                "drawing": "drawpad"}


class TrainingMixin:
    """Needs self.controller, self.model, self.status, self.act_* and self._reload_timer."""

    def _connect_controller(self) -> None:
        c = self.controller
        if c is None:
            return
        c.snapshot_ready.connect(self._on_snapshot)
        c.state_changed.connect(self._on_state_changed)
        c.error_occurred.connect(self._on_error)
        c.diverged.connect(self._on_diverged)
        c.dataset_ready.connect(self.dataset_panel.show_dataset_info)
        c.dataset_ready.connect(self.scene.set_dataset)
        c.cleared.connect(lambda: self.scene.set_dataset(None))

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
            self.statusBar().showMessage(f"Switched the optimizer to {kind}; the weights are "
                                         "kept (Reset starts again from fresh ones)", 5000)
        speed = speed_of(doc)
        if speed != speed_of(self.loaded_doc):
            self.controller.set_speed(speed)
            self.loaded_doc["display"] = copy.deepcopy(doc.get("display", {}))
        self.controller.set_hyperparameters(**live_hyperparameters(doc))

    def _on_reload_timer(self) -> None:
        """A structural edit: the worker must rebuild; mid-run, only if the user agrees."""
        if not self.status.ok:
            return
        if self.is_running() and not self.confirm_restart():
            self.statusBar().showMessage("Training goes on with the previous network; press "
                                         "Reset to train the edited one", 8000)
            return
        self.load_into_controller()

    def confirm_restart(self) -> bool:
        answer = QMessageBox.question(
            self, "Restart training?",
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
        if self.controller is None or not self.status.ok:
            return
        # The worker gets the data path resolved against the preset's folder (it does not
        # know where the preset lives); the document itself keeps the relative path.
        self.loaded_doc = doc = self.doc_for_worker()
        self._opening = None                # an edit made during an open wins over it

        def built(error) -> None:
            if error is not None:
                if self.loaded_doc is doc:
                    self.loaded_doc = None
                self._on_error("Could not load the experiment", "\n".join(problem_lines(error)))
            elif then is not None:
                then()

        self.controller.load(doc, done=built)
        self._sync_view_docks()

    def _sync_view_docks(self, bring_to_front: bool = False) -> None:
        """Shows the docks the preset names; the views module hides what the data cannot use.

        On opening a document they also come to the front of their tab groups, the first
        named last so it wins its group; on a reload after an edit they do not, so the tab the
        user picked stays picked.
        """
        for name in reversed(self.model.doc.get("views", [])):
            dock = self.view_docks.get(name) or self.view_docks.get(VIEW_ALIASES.get(name, ""))
            if dock is not None:
                dock.setVisible(True)
                if bring_to_front:
                    dock.raise_()

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
                          f"(Training > Epochs is {epochs}).", parent=self)
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
        self._opening = None                # an open still being built is abandoned
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
        self._update_actions()
        finished = self.controller.status if state == "paused" else ""
        if finished:        # the run reached the preset's epochs: say so until the next action
            self.statusBar().showMessage(finished)
            return
        self.statusBar().showMessage({"loading": "Loading data\u2026", "running": "Training",
                                      "paused": "Paused", "idle": "Ready"}.get(state, state), 3000)

    def _on_snapshot(self, snapshot) -> None:
        weights = getattr(snapshot, "weights", None)
        if weights:
            self.scene.set_weights(weights)
        self.scene.set_maps(snapshot)

    def _on_diverged(self, message: str) -> None:
        self._on_error("Training diverged", message)

    def _on_error(self, title: str, message: str) -> None:
        QMessageBox.warning(self, title, message)
