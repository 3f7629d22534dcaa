"""`nnplayground` / `nnplayground open`: arguments reach the app, and a real offscreen run."""

import os
import subprocess
import sys

import pytest

from nnplayground.cli import main


@pytest.fixture
def fake_app(monkeypatch):
    """Replaces run_app with a recorder, so these tests check the wiring, not the window."""
    from nnplayground.ui import app
    calls = []

    def run_app(target, *, train_for=None, screenshot=None, animation=None):
        calls.append((target, train_for, screenshot, os.environ.get("NNPLAYGROUND_MNIST_DIR")))
        return 0

    monkeypatch.setattr(app, "run_app", run_app)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    return calls


def test_no_command_opens_the_xor_preset(fake_app):
    assert main([]) == 0
    assert fake_app == [("xor", None, None, os.environ.get("NNPLAYGROUND_MNIST_DIR"))]


def test_open_passes_its_options(fake_app, tmp_path, monkeypatch):
    # setenv first, so that monkeypatch restores the variable open sets for the app
    monkeypatch.setenv("NNPLAYGROUND_MNIST_DIR", "unset-by-this-test")
    monkeypatch.delenv("NNPLAYGROUND_MNIST_DIR")
    out = tmp_path / "shot.png"
    assert main(["open", "spiral", "--train-for", "2.5", "--screenshot", str(out),
                 "--mnist", str(tmp_path)]) == 0
    assert fake_app == [("spiral", 2.5, str(out), str(tmp_path.resolve()))]


@pytest.mark.parametrize("argv, fragment", [
    (["open", "nope.json"], "nope.json: no such file"),
    (["open", "xr"], "not a built-in preset"),
    (["open", "xor", "--screenshot", "/no/such/dir/x.png"], "folder /no/such/dir does not exist"),
    (["open", "xor", "--mnist", "/no/such/mnist"], "no such folder"),
    (["open", "xor", "--train-for", "3"], "--train-for only works with --screenshot"),
])
def test_open_refuses_bad_targets_before_starting_qt(fake_app, argv, fragment, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err
    assert fake_app == []


def test_open_without_a_display_says_how_to_run_headless(fake_app, monkeypatch, capsys):
    if not sys.platform.startswith("linux"):
        pytest.skip("the display check is for Linux (X11/Wayland)")
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    assert main(["open", "xor"]) == 1
    assert "set QT_QPA_PLATFORM=offscreen" in capsys.readouterr().err
    assert fake_app == []


def test_open_train_for_writes_a_screenshot(tmp_path):
    from PIL import Image

    out = tmp_path / "xor.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "nnplayground", "open", "xor",
                             "--train-for", "1", "--screenshot", str(out)],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    with Image.open(out) as image:
        assert image.format == "PNG"
        width, height = image.size
        assert width >= 400 and height >= 300
        darkest, lightest = image.convert("L").getextrema()
        assert lightest - darkest > 100  # a drawn window, not a blank grab
