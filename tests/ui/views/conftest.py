"""Fixtures of the live-view tests.

Qt warnings fail the test, and the real training controller (both from tests/qt_warnings.py);
`window` is a bare main window holding every view, sized by `@pytest.mark.window_size(w, h)`
(default 1600x1000).
"""

import pytest
from PySide6.QtWidgets import QMainWindow
from qt_warnings import controller, fail_on_qt_warnings  # noqa: F401 - fixtures

from nnplayground.ui.views import install_views
from nnplayground.worker import TrainingController


@pytest.fixture
def window(qtbot, request):
    """(window, its TrainingController, the view docks install_views made)."""
    marker = request.node.get_closest_marker("window_size")
    width, height = marker.args if marker else (1600, 1000)
    win = QMainWindow()
    ctl = TrainingController(win)
    docks = install_views(win, ctl)
    qtbot.addWidget(win)
    win.resize(width, height)
    win.show()
    yield win, ctl, docks
    ctl.shutdown()
