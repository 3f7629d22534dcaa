"""A view is as large as the page it shows: with nothing to draw for the data (its
placeholder shown), its hidden controls do not hold the dock open. (A hidden page cannot tell
its QStackedLayout when its size changes, so counting it left stale minimums behind: see
tests/ui/test_layout_fit.py's lesson 7 test.)"""

from PySide6.QtWidgets import QApplication

from nnplayground.ui.views.plane import BoundaryView


def _settle(qtbot):
    for _ in range(3):
        QApplication.sendPostedEvents()
        qtbot.wait(1)


def test_a_view_showing_its_placeholder_is_sized_by_the_placeholder(qtbot):
    view = BoundaryView()
    qtbot.addWidget(view)
    view.show()
    _settle(qtbot)
    body = view.body.minimumSizeHint()
    assert view.minimumSizeHint() == body
    view.clear_run()        # the placeholder: "Nothing trained yet ..."
    _settle(qtbot)
    shown = view.minimumSizeHint()
    assert shown.height() < body.height() and shown.width() < body.width()

