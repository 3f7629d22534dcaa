"""Screenshots of many classes and the transformed space (issue 13), from real runs.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_class_screenshots.py

Writes three-classes.png (the 3-arm spiral's boundary with its legend after 150 epochs, beside
its confusion matrix) and transformed-space.png (circle's two-unit hidden layer after 40
epochs, beside its boundary) next to this file. Each trains through the real worker, as the
app does; the window helpers are make_inside_screenshots.py's.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from make_inside_screenshots import grab, load, train_epochs, wait, window_with
from nnplayground.presets import load_builtin


def three_classes():
    win, controller, views = window_with([["boundary"], ["confusion"]], size=(1300, 680))
    load(controller, load_builtin("spiral3"))
    train_epochs(controller, 150)
    grab([views["boundary"], views["confusion"]], "three-classes.png")
    controller.shutdown()
    win.close()


def transformed_space(epochs=40):
    """circle's second hidden layer has two units: the plane as the output unit sees it,
    where a straight line has to separate the ring from the disc."""
    win, controller, views = window_with([["transformed"], ["boundary"]], size=(1300, 700))
    load(controller, load_builtin("circle"))
    train_epochs(controller, epochs)          # mid-training: the disc is being pulled out
    view = views["transformed"]
    wait(lambda: view.layer_box.count() > 0)
    view.choose("h2", (0, 1))
    QApplication.processEvents()
    grab([view, views["boundary"]], "transformed-space.png")
    controller.shutdown()
    win.close()


if __name__ == "__main__":
    app = QApplication.instance() or QApplication([])
    three_classes()
    transformed_space(40)
