"""Make docs/screenshots/classroom/*.png: what a class sees on a projector and a monitor.

    xvfb-run -s "-screen 0 1280x720x24" python docs/screenshots/make_classroom_screenshots.py --presenter
    xvfb-run -s "-screen 0 1920x1080x24" python docs/screenshots/make_classroom_screenshots.py --presenter

On a real X server (Xvfb, Qt's xcb platform), the window as the app opens it on that screen
(the designed layout, filling the screen), each target opened as the Lessons menu or the
Gallery would, lessons at their first step, trained a moment in the real worker, the race
panel mid-race. With --presenter, also lessons 6 and 11 and xor in presenter mode (F5).
Each picture is audited like tests/ui/test_layout_fit.py (texts checked / cut) and saved
with 256 colours, so the folder stays small. A script, not a test: it waits on wall time
where a demonstration would.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from shots import close, save, wait

HERE = Path(__file__).resolve().parent
OUT = HERE / "classroom"
ROOT = HERE.parents[1]
TARGETS = ["1", "6", "8", "11", "12", "xor", "spiral", "mnist-cnn"]
PRESENTED = ["6", "11", "xor"]
TRAIN_SECONDS = {"mnist": 4.0}


def prepare(app, window, target):
    lessons = window.lessons
    opened = []
    window.files.document_opened.connect(opened.append)
    if target.isdigit():
        lessons.open_lesson(int(target), ask=False)
    else:
        window.files.open_builtin(target, ask=False)
    wait(app, lambda: opened, 120)      # replaced once the worker has built the run
    window.files.document_opened.disconnect(opened.append)
    if target.isdigit() and lessons.step_count():
        lessons.go_to(1)
    wait(app, lambda: False, 0.4)       # the window reloads the worker 150 ms after an edit
    c = window.controller
    wait(app, lambda: c.state != "loading" and window.training.loaded_doc is not None, 120)
    if window.training.act_play.isEnabled():
        window.training.play_pause()
        wait(app, lambda: False, TRAIN_SECONDS.get(window.model.doc["dataset"]["kind"], 2.0))
        if c.running:
            c.pause()
        wait(app, lambda: not c.running, 5)
    panel = lessons.panel
    if type(panel).__name__ == "OptimizerRacePanel":
        panel.slider.setValue(panel.steps * 2 // 3)
    elif type(panel).__name__ == "InitHistogramsPanel":
        wait(app, lambda: panel.stats is not None, 60)
    window.view.fit()
    wait(app, lambda: False, 0.5)


def main(argv) -> int:
    sys.path.insert(0, str(ROOT / "tests" / "ui"))
    from layout_audit import audit

    presenter = "--presenter" in argv
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from nnplayground.ui.main_window import MainWindow

    settings = QSettings(str(Path(tempfile.mkdtemp(prefix="nnp-shots-")) / "s.ini"),
                         QSettings.IniFormat)
    window = MainWindow(settings=settings)
    window.files.show_problems = lambda title, intro, problems: print(intro, *problems, sep="\n  ")
    window.show()
    wait(app, lambda: False, 0.5)
    geo = window.screen().geometry()
    size = f"{geo.width()}x{geo.height()}"
    OUT.mkdir(exist_ok=True)
    for target in TARGETS:
        prepare(app, window, target)
        name = f"lesson-{int(target):02d}" if target.isdigit() else target
        shots = [("", False)] + ([("-presenter", True)] if presenter and target in PRESENTED
                                 else [])
        for suffix, present in shots:
            if present:
                window.lessons.presenter.action.setChecked(True)
                wait(app, lambda: False, 1.0)
            a = audit(window)
            path = OUT / f"{size}-{name}{suffix}.png"
            kb = save(window, path) // 1024
            print(f"{path.name}: {kb} KB, {a.checked} texts checked, {len(a.problems())} "
                  f"problems{': ' + '; '.join(a.problems()) if a.problems() else ''}",
                  flush=True)
            if present:
                window.lessons.presenter.action.setChecked(False)
                wait(app, lambda: False, 0.5)
    close(window)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
