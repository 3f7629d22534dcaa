"""The plain API the GUI builds on: compare sessions, error messages, no Qt."""

import json
import subprocess
import sys

import pytest

from nnplayground.lessons import (
    LessonError, lesson_problems, list_lessons, load_lesson, variant_document,
)
from nnplayground.lessons.compare import CompareSession, runs_table
from nnplayground.presets import load_builtin


def test_compare_session_trains_epoch_by_epoch_and_can_stop_early():
    doc = load_lesson(1)
    docs = [variant_document(doc, "AND"), variant_document(doc, "XOR")]
    session = CompareSession(docs, ["AND", "XOR"], epochs=5)
    first = session.run_epoch()
    assert set(first) == {"AND", "XOR"} and first["AND"]["epoch"] == 1
    assert not session.done
    rounds = []
    session.run(callback=lambda records: rounds.append(records) or len(rounds) < 2)
    assert [len(r.history) for r in session.runs] == [3, 3]
    session.run()
    assert session.done and [len(r.history) for r in session.runs] == [5, 5]
    table = runs_table(session.runs)
    assert table[0]["label"] == "AND" and table[0]["epochs"] == 5
    assert table[0]["diverged"] is False and table[0]["train_accuracy"] is not None


def test_a_stopped_session_ends_at_once_and_records_no_half_epoch():
    docs = [load_builtin("xor"), load_builtin("xor")]
    made = []

    def stop_after_nine_steps():      # a Stop pressed during the tenth mini-batch
        return bool(made) and made[0].runs[0].experiment.trainer.steps_done >= 9
    session = CompareSession(docs, ["a", "b"], epochs=5, should_stop=stop_after_nine_steps)
    made.append(session)
    session.run()
    assert session.done
    trainer = session.runs[0].experiment.trainer
    assert trainer.steps_done == 9 and trainer.history.epochs == []     # 25 steps an epoch
    assert session.runs[1].experiment.trainer.steps_done == 0


def test_same_variant_twice_gives_identical_histories():
    doc = variant_document(load_lesson(3), "tanh")
    a, b = CompareSession([doc, doc], ["a", "b"], epochs=3).run()
    assert a.history[-1]["test_loss"] == b.history[-1]["test_loss"]
    assert a.step_losses == b.step_losses


def test_zero_epochs_trains_nothing_and_label_mismatch_is_refused():
    doc = variant_document(load_lesson(1), "AND")
    session = CompareSession([doc], ["AND"], epochs=0)
    assert session.done and session.run()[0].history == []
    with pytest.raises(ValueError, match="2 labels for 1 documents"):
        CompareSession([doc], ["a", "b"])


def test_a_broken_lesson_is_reported_with_every_problem(tmp_path):
    doc = load_lesson(3)
    doc["lesson"]["steps"][1]["changes"] = {"model.nodes.hidden.params.units": 4}
    doc["lesson"]["compare"][0] = {"changes": {}}
    problems = lesson_problems(doc)
    assert any(p.startswith("lesson.steps[1].changes: change path "
                            "'model.nodes.hidden.params.units': no element") for p in problems)
    assert "lesson.compare[0]: must be an object with a string 'label'" in problems
    (tmp_path / "03-broken.json").write_text(json.dumps(doc))
    (tmp_path / "index.json").write_text(json.dumps({"lessons": [
        {"number": 3, "slug": "broken", "title": "Broken", "file": "03-broken.json"}]}))
    assert [i.slug for i in list_lessons(tmp_path)] == ["broken"]
    with pytest.raises(LessonError, match="03-broken.json: .*lesson.steps\\[1\\]"):
        load_lesson(3, root=tmp_path)


def test_missing_index_names_the_file(tmp_path):
    with pytest.raises(LessonError, match="index.json: lesson index not found"):
        list_lessons(tmp_path)


def test_lessons_package_imports_without_qt():
    code = ("import sys\n"
            "for name in ('PySide6', 'pyqtgraph', 'shiboken6'): sys.modules[name] = None\n"
            "import nnplayground.lessons.compare, nnplayground.lessons.optimizer_race\n"
            "import nnplayground.lessons.init_histograms, nnplayground.lessons.keras_code\n"
            "import nnplayground.lessons.activation_curves\n"
            "import nnplayground.lessons.gradcheck_timing\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_gradient_check_tolerance_is_the_command_lines_default():
    from nnplayground.cli.parser import GRADCHECK_TOLERANCE
    from nnplayground.lessons.gradcheck_timing import TOLERANCE
    assert TOLERANCE == GRADCHECK_TOLERANCE
