"""Qt warnings fail the test, and the real training controller (both from tests/qt_warnings.py)."""

from qt_warnings import controller, fail_on_qt_warnings  # noqa: F401 - fixtures
