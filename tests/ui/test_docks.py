"""The main window's dock tab bars: one per tab group, none left over with stale tabs.

Qt leaked a tab bar per group when docks were tabified in the still-hidden window; the leaked
bars showed with the window and painted stale tabs over the bottom docks in every grab.
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtWidgets import QTabBar


def _dock_tab_bars(window):
    return [bar for bar in window.findChildren(QTabBar) if bar.parent() is window]


def assert_one_bar_per_group(window):
    titles = Counter(bar.tabText(i) for bar in _dock_tab_bars(window) for i in range(bar.count()))
    assert titles and not [t for t, n in titles.items() if n > 1], titles


def test_every_dock_sits_in_one_tab_bar(make_window):
    window = make_window()
    assert_one_bar_per_group(window)
    groups = {frozenset(bar.tabText(i) for i in range(bar.count()))
              for bar in _dock_tab_bars(window)}
    assert {"Training", "Data", "Properties"} in groups
    window.lessons.open_lesson(6, ask=False)
    assert_one_bar_per_group(window)


def _stale_tabs(window) -> list[str]:
    """Tabs of shown tab bars inside the window that name hidden docks."""
    docks = {d.windowTitle(): d for d in window.findChildren(type(window.dock_data))}
    return [bar.tabText(i) for bar in _dock_tab_bars(window)
            if bar.isVisible() and window.rect().intersects(bar.geometry())
            for i in range(bar.count()) if not docks[bar.tabText(i)].isVisible()]


def test_stale_tab_bars_do_not_paint_over_the_docks(make_window, qtbot):
    """After the layout has run (a moment after docks are hidden), a visible tab bar inside
    the window lists only docks that are shown."""
    window = make_window()
    window.lessons.open_lesson(6, ask=False)
    window.files.open_builtin("xor", ask=False)
    qtbot.waitUntil(lambda: not _stale_tabs(window), timeout=2_000)
    assert_one_bar_per_group(window)
