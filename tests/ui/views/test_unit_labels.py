"""Hidden units: every layer's name is whole and no two names overlap, from a 2-layer network
to lesson 12's eleven 16-unit layers (names were cut to "ı1" and overlapped there)."""

from __future__ import annotations

import pytest
from view_helpers import load, show_apart, small_doc

from nnplayground.presets import load_preset
from nnplayground.resources import resources_dir



def _lesson_12():
    return load_preset(next((resources_dir() / "lessons").glob("12-*.json")))


@pytest.mark.parametrize("make_doc", [lambda: small_doc("spiral"), _lesson_12],
                         ids=["spiral", "lesson-12"])
def test_layer_names_are_whole_and_apart(qtbot, window, make_doc):
    win, controller, docks = window
    units = win.live_views.views["units"]
    show_apart(win, docks, ["units"])
    docks["units"].setMinimumHeight(250)
    load(qtbot, controller, make_doc())
    qtbot.waitUntil(lambda: len(units.labels) == len(controller.latest_snapshot.units) > 1,
                    timeout=10_000)
    def problems():
        """What is wrong with the names as drawn now (Qt lays the boxes out over a few
        events, so the test waits for a settled layout rather than a fixed time)."""
        view_rect = units.grid.mapToScene(units.grid.viewport().rect()).boundingRect()
        shown = [label for label in units.labels if label.isVisible()]
        if not shown or shown[0] is not units.labels[0]:
            return ["the first layer's name is not shown"]
        found = []
        if len(units.labels) <= 3 and len(shown) != len(units.labels):
            found.append("rows of 50 px have room for every name")
        rects = [label.mapRectToScene(label.boundingRect()) for label in shown]
        column = units.label_vb.sceneBoundingRect()
        for label, rect in zip(shown, rects):
            name = label.textItem.toPlainText()
            if not view_rect.contains(rect):
                found.append(f"{name} is cut by the view's edge")
            if not (column.left() - 1 <= rect.left() and rect.right() <= column.right() + 1):
                found.append(f"{name} is outside the name column")
        for a, b in zip(rects, rects[1:]):
            if a.bottom() > b.top() + 0.5:
                found.append("two layer names overlap")
        tiles = units.tiles.mapRectToScene(units.tiles.boundingRect())
        if tiles.left() - column.right() > 12:
            found.append("the tiles are far from their names")
        return found

    try:
        qtbot.waitUntil(lambda: not problems(), timeout=3_000)
    except Exception:
        pass
    assert problems() == []


def test_new_data_drops_the_old_names(qtbot, window):
    """A network without hidden layers after one with them (lesson 1 after the start page's
    xor): the old names go with the old tiles; a resize then raised in _fit_labels."""
    win, controller, docks = window
    units = win.live_views.views["units"]
    show_apart(win, docks, ["units"])
    load(qtbot, controller, small_doc("spiral"))
    qtbot.waitUntil(lambda: len(units.labels) == 2, timeout=10_000)
    doc = small_doc("xor")
    nodes = doc["model"]["nodes"]
    nodes[-1]["inputs"] = [nodes[0]["id"]]
    doc["model"]["nodes"] = [nodes[0], nodes[-1]]
    load(qtbot, controller, doc)
    qtbot.waitUntil(lambda: "no small hidden dense layer" in units.caption.text())
    assert units.labels == []
    units.grid_vb.translateBy(x=-10)      # a transform change, as a resize makes
    units._fit_labels()
