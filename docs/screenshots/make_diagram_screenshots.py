"""Make docs/screenshots/diagram-neuron-maps.png: the network diagram with its neuron maps.

    xvfb-run -s "-screen 0 1280x720x24" python docs/screenshots/make_diagram_screenshots.py

The window as the app opens it on a 1280x720 screen: the circle preset with x1^2 and x2^2
turned on by clicking the Input's units (the other features stay dimmed), trained a few
seconds in the real worker, then the mouse over a unit of h1, whose map the decision boundary
view shows large. A script, not a test: it waits on wall time where a demonstration would.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from shots import close, save, wait

HERE = Path(__file__).resolve().parent


def point_at(window, node_id, row):
    unit = window.scene.nodes[node_id].rows[row]
    return window.view.mapFromScene(unit.mapToScene(unit.rect().center()))


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from nnplayground.ui.main_window import MainWindow
    settings = QSettings(str(Path(tempfile.mkdtemp(prefix="nnp-shots-")) / "s.ini"),
                         QSettings.IniFormat)
    window = MainWindow(settings=settings)
    window.show()
    wait(app, lambda: False, 0.5)
    c = window.controller
    window.files.open_builtin("circle", ask=False)
    wait(app, lambda: c.state == "idle" and c.latest_snapshot is not None, 60)
    window.view.fit()
    wait(app, lambda: False, 0.3)
    for row in (2, 3):                                   # x1^2, x2^2: clicked on
        QTest.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.NoModifier,
                         point_at(window, "x", row))
    wait(app, lambda: False, 0.5)                        # the reload after the edit
    wait(app, lambda: c.state != "loading" and c.latest_snapshot is not None, 60)
    window.training.play_pause()
    wait(app, lambda: False, 3.0)
    if c.running:
        c.pause()
    wait(app, lambda: not c.running, 5)
    window.view.fit()
    wait(app, lambda: False, 0.5)
    target = point_at(window, "h1", 1)
    QTest.mouseMove(window.view.viewport(), target + QPoint(2, 0))
    QTest.mouseMove(window.view.viewport(), target)
    wait(app, lambda: window.live_views.views["boundary"].unit_map.isVisible(), 5)
    wait(app, lambda: False, 0.3)
    path = HERE / "diagram-neuron-maps.png"
    save(window, path)
    print(path, window.size().width(), window.size().height(), window.model.doc["dataset"])
    close(window)
    return 0


if __name__ == "__main__":
    sys.exit(main())
