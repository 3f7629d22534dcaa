"""Animations and pictures: the command line's --gif/--mp4, the Record dialog, and a view's
"Save View as PNG" context-menu entry."""

from __future__ import annotations

import imageio.v2 as imageio
import imageio.v3 as iio
import numpy as np
import pytest
from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu

from nnplayground.cli import main


@pytest.fixture
def scratch_settings(tmp_path):
    from PySide6.QtCore import QSettings
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "cfg"))


def test_open_train_for_writes_a_gif_and_an_mp4_of_the_training(tmp_path, qapp,
                                                                 scratch_settings):
    gif, mp4 = tmp_path / "out.gif", tmp_path / "out.mp4"
    assert main(["open", "spiral", "--train-for", "5", "--gif", str(gif), "--mp4", str(mp4)]) == 0
    frames = iio.imread(gif)
    # the first 50 steps are one checkpoint each, whatever the machine's speed
    assert len(frames) >= 30 and frames.shape[2:] == (800, 3)      # --width's default
    assert np.abs(frames[0].astype(int) - frames[-1]).mean() > 1
    with imageio.get_reader(mp4) as reader:
        assert reader.count_frames() == len(frames)
        assert reader.get_meta_data()["fps"] == 10


def test_a_gif_of_the_boundary_view_shows_the_boundary_change(tmp_path, qapp,
                                                               scratch_settings):
    gif = tmp_path / "boundary.gif"
    assert main(["open", "spiral", "--train-for", "1", "--gif", str(gif), "--view", "boundary",
                 "--width", "300", "--fps", "5"]) == 0
    frames = iio.imread(gif)
    assert len(frames) >= 30 and frames.shape[2] == 300
    changes = [np.abs(a.astype(int) - b).mean() for a, b in zip(frames, frames[1:])]
    assert sum(c > 0 for c in changes) >= 20            # the picture moves step after step
    assert iio.immeta(gif)["duration"] == 200


def test_bad_animation_paths_are_refused_before_a_window_opens(tmp_path, capsys):
    assert main(["open", "xor", "--gif", str(tmp_path / "x.png")]) == 2
    assert "saved as .gif or .mp4, not .png" in capsys.readouterr().err
    assert main(["open", "xor", "--mp4", "/no/such/dir/x.mp4"]) == 2
    assert "folder /no/such/dir does not exist" in capsys.readouterr().err


def step(qtbot, controller, n):
    for _ in range(n):
        with qtbot.waitSignal(controller.snapshot_ready):
            controller.step()


def test_the_record_dialog_renders_a_view_from_the_history(
        window_on_worker, controller, qtbot, tmp_path):
    window = window_on_worker("xor")
    step(qtbot, controller, 9)
    window.act_record.trigger()
    dialog = window.record_dialog
    assert dialog.isVisible() and dialog.go.text() == "Render"
    dialog.target.setCurrentIndex(dialog.target.findData("boundary"))
    dialog.path.setText(str(tmp_path / "xor.mp4"))
    dialog.fps.setValue(4)
    dialog.width.setValue(400)
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == f"Saved 10 frames to {tmp_path / 'xor.mp4'}"
    with imageio.get_reader(tmp_path / "xor.mp4") as reader:
        assert reader.count_frames() == 10
        assert reader.get_meta_data()["size"][0] == 400


def test_the_record_dialog_records_while_training(window_on_worker, controller, qtbot, tmp_path):
    window = window_on_worker("xor")
    dialog = window.act_record.trigger() or window.record_dialog
    dialog.live.setChecked(True)
    assert dialog.go.text() == "Start recording"
    dialog.path.setText(str(tmp_path / "live.gif"))
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    assert dialog.go.text() == "Stop and save"
    step(qtbot, controller, 3)     # each step's frame is drawn, and recorded once drawn
    qtbot.waitUntil(lambda: len(dialog.recorder.frames) >= 1)
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    assert dialog.message.text().startswith("Saved ")
    assert len(iio.imread(tmp_path / "live.gif")) >= 1


def test_a_views_context_menu_saves_it_as_png(make_window, qtbot, tmp_path, monkeypatch):
    window = make_window()
    view = window.live_views.views["metrics"]
    window.view_docks["metrics"].show()
    out = tmp_path / "loss.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    chosen = []

    def choose():
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        action = next(a for a in menu.actions() if a.text() == "Save View as PNG\u2026")
        chosen.append(action)
        menu.close()
        action.trigger()

    QTimer.singleShot(200, choose)
    # a right click beside the check box, through the window as a mouse's would come
    spot = view.mapTo(window, view.log_box.geometry().bottomRight() + QPoint(40, -5))
    QTest.mouseClick(window.windowHandle(), Qt.MouseButton.RightButton, pos=spot)
    qtbot.waitUntil(lambda: out.exists())
    assert chosen and iio.imread(out).shape[:2] == (view.height(), view.width())


def test_a_long_recording_thins_itself_to_its_budget(monkeypatch, qtbot):
    from PySide6.QtWidgets import QLabel

    from nnplayground.ui import recording
    monkeypatch.setattr(recording, "MAX_FRAMES", 10)
    label = QLabel("frame")
    qtbot.addWidget(label)
    label.resize(64, 32)

    class Source(QObject):
        snapshot_ready = Signal(object)

    class Frame:
        replay = False

    source, now = Source(), [0.0]
    recorder = recording.Recorder(source, label, fps=10, width=None, clock=lambda: now[0])
    for _ in range(40):
        source.snapshot_ready.emit(Frame())
        qtbot.wait(1)                      # the grab runs once the event loop has drawn
        now[0] += 0.1
    frames = recorder.stop()
    assert 5 <= len(frames) <= 10 and recorder.interval > 0.1
