"""The lessons GUI tests' window: the app's own MainWindow on the recording controller of
tests/ui/conftest.py (opening a lesson must not train or load MNIST here; the compare dock
trains on its own). Qt warnings fail a test through tests/ui/conftest.py as well."""

from __future__ import annotations

import pytest


@pytest.fixture
def lesson_window(qtbot, settings, fake_controller):
    """A shown 1600x1000 MainWindow, as the app builds it -> (window, window.lessons)."""
    from nnplayground.ui.main_window import MainWindow

    window = MainWindow(controller=fake_controller, settings=settings)
    lessons = window.lessons

    def before_close(w):      # closing must not stop at an unsaved-changes prompt
        lessons.shutdown()
        w.model.undo_stack.setClean()
    qtbot.addWidget(window, before_close_func=before_close)
    window.resize(1600, 1000)
    window.show()
    qtbot.waitExposed(window)
    return window, lessons
