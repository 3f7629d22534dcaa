"""Preset files: round trip, stable text, malformed JSON positions, atomic save."""

import json
import os

import pytest

from nnplayground.presets import PresetError, dumps_preset, load_preset, save_preset


def test_round_trip_gives_the_same_document(tmp_path, doc):
    path = tmp_path / "p.json"
    save_preset(doc, path)
    again = load_preset(path)
    assert again == doc
    save_preset(again, tmp_path / "q.json")
    assert (tmp_path / "q.json").read_bytes() == path.read_bytes()


def test_text_is_two_space_indented_in_a_fixed_key_order(doc):
    shuffled = dict(reversed(list(doc.items())))
    shuffled["model"]["nodes"][1] = dict(reversed(list(doc["model"]["nodes"][1].items())))
    text = dumps_preset(shuffled)
    assert text == dumps_preset(doc)
    lines = text.splitlines()
    assert lines[1] == '  "format": "nnplayground-preset",'
    assert [line.split(":")[0].strip() for line in lines if line.startswith('  "')] == [
        '"format"', '"version"', '"name"', '"description"', '"dataset"', '"model"', '"loss"',
        '"optimizer"', '"regularization"', '"training"', '"views"']
    assert '        "pos": [180, 0]' in lines
    assert json.loads(text) == doc


def test_malformed_json_names_line_and_column(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "format": "nnplayground-preset",\n  "version": 1,,\n}\n')
    with pytest.raises(PresetError) as info:
        load_preset(path)
    [problem] = info.value.problems
    assert "at line 3, column 16" in problem.message
    assert str(path) in str(info.value)


def test_invalid_file_lists_every_problem(tmp_path, doc):
    doc["training"]["batch_size"] = 0
    doc["optimizer"]["lr"] = 0
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(PresetError) as info:
        load_preset(path)
    assert [p.path for p in info.value.problems] == ["optimizer.lr", "training.batch_size"]
    assert "2 problems" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(PresetError, match="file not found"):
        load_preset(tmp_path / "nope.json")


def test_binary_file_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "model.json"
    path.write_bytes(b"PK\x03\x04\xff\xfe")
    with pytest.raises(PresetError, match="not UTF-8"):
        load_preset(path)


def test_save_refuses_an_invalid_document_and_writes_nothing(tmp_path, doc):
    doc["loss"] = "hinge"
    with pytest.raises(PresetError, match="loss: must be one of"):
        save_preset(doc, tmp_path / "p.json")
    assert list(tmp_path.iterdir()) == []
    save_preset(doc, tmp_path / "wip.json", validate=False)
    assert json.loads((tmp_path / "wip.json").read_text())["loss"] == "hinge"


def test_failed_rename_leaves_the_old_file_intact(tmp_path, doc, monkeypatch):
    path = tmp_path / "p.json"
    save_preset(doc, path)
    before = path.read_bytes()
    doc["name"] = "Changed"

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        save_preset(doc, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.json"]   # no temp file left over


def test_failed_write_leaves_the_old_file_intact(tmp_path, doc, monkeypatch):
    path = tmp_path / "p.json"
    save_preset(doc, path)
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="Input/output"):
        save_preset(doc, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.json"]


def test_nan_in_a_file_is_not_json(tmp_path, doc):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc).replace('"lr": 0.1', '"lr": NaN'))
    with pytest.raises(PresetError, match=r"optimizer.lr: NaN at line 1, column \d+ is not a "
                                          "number in JSON"):
        load_preset(path)


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX file modes only")
def test_saved_file_is_readable_by_others_like_any_new_file(tmp_path, doc, monkeypatch):
    from nnplayground.presets import io as preset_io
    monkeypatch.setattr(preset_io, "_UMASK", 0o022)
    save_preset(doc, tmp_path / "p.json")
    assert (tmp_path / "p.json").stat().st_mode & 0o777 == 0o644     # not mkstemp's 0o600
    os.chmod(tmp_path / "p.json", 0o640)
    save_preset(doc, tmp_path / "p.json")       # an existing file keeps its mode
    assert (tmp_path / "p.json").stat().st_mode & 0o777 == 0o640
