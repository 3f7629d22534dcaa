"""The scrubber under the loss plot: every view shows the checkpoint's moment, and "Continue
from here" trains on from it. Real keys on the slider, a real click on the button."""

import numpy as np
from PySide6.QtCore import Qt

from nnplayground.presets import load_builtin

LOAD_TIMEOUT = 20_000


def load(qtbot, ctl, doc):
    with qtbot.waitSignal(ctl.dataset_ready, timeout=LOAD_TIMEOUT):
        ctl.load(doc)
    qtbot.waitUntil(lambda: ctl.state == "idle" and ctl.latest_snapshot is not None)


def replayed(step):
    return lambda s: s.replay and s.step == step


def test_scrubbing_shows_each_views_picture_of_that_moment(window, qtbot):
    win, ctl, docks = window
    load(qtbot, ctl, load_builtin("xor"))
    hub = win.live_views
    boundary, timeline = hub.views["boundary"], hub.timeline
    live = {}
    for _ in range(5):
        with qtbot.waitSignal(ctl.snapshot_ready):
            ctl.step()
        live[ctl.latest_snapshot.step] = np.array(boundary.image.image)
    qtbot.waitUntil(lambda: len(timeline.steps) == 6)
    assert timeline.slider.value() == 5 and not timeline.marker.isVisible()
    timeline.slider.setFocus()
    with qtbot.waitSignal(ctl.snapshot_ready, check_params_cb=replayed(0)):
        qtbot.keyClick(timeline.slider, Qt.Key.Key_Home)
    for step in (1, 2):
        with qtbot.waitSignal(ctl.snapshot_ready, check_params_cb=replayed(step)):
            qtbot.keyClick(timeline.slider, Qt.Key.Key_Right)
        np.testing.assert_array_equal(boundary.image.image, live[step])
    assert not np.array_equal(live[2], live[5])
    assert timeline.marker.isVisible() and timeline.marker.value() == 2
    assert timeline.slider.toolTip().startswith("step 2 (3 of 6). ")
    assert hub.status.text().startswith("History: epoch 0")
    with qtbot.waitSignal(ctl.snapshot_ready, check_params_cb=replayed(5)):
        qtbot.keyClick(timeline.slider, Qt.Key.Key_End)
    np.testing.assert_array_equal(boundary.image.image, live[5])


def test_continue_from_here_trains_on_from_that_moment(window, qtbot):
    win, ctl, docks = window
    doc = load_builtin("spiral")
    load(qtbot, ctl, doc)
    timeline, metrics = win.live_views.timeline, win.live_views.views["metrics"]
    for _ in range(8):
        with qtbot.waitSignal(ctl.snapshot_ready):
            ctl.step()
    recorded = dict(map(tuple, metrics.steps.data))
    timeline.slider.setFocus()
    with qtbot.waitSignal(ctl.snapshot_ready, check_params_cb=replayed(0)):
        qtbot.keyClick(timeline.slider, Qt.Key.Key_Home)
    for step in (1, 2, 3):
        with qtbot.waitSignal(ctl.snapshot_ready, check_params_cb=replayed(step)):
            qtbot.keyClick(timeline.slider, Qt.Key.Key_Right)
    with qtbot.waitSignal(ctl.snapshot_ready, check_params_cb=lambda s: s.rewound):
        qtbot.mouseClick(timeline.continue_button, Qt.MouseButton.LeftButton)
    assert list(metrics.steps.data[:, 0]) == [1, 2, 3]      # the curve cut at the branch
    left = metrics.branch_curve                              # the old branch, faintly
    assert list(left.xData) == list(range(1, 9))
    assert list(left.yData) == [recorded[s] for s in range(1, 9)]
    qtbot.waitUntil(lambda: len(metrics.steps.data) >= 5, timeout=10_000)   # training on
    ctl.pause()
    qtbot.waitUntil(lambda: ctl.state == "paused")
    branch = dict(map(tuple, metrics.steps.data))
    assert branch[4] == recorded[4] and branch[5] == recorded[5]
    assert not timeline.continue_button.isEnabled()          # live again


def test_a_view_shown_while_looking_back_shows_that_moment(window, qtbot):
    win, ctl, docks = window
    load(qtbot, ctl, load_builtin("xor"))
    for _ in range(4):
        with qtbot.waitSignal(ctl.snapshot_ready):
            ctl.step()
    docks["units"].hide()
    qtbot.waitUntil(lambda: "units" not in win.live_views.visible_views())
    with qtbot.waitSignal(ctl.snapshot_ready, check_params_cb=replayed(1)):
        ctl.show_checkpoint(1)
    with qtbot.waitSignal(ctl.snapshot_ready, check_params_cb=replayed(1)):
        docks["units"].show()           # the worker is told; it shows step 1 again, not step 4
    assert win.live_views.timeline.shown == 1
