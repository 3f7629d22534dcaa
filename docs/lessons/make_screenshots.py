"""Make docs/lessons/NN-slug.png: every lesson open at 1600x1000, mid-demonstration.

    QT_QPA_PLATFORM=offscreen python docs/lessons/make_screenshots.py [NUMBER ...]

Each lesson opens through the Lessons menu's path, trains a little in the real worker, runs a
short comparison (a few epochs) where it has one, and its own panel does its thing (the race
halfway, the gradient check done, the histograms drawn). A script, not a test: it waits on wall
time where a demonstration would.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "screenshots"))
from shots import wait  # noqa: E402  (the screenshot scripts' one event-loop wait)
SIZE = (1600, 1000)
TRAIN_SECONDS = {"mnist": 4.0}
COMPARE_EPOCHS = 5


def shoot(app, window, lessons, info) -> Path:
    controller = window.controller
    lessons.open_lesson(info.number, ask=False)
    if lessons.step_count():
        lessons.go_to(1)            # show the first step, its notes and its network
    wait(app, lambda: False, 0.4)    # the window reloads the worker 150 ms after an edit
    wait(app, lambda: controller.state != "loading" and window.training.loaded_doc is not None, 120)
    kind = window.model.doc["dataset"]["kind"]
    if window.training.act_play.isEnabled():
        window.training.play_pause()
        wait(app, lambda: False, TRAIN_SECONDS.get(kind, 2.0))
        if controller.running:
            controller.pause()
        wait(app, lambda: not controller.running, 5)
    compare = lessons.compare
    if lessons.compare_dock.isVisible():
        compare.epochs.setValue(min(COMPARE_EPOCHS, compare.epochs.value()))
        compare.start()
        wait(app, lambda: not compare.running, 90)
    panel = lessons.panel
    name = type(panel).__name__ if panel is not None else ""
    if name == "OptimizerRacePanel":
        panel.slider.setValue(panel.steps * 2 // 3)
    elif name == "GradcheckPanel":
        panel.check()
        wait(app, lambda: panel.result is not None, 60)
    elif name == "InitHistogramsPanel":
        wait(app, lambda: panel.stats is not None, 60)
    window.view.fit()
    wait(app, lambda: False, 0.5)
    out = HERE / f"{info.number:02d}-{info.slug}.png"
    if not window.grab().save(str(out), "PNG"):
        raise SystemExit(f"could not write {out}")
    return out


def new_window():
    """A fresh window per lesson: the layout of one lesson never leaks into the next."""
    from nnplayground.ui.main_window import MainWindow

    settings = QSettings(str(Path(tempfile.mkdtemp(prefix="nnp-lessons-")) / "s.ini"),
                         QSettings.IniFormat)
    window = MainWindow(settings=settings)
    window.files.show_problems = lambda title, intro, problems: print(intro, *problems, sep="\n  ")
    lessons = window.lessons
    window.resize(*SIZE)
    window.show()
    return window, lessons


def dispose(app, window, lessons) -> None:
    lessons.shutdown()
    window.model.undo_stack.setClean()
    window.controller.shutdown()
    window.close()
    window.deleteLater()
    app.processEvents()


def main(argv) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from nnplayground.lessons import list_lessons

    wanted = {int(a) for a in argv}
    for info in list_lessons():
        if wanted and info.number not in wanted:
            continue
        started = time.monotonic()
        window, lessons = new_window()
        try:
            out = shoot(app, window, lessons, info)
        finally:
            dispose(app, window, lessons)
        print(f"{out.name}: {time.monotonic() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
