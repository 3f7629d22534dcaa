"""Fixtures for the lessons GUI tests: Qt warnings fail a test (as in tests/ui/conftest.py),
settings live in a temp dir, and a recording controller stands in for the training worker
(opening a lesson must not train or load MNIST here; the compare dock trains on its own)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QObject, QSettings, QtMsgType, Signal, qInstallMessageHandler

# Messages of the offscreen platform plugin itself, not of our code.
BENIGN = ("propagateSizeHints", "This plugin does not support")


@pytest.fixture(autouse=True)
def fail_on_qt_warnings():
    """Any qWarning/qCritical during a test fails it (Qt's own way of reporting misuse)."""
    caught = []

    def handler(kind, context, message):
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg) \
                and not any(b in message for b in BENIGN):
            caught.append(message)

    previous = qInstallMessageHandler(handler)
    yield caught
    qInstallMessageHandler(previous)
    assert not caught, "Qt warnings:\n" + "\n".join(caught)


class RecordingController(QObject):
    """The TrainingController's signals and commands; records what the window asks of it."""

    snapshot_ready = Signal(object)
    state_changed = Signal(str)
    error_occurred = Signal(str, str)
    diverged = Signal(str)
    dataset_ready = Signal(object)
    classified = Signal(int, object)

    def __init__(self):
        super().__init__()
        self.loaded = []
        self.state = "idle"
        self.dataset = None
        self.latest_snapshot = None
        self.running = False

    def load(self, doc):
        self.loaded.append(doc)

    def play(self):
        pass

    def pause(self):
        pass

    def step(self):
        pass

    def step_epoch(self):
        pass

    def reset(self):
        pass

    def set_hyperparameters(self, **changes):
        pass

    def set_visible_views(self, names):
        pass

    def select_image(self, index):
        pass

    def classify(self, x):
        return 0

    def shutdown(self):
        pass


@pytest.fixture
def lesson_window(qtbot, tmp_path):
    """A shown 1600x1000 MainWindow, as the app builds it -> (window, window.lessons)."""
    from nnplayground.ui.main_window import MainWindow

    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "user-settings"))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    window = MainWindow(controller=RecordingController(), settings=settings)
    lessons = window.lessons

    def before_close(w):      # closing must not stop at an unsaved-changes prompt
        lessons.shutdown()
        w.model.undo_stack.setClean()
    qtbot.addWidget(window, before_close_func=before_close)
    window.resize(1600, 1000)
    window.show()
    qtbot.waitExposed(window)
    return window, lessons
