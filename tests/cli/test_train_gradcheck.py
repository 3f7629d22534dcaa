"""train and gradcheck end to end, in-process and as `python -m nnplayground` subprocesses."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from nnplayground.cli import main

EPOCH_KEYS_CLASSIFICATION = {"epoch", "train_loss", "test_loss", "train_accuracy",
                             "test_accuracy", "seconds"}


def run_cli(*args, env=None, timeout=120):
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "nnplayground", *args], capture_output=True,
                          text=True, timeout=timeout, env=full_env)


def test_train_json_is_one_object_per_epoch_and_nothing_else():
    result = run_cli("train", "xor", "--epochs", "3", "--json")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    records = [json.loads(line) for line in lines]
    assert [r["epoch"] for r in records] == [1, 2, 3]
    for record in records:
        assert EPOCH_KEYS_CLASSIFICATION <= set(record)
        assert all(isinstance(v, (int, float)) for v in record.values())
        assert 0.0 <= record["test_accuracy"] <= 1.0
    # stderr is not a terminal here: one plain line per epoch, no carriage returns
    progress = [line for line in result.stderr.splitlines() if line.startswith("epoch ")]
    assert len(progress) == 3 and "\r" not in result.stderr
    assert progress[0].startswith("epoch 1/3  train_loss ")


def test_train_regression_records_rmse_and_r2(capsys):
    assert main(["train", "regression-sine", "--epochs", "2", "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == 2
    assert {"epoch", "train_loss", "test_loss", "test_rmse", "test_r2", "seconds"} <= set(
        records[-1])
    assert "test_accuracy" not in records[-1]


def test_train_is_deterministic_from_the_seed(capsys):
    def history(*extra):
        assert main(["train", "xor", "--epochs", "2", "--json", *extra]) == 0
        records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        return [{k: v for k, v in r.items() if k != "seconds"} for r in records]

    assert history("--seed", "7") == history("--seed", "7")
    assert history("--seed", "7") != history("--seed", "8")


def test_train_without_json_prints_a_summary_on_stdout(capsys):
    assert main(["train", "xor", "--epochs", "2"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("xor: 2 epochs  train_loss ")
    assert "test_accuracy" in captured.out and len(captured.out.splitlines()) == 1
    assert captured.err.count("epoch ") == 2


def test_epochs_0_saves_the_initial_model_then_predict_and_validate(tmp_path, capsys):
    from nnplayground.engine import build_model
    from nnplayground.presets import load_builtin, load_model

    path = tmp_path / "untrained.npz"
    assert main(["train", "xor", "--epochs", "0", "--save", str(path), "--seed", "3"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and f"saved the model after 0 epochs to {path}" in captured.err
    doc, state = load_model(path)
    assert doc["training"]["seed"] == 3
    assert doc["training"]["epochs"] == load_builtin("xor")["training"]["epochs"]
    fresh = build_model(doc["model"], seed=3).state_dict()
    assert state.keys() == fresh.keys()
    for key in fresh:
        np.testing.assert_array_equal(state[key], fresh[key])

    np.save(tmp_path / "p.npy", np.array([[1.0, 1.0], [1.0, -1.0]], np.float32))
    assert main(["predict", str(path), str(tmp_path / "p.npy")]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    assert main(["validate", str(path)]) == 0


def test_training_changes_the_saved_weights_and_continues_from_a_model(tmp_path, capsys):
    from nnplayground.presets import load_model

    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    assert main(["train", "xor", "--epochs", "0", "--save", str(first)]) == 0
    assert main(["train", str(first), "--epochs", "1", "--save", str(second)]) == 0
    assert "continuing from the weights saved in" in capsys.readouterr().err
    before, after = load_model(first)[1], load_model(second)[1]
    assert any(not np.array_equal(before[k], after[k]) for k in before)


@pytest.mark.parametrize("argv, fragment", [
    (["--save", "model.json"], "model files end in .npz"),
    (["--save", "/no/such/folder/m.npz"], "folder /no/such/folder does not exist"),
    (["--mnist", "/no/such/mnist"], "--mnist /no/such/mnist: no such folder"),
])
def test_train_refuses_bad_options_before_training(argv, fragment, capsys):
    assert main(["train", "xor", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and fragment in captured.err
    assert "epoch" not in captured.err


def test_divergence_is_one_line_with_a_fix(tmp_path, capsys):
    from nnplayground.presets import load_builtin, save_preset

    doc = load_builtin("regression-sine")
    doc["optimizer"] = {"type": "sgd", "lr": 1e12}
    save_preset(doc, tmp_path / "wild.json")
    assert main(["train", str(tmp_path / "wild.json"), "--epochs", "5"]) == 1
    err_lines = capsys.readouterr().err.strip().splitlines()
    assert err_lines[-1].startswith("nnplayground: error: ")
    assert "diverged" in err_lines[-1] and "learning rate" in err_lines[-1]


def test_ctrl_c_saves_what_was_trained_and_exits_130(tmp_path, monkeypatch, capsys):
    import nnplayground.cli.train as train

    real_run_epoch = train.run_epoch
    calls = []

    def interrupt_on_second(trainer, progress, recorder):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_run_epoch(trainer, progress, recorder)

    monkeypatch.setattr(train, "run_epoch", interrupt_on_second)
    path = tmp_path / "partial.npz"
    assert main(["train", "xor", "--epochs", "5", "--save", str(path), "--json"]) == 130
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1
    assert "interrupted after 1 complete epoch" in captured.err and path.is_file()
    history, losses, epochs, _ = saved_history(path)       # with what was trained
    assert len(losses) == 25 and len(epochs) == 1 and history.steps()[-1] == 25


def saved_history(path):
    """(TrainingHistory, losses, epoch records, epoch steps) of a model file."""
    from nnplayground.presets.modelfile import load_history_arrays
    from nnplayground.worker.history_file import from_arrays
    return from_arrays(load_history_arrays(path))


def test_train_save_keeps_the_training_history_as_the_app_does(tmp_path, capsys):
    """Every step's loss, every epoch's record and where it ended, and checkpoints from the
    untrained step 0 to the saved weights, as the app's Save Trained Model writes them."""
    from nnplayground.presets import load_model
    path = tmp_path / "xor.npz"
    assert main(["train", "xor", "--epochs", "3", "--save", str(path), "--json"]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    history, losses, epochs, epoch_steps = saved_history(path)
    assert len(losses) == 3 * 25 and np.all(np.isfinite(losses))    # 250 points, batch 10
    assert [e["epoch"] for e in epochs] == [1, 2, 3]
    assert [e["test_loss"] for e in epochs] == [r["test_loss"] for r in printed]
    assert epoch_steps == {0: 25, 1: 50, 2: 75}
    steps = list(history.steps())
    assert steps[:51] == list(range(51)) and steps[-1] == 75      # dense early, then spaced
    last = history.checkpoints[-1]
    _doc, state = load_model(path)
    for key, value in state.items():
        np.testing.assert_array_equal(last.state_dict()[key], value)
    assert last.frame.boundary.shape == (50, 50) and last.frame.confusion.sum() == 250
    assert last.position["steps_done"] == 75


def test_mnist_says_when_the_bundled_sample_is_used(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NNPLAYGROUND_MNIST_DIR", str(tmp_path))  # an empty folder
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))   # no user copy either
    assert main(["train", "mnist-mlp", "--epochs", "0"]) == 0
    err = capsys.readouterr().err
    assert "nnplayground: " in err and "bundled sample" in err


def test_headless_commands_never_import_qt(tmp_path):
    block = ("import sys\n"
             "class B:\n"
             "    def find_spec(self, name, path=None, target=None):\n"
             "        if name.split('.')[0] in {'PySide6', 'pyqtgraph', 'shiboken6'}:\n"
             "            raise ImportError('Qt blocked: ' + name)\n"
             "sys.meta_path.insert(0, B())\n"
             "from nnplayground.cli import main\n"
             "for argv in (['presets'], ['train', 'xor', '--epochs', '1', '--save', sys.argv[1]],"
             " ['predict', sys.argv[1], sys.argv[2]], ['validate', sys.argv[1]],"
             " ['gradcheck', 'xor', '--samples', '2']):\n"
             "    assert main(argv) == 0, argv\n"
             "print('headless ok')\n")
    np.save(tmp_path / "p.npy", np.zeros(2, np.float32))
    result = subprocess.run([sys.executable, "-c", block, str(tmp_path / "m.npz"),
                             str(tmp_path / "p.npy")], capture_output=True, text=True,
                            timeout=120, env=dict(os.environ, DISPLAY="", WAYLAND_DISPLAY=""))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("headless ok")


# ------------------------------------------------------------------------------ gradcheck

def test_gradcheck_lists_every_parameter_within_tolerance(capsys):
    assert main(["gradcheck", "xor"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split() == ["parameter", "h=0.0001", "verdict"]
    rows = [line.split() for line in lines[1:-1]]
    assert [r[0] for r in rows] == ["h1/W", "h1/b", "h2/W", "h2/b", "out/W", "out/b"]
    assert all(float(r[1]) < 1e-5 and r[2] == "ok" for r in rows)
    assert lines[-1].startswith("xor: all 6 parameters within 1e-05")


def test_gradcheck_exits_1_when_an_error_exceeds_the_tolerance(capsys):
    # float64 central differences never agree to 1e-20: every parameter must be reported
    assert main(["gradcheck", "xor", "--tolerance", "1e-20"]) == 1
    captured = capsys.readouterr()
    assert captured.out.count("TOO LARGE") == 6
    last = captured.err.strip().splitlines()[-1]
    assert last.startswith("nnplayground: error: xor: 6 of 6 parameters exceed the tolerance "
                           "1e-20 at every step h = 0.0001, 1e-05, 1e-06: h1/W (")


def test_gradcheck_catches_a_wrong_backward(monkeypatch, capsys):
    from nnplayground.engine.layers import dense

    real_backward = dense.Dense.backward_logits

    def wrong_backward(self, dz):
        dx = real_backward(self, dz)
        self.grads["b"] *= 1.5  # a bias gradient 50 % too large
        return dx

    monkeypatch.setattr(dense.Dense, "backward_logits", wrong_backward)
    assert main(["gradcheck", "gauss"]) == 1
    out = capsys.readouterr().out
    assert all("TOO LARGE" in line for line in out.splitlines() if "/b " in line)


def test_progress_bar_on_a_terminal(monkeypatch, capsys):
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["train", "xor", "--epochs", "2", "--json"]) == 0
    text = terminal.getvalue()
    assert "\repoch 1/2 [" in text and "%  loss " in text  # the live bar
    assert "\r\x1b[Kepoch 1/2  train_loss" in text  # bar cleared before the epoch line
    assert len(capsys.readouterr().out.splitlines()) == 2  # stdout: only the records


def test_a_closed_pipe_stops_training_quietly():
    process = subprocess.Popen([sys.executable, "-m", "nnplayground", "train", "xor", "--json",
                                "--epochs", "100000"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    first = process.stdout.readline()
    process.stdout.close()  # like `| head -1`
    _, err = process.communicate(timeout=60)
    assert json.loads(first)["epoch"] == 1
    assert process.returncode == 141
    assert "error" not in err and "Traceback" not in err


def test_train_with_the_full_mnist_says_so(capsys):
    from mnist_paths import FULL_MNIST_DIR, MISSING, has_full_mnist
    if not has_full_mnist():
        pytest.skip(MISSING)
    assert main(["train", "mnist-mlp", "--epochs", "0", "--mnist", str(FULL_MNIST_DIR)]) == 0
    err = capsys.readouterr().err
    assert "60,000" in err and "bundled sample" not in err


def test_gradcheck_forgives_a_kink_crossing_that_a_smaller_step_removes(monkeypatch, capsys):
    import nnplayground.engine as engine

    real = engine.gradient_check
    steps = []

    def kinked(model, x, y, loss, h=1e-4, training=True):
        steps.append(h)
        errors = real(model, x, y, loss, h=h, training=training)
        if h == 1e-4:  # as if one entry of h2/W sat within 1e-4 of a ReLU kink
            errors["h2/W"] = 0.4
        return errors

    monkeypatch.setattr(engine, "gradient_check", kinked)
    assert main(["gradcheck", "xor"]) == 0
    out = capsys.readouterr().out
    assert steps == [1e-4, 1e-5]
    assert out.splitlines()[0].split() == ["parameter", "h=0.0001", "h=1e-05", "verdict"]
    row = next(line for line in out.splitlines() if line.startswith("h2/W"))
    assert row.split()[1] == "4.00e-01" and row.endswith("ok (the larger step crossed a kink)")


def test_gradcheck_mentions_kinks_only_for_a_kinked_model(tmp_path, capsys):
    import copy

    from nnplayground.presets import load_builtin, save_preset

    doc = load_builtin("xor")  # tanh and sigmoid only: smooth, nothing to move away from
    assert main(["gradcheck", "xor"]) == 0
    assert "kink" not in capsys.readouterr().err
    relu = copy.deepcopy(doc)
    for node in relu["model"]["nodes"]:
        if node["params"].get("activation") == "tanh":
            node["params"]["activation"] = "relu"
    save_preset(relu, tmp_path / "relu.json")
    assert main(["gradcheck", str(tmp_path / "relu.json")]) == 0
    err = capsys.readouterr().err
    assert "all-zero bias arrays by N(0, 0.1) noise, away from the kinks of relu" in err


def test_train_with_a_mnist_folder_that_holds_no_set_is_an_error(tmp_path, capsys):
    # the user named the folder: training on the bundled sample instead would mislead them
    assert main(["train", "mnist-mlp", "--epochs", "0", "--mnist", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert f"{tmp_path}: the MNIST folder given holds no MNIST set" in err
