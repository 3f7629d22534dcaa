"""Fixtures the Qt test folders share: Qt warnings fail the test; the real training controller.

A conftest re-exports what it needs (`from qt_warnings import fail_on_qt_warnings`); pytest
puts `tests/` on the import path because `tests/conftest.py` lives there. Importing this module
also selects the offscreen platform, which must happen before pytest-qt creates the application.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QtMsgType, qInstallMessageHandler  # noqa: E402

# The offscreen platform plugin cannot resize windows to their hints; it says so for every
# window shown. That is the test platform talking, not our code.
# The offscreen platform says so when asked for what it has no screen for (a popup menu raises
# itself and grabs the keyboard): capabilities, not misuse.
PLATFORM_NOISE = ("This plugin does not support propagateSizeHints()",
                  "This plugin does not support raise()",
                  "This plugin does not support grabbing the keyboard")

# Milliseconds a test waits for the training thread before it gives up: a bound for a hung
# thread, not a speed test, so generous enough for a machine loaded by other jobs.
WAIT = 60_000


@pytest.fixture(autouse=True)
def fail_on_qt_warnings():
    """Any qWarning/qCritical during a test fails it (Qt's own way of reporting misuse)."""
    messages = []

    def handler(kind, _context, text):
        if kind not in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg) and \
                not text.startswith(PLATFORM_NOISE):
            messages.append(text)

    previous = qInstallMessageHandler(handler)
    yield messages
    qInstallMessageHandler(previous)
    assert not messages, f"Qt warnings: {messages}"


@pytest.fixture
def controller(qtbot):
    """A real TrainingController, shut down (and its thread proven stopped) afterwards."""
    from nnplayground.worker import TrainingController
    c = TrainingController()
    yield c
    c.shutdown()
    assert not c._thread.isRunning()


def load_and_wait(qtbot, controller, doc):
    """controller.load(doc), then wait until the worker has built it and sent its first frame."""
    with qtbot.waitSignal(controller.dataset_ready, timeout=WAIT):
        controller.load(doc)
    qtbot.waitUntil(lambda: controller.state == "idle" and controller.latest_snapshot is not None,
                    timeout=WAIT)
