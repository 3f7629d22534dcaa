"""Screenshots of the views that show the inside of a network (issue 15), from real runs.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_inside_screenshots.py

Writes explain.png, mistakes.png, layer-health.png and backprop-step.png next to this file.
Each run trains through the real worker (MNIST on the bundled sample), as the app does.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMainWindow

from nnplayground.lessons import apply_changes, load_lesson, preset_document, variant_document
from nnplayground.ui.views import install_views
from nnplayground.worker import TrainingController

HERE = Path(__file__).resolve().parent
# the view tests' mouse stroke (a real drag over the drawing pad), one implementation for both
sys.path.insert(0, str(HERE.parents[1] / "tests" / "ui" / "views"))
from view_helpers import stroke  # noqa: E402


def wait(condition, seconds=120.0):
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the run did not get there in time")
        QApplication.processEvents()
        time.sleep(0.01)
    QApplication.processEvents()


def window_with(names, size=(1500, 950)):
    """A window showing only the docks `names`, one above the other (a list of two lists:
    two columns)."""
    win = QMainWindow()
    controller = TrainingController(win)
    docks = install_views(win, controller)
    columns = names if isinstance(names[0], list) else [names]
    areas = [Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea]
    wanted = {n: areas[i] for i, column in enumerate(columns) for n in column}
    for name, dock in docks.items():
        if name in wanted:
            win.addDockWidget(wanted[name], dock)
            dock.show()
        else:
            dock.hide()
    win.resize(*size)
    win.show()
    return win, controller, win.live_views.views


def load(controller, doc):
    controller.load(doc)
    wait(lambda: controller.state == "idle" and controller.latest_snapshot is not None)


def train_epochs(controller, n):
    for _ in range(n):
        epochs = controller.latest_snapshot.epoch
        controller.step_epoch()
        wait(lambda e=epochs: controller.state == "paused"
             and controller.latest_snapshot.epoch > e, 600)


def grab(widgets, name):
    """Save the widgets side by side (each grabbed on its own: no other dock over it)."""
    shots = [w.grab() for w in widgets]
    out = QPixmap(sum(s.width() for s in shots) + 8 * (len(shots) - 1),
                  max(s.height() for s in shots))
    out.fill(QColor("white"))
    painter = QPainter(out)
    x = 0
    for shot in shots:
        painter.drawPixmap(x, 0, shot)
        x += shot.width() + 8
    painter.end()
    out.save(str(HERE / name))
    print("wrote", HERE / name)


def explain_and_mistakes():
    doc = apply_changes(preset_document(load_lesson(17)), {"dataset.source": "sample"})
    win, controller, views = window_with([["drawpad", "confusion"], ["explain", "mistakes"]],
                                         size=(1600, 1000))
    load(controller, doc)
    train_epochs(controller, 2)
    pad, explain = views["drawpad"], views["explain"]
    # a "7": the top bar, then the slanted stroke down
    points = [(70 + 10 * i, 60) for i in range(15)] + \
        [(210 - 5 * i, 60 + 11 * i) for i in range(18)]
    stroke(pad.canvas, points)
    wait(lambda: explain.explanation is not None)
    e = explain.explanation
    if e.flip_eps is not None:
        explain.slider.setValue(int(round(e.flip_eps * 100)))
    grab([explain], "explain.png")
    confusion, mistakes = views["confusion"], views["mistakes"]
    c = controller.latest_snapshot.confusion
    row, col = max(((r, k) for r in range(10) for k in range(10) if r != k),
                   key=lambda rc: c[rc])
    confusion.cell_clicked.emit(row, col, controller.latest_snapshot.confusion_probabilities)
    wait(lambda: mistakes.list.count() > 0)
    grab([confusion, mistakes], "mistakes.png")
    controller.shutdown()
    win.close()


def layer_health():
    doc = variant_document(load_lesson(12), "plain")
    doc["training"]["epochs"] = 20
    win, controller, views = window_with(["health"], size=(1000, 800))
    load(controller, doc)
    train_epochs(controller, 8)
    grab([views["health"]], "layer-health.png")
    controller.shutdown()
    win.close()


def backprop():
    win, controller, views = window_with(["backprop"], size=(900, 700))
    load(controller, preset_document(load_lesson(16)))
    view = views["backprop"]
    view.sample_box.setValue(1)
    view.start_button.click()
    wait(lambda: len(view.stages) > 0)
    for _ in range(4):            # to the output layer's backward stage
        view.next()
    QApplication.processEvents()
    grab([view], "backprop-step.png")
    controller.shutdown()
    win.close()


if __name__ == "__main__":
    app = QApplication.instance() or QApplication([])
    explain_and_mistakes()
    layer_health()
    backprop()
