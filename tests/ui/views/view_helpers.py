"""Shared by the view tests: a window with the live views, loading a preset, stepping it."""

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from nnplayground.presets import load_builtin


def small_doc(name, train_limit=256, test_limit=100):
    """A built-in preset; MNIST ones on the bundled sample, cut small so a step is quick."""
    doc = load_builtin(name)
    if doc["dataset"]["kind"] in ("mnist", "fashion-mnist"):
        doc["dataset"].update(source="sample", train_limit=train_limit, test_limit=test_limit)
    return doc


def load(qtbot, controller, doc):
    with qtbot.waitSignal(controller.dataset_ready, timeout=30_000):
        controller.load(doc)
    qtbot.waitUntil(lambda: controller.state == "idle", timeout=30_000)
    return controller.dataset


def step(qtbot, controller):
    """One training step through the worker; returns the snapshot the views were sent."""
    before = controller.latest_snapshot.step if controller.latest_snapshot else 0
    with qtbot.waitSignal(controller.snapshot_ready, timeout=30_000,
                          check_params_cb=lambda s: s.step == before + 1):
        controller.step()
    qtbot.waitUntil(lambda: controller.state == "paused", timeout=30_000)
    return controller.latest_snapshot


def show_apart(window, docks, names):
    """Give each named dock a place of its own (none tabbed), so all of them are really
    visible and the hub routes every snapshot to each."""
    areas = [Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea]
    for i, name in enumerate(names):
        window.addDockWidget(areas[i % 2], docks[name])
        docks[name].show()


def stroke(widget, points):
    """A mouse stroke through `points` (widget coordinates), as a user draws it."""
    def send(kind, p, buttons):
        event = QMouseEvent(kind, QPointF(*p), widget.mapToGlobal(QPointF(*p)),
                            Qt.MouseButton.LeftButton, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(widget, event)
    send(QEvent.Type.MouseButtonPress, points[0], Qt.MouseButton.LeftButton)
    for p in points[1:]:
        send(QEvent.Type.MouseMove, p, Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseButtonRelease, points[-1], Qt.MouseButton.NoButton)
