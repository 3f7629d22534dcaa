"""predict, validate and presets on real preset and model files (no training needed)."""

import json

import numpy as np
import pytest

from nnplayground.cli import main


def _rows(out: str) -> list[list[str]]:
    return [line.split() for line in out.strip().splitlines()[1:]]


def test_predict_npy_batch_and_single_sample(xor_model, tmp_path, capsys):
    from nnplayground.presets import load_trained_model

    _, model = load_trained_model(xor_model)
    points = np.array([[1.0, 2.0], [-3.0, 4.0], [0.5, -0.5]], dtype=np.float32)
    np.save(tmp_path / "batch.npy", points)
    assert main(["predict", str(xor_model), str(tmp_path / "batch.npy")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["sample", "class", "probability"]
    p = model.predict(points)[:, 0]
    expected = [[str(i), str(int(v >= 0.5)), f"{max(v, 1 - v):.4f}"] for i, v in enumerate(p)]
    assert _rows(out) == expected

    np.save(tmp_path / "one.npy", points[1])
    assert main(["predict", str(xor_model), str(tmp_path / "one.npy")]) == 0
    assert _rows(capsys.readouterr().out) == [["0"] + expected[1][1:]]


def test_predict_writes_raw_outputs_with_out(xor_model, tmp_path, capsys):
    from nnplayground.presets import load_trained_model

    _, model = load_trained_model(xor_model)
    (tmp_path / "points.csv").write_text("x1,x2\n1,2\n-3,4\n")
    out_path = tmp_path / "outputs.npy"
    assert main(["predict", str(xor_model), str(tmp_path / "points.csv"),
                 "--out", str(out_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "wrote outputs of shape (2, 1)" in captured.err
    saved = np.load(out_path, allow_pickle=False)
    np.testing.assert_allclose(saved, model.predict(np.array([[1, 2], [-3, 4]], np.float32)))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_predict_csv_of_raw_points_derives_the_features(tmp_path, model_file, capsys):
    from nnplayground.data import make_features
    from nnplayground.presets import load_builtin, load_trained_model

    doc = load_builtin("xor")
    doc["dataset"]["features"] = ["x1", "x2", "x1*x2"]
    doc["model"]["nodes"][0]["params"]["shape"] = [3]
    path = model_file(doc, tmp_path / "derived.npz")
    (tmp_path / "raw.csv").write_text("2,3\n")
    assert main(["predict", str(path), str(tmp_path / "raw.csv"), "--out",
                 str(tmp_path / "o.npy")]) == 0
    _, model = load_trained_model(path)
    expected = model.predict(make_features(np.array([[2.0, 3.0]]), ("x1", "x2", "x1*x2")))
    np.testing.assert_allclose(np.load(tmp_path / "o.npy"), expected, rtol=1e-6)


def test_predict_digit_image_png(digit_model, digit_png, capsys):
    from nnplayground.data import load_digit_image
    from nnplayground.presets import load_trained_model

    assert main(["predict", str(digit_model), str(digit_png)]) == 0
    rows = _rows(capsys.readouterr().out)
    _, model = load_trained_model(digit_model)
    probs = model.predict(load_digit_image(digit_png)[None])[0]
    assert rows == [["0", str(int(probs.argmax())), f"{probs.max():.4f}"]]


def test_predict_digit_npy_in_pixels_and_csv_rows(digit_model, tmp_path, capsys):
    from nnplayground.presets import load_trained_model

    _, model = load_trained_model(digit_model)
    pixels = np.random.default_rng(0).integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
    np.save(tmp_path / "pixels.npy", pixels)
    assert main(["predict", str(digit_model), str(tmp_path / "pixels.npy"), "--out",
                 str(tmp_path / "a.npy")]) == 0
    assert "scaled from 0-255 to 0-1" in capsys.readouterr().err
    expected = model.predict(pixels[:, None].astype(np.float32) / 255)
    np.testing.assert_allclose(np.load(tmp_path / "a.npy"), expected, rtol=1e-5)

    np.savetxt(tmp_path / "rows.csv", pixels.reshape(3, -1) / 255, delimiter=",")
    assert main(["predict", str(digit_model), str(tmp_path / "rows.csv"), "--out",
                 str(tmp_path / "b.npy")]) == 0
    np.testing.assert_allclose(np.load(tmp_path / "b.npy"), expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("make_input, fragment", [
    (lambda d: np.save(d / "in.npy", np.zeros((2, 5))), "does not fit the model's input (2,)"),
    (lambda d: np.save(d / "in.npy", np.array(["a", "b"])), "holds <U1 values"),
    (lambda d: np.save(d / "in.npy", np.full(2, np.nan)), "NaN or infinite"),
    (lambda d: (d / "in.csv").write_text("1,2,0\n"), "(drop the label or target column)"),
    (lambda d: (d / "in.csv").write_text("1,2\n1,x\n"), "line 2: 'x' is not a number"),
    (lambda d: (d / "in.csv").write_bytes(b"x1,x2\n1,2\n\xff\xfe,3\n"),
     "not UTF-8 text (byte 10 is 0xff); save the CSV as UTF-8"),    # a crash before (issue 11)
    (lambda d: np.save(d / "in.npy", np.zeros(2)) or (d / "in.npy").write_bytes(
        (d / "in.npy").read_bytes()[:-5]), "in.npy"),
    (lambda d: (d / "in.png").write_bytes(b"not a png"), "in.png"),
    (lambda d: (d / "in.xyz").write_text("1"), "unknown input type '.xyz'"),
])
def test_predict_bad_inputs_are_one_line_errors(xor_model, tmp_path, make_input, fragment,
                                                capsys):
    make_input(tmp_path)
    input_path = next(p for p in tmp_path.iterdir() if p.stem == "in")
    code = main(["predict", str(xor_model), str(input_path)])
    err = capsys.readouterr().err
    assert code == 2, err  # every wrong input, an unreadable image included, exits 2
    assert err.startswith("nnplayground: error: ") and err.count("\n") == 1, err
    assert fragment in err


def test_predict_blank_image_is_an_input_error_exit_2(digit_model, tmp_path, capsys):
    from PIL import Image

    Image.new("L", (28, 28), color=255).save(tmp_path / "blank.png")
    assert main(["predict", str(digit_model), str(tmp_path / "blank.png")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'blank.png'}: the digit image is blank" in err and err.count("\n") == 1


def test_predict_errors_about_the_model_file_name_it(tmp_path, capsys):
    (tmp_path / "junk.npz").write_bytes(b"not a zip at all")
    np.save(tmp_path / "x.npy", np.zeros(2))
    assert main(["predict", str(tmp_path / "junk.npz"), str(tmp_path / "x.npy")]) == 2
    err = capsys.readouterr().err
    assert err == (f"nnplayground: error: {tmp_path / 'junk.npz'}: is not a readable .npz "
                   "model file (not a zip archive)\n")


def test_help_documents_the_exit_codes(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "exit codes:" in out
    for line in ("  0    success", "  1    the work failed", "  2    the input was wrong",
                 "  130  interrupted"):
        assert line in out


def test_predict_refuses_a_mismatched_model(xor_model, tmp_path, capsys):
    with np.load(xor_model, allow_pickle=False) as npz:
        arrays = dict(npz)
    arrays["params/h1/W"] = np.zeros((3, 4), np.float32)
    bad = tmp_path / "bad.npz"
    np.savez(bad, **arrays)
    np.save(tmp_path / "x.npy", np.zeros(2))
    assert main(["predict", str(bad), str(tmp_path / "x.npy")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert f"{bad}: params/h1/W: expected shape (2, 4), found (3, 4)" in err


def test_predict_image_needs_an_image_model(xor_model, digit_png, capsys):
    assert main(["predict", str(xor_model), str(digit_png)]) == 2
    assert "needs a model that takes 28x28 digit images" in capsys.readouterr().err


def test_predict_out_must_be_npy(xor_model, tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.zeros(2))
    assert main(["predict", str(xor_model), str(tmp_path / "x.npy"), "--out", "o.txt"]) == 2
    assert "give a file name ending in .npy" in capsys.readouterr().err


def test_predict_out_into_a_missing_folder_says_so(xor_model, tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.zeros((1, 2)))
    out = tmp_path / "nope" / "o.npy"
    assert main(["predict", str(xor_model), str(tmp_path / "x.npy"), "--out", str(out)]) == 2
    assert f"folder {out.parent} does not exist; create it" in capsys.readouterr().err


# ------------------------------------------------------------------------------ validate

def test_validate_ok_for_preset_and_model(xor_model, capsys):
    from nnplayground.presets import presets_dir

    assert main(["validate", str(presets_dir() / "xor.json")]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    assert main(["validate", str(xor_model)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"ok: {xor_model}: trained model of preset 'XOR'")


def test_validate_lists_every_problem_and_exits_2(tmp_path, capsys):
    from nnplayground.presets import load_builtin

    doc = load_builtin("xor")
    doc["model"]["nodes"][1]["params"]["units"] = -2
    doc["optimizer"]["lr"] = -1
    doc["loss"] = "l3"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    assert main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    problems = lines[1:]
    assert lines[0] == f"nnplayground: error: {path}: {len(problems)} problems:"
    assert len(problems) >= 3
    assert any("model.nodes[1].params.units" in p for p in problems)
    assert any(p.strip().startswith("optimizer.lr") for p in problems)
    assert any(p.strip().startswith("loss") for p in problems)
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("content, fragment", [
    (b"{not json", "bad.json"),
    (None, "no such file"),
])
def test_validate_unreadable_files_exit_2(tmp_path, content, fragment, capsys):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_bytes(content)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_validate_a_broken_model_file(tmp_path, capsys):
    path = tmp_path / "junk.npz"
    np.savez(path, something=np.zeros(3))
    assert main(["validate", str(path)]) == 2
    assert "preset.json: missing" in capsys.readouterr().err


def test_bad_preset_in_train_is_one_line_pointing_to_validate(tmp_path, capsys):
    from nnplayground.presets import load_builtin

    doc = load_builtin("xor")
    doc["model"]["nodes"][1]["params"]["units"] = -2
    doc["loss"] = "l3"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    assert main(["train", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"run 'nnplayground validate {path}' to list them all" in err


# ------------------------------------------------------------------------------ presets

def test_presets_lists_each_builtin_once(capsys):
    from nnplayground.presets import builtin_presets

    assert main(["presets"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    infos = builtin_presets()
    assert [line.split()[0] for line in lines] == [info.name for info in infos]
    for line, info in zip(lines, infos):
        assert info.title in line
    assert {"xor", "mnist-mlp"} <= {line.split()[0] for line in lines}


def test_unknown_preset_name_lists_the_builtins(capsys):
    assert main(["train", "xr"]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "xr" in err and "xor" in err
