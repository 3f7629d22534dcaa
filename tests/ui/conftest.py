"""Fixtures for the editor and lessons tests: Qt warnings fail the test (tests/qt_warnings.py),
settings live in a temp dir, and a recording controller stands in for the training worker where
real training is not the point (`controller`, from tests/qt_warnings.py, is the real one)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from qt_warnings import controller, fail_on_qt_warnings  # noqa: F401 - fixtures (one autouse)

from nnplayground.worker.controller import ControllerSignals


@pytest.fixture
def settings(tmp_path):
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "user-settings"))
    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


class FakeController(ControllerSignals):
    """Same signals and commands as nnplayground.worker.TrainingController; records the calls."""

    def __init__(self):
        super().__init__()
        self.calls = []
        self.state = "idle"
        self.status = ""            # why the last run stopped by itself ("Finished ...")
        self.dataset = None
        self.latest_snapshot = None
        self.loaded_state = None
        self.load_error = None      # set an exception: the next loads fail with it

    @property
    def running(self):
        return self.state == "running"

    def _record(self, name, *args, **kwargs):
        self.calls.append((name, args, kwargs))

    def load(self, doc, state=None, done=None):
        """Answers at once, as the worker would once it has built (or failed to build) it."""
        self._record("load", doc)
        self.loaded_state = state
        if done is not None:
            done(self.load_error)

    def play(self):
        self._record("play")
        self.state = "running"
        self.state_changed.emit("running")

    def pause(self):
        self._record("pause")
        self.state = "paused"
        self.state_changed.emit("paused")

    def step(self):
        self._record("step")

    def step_epoch(self):
        self._record("step_epoch")

    def reset(self):
        self._record("reset")

    def unload(self):
        self._record("unload")
        self.dataset = self.latest_snapshot = None
        self.cleared.emit()

    def set_hyperparameters(self, **changes):
        self._record("hyper", **changes)

    def set_optimizer(self, spec):
        self._record("optimizer", spec)

    def set_speed(self, speed):
        self._record("speed", speed)

    def set_parameter(self, edit):
        self._record("parameter", edit)

    def set_data(self, spec):
        self._record("data", spec)

    def set_visible_views(self, names):
        pass

    def select_image(self, index):
        pass

    def classify(self, x):
        return 0

    def explain(self, x, target=None):
        self._record("explain", x, target)
        return 0

    def walk_through(self, index):
        self._record("walk_through", index)
        return 0

    def restore_history(self, arrays):
        self._record("restore_history", arrays)

    def shutdown(self):
        self._record("shutdown")

    def names(self):
        return [c[0] for c in self.calls]


@pytest.fixture
def fake_controller():
    return FakeController()


@pytest.fixture
def make_window(qtbot, settings, fake_controller, monkeypatch):
    """make_window(doc=None) -> a shown MainWindow on the recording controller.

    Closing would stop at the modal unsaved-changes prompt: it answers Discard unless a test
    patches it itself. The fixture closes its windows itself and lets their pending
    zero/short timers (the live views schedule some on every visibility change) run while the
    windows still exist, before deleting them.
    """
    from PySide6.QtWidgets import QMessageBox

    from nnplayground.ui.main_window import MainWindow
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Discard)
    windows = []

    def make(doc=None, controller=fake_controller):  # noqa: F811 - the keyword tests pass
        window = MainWindow(controller=controller, settings=settings, doc=doc)
        window.resize(1600, 1000)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window
    yield make
    for window in windows:
        window.close()
    qtbot.wait(200)   # drains timers scheduled by the close, not a wait for behaviour
    for window in windows:
        window.deleteLater()
    qtbot.wait(0)


@pytest.fixture
def window_on_worker(make_window, controller, qtbot):  # noqa: F811 - the fixture above
    """window_on_worker(target) -> a shown window on the real worker (`controller`) with
    `target` opened (a built-in preset's name, or a document) and its run built and idle."""
    def open_(target):
        window = make_window(controller=controller)
        if isinstance(target, str):
            assert window.files.open_builtin(target, ask=False)
        else:
            window.files.open_document(target)
        qtbot.waitUntil(lambda: controller.dataset is not None and controller.state == "idle",
                        timeout=15000)
        return window
    return open_
