"""The lesson catalogue: every lesson loads, its changes resolve, and the preset part validates."""

import copy

import pytest

from nnplayground.lessons import (
    LessonError, apply_changes, compare_groups, get_path, list_lessons, load_lesson,
    preset_document, step_document, variant_document,
)


def test_catalogue_lists_the_seventeen_lessons_in_order():
    infos = list_lessons()
    assert [i.number for i in infos] == list(range(1, 18))
    for info in infos:
        assert info.path.exists(), info.path
        assert info.title and info.summary


@pytest.mark.parametrize("number", range(1, 18))
def test_every_lesson_is_a_valid_preset_with_notes(number):
    from nnplayground.presets import validate_preset
    doc = load_lesson(number)
    assert doc["lesson"]["number"] == number
    desc = doc["description"]
    for heading in ("**The idea.**", "**What to watch.**", "**What to try.**",
                    "**Expected result.**"):
        assert heading in desc, f"lesson {number} notes lack {heading}"
    assert validate_preset(preset_document(doc)) == []
    for i in range(len(doc["lesson"].get("steps", []))):
        assert validate_preset(step_document(doc, i)) == [], (number, i)
    for i in range(len(doc["lesson"].get("compare", []))):
        assert validate_preset(variant_document(doc, i)) == [], (number, i)


def test_every_lesson_graph_builds_in_the_engine():
    from nnplayground.engine import check_graph
    for info in list_lessons():
        doc = load_lesson(info.number)
        docs = [preset_document(doc)] + [step_document(doc, i) for i in
                                         range(len(doc["lesson"].get("steps", [])))]
        for d in docs:
            report = check_graph(d["model"])
            assert report.ok, (info.number, report.problems)


def test_find_by_slug_and_unknown_lesson_message():
    assert load_lesson("batch-and-learning-rate")["lesson"]["number"] == 7
    with pytest.raises(LessonError, match="no lesson 99; the lessons are: 1 \\(logic-gates\\)"):
        load_lesson(99)


def test_apply_changes_addresses_list_elements_by_id_and_never_mutates():
    doc = load_lesson(3)
    before = copy.deepcopy(doc)
    new = apply_changes(doc, {"model.nodes.h.params.activation": "relu", "optimizer.lr": 0.5,
                              "regularization.l2": 0.01, "model.nodes.0.params.shape": [3]})
    assert doc == before
    assert get_path(new, "model.nodes.h.params.activation") == "relu"
    assert new["model"]["nodes"][0]["params"]["shape"] == [3]
    assert new["optimizer"]["lr"] == 0.5 and new["regularization"]["l2"] == 0.01


@pytest.mark.parametrize("path, message", [
    ("model.nodes.nope.params.units", "no element 'model.nodes.nope'.*ids x, h, out"),
    ("optimiser.lr", "'optimiser' does not exist"),
    ("optimizer..lr", "expected dotted keys"),
    ("loss.kind", "'loss' is a str"),
])
def test_bad_change_paths_say_what_exists(path, message):
    with pytest.raises(LessonError, match=message):
        apply_changes(load_lesson(3), {path: 1})


def test_steps_apply_to_the_base_not_cumulatively_and_groups_split_compare():
    doc = load_lesson(7)
    assert step_document(doc, 0)["training"]["batch_size"] == 1
    assert step_document(doc, 3)["training"]["batch_size"] == 10  # base, not step 0's
    assert step_document(doc, 5)["optimizer"]["lr"] == 5.0
    groups = compare_groups(doc)
    assert list(groups) == ["batch size", "learning rate"]
    assert [v["label"] for v in groups["batch size"]] == ["batch 1", "batch 10", "full batch"]
    with pytest.raises(LessonError, match="this lesson has 6 steps"):
        step_document(doc, 6)
    with pytest.raises(LessonError, match="no compare variant 'x'"):
        variant_document(doc, "x")
    assert "lesson" not in step_document(doc, 0)
