"""Presets that are not settings: nested 5,000 deep, tens of megabytes, NaN and Infinity.

Issue 11: deep nesting crashed with RecursionError (no dialog in the GUI), a 50 MB preset took
13.8 s to reject, and NaN/Infinity were refused without naming the field, line or column.
"""

from __future__ import annotations

import json

import pytest

from nnplayground.presets import PresetError, load_builtin, load_preset, parse_preset
from nnplayground.presets import io as preset_io


@pytest.mark.parametrize("text", [
    '{"format": ' + "[" * 5000 + "]" * 5000 + "}",
    '{"a":' * 5000 + "1" + "}" * 5000,
])
def test_json_nested_5000_deep_is_a_preset_error(tmp_path, text):
    path = tmp_path / "deep.json"
    path.write_text(text)
    with pytest.raises(PresetError, match="nested too deeply"):
        load_preset(path)


def test_nesting_the_parser_accepts_is_still_refused_before_validation(monkeypatch):
    doc = load_builtin("xor")
    value = 1
    for _ in range(200):
        value = [value]
    doc["views"] = value
    monkeypatch.setattr(preset_io, "validate_preset", _must_not_validate)
    with pytest.raises(PresetError) as info:
        parse_preset(json.dumps(doc))
    (problem,) = info.value.problems
    assert problem.path.startswith("views[0][0]") and "nested too deeply" in problem.message


def _must_not_validate(doc):
    raise AssertionError("a document this size must be refused before schema validation")


def test_a_50_mb_preset_is_refused_by_its_size_before_it_is_read(tmp_path, monkeypatch):
    doc = load_builtin("xor")
    doc["description"] = "x" * (50 * 2**20)
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc))
    monkeypatch.setattr(preset_io, "validate_preset", _must_not_validate)
    monkeypatch.setattr(preset_io.json, "loads", _must_not_validate)
    with pytest.raises(PresetError, match=r"is 50\.0 MB; a preset is at most 4 MB"):
        load_preset(path)
    with pytest.raises(PresetError, match="at most 4 MB"):
        parse_preset(json.dumps(doc))


@pytest.mark.parametrize("change, message", [
    (lambda d: d.__setitem__("views", ["loss"] * 5000), "views: has 5,000 items; at most 1,000"),
    (lambda d: d.__setitem__("description", [[0] * 900] * 60), "more than 50,000 values"),
])
def test_long_lists_and_huge_documents_are_refused_before_validation(monkeypatch, change,
                                                                     message):
    doc = load_builtin("xor")
    change(doc)
    monkeypatch.setattr(preset_io, "validate_preset", _must_not_validate)
    with pytest.raises(PresetError, match=message):
        parse_preset(json.dumps(doc))


def test_nan_and_infinity_name_the_field_line_and_column():
    text = json.dumps(load_builtin("xor"), indent=2)
    text = text.replace('"lr": 0.03', '"lr": NaN').replace('"noise": 0', '"noise": -Infinity')
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if '"lr": NaN' in line)
    with pytest.raises(PresetError) as info:
        parse_preset(text)
    problems = {p.path: p.message for p in info.value.problems}
    assert set(problems) == {"optimizer.lr", "dataset.noise"}
    column = lines[row].index("NaN") + 1
    assert problems["optimizer.lr"].startswith(f"NaN at line {row + 1}, column {column} ")
    assert "-Infinity at line" in problems["dataset.noise"]
    assert "finite number" in problems["optimizer.lr"]


def test_nan_inside_a_string_is_text_not_a_number():
    doc = load_builtin("xor")
    doc["description"] = 'a "NaN" and Infinity in prose'
    doc["optimizer"]["lr"] = float("inf")
    text = json.dumps(doc)                 # Python writes Infinity for the lr
    with pytest.raises(PresetError) as info:
        parse_preset(text)
    (problem,) = info.value.problems
    assert problem.path == "optimizer.lr"
    assert problem.message.startswith("Infinity at line 1, column ")
    column = int(problem.message.split("column ")[1].split()[0])
    assert text[column - 1:].startswith("Infinity")


def test_a_save_removes_the_temp_files_a_killed_save_left(tmp_path):
    import os
    import tempfile

    from nnplayground.presets import save_preset
    target = tmp_path / "mine.json"
    old = []
    for _ in range(2):     # what a save killed before its rename leaves behind
        fd, name = tempfile.mkstemp(dir=tmp_path, prefix=".mine.json.", suffix=".tmp")
        os.close(fd)
        old.append(name)
    fd, fresh = tempfile.mkstemp(dir=tmp_path, prefix=".mine.json.", suffix=".tmp")
    os.close(fd)                                  # a save under way elsewhere: too recent
    others = [tmp_path / ".mine.json.notes.tmp", tmp_path / ".other.json.abcd1234.tmp",
              tmp_path / "mine.json.abcd1234.tmp"]
    for path in others:
        path.write_text("not ours, or not a temp file of this save")
    long_ago = preset_io.time.time() - 2 * preset_io.STALE_TEMP_SECONDS
    for path in old + [str(p) for p in others]:
        os.utime(path, (long_ago, long_ago))
    save_preset(load_builtin("xor"), target)
    assert load_preset(target) == load_builtin("xor")
    assert not any(os.path.exists(p) for p in old)
    assert os.path.exists(fresh) and all(p.exists() for p in others)
    leftovers = sorted(p.name for p in tmp_path.iterdir())
    assert leftovers == sorted([os.path.basename(fresh), "mine.json"] + [p.name for p in others])


@pytest.mark.parametrize("place, path, value", [
    (("model", "nodes", 1, "params", "init_scale"), "model.nodes[1].params.init_scale",
     1e308),                                                    # found by the fuzz test
    (("model", "nodes", 1, "params", "bias_init"), "model.nodes[1].params.bias_init", -1e39),
    (("optimizer", "lr"), "optimizer.lr", 1e300),
    (("regularization", "l2"), "regularization.l2", 10 ** 40),
])
def test_settings_beyond_float32_are_refused_by_name(place, path, value):
    from nnplayground.presets import validate_preset
    doc = load_builtin("xor")
    doc.setdefault("regularization", {})
    target = doc
    for part in place[:-1]:
        target = target[part]
    target[place[-1]] = value
    (problem,) = validate_preset(doc)
    assert problem.path == path and "32-bit floats" in problem.message


def test_a_folder_sweep_removes_only_the_apps_stale_temp_files(tmp_path):
    import os

    now = preset_io.time.time()
    names = {".a.json.abcd1234.tmp": True, ".b.npz.x_y_z_12.tmp": True,
             ".c.gz.abcdefgh.part": True,                       # a killed download
             ".a.json.abcd1234.tmp.bak": False, ".d.txt.abcd1234.tmp": False,
             ".a.json.ABCD1234.tmp": False, "e.json.abcd1234.tmp": False}
    for name in names:
        (tmp_path / name).write_text("x")
        os.utime(tmp_path / name, (now - 2 * preset_io.STALE_TEMP_SECONDS,) * 2)
    (tmp_path / ".f.json.abcd1234.tmp").mkdir()                  # a folder: never removed
    fresh = tmp_path / ".g.json.abcd1234.tmp"
    fresh.write_text("a save under way")
    removed = preset_io.remove_stale_temp_files_in(tmp_path, now=now)
    assert sorted(p.name for p in removed) == sorted(n for n, ours in names.items() if ours)
    assert fresh.exists() and (tmp_path / ".f.json.abcd1234.tmp").is_dir()
    assert preset_io.remove_stale_temp_files_in(tmp_path / "gone") == []
