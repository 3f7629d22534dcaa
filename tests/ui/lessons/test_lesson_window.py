"""The Lessons menu, start page, notes and steps, driven as a teacher would."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

from nnplayground.lessons import catalog as C


def _menu_actions(lessons):
    return [a for a in lessons.menu.actions() if a in lessons.lesson_actions.values()]


def test_every_lesson_opens_from_the_menu_with_its_notes(lesson_window):
    window, lessons = lesson_window
    actions = _menu_actions(lessons)
    assert len(actions) == 17
    for info, action in zip(C.list_lessons(), actions):
        assert action.text() == f"{info.number}. {info.title}"
        assert action.toolTip() == info.summary
        action.trigger()
        assert lessons.number == info.number
        doc = C.load_lesson(info.number)
        assert window.model.doc == C.preset_document(doc)      # the preset, no "lesson" key
        assert window.model.path is None and not window.model.modified
        assert lessons.notes.lesson_title.text() == f"Lesson {info.number}: " \
                                                   f"{doc['lesson']['title']}"
        first_line = doc["description"].strip().splitlines()[0].lstrip("# ").strip()
        assert first_line in lessons.notes.notes_text()
        assert lessons.notes_dock.isVisible()
        assert lessons.compare_dock.isVisible() == bool(doc["lesson"].get("compare"))
    loads = [args[0] for name, args, _ in window.controller.calls if name == "load"]
    assert loads[-1] == window.model.doc      # handed to the worker


def test_lessons_menu_sits_before_help(lesson_window):
    window, _ = lesson_window
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles.index("Lessons") == titles.index("Help") - 1


def test_lesson_panels_match_the_lessons(lesson_window):
    _, lessons = lesson_window
    expected = {3: "ActivationPanel", 5: "GradcheckPanel", 6: "OptimizerRacePanel",
                8: "InitHistogramsPanel", 14: "KerasCodePanel", 16: "GradcheckPanel"}
    for number in range(1, 18):
        lessons.open_lesson(number, ask=False)
        name = type(lessons.panel).__name__ if lessons.panel is not None else None
        assert name == expected.get(number)
        assert lessons.panel_dock.isVisible() == (number in expected)


def test_steps_apply_their_changes_and_come_back(lesson_window):
    window, lessons = lesson_window
    lessons.open_lesson(7, ask=False)
    doc = window.model.doc
    assert (doc["training"]["batch_size"], doc["optimizer"]["lr"]) == (10, 0.2)
    assert not lessons.notes.prev_button.isEnabled()
    lessons.notes.next_button.click()
    assert window.model.doc["training"]["batch_size"] == 1
    assert lessons.notes.step_title.text() == "Step 1 of 6: Batch 1"
    assert "100 updates per epoch" in lessons.notes.notes_text()
    lessons.notes.next_button.click()
    lessons.notes.next_button.click()
    assert window.model.doc["training"]["batch_size"] == 100
    lessons.notes.next_button.click()      # learning rate too small: the batch size goes back
    assert (window.model.doc["training"]["batch_size"], window.model.doc["optimizer"]["lr"]) \
        == (10, 0.002)
    lessons.notes.prev_button.click()
    assert (window.model.doc["training"]["batch_size"], window.model.doc["optimizer"]["lr"]) \
        == (100, 0.2)
    assert lessons.position == 3
    for _ in range(3):
        lessons.notes.prev_button.click()
    assert window.model.doc == C.preset_document(C.load_lesson(7))     # back to the start
    assert not lessons.notes.prev_button.isEnabled()


def test_steps_are_undoable_edits(lesson_window):
    window, lessons = lesson_window
    lessons.open_lesson(2, ask=False)
    before = window.model.snapshot()
    lessons.step(+1)
    after = window.model.snapshot()
    assert after != before and window.model.modified
    assert window.model.undo_stack.undoText().startswith("Lesson step: ")
    window.model.undo_stack.undo()
    assert window.model.doc == before
    window.model.undo_stack.redo()
    assert window.model.doc == after


def test_step_changes_keep_the_users_other_edits(lesson_window):
    window, lessons = lesson_window
    lessons.open_lesson(7, ask=False)
    window.model.edit("seed", lambda d: d["training"].__setitem__("seed", 5))
    lessons.step(+1)
    assert window.model.doc["training"]["seed"] == 5
    assert window.model.doc["training"]["batch_size"] == 1


def test_opening_a_lesson_asks_about_unsaved_changes(lesson_window, monkeypatch):
    window, lessons = lesson_window
    lessons.open_lesson(7, ask=False)
    lessons.step(+1)                       # an unsaved edit
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a) or QMessageBox.Cancel)
    lessons.lesson_actions[2].trigger()
    assert asked, "no unsaved-changes prompt"
    assert lessons.number == 7 and window.model.doc["training"]["batch_size"] == 1
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Discard)
    lessons.lesson_actions[2].trigger()
    assert lessons.number == 2


def _write_lesson(path, doc):
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize("breakage, expected", [
    (lambda d: d["model"]["nodes"][1]["params"].__setitem__("units", -2), "units"),
    (lambda d: d["lesson"]["steps"][0]["changes"].__setitem__("model.nodes.nope.params.units",
                                                              3), "nope"),
])
def test_a_broken_lesson_file_shows_its_problems_and_changes_nothing(lesson_window, tmp_path,
                                                                     breakage, expected):
    window, lessons = lesson_window
    lessons.open_lesson(1, ask=False)
    before = window.model.snapshot()
    broken = C.load_lesson(2)
    breakage(broken)
    shown = []
    window.files.show_problems = lambda title, intro, problems: shown.append((title, problems))
    assert not window.files.open_path(_write_lesson(tmp_path / "broken.json", broken), ask=False)
    assert shown and any(expected in p for p in shown[0][1])
    assert window.model.doc == before and lessons.number == 1


def test_a_lesson_file_opens_through_file_open_as_a_lesson(lesson_window, tmp_path):
    window, lessons = lesson_window
    path = _write_lesson(tmp_path / "mine.json", C.load_lesson(7))
    assert window.files.open_path(path, ask=False)
    assert lessons.number == 7 and lessons.step_count() == 6
    assert window.model.doc == C.preset_document(C.load_lesson(7))
    assert window.model.path is None        # Save never drops the steps from the lesson file
    assert str(path.resolve()) in window.files.recent_files()
    assert lessons.go_to(1) and window.model.doc["training"]["batch_size"] == 1


def test_opening_another_preset_closes_the_lesson(lesson_window):
    window, lessons = lesson_window
    lessons.open_lesson(6, ask=False)
    assert lessons.panel is not None and lessons.notes_dock.isVisible()
    assert window.files.open_builtin("xor", ask=False)
    assert lessons.number is None and lessons.panel is None
    assert not lessons.notes_dock.isVisible() and not lessons.panel_dock.isVisible()
    assert "No lesson open" in lessons.notes.notes_text()
    assert not lessons.notes.next_button.isEnabled()
    lessons.open_lesson(3, ask=False)
    assert window.files.new_document() and lessons.number is None


def test_start_page_lists_every_lesson_and_opens_the_chosen_one(lesson_window, qtbot):
    from nnplayground.ui.lessons.start_page import StartPage
    window, lessons = lesson_window
    page = StartPage(lessons.lessons, window)
    qtbot.addWidget(page)
    assert [c.info.number for c in page.cards] == list(range(1, 18))
    card = page.cards[8]
    assert card.info.summary and card.open_button.text() == "Open lesson"
    card.open_button.click()
    assert page.result() == QDialog.Accepted and page.chosen == 9


def test_start_page_action_opens_the_card_clicked(lesson_window, monkeypatch):
    from nnplayground.ui.lessons import start_page
    window, lessons = lesson_window

    def click_card_twelve(page):
        page.cards[11].open_button.click()
        return page.result()
    monkeypatch.setattr(start_page.StartPage, "exec", click_card_twelve)
    lessons.act_start.trigger()
    assert lessons.number == 12 and window.model.doc["name"].startswith("Lesson 12")


@pytest.mark.parametrize("number", [3, 13])
def test_lesson_views_are_shown(lesson_window, number):
    window, lessons = lesson_window
    lessons.open_lesson(number, ask=False)
    assert window.view_docks["metrics"].isVisible()     # every lesson names "loss"


@pytest.mark.parametrize("number", [8, 12])
def test_the_widest_lessons_are_readable_and_without_overlaps(lesson_window, qtbot, number):
    """Lesson 12's twelve 16-unit Dense columns and ten Adds (the Adds used to sit inside the
    Dense blocks); lesson 8's eight blocks: no overlaps, 11 pt text, every block in view."""
    window, lessons = lesson_window
    lessons.open_lesson(number, ask=False)
    qtbot.waitUntil(lambda: window.scene.nodes.keys() == {
        n["id"] for n in window.model.doc["model"]["nodes"]}, timeout=3_000)
    window.view.fit()
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    blocks = {k: item.sceneBoundingRect() for k, item in window.scene.nodes.items()}
    # whole: every block in view; zoomed out, the blocks are compact and their text 11 pt
    zoom = window.view.transform().m11()
    for node_id, rect in blocks.items():
        assert visible.contains(rect), f"{node_id} out of view"
        assert all(font.pointSizeF() * zoom >= 11 - 0.05
                   for _t, font, _w in window.scene.nodes[node_id].text_lines())
    scene = window.view.sceneRect()
    for node_id, rect in blocks.items():
        assert scene.contains(rect), f"{node_id} cannot be scrolled to"
    ids = sorted(blocks)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            # bounding rects have a 2 px margin for the selection outline
            assert not blocks[a].adjusted(3, 3, -3, -3).intersects(
                blocks[b].adjusted(3, 3, -3, -3)), f"{a} overlaps {b}"

