"""Trained-model .npz files: exact round trip, no pickle, and every kind of mismatch refused."""

import io
import json
import zipfile

import numpy as np
import pytest

from nnplayground.engine import build_model
from nnplayground.presets import (ModelFileError, PresetError, dumps_preset, load_model,
                                  load_trained_model, save_model)


@pytest.fixture
def model(doc):
    return build_model(doc["model"], seed=3)


def rewrite(path, change):
    """Load the arrays of `path`, let `change(arrays)` edit them, save them back."""
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    change(arrays)
    np.savez(path, **arrays)


def test_round_trip_gives_identical_predictions(tmp_path, doc, model):
    path = tmp_path / "m.npz"
    save_model(path, doc, model)
    loaded_doc, state = load_model(path)
    assert loaded_doc == doc
    assert set(state) == set(model.state_dict()) == {"h1/W", "h1/b", "out/W", "out/b"}
    _, again = load_trained_model(path)
    x = np.random.default_rng(0).normal(size=(7, 2)).astype(np.float32)
    np.testing.assert_array_equal(again.predict(x), model.predict(x))


def test_file_layout_is_plain_arrays(tmp_path, doc, model):
    path = tmp_path / "m.npz"
    save_model(path, doc, model)
    with np.load(path, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["params/h1/W", "params/h1/b", "params/out/W", "params/out/b",
                                     "preset.json"]
        assert npz["preset.json"].dtype == np.uint8
        assert npz["preset.json"].tobytes().decode("utf-8") == dumps_preset(doc)
        assert npz["params/h1/W"].shape == (2, 4)


def test_wrong_shape_names_array_expected_and_found(tmp_path, doc, model):
    path = tmp_path / "m.npz"
    save_model(path, doc, model)
    rewrite(path, lambda a: a.update({"params/h1/W": np.zeros((3, 4), np.float32)}))
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    assert [str(p) for p in info.value.problems] == [
        "params/h1/W: expected shape (2, 4), found (3, 4)"]


def test_missing_and_extra_arrays_all_reported(tmp_path, doc, model):
    path = tmp_path / "m.npz"
    save_model(path, doc, model)

    def change(a):
        del a["params/out/b"]
        a["params/h9/W"] = np.zeros(2, np.float32)
    rewrite(path, change)
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    assert [str(p) for p in info.value.problems] == [
        "params/out/b: missing: the preset's graph expects an array of shape (1,)",
        "params/h9/W: not part of the preset's graph (its arrays: h1/W, h1/b, out/W, out/b)"]


def test_preset_that_no_longer_matches_the_weights(tmp_path, doc, model):
    path = tmp_path / "m.npz"
    save_model(path, doc, model)
    doc["model"]["nodes"][1]["params"]["units"] = 5
    rewrite(path, lambda a: a.update(
        {"preset.json": np.frombuffer(json.dumps(doc).encode(), np.uint8)}))
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    assert "params/h1/W: expected shape (2, 5), found (2, 4)" in str(info.value)
    assert "params/out/W: expected shape (5, 1), found (4, 1)" in str(info.value)


def test_invalid_embedded_preset_reports_its_problems(tmp_path, doc, model):
    path = tmp_path / "m.npz"
    save_model(path, doc, model)
    doc["optimizer"]["lr"] = -1
    rewrite(path, lambda a: a.update(
        {"preset.json": np.frombuffer(json.dumps(doc).encode(), np.uint8)}))
    with pytest.raises(PresetError, match=r"optimizer.lr: must be a number > 0, got -1"):
        load_model(path)


def test_npz_without_preset_is_refused(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, x=np.zeros(3))
    with pytest.raises(ModelFileError, match="preset.json: missing: this .npz was not written"):
        load_model(path)


def test_pickled_object_array_is_refused_not_loaded(tmp_path, doc, model):
    path = tmp_path / "m.npz"
    save_model(path, doc, model)
    buf = io.BytesIO()
    np.save(buf, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("params/h1/extra.npy", buf.getvalue())
    with pytest.raises(ModelFileError, match="refuse"):
        load_model(path)


def test_not_a_zip(tmp_path):
    path = tmp_path / "m.npz"
    path.write_bytes(b"hello")
    with pytest.raises(ModelFileError, match="not a readable .npz"):
        load_model(path)


def test_failed_save_keeps_the_previous_model_file(tmp_path, doc, model, monkeypatch):
    path = tmp_path / "m.npz"
    save_model(path, doc, model)
    before = path.read_bytes()
    monkeypatch.setattr(np, "savez_compressed", lambda *a, **k: (_ for _ in ()).throw(
        OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        save_model(path, doc, model)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]
