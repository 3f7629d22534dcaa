"""`nnplayground export MODEL.npz --format ... -o OUT`."""

import numpy as np
import pytest

from nnplayground.cli import main
from nnplayground.engine import build_model
from nnplayground.presets import load_builtin, save_model


@pytest.fixture
def xor_model(tmp_path):
    doc = load_builtin("xor")
    model = build_model(doc["model"], seed=3)
    path = tmp_path / "xor.npz"
    save_model(path, doc, model)
    return path, model


def test_onnx_export_from_the_command_line_runs_in_onnxruntime(xor_model, tmp_path, capsys):
    import onnxruntime

    path, model = xor_model
    assert main(["export", str(path), "--format", "onnx", "-o", str(tmp_path / "net")]) == 0
    assert f"wrote {tmp_path / 'net.onnx'}" in capsys.readouterr().err
    session = onnxruntime.InferenceSession(str(tmp_path / "net.onnx"),
                                           providers=["CPUExecutionProvider"])
    x = np.random.default_rng(1).normal(size=(10, 2)).astype(np.float32)
    assert np.abs(session.run(None, {"input": x})[0] - model.forward(x)).max() <= 1e-5


def test_code_exports_write_the_program_weights_and_data(xor_model, tmp_path, capsys):
    path, _ = xor_model
    assert main(["export", str(path), "--format", "pytorch", "-o", str(tmp_path / "t.py")]) == 0
    assert main(["export", str(path), "--format", "keras"]) == 0     # default: beside the model
    err = capsys.readouterr().err
    assert "torchrun --nproc_per_node=N" in err
    for name in ("t.py", "t_weights.npz", "t_data.npz", "xor.py", "xor_weights.npz",
                 "xor_data.npz"):
        assert (tmp_path / name).is_file(), name
    with np.load(tmp_path / "t_data.npz") as data:
        assert data["x_train"].shape == (250, 2) and data["y_train"].dtype == np.int64
    assert main(["export", str(path), "--format", "pytorch", "-o", str(tmp_path / "n.py"),
                 "--no-data"]) == 0
    assert not (tmp_path / "n_data.npz").exists()


def test_a_network_the_format_cannot_express_is_refused_naming_the_node(tmp_path, capsys):
    from export_networks import BATCHNORM_OF_A_MATRIX as doc

    path = tmp_path / "m.npz"
    save_model(path, doc, build_model(doc["model"]))
    assert main(["export", str(path), "--format", "onnx", "-o", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err
    assert "cannot export to ONNX: node 'norm': BatchNorm of a (2, 1) tensor" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "m.onnx").exists()


def test_bad_command_lines_say_what_to_do(xor_model, tmp_path, capsys):
    path, _ = xor_model
    assert main(["export", str(tmp_path / "none.npz"), "--format", "onnx"]) == 2
    assert "none.npz: no such file" in capsys.readouterr().err
    preset = tmp_path / "p.json"
    preset.write_text("{}")
    assert main(["export", str(preset), "--format", "onnx"]) == 2
    assert "train and save one first" in capsys.readouterr().err
    assert main(["export", str(path), "--format", "onnx", "-o", str(tmp_path / "no/x")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["export", str(path), "--format", "tflite"]) == 2
    assert "invalid choice: 'tflite'" in capsys.readouterr().err
