"""The parts of the command line that need no engine: arguments, help, errors, progress."""

import io
import json
import subprocess
import sys

import numpy as np
import pytest

from nnplayground import __version__, cli
from nnplayground.cli import main
from nnplayground.cli.errors import CliError, one_line
from nnplayground.cli.predict import fit_batch, parse_csv, print_predictions
from nnplayground.cli.progress import TrainProgress, format_epoch
from nnplayground.cli.train import json_record

COMMANDS = ["open", "train", "predict", "validate", "presets", "gradcheck", "download-mnist"]


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"nnplayground {__version__}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_examples(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert f"usage: nnplayground {command}" in out
    assert "examples:" in out and f"nnplayground {command}" in out.split("examples:")[1]


def test_top_level_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert command in out


@pytest.mark.parametrize("argv, fragment", [
    (["train"], "required: FILE|NAME"),
    (["train", "xor", "--epochs", "-1"], "--epochs: must be 0 or more, got -1"),
    (["train", "xor", "--epochs", "two"], "expected a whole number, got 'two'"),
    (["train", "xor", "--seed", "1.5"], "--seed"),
    (["open", "xor", "--train-for", "0"], "must be a positive number"),
    (["gradcheck", "xor", "--tolerance", "nan"], "must be a positive number"),
    (["predict", "model.npz"], "required: INPUT"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["train", "xor", "--bogus"], "unrecognized arguments: --bogus"),
])
def test_bad_arguments_give_one_line_and_exit_2(argv, fragment, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("nnplayground: error: ")
    assert fragment in lines[0]
    assert "--help" in lines[0]


def test_missing_files_exit_2_with_one_line(tmp_path, capsys):
    missing = str(tmp_path / "nope.npz")
    for argv in (["predict", missing, missing], ["train", str(tmp_path / "nope.json")],
                 ["gradcheck", str(tmp_path / "nope.json")]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "no such file" in err, err
        assert "Traceback" not in err


def test_unexpected_errors_are_one_line_unless_debug(monkeypatch, capsys):
    def boom(args):
        raise RuntimeError("something\nbroke")

    monkeypatch.setitem(cli._HANDLERS, "presets", boom)
    assert main(["presets"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == ("nnplayground: error: unexpected RuntimeError: something broke "
                           "(rerun with --debug to see the traceback, and please report it)")
    assert main(["--debug", "presets"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: something" in err


def test_cli_errors_and_oserrors_keep_their_exit_code(monkeypatch, capsys):
    def refuse(args):
        raise CliError("no presets here", 3)

    def no_disk(args):
        raise FileNotFoundError(2, "No such file or directory", "/x/y.json")

    monkeypatch.setitem(cli._HANDLERS, "presets", refuse)
    assert main(["presets"]) == 3
    assert capsys.readouterr().err == "nnplayground: error: no presets here\n"
    monkeypatch.setitem(cli._HANDLERS, "presets", no_disk)
    assert main(["presets"]) == 1
    assert capsys.readouterr().err == "nnplayground: error: /x/y.json: No such file or directory\n"


def test_ctrl_c_exits_130(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setitem(cli._HANDLERS, "presets", interrupted)
    assert main(["presets"]) == 130
    assert capsys.readouterr().err == "nnplayground: error: interrupted\n"


def test_one_line_shows_first_problem_and_how_to_see_all():
    class FakeError(ValueError):
        problems = [("model.nodes[1].params.units", "must be a positive integer, got -2"),
                    ("loss", "unknown loss 'l3'"), ("optimizer.lr", "must be > 0")]

    text = one_line(FakeError("x"), subject="bad.json")
    assert text == ("bad.json: model.nodes[1].params.units: must be a positive integer, got -2 "
                    "(and 2 more problems; run 'nnplayground validate bad.json' to list them all)")


def test_python_m_runs_the_same_program():
    result = subprocess.run([sys.executable, "-m", "nnplayground", "--version"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == f"nnplayground {__version__}"


# ------------------------------------------------------------------ progress and records

def test_progress_without_tty_is_one_line_per_epoch():
    stream = io.StringIO()
    progress = TrainProgress(stream, total_epochs=2, steps_per_epoch=10, tty=False)
    for step in range(1, 11):
        progress.step(1, step, 0.5)
    progress.epoch({"epoch": 1, "train_loss": 0.5, "test_accuracy": 0.75, "seconds": 0.25})
    progress.close()
    assert stream.getvalue() == "epoch 1/2  train_loss 0.5000  test_accuracy 0.7500  0.25 s\n"


def test_progress_on_tty_draws_a_bar_and_clears_it():
    stream = io.StringIO()
    progress = TrainProgress(stream, total_epochs=3, steps_per_epoch=4, tty=True)
    progress.step(1, 2, 0.25)
    text = stream.getvalue()
    assert text.startswith("\repoch 1/3 [############------------]  50%  loss 0.2500")
    progress.epoch({"epoch": 1, "train_loss": 0.25})
    assert stream.getvalue().endswith("\r\x1b[Kepoch 1/3  train_loss 0.2500\n")


def test_format_epoch_skips_non_scalars():
    record = {"epoch": 3, "train_loss": 1.0, "confusion": np.eye(2), "seconds": 1.5}
    assert format_epoch(record, 5) == "epoch 3/5  train_loss 1.0000  1.50 s"


def test_json_record_is_plain_json():
    record = {"epoch": np.int64(2), "train_loss": np.float32(0.5), "test_loss": float("nan"),
              "confusion": np.eye(2), "seconds": 0.1}
    clean = json_record(record)
    assert clean == {"epoch": 2, "train_loss": 0.5, "test_loss": None, "seconds": 0.1}
    assert json.loads(json.dumps(clean)) == clean


# ------------------------------------------------------------------ predict's input handling

@pytest.mark.parametrize("shape, expected", [
    ((2,), (1, 2)), ((5, 2), (5, 2)),
    ((1, 28, 28), (1, 1, 28, 28)), ((28, 28), (1, 1, 28, 28)), ((3, 28, 28), (3, 1, 28, 28)),
    ((3, 1, 28, 28), (3, 1, 28, 28)),
])
def test_fit_batch_accepts_a_sample_or_a_batch(shape, expected):
    input_shape = (2,) if len(expected) == 2 else (1, 28, 28)
    assert fit_batch(np.zeros(shape), input_shape, "x.npy").shape == expected


def test_fit_batch_says_what_shape_to_give():
    with pytest.raises(CliError) as info:
        fit_batch(np.zeros((4, 3)), (2,), "x.npy")
    assert str(info.value) == ("x.npy: an array of shape (4, 3) does not fit the model's input "
                               "(2,); give (2,) for one sample or (N, 2) for a batch")


def test_parse_csv_skips_a_header_and_names_bad_lines(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("x1,x2\n0.5, 1\n\n-1,2e-1\n")
    assert parse_csv(good) == [[0.5, 1.0], [-1.0, 0.2]]
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2\n0.5,1\n0.5,oops\n")
    with pytest.raises(CliError, match=r"bad.csv: line 3: 'oops' is not a number"):
        parse_csv(bad)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("1,2\n3\n")
    with pytest.raises(CliError, match=r"line 2: 1 values, but the first row has 2"):
        parse_csv(ragged)
    empty = tmp_path / "empty.csv"
    empty.write_text("x1,x2\n")
    with pytest.raises(CliError, match="no rows of numbers"):
        parse_csv(empty)


def test_print_predictions_for_each_kind_of_output():
    out = io.StringIO()
    doc = {"dataset": {"kind": "xor"}, "loss": "binary_cross_entropy"}
    print_predictions(np.array([[0.9], [0.2]]), doc, out)
    assert out.getvalue().splitlines() == ["sample  class  probability",
                                           "0       1      0.9000", "1       0      0.8000"]
    out = io.StringIO()
    doc = {"dataset": {"kind": "mnist"}, "loss": "cross_entropy"}
    print_predictions(np.array([[0.1, 0.7, 0.2]]), doc, out)
    assert out.getvalue().splitlines()[1] == "0       1      0.7000"
    out = io.StringIO()
    print_predictions(np.array([[0.25], [-1.5]]), {"dataset": {"kind": "sine"}}, out)
    assert out.getvalue().splitlines() == ["sample  value", "0       0.25", "1       -1.5"]


def test_our_value_errors_are_plain_errors_but_numpys_are_unexpected(monkeypatch, capsys):
    def ours(args):
        from nnplayground.engine import make_optimizer
        make_optimizer({"type": "nope"})

    def numpys(args):
        np.zeros(2) + np.zeros(3)

    monkeypatch.setitem(cli._HANDLERS, "presets", ours)
    assert main(["presets"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nnplayground: error: optimizer.type: unknown optimizer 'nope'; ")
    assert "unexpected" not in err and err.count("\n") == 1
    monkeypatch.setitem(cli._HANDLERS, "presets", numpys)
    assert main(["presets"]) == 1
    assert "unexpected ValueError: operands could not be broadcast" in capsys.readouterr().err


def test_fashion_predictions_carry_the_class_name():
    out = io.StringIO()
    doc = {"dataset": {"kind": "fashion-mnist"}, "loss": "cross_entropy"}
    print_predictions(np.eye(10)[[3, 9]], doc, out)
    assert out.getvalue().splitlines() == ["sample  class  probability  name",
                                           "0       3      1.0000  Dress",
                                           "1       9      1.0000  Ankle boot"]
