"""Starting the desktop app, and the screenshot mode used for documentation and slides.

`run_app` is what `nnplayground` and `nnplayground open FILE|NAME [--train-for S --screenshot
OUT]` call. In screenshot mode the window trains for a while, saves `window.grab()` as a PNG and
exits 0 without asking anything, so it can run in scripts.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSize, QTimer
from PySide6.QtWidgets import QApplication


SCRIPTED_SIZE = (1600, 1000)


def open_target(window, target: str | None) -> bool:
    """A preset path, a model .npz, or a built-in name (default "xor"); False on problems."""
    target = target or "xor"
    path = Path(target).expanduser()
    if path.is_file():
        return window.files.open_path(str(path), ask=False)
    return window.files.open_builtin(target, ask=False)


def run_app(target: str | None = None, *, train_for: float | None = None,
            screenshot: str | None = None, size=None, on_grab=None,
            animation=None) -> int:
    """Opens `target` in the main window; returns the exit code (2: it could not be opened).

    With `screenshot`, trains `train_for` seconds, writes the PNG and closes. `on_grab(window)`
    is called just before the grab, with training paused: scripts and tests read what the
    picture shows (the worker's step, the status bar) there. `animation(window)` (a
    `recording.HistoryAnimation`) runs there too, with or without a screenshot.
    """
    if animation is not None:
        on_grab = _then(on_grab, animation)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("nnplayground")
    app.setApplicationName("nnplayground")
    from nnplayground.ui.main_window import MainWindow

    scripted = screenshot or animation is not None     # train, picture, quit
    # A scripted run must not depend on the user's layout: scratch settings from the start.
    window = MainWindow(settings=_scratch_settings() if scripted else None)
    remove_stale_saves(window)
    if scripted:
        window.files.show_problems = _print_problems
        # a picture of a known size whatever the screen (an interactive window fits the screen)
        size = size or SCRIPTED_SIZE
    if size is not None:            # else the saved size, or the designed one for the screen
        window.window_layout.requested_size = QSize(*size)
        window.resize(*size)
    if not open_target(window, target):
        if scripted:
            _dispose(window)
            return 2
    window.model.undo_stack.setClean()
    window.show()
    if not scripted:
        code = int(app.exec())
    else:
        code = _screenshot(app, window, Path(screenshot) if screenshot else None,
                           train_for or 0.0, size, on_grab)
        code = max(code, getattr(animation, "code", 0))
    _dispose(window)
    return code


def folders_written_to(window) -> list[Path]:
    """The folders the app writes its files to: the settings file's, the recent presets' and
    models' (with their training history), and the MNIST download folders."""
    from nnplayground.data import mnist
    folders = [Path(window.settings.fileName()).parent]
    folders += [Path(path).parent for path in window.files.recent_files()]
    folders += [mnist.user_mnist_dir(kind) for kind in mnist.ENV_VARS]
    return list(dict.fromkeys(folders))


def remove_stale_saves(window) -> list[Path]:
    """At startup: delete the temp files killed saves left in the folders the app writes to
    (presets.io.remove_stale_temp_files_in: only the app's own names, only stale ones), not
    only when that very file is saved again. Returns what was removed."""
    from nnplayground.presets.io import remove_stale_temp_files_in
    return [p for folder in folders_written_to(window) for p in remove_stale_temp_files_in(folder)]


def _then(first, second):
    """on_grab hooks in turn (first may be None)."""
    def both(window):
        if first is not None:
            first(window)
        second(window)
    return both


def _dispose(window) -> None:
    """Destroys the window while the QApplication still exists: letting the interpreter's exit
    garbage-collect Qt objects in arbitrary order can crash in the bindings."""
    import gc

    if window.controller is not None:
        window.controller.shutdown()
    window.deleteLater()
    QApplication.sendPostedEvents(None, 0)
    QApplication.processEvents()
    del window
    gc.collect()


def _screenshot(app, window, out: Path, train_for: float, size, on_grab=None) -> int:
    """Waits for the data to load, trains `train_for` seconds, grabs the window, closes it.

    Runs a local event loop and never quits the application, so it also works inside a host
    that owns the QApplication (the test suite, a notebook).
    """
    result = {"code": 0}
    controller = window.controller
    loop = QEventLoop()
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)

    tries = {"pause": 0, "load": 0}

    def pause_then_grab():
        """Pauses, and grabs once the worker says so (the Play button then reads Play)."""
        tries["pause"] += 1
        if controller is not None and controller.running and tries["pause"] < 60:
            if tries["pause"] == 1:
                controller.pause()
            QTimer.singleShot(50, pause_then_grab)
        else:
            grab()

    def grab():
        app.processEvents()
        if on_grab is not None:
            on_grab(window)
        pixmap = window.grab()
        if out is not None and not pixmap.save(str(out), "PNG"):
            print(f"nnplayground: could not write {out}", file=sys.stderr)
            result["code"] = 1
        window.model.undo_stack.setClean()
        window.close()
        loop.quit()

    def start():
        window.view.fit()
        if train_for > 0 and window.training.act_play.isEnabled():
            window.training.play_pause()
        QTimer.singleShot(int(train_for * 1000), pause_then_grab)

    def wait_loaded():
        tries["load"] += 1
        state = getattr(controller, "state", "idle")
        if controller is None or (state != "loading" and window.training.loaded_doc is not None) \
                or tries["load"] > 600 or not window.status.ok:
            start()
        else:
            QTimer.singleShot(50, wait_loaded)

    if size is not None:
        window.resize(*size)
    QTimer.singleShot(200, wait_loaded)
    loop.exec()
    app.setQuitOnLastWindowClosed(quit_on_close)
    return result["code"]


def _scratch_settings():
    import tempfile

    from PySide6.QtCore import QSettings
    folder = tempfile.mkdtemp(prefix="nnplayground-shot-")
    return QSettings(str(Path(folder) / "settings.ini"), QSettings.IniFormat)


def _print_problems(title, intro, problems):
    print(f"nnplayground: {intro}", file=sys.stderr)
    for p in problems:
        print(f"  {p}", file=sys.stderr)
