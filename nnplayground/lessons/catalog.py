"""The lesson catalogue: list the lessons, load one, derive the document of a step or variant.

A lesson is an ordinary preset document (docs/architecture.md, section 4) with one extra key,
``"lesson"``, that the GUI uses to step through variants and compare runs::

    "lesson": {
      "number": 7, "title": "Mini-batch, epoch and learning rate",
      "steps":   [{"title": "Batch 1", "notes": "markdown", "changes": {"training.batch_size": 1}}],
      "compare": [{"label": "batch 1", "group": "batch size", "changes": {...}}],
      ...                                # lesson-specific settings, e.g. "race" for lesson 6
    }

``changes`` maps a *dotted path* in the preset document to a new value. A path segment that
meets a list selects an element by index (``model.nodes.2``) or, more readably and robust to
reordering, by its ``id`` (``model.nodes.h1.params.units``). Every step and variant is applied to
the lesson's *base* document, not to the previous step, so a presenter can jump to any step.

Everything here is plain data in, plain data out (dicts, lists, dataclasses): no Qt, no engine.
"""

import copy
import json
from dataclasses import dataclass
from pathlib import Path

from nnplayground.resources import ResourcesError, resources_dir


class LessonError(ValueError):
    """A lesson file, lesson name or change path that cannot be used; the message says why."""


def lessons_dir():
    """The bundled lessons folder (looked up at call time, so NNPLAYGROUND_RESOURCES set after
    import still counts); a missing resources folder is a LessonError like a missing index."""
    try:
        return resources_dir() / "lessons"
    except ResourcesError as exc:
        raise LessonError(str(exc)) from None


@dataclass(frozen=True)
class LessonInfo:
    """One row of the catalogue (``resources/lessons/index.json``)."""

    number: int
    slug: str       # e.g. "logic-gates"
    title: str
    summary: str    # one line for a menu or the start page
    path: Path      # the lesson's preset JSON file


def list_lessons(root=None):
    """Return every lesson of ``root``/index.json (default: the bundled lessons), by number."""
    root = Path(root) if root is not None else lessons_dir()
    index_path = root / "index.json"
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LessonError(f"{index_path}: lesson index not found; reinstall nnplayground "
                          "or pass the folder that holds index.json") from None
    except json.JSONDecodeError as exc:
        raise LessonError(f"{index_path}: not valid JSON ({exc})") from None
    infos = []
    for i, row in enumerate(index.get("lessons", [])):
        try:
            infos.append(LessonInfo(int(row["number"]), str(row["slug"]), str(row["title"]),
                                    str(row.get("summary", "")), root / row["file"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise LessonError(f"{index_path}: lessons[{i}] needs number, slug, title and file "
                              f"({exc!r})") from None
    return sorted(infos, key=lambda info: info.number)


def find_lesson(key, root=None):
    """The LessonInfo for a number (7), a slug ("batch-and-learning-rate") or "07-<slug>"."""
    infos = list_lessons(root)
    for info in infos:
        if key == info.number or str(key) in (str(info.number), info.slug, info.path.stem):
            return info
    known = ", ".join(f"{i.number} ({i.slug})" for i in infos)
    raise LessonError(f"no lesson {key!r}; the lessons are: {known}")


def load_lesson(key, root=None):
    """Load a lesson's full document (preset plus its ``"lesson"`` key) by number or slug.

    The document is checked with :func:`lesson_problems`; a broken lesson raises LessonError
    listing every problem, so a teacher never finds out in front of the class.
    """
    info = find_lesson(key, root)
    try:
        doc = json.loads(info.path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise LessonError(f"{info.path}: cannot read the lesson ({exc})") from None
    problems = lesson_problems(doc)
    if problems:
        raise LessonError(f"{info.path}: " + "; ".join(problems))
    return doc


def preset_document(doc):
    """The plain preset part of a lesson document: a deep copy without the ``"lesson"`` key.

    Hand this to the preset validator, ``Experiment.from_preset`` or the editor.
    """
    plain = copy.deepcopy(doc)
    plain.pop("lesson", None)
    return plain


def steps(doc):
    """The lesson's steps (list of dicts with title, notes, changes); [] for a plain preset."""
    return list(doc.get("lesson", {}).get("steps", []))


def variants(doc, group=None):
    """The lesson's compare variants, optionally only those of one ``group``."""
    found = list(doc.get("lesson", {}).get("compare", []))
    if group is not None:
        found = [v for v in found if v.get("group") == group]
    return found


def compare_groups(doc):
    """Variants grouped for the compare view: {group name or "": [variant, ...]} in file order."""
    groups = {}
    for variant in variants(doc):
        groups.setdefault(variant.get("group", ""), []).append(variant)
    return groups


def step_document(doc, index):
    """The preset document of step ``index`` (0-based): base document plus that step's changes."""
    all_steps = steps(doc)
    if not 0 <= index < len(all_steps):
        raise LessonError(f"step {index} does not exist; this lesson has {len(all_steps)} "
                          f"steps (0 to {len(all_steps) - 1})")
    return apply_changes(preset_document(doc), all_steps[index].get("changes", {}))


def variant_document(doc, key):
    """The preset document of a compare variant, chosen by index or by label."""
    all_variants = variants(doc)
    for i, variant in enumerate(all_variants):
        if key == i or key == variant.get("label"):
            return apply_changes(preset_document(doc), variant.get("changes", {}))
    labels = ", ".join(repr(v.get("label")) for v in all_variants) or "none"
    raise LessonError(f"no compare variant {key!r}; the variants are: {labels}")


def apply_changes(doc, changes):
    """Return a new document with every ``{dotted.path: value}`` of ``changes`` applied.

    The input is never modified. Values are deep-copied, so the result shares nothing with
    ``changes`` either. A path must lead through existing objects; its last segment may add a
    new key to an object (e.g. ``regularization.l2``), never to a list.
    """
    result = copy.deepcopy(doc)
    for path, value in changes.items():
        _set_path(result, path, copy.deepcopy(value))
    return result


def get_path(doc, path):
    """The value at a dotted path (same addressing as :func:`apply_changes`)."""
    parts = _split(path)
    target = doc
    for i, part in enumerate(parts):
        target = _child(target, part, parts[: i + 1], path)
    return target


def _split(path):
    if not isinstance(path, str) or not path or any(not p for p in path.split(".")):
        raise LessonError(f"change path {path!r}: expected dotted keys such as "
                          "'optimizer.lr' or 'model.nodes.h1.params.units'")
    return path.split(".")


def _child(target, part, walked, path):
    """Step from ``target`` into ``part``; lists are indexed by position or by element id."""
    where = ".".join(walked)
    if isinstance(target, dict):
        if part not in target:
            raise LessonError(f"change path {path!r}: {where!r} does not exist "
                              f"(keys here: {', '.join(map(str, target)) or 'none'})")
        return target[part]
    if isinstance(target, list):
        return target[_list_index(target, part, where, path)]
    raise LessonError(f"change path {path!r}: {where!r} goes inside a {type(target).__name__}, "
                      "which has no keys")


def _list_index(items, part, where, path):
    if part.isdigit() and int(part) < len(items):
        return int(part)
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == part:
            return i
    ids = [str(item.get("id")) for item in items if isinstance(item, dict) and "id" in item]
    raise LessonError(f"change path {path!r}: no element {where!r}; use an index below "
                      f"{len(items)} or one of the ids {', '.join(ids) or '(none)'}")


def _set_path(doc, path, value):
    parts = _split(path)
    target = doc
    for i, part in enumerate(parts[:-1]):
        target = _child(target, part, parts[: i + 1], path)
    last = parts[-1]
    if isinstance(target, dict):
        target[last] = value
    elif isinstance(target, list):
        target[_list_index(target, last, path, path)] = value
    else:
        raise LessonError(f"change path {path!r}: {'.'.join(parts[:-1])!r} is a "
                          f"{type(target).__name__}, which has no keys")


def lesson_problems(doc):
    """Every problem of a lesson document's ``"lesson"`` part, as readable strings ([] if fine).

    Checks the shape of steps and variants and that every change path resolves, so a typo in a
    lesson file shows up in the test suite rather than in a classroom.
    """
    problems = []
    lesson = doc.get("lesson")
    if not isinstance(lesson, dict):
        return ["lesson: must be an object with number, title and steps"]
    if not isinstance(lesson.get("number"), int) or lesson["number"] < 1:
        problems.append(f"lesson.number: must be a positive integer, got {lesson.get('number')!r}")
    if not isinstance(lesson.get("title"), str) or not lesson["title"]:
        problems.append("lesson.title: must be a non-empty string")
    for key, label_key in (("steps", "title"), ("compare", "label")):
        entries = lesson.get(key, [])
        if not isinstance(entries, list):
            problems.append(f"lesson.{key}: must be a list")
            continue
        for i, entry in enumerate(entries):
            where = f"lesson.{key}[{i}]"
            if not isinstance(entry, dict) or not isinstance(entry.get(label_key), str):
                problems.append(f"{where}: must be an object with a string {label_key!r}")
                continue
            changes = entry.get("changes", {})
            if not isinstance(changes, dict):
                problems.append(f"{where}.changes: must be an object of path: value")
                continue
            try:
                apply_changes(preset_document(doc), changes)
            except LessonError as exc:
                problems.append(f"{where}.changes: {exc}")
    return problems
