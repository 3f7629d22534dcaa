"""Make docs/screenshots/draw-your-own-data.png: a 3-class dataset drawn by hand, trained.

    xvfb-run -s "-screen 0 1280x720x24" python docs/screenshots/make_draw_screenshots.py

The window as the app opens it on a 1280x720 screen, with a 2-8-8-3 softmax network on an
empty `points` dataset: a cloud of one class between two arcs of the others. The points are put there the way a user does it: real mouse clicks on
the decision boundary view, the class picked on its strip, the brush dropping clouds and a few
single points added, then Play for a few seconds in the real worker. A script, not a test: it
waits on wall time where a demonstration would.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from shots import close, save, wait

HERE = Path(__file__).resolve().parent

# (class, tool, x, y): a cloud in the centre (class 2) between two arcs (classes 0 and 1),
# brushed, with a few single points added
_ARC = np.radians(np.linspace(25, 155, 6))
STROKES = [(2, "brush", x, y) for x, y in [(0, 0), (0.9, 0.5), (-0.8, -0.4), (0.3, -0.9)]] + \
    [(0, "brush", 4.2 * np.cos(a), 4.2 * np.sin(a)) for a in _ARC] + \
    [(1, "brush", 4.2 * np.cos(a), -4.2 * np.sin(a)) for a in _ARC] + \
    [(0, "add", -5, 0.8), (0, "add", 5, 0.8), (1, "add", -5, -0.8), (1, "add", 5, -0.8),
     (2, "add", 1.5, 0.2), (2, "add", -1.4, 0.6)]


def three_class_doc():
    from nnplayground.presets import load_builtin
    doc = load_builtin("xor")
    doc["name"] = "Drawn by hand"
    nodes = {n["id"]: n for n in doc["model"]["nodes"]}
    nodes["h1"]["params"].update(units=8)
    nodes["h2"]["params"].update(units=8)
    nodes["out"]["params"].update(units=3, activation="softmax")
    doc["loss"] = "cross_entropy"
    doc["optimizer"] = {"type": "adam", "lr": 0.02}
    doc["dataset"] = {"kind": "points", "task": "classification", "inputs": 2, "points": [],
                      "train_fraction": 0.7, "seed": 0}
    return doc


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from nnplayground.ui.main_window import MainWindow
    settings = QSettings(str(Path(tempfile.mkdtemp(prefix="nnp-shots-")) / "s.ini"),
                         QSettings.IniFormat)
    window = MainWindow(settings=settings, doc=three_class_doc())
    window.show()
    wait(app, lambda: False, 0.5)
    c = window.controller
    window.reset_layout()
    wait(app, lambda: False, 0.5)
    dock = window.view_docks["boundary"]
    dock.show()
    dock.raise_()
    view = window.live_views.views["boundary"]
    strip = window.point_editor.plane_strip
    wait(app, lambda: view.plot.isVisible() and view.plot.width() > 100, 5)
    for c_, tool, x, y in STROKES:
        QTest.mouseClick(strip.class_buttons[c_], Qt.LeftButton)
        QTest.mouseClick(strip.tool_buttons[tool], Qt.LeftButton)
        scene = view.plot.getViewBox().mapViewToScene(QPointF(float(x), float(y)))
        QTest.mouseClick(view.plot.viewport(), Qt.LeftButton, Qt.NoModifier,
                         view.plot.mapFromScene(scene))
        wait(app, lambda: False, 0.05)
    QTest.mouseClick(strip.tool_buttons["add"], Qt.LeftButton)
    wait(app, lambda: c.state != "loading" and c.latest_snapshot is not None, 60)
    window.training.play_pause()
    wait(app, lambda: False, 6.0)
    if c.running:
        c.pause()
    wait(app, lambda: not c.running, 5)
    wait(app, lambda: False, 0.5)
    path = HERE / "draw-your-own-data.png"
    save(window, path)
    snapshot = c.latest_snapshot
    last = snapshot.last_epoch or {}
    print(path, window.size().width(), window.size().height(),
          len(window.model.doc["dataset"]["points"]), "points, step", snapshot.step,
          "test accuracy", last.get("test_accuracy"))
    close(window)
    return 0


if __name__ == "__main__":
    sys.exit(main())
