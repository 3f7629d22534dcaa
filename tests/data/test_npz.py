"""Damaged .npz files: every loader (a user's dataset, mnist.npz, a trained model) says which
file and array is damaged and what to do, whatever numpy or zlib raised inside (issue 11: a
bit-flipped compressed member raised zlib.error, a member without an .npy header
AttributeError, both reported as crashes)."""

from __future__ import annotations

import io
import warnings
import zipfile

import numpy as np
import pytest

from nnplayground.data import DatasetError, load_file
from nnplayground.data.mnist import load_npz
from nnplayground.data.npz import NpzError, read_npz_arrays
from nnplayground.engine import build_model
from nnplayground.presets import ModelFileError, load_builtin, load_model, save_model


def _flip_compressed_byte(path, member_start=80):
    """Flip one byte inside the compressed data of the first member (past its zip header)."""
    data = bytearray(path.read_bytes())
    data[member_start] ^= 0xFF
    path.write_bytes(bytes(data))


def _without_npy_header(path, names):
    with zipfile.ZipFile(path, "w") as zf:
        for name in names:
            zf.writestr(name + ".npy", b"these bytes are no .npy array at all")


def _model_file(path):
    doc = load_builtin("xor")
    save_model(path, doc, build_model(doc["model"], seed=0))
    return path


def _data_file(path):
    np.savez_compressed(path, x=np.random.default_rng(0).normal(size=(50, 2)),
                        y=np.arange(50) % 2)
    return path


def _mnist_file(path):
    rng = np.random.default_rng(0)
    np.savez_compressed(path, x_train=rng.integers(0, 255, (20, 28, 28), dtype=np.uint8),
                        y_train=np.arange(20) % 10, x_test=np.zeros((5, 28, 28), np.uint8),
                        y_test=np.arange(5))
    return path


LOADERS = {
    "model": (_model_file, load_model, ModelFileError,
              ["preset.json", "params/h1/W"]),
    "dataset": (_data_file, lambda p: load_file(p, task="classification"), DatasetError,
                ["x", "y"]),
    "mnist.npz": (_mnist_file, load_npz, DatasetError,
                  ["x_train", "y_train", "x_test", "y_test"]),
}


@pytest.mark.parametrize("kind", LOADERS)
def test_a_bit_flip_in_compressed_data_names_the_file_and_array(tmp_path, kind):
    make, load, error, _names = LOADERS[kind]
    path = make(tmp_path / "f.npz")
    _flip_compressed_byte(path)
    with pytest.raises(error) as info:
        load(path)
    text = str(info.value)
    assert "f.npz" in text and "cannot be read" in text and "again" in text


@pytest.mark.parametrize("kind", LOADERS)
def test_a_member_without_npy_header_names_the_array(tmp_path, kind):
    _make, load, error, names = LOADERS[kind]
    path = tmp_path / "f.npz"
    _without_npy_header(path, names)
    with pytest.raises(error, match=r"is not a numpy array \(no \.npy header\)") as info:
        load(path)
    assert repr(names[0]) in str(info.value)


def test_read_npz_arrays_reports_every_kind_of_damage_as_npz_error(tmp_path):
    good = _data_file(tmp_path / "good.npz")
    assert set(read_npz_arrays(good)) == {"x", "y"}
    with pytest.raises(NpzError, match="file not found"):
        read_npz_arrays(tmp_path / "nope.npz")
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(NpzError, match="not a zip archive"):
        read_npz_arrays(tmp_path / "text.npz")
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:-30])
    with pytest.raises(NpzError, match="truncated or damaged"):
        read_npz_arrays(truncated)
    # a header that asks for an absurd array: refused, not an attempt to allocate it
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (2**40, 2**20)})
    with zipfile.ZipFile(tmp_path / "huge.npz", "w") as zf:
        zf.writestr("x.npy", header.getvalue() + b"\0" * 64)
    with pytest.raises(NpzError, match="'x'"):
        read_npz_arrays(tmp_path / "huge.npz")


def _npz_with_header(path, header_text: str):
    """An .npz whose one member has the given .npy 1.0 header text (padded as numpy pads)."""
    header = header_text.encode("latin1")
    header += b" " * (-(10 + len(header) + 1) % 64) + b"\n"
    member = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + b"\0" * 24
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("x.npy", member)
    return path


DAMAGED_HEADERS = {
    # a flipped byte that made a backslash: numpy's literal_eval warned "invalid escape
    # sequence '\s'" (a DeprecationWarning) before failing
    "backslash": "{'d\\scr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
    # one that made a bytes key: numpy's own message sorted str and bytes keys (TypeError)
    "bytes key": "{'descr': '<f4', 'fortran_order': False,B'shape': (2, 3), }",
}


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("damage", DAMAGED_HEADERS)
def test_a_damaged_npy_header_is_a_clear_error_and_no_warning(tmp_path, damage):
    path = _npz_with_header(tmp_path / "bad.npz", DAMAGED_HEADERS[damage])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")         # a warning raised and caught would show here
        with pytest.raises(NpzError, match=r"bad\.npz: array 'x' cannot be read \(") as info:
            read_npz_arrays(path)
    assert info.value.member == "x" and "truncated or damaged" in str(info.value)
    assert [str(w.message) for w in caught] == []
    # and with warnings as errors (the test's own filter) the error is the same
    with pytest.raises(NpzError, match=r"array 'x' cannot be read"):
        read_npz_arrays(path)


def test_a_good_header_written_by_hand_reads(tmp_path):
    """The helper above writes what numpy writes: the undamaged header reads back."""
    path = _npz_with_header(tmp_path / "ok.npz",
                            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")
    assert read_npz_arrays(path)["x"].shape == (2, 3)
