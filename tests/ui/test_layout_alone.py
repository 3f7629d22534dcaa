"""WindowLayout and PresenterMode on their own: a bare QMainWindow with a few named docks and
a stand-in diagram view, no MainWindow. The layout puts each dock where its design says and
shows what the document wants; a saved arrangement of another version is discarded;
presenter mode enlarges, steps only while presenting and puts back exactly what was there."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow

from nnplayground.presets import load_builtin
from nnplayground.ui.layout import LAYOUT_VERSION, WindowLayout
from nnplayground.ui.lessons.presenter import FONT_SCALES, PresenterMode

LEFT, RIGHT, BOTTOM = (Qt.DockWidgetArea.LeftDockWidgetArea,
                       Qt.DockWidgetArea.RightDockWidgetArea,
                       Qt.DockWidgetArea.BottomDockWidgetArea)
DOCKS = ("dock_training", "dock_data", "dock_properties", "dock_layers", "dock_problems",
         "view_boundary", "view_metrics", "view_units", "view_histograms")
CONTROLS_AND_PROBLEMS = DOCKS[:5]


class FakeDiagramView:
    def __init__(self):
        self.text_scale = 1.0
        self.fits = 0

    def fit(self):
        self.fits += 1


@pytest.fixture
def make_layout(qtbot, tmp_path):
    def make(wanted=("view_units",), name="settings.ini"):
        window = QMainWindow()
        window.setCentralWidget(QLabel("diagram"))
        window.menuBar().addMenu("&View")
        for dock_name in DOCKS:
            dock = QDockWidget(dock_name.split("_")[1].title(), window)
            dock.setObjectName(dock_name)
            dock.setWidget(QLabel(dock_name))
            window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        qtbot.addWidget(window)
        settings = QSettings(str(tmp_path / name), QSettings.IniFormat)
        layout = WindowLayout(window, settings, lambda doc: list(wanted))
        window.resize(790, 760)      # the offscreen screen is 800x800
        window.show()
        qtbot.waitExposed(window)
        return window, layout
    return make


def test_a_plane_document_gets_the_plane_design(make_layout):
    window, layout = make_layout()
    layout.arrange(load_builtin("spiral"))
    docks = layout.docks()
    assert layout.kind == "plane" and not layout.lesson
    assert {window.dockWidgetArea(docks[n]) for n in CONTROLS_AND_PROBLEMS} == {LEFT}
    assert window.dockWidgetArea(docks["view_boundary"]) == RIGHT
    assert window.dockWidgetArea(docks["view_metrics"]) == RIGHT
    assert window.dockWidgetArea(docks["view_units"]) == BOTTOM
    shown = {n for n, d in docks.items() if d.isVisible()}
    # the plane's own picture and the loss always, the rest as the document asks
    assert {"view_boundary", "view_metrics", "view_units"} <= shown
    assert "view_histograms" not in shown
    assert docks["view_boundary"].width() > docks["dock_training"].width()


def test_a_saved_arrangement_comes_back_unless_another_versions(make_layout):
    window, layout = make_layout()
    layout.arrange(load_builtin("spiral"))
    layout.save()
    again, restored = make_layout()
    assert restored.restore() and restored.kind == "plane"
    layout.settings.setValue("layout_version", LAYOUT_VERSION - 1)
    layout.settings.sync()
    third, stale = make_layout()
    assert not stale.restore()


def test_presenter_mode_enlarges_steps_and_puts_everything_back(make_layout, qtbot):
    window, layout = make_layout()
    layout.arrange(load_builtin("spiral"))
    view, steps = FakeDiagramView(), []
    doc = load_builtin("spiral")
    presenter = PresenterMode(window, layout, view, steps.append, lambda: None, lambda: doc)
    before = layout.snapshot()
    point_size = window.font().pointSizeF()
    presenter.act_next.trigger()            # not presenting: the arrow keys are the diagram's
    assert steps == []
    presenter.action.trigger()              # F5
    assert presenter.active and window.isFullScreen()
    assert presenter.font_scale in FONT_SCALES + (1.0,)
    assert window.font().pointSizeF() == pytest.approx(point_size * presenter.font_scale)
    assert view.text_scale == pytest.approx(presenter.font_scale)
    assert not layout.docks()["dock_training"].isVisible()      # no editing while presenting
    presenter.act_next.trigger()
    presenter.act_prev.trigger()
    assert steps == [1, -1]
    presenter.act_leave.trigger()           # Esc
    assert not presenter.active and not window.isFullScreen()
    assert window.font().pointSizeF() == point_size and view.text_scale == 1.0
    qtbot.waitUntil(lambda: layout.settling == 0)
    assert window.geometry() == before["rect"]
    assert {n: d.isVisible() for n, d in layout.docks().items()} == before["visible"]
