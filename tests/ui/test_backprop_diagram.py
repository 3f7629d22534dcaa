"""The back-propagation step-through colours the diagram: weights, then each layer's weight
gradients and error signals as the backward pass reaches it, then the updated weights."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def test_stepping_through_shows_the_gradients_on_the_diagrams_weight_lines(
        window_on_worker, controller, qtbot):
    window = window_on_worker("xor")
    view = window.live_views.views["backprop"]
    dock = window.view_docks["backprop"]
    dock.show()
    dock.raise_()
    qtbot.waitUntil(view.isVisible)
    with qtbot.waitSignal(controller.walked, timeout=15000) as blocker:
        qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    _, stages = blocker.args[1]
    out_line = window.scene.weight_lines[("h2", "out")][1][0]
    first = {s.node_id: s for s in stages if s.kind == "update"}
    assert out_line.value == pytest.approx(float(first["out"].arrays["W_before"][1, 0]))
    assert out_line.toolTip().startswith("weight out.W[1, 0] = ")
    for _ in range(4):               # forward x3, loss, then the output layer's backward
        QTest.keyClick(view, Qt.Key.Key_Right)
    backward = {s.node_id: s for s in stages if s.kind == "backward"}
    assert out_line.value == pytest.approx(float(backward["out"].arrays["dW"][1, 0]))
    assert out_line.toolTip().startswith("gradient dL/dW out.W[1, 0] = ")
    unit = window.scene.nodes["out"].units[0]
    assert unit.toolTip().startswith("out unit 0: error signal delta ")
    for _ in range(5):               # to the end: the updated weights
        QTest.keyClick(view, Qt.Key.Key_Right)
    assert out_line.value == pytest.approx(float(first["out"].arrays["W_after"][1, 0]))
    assert out_line.toolTip().startswith("updated weight out.W[1, 0] = ")
