"""The built-in gallery: listing, loading by name and resolving what a user typed."""

import json
import shutil

import pytest

from nnplayground.presets import (PresetError, builtin_presets, load_builtin, presets_dir,
                                  resolve, save_preset, validate_preset)
from nnplayground.presets.gallery import summary_of

BUILTINS = ["xor", "circle", "gauss", "spiral", "blobs5", "spiral3", "regression-sine",
            "regression-plane", "mnist-mlp", "mnist-cnn", "mnist-best"]


def test_gallery_lists_every_builtin_in_lesson_order():
    infos = builtin_presets()
    assert [i.name for i in infos][:len(BUILTINS)] == BUILTINS
    for info in infos:
        assert info.title and info.description and info.path.is_file()
        assert info.summary and "\n" not in info.summary and len(info.summary) < 200


@pytest.mark.parametrize("name", BUILTINS)
def test_each_builtin_is_valid_and_saved_in_canonical_form(name, tmp_path):
    doc = load_builtin(name)
    assert validate_preset(doc) == []
    save_preset(doc, tmp_path / "copy.json")
    assert (tmp_path / "copy.json").read_bytes() == (presets_dir() / f"{name}.json").read_bytes()


LONG_CHAINS = ["mnist-mlp", "mnist-cnn", "mnist-best"]


@pytest.mark.parametrize("name", BUILTINS)
def test_diagram_positions_run_left_to_right(name):
    """A short network is placed in one row, 180 px a column; a long chain leaves its
    positions to the diagram's automatic layout, which wraps it into rows for the view."""
    nodes = load_builtin(name)["model"]["nodes"]
    if name in LONG_CHAINS:
        assert not any("pos" in n for n in nodes)
        return
    xs = [n["pos"][0] for n in nodes]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert all(b - a == 180 for a, b in zip(xs, xs[1:]))


def test_mnist_presets_take_images_and_the_mlp_flattens_them():
    for name in ("mnist-mlp", "mnist-cnn", "mnist-best"):
        nodes = load_builtin(name)["model"]["nodes"]
        assert nodes[0]["type"] == "Input" and nodes[0]["params"]["shape"] == [1, 28, 28]
    mlp = load_builtin("mnist-mlp")["model"]["nodes"]
    assert [(n["type"], n["params"].get("units"), n["params"].get("activation")) for n in mlp] == [
        ("Input", None, None), ("Flatten", None, None), ("Dense", 256, "relu"),
        ("Dense", 128, "relu"), ("Dense", 10, "softmax")]


def test_resolve_prefers_an_existing_path(tmp_path, monkeypatch, doc):
    monkeypatch.chdir(tmp_path)
    save_preset(doc, tmp_path / "xor")           # a file named like a built-in wins
    assert resolve("xor").resolve() == tmp_path / "xor"
    (tmp_path / "xor").unlink()
    assert resolve("xor") == presets_dir() / "xor.json"


def test_resolve_unknown_name_lists_the_builtins():
    with pytest.raises(PresetError) as info:
        resolve("xro")
    assert "not a built-in preset; the built-ins are: xor, circle, gauss, spiral" in str(info.value)


def test_resolve_missing_file_path():
    with pytest.raises(PresetError, match="file not found"):
        resolve("some/where/else.json")


def test_load_builtin_unknown_name():
    with pytest.raises(PresetError, match='no built-in preset "nope"; the built-ins are: xor'):
        load_builtin("nope")


def test_resources_env_override(tmp_path, monkeypatch, doc):
    (tmp_path / "presets").mkdir()
    save_preset(doc, tmp_path / "presets" / "mine.json")
    monkeypatch.setenv("NNPLAYGROUND_RESOURCES", str(tmp_path))
    assert [i.name for i in builtin_presets()] == ["mine"]
    assert load_builtin("mine")["name"] == "Tiny XOR"


def test_broken_builtin_is_reported_not_skipped(tmp_path, monkeypatch):
    shutil.copytree(presets_dir(), tmp_path / "presets")
    bad = json.loads((tmp_path / "presets" / "gauss.json").read_text())
    bad["training"]["epochs"] = -1
    (tmp_path / "presets" / "gauss.json").write_text(json.dumps(bad))
    monkeypatch.setenv("NNPLAYGROUND_RESOURCES", str(tmp_path))
    with pytest.raises(PresetError, match="training.epochs: must be an integer >= 0, got -1"):
        builtin_presets()


def test_summary_skips_headings_and_markdown():
    assert summary_of("# Title\n\nThe **first** sentence. The second.\n") == "The first sentence."
