"""Qt warnings fail the test; helpers shared by the worker tests."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")   # before pytest-qt creates the app

import pytest  # noqa: E402
from PySide6.QtCore import QtMsgType, qInstallMessageHandler  # noqa: E402

# The offscreen platform plugin cannot resize windows to their hints; it says so for every
# window shown. That is the test platform talking, not our code.
PLATFORM_NOISE = ("This plugin does not support propagateSizeHints()",)


@pytest.fixture(autouse=True)
def fail_on_qt_warnings():
    messages = []

    def handler(kind, _context, text):
        if kind != QtMsgType.QtDebugMsg and kind != QtMsgType.QtInfoMsg and \
                not text.startswith(PLATFORM_NOISE):
            messages.append(text)

    previous = qInstallMessageHandler(handler)
    yield messages
    qInstallMessageHandler(previous)
    assert not messages, f"Qt warnings: {messages}"


@pytest.fixture
def controller(qtbot):
    from nnplayground.worker import TrainingController
    c = TrainingController()
    yield c
    c.shutdown()
    assert not c._thread.isRunning()
