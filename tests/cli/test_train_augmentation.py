"""`nnplayground train` with augmentation options: they reach the trainer, seeded."""

import json

import pytest

from nnplayground.cli import main
from nnplayground.presets import save_preset


@pytest.fixture
def digits(tmp_path, digit_preset):
    """A small MNIST preset (the bundled sample, cut to 300 training images) as a file."""
    doc = digit_preset
    doc["dataset"] = {"kind": "mnist", "source": "sample", "train_limit": 300, "test_limit": 100}
    doc["training"] = {"batch_size": 50, "epochs": 1, "seed": 0}
    path = tmp_path / "digits.json"
    save_preset(doc, path)
    return path, doc


def history(capsys, *argv):
    assert main(["train", *map(str, argv), "--json"]) == 0
    return [{k: v for k, v in json.loads(line).items() if k != "seconds"}
            for line in capsys.readouterr().out.splitlines()]


def test_augmentation_options_change_training_and_repeat_exactly(digits, capsys):
    path, _ = digits
    plain = history(capsys, path)
    shifted = history(capsys, path, "--shift", "3", "--rotation", "15")
    assert shifted != plain
    assert history(capsys, path, "--shift", "3", "--rotation", "15") == shifted
    assert history(capsys, path, "--shift", "3", "--rotation", "15", "--seed", "1") != shifted


def test_no_augmentation_trains_on_the_images_as_they_are(digits, tmp_path, capsys):
    path, doc = digits
    plain = history(capsys, path)
    doc["training"]["augmentation"] = {"shift": 2, "elastic": 34}
    augmented = tmp_path / "augmented.json"
    save_preset(doc, augmented)
    assert history(capsys, augmented) != plain
    assert history(capsys, augmented, "--no-augmentation") == plain
    # an option overrides the preset's value for that distortion only
    assert history(capsys, augmented, "--elastic", "0") == history(capsys, path, "--shift", "2")


@pytest.mark.parametrize("argv, fragment", [
    (["xor", "--shift", "2"], "--shift: augmentation distorts images, but this preset's"),
    (["mnist-mlp", "--shift", "2", "--no-augmentation"], "cannot be combined"),
    (["mnist-mlp", "--scale", "1.5"], "training.augmentation.scale"),
])
def test_bad_augmentation_options_are_refused_before_training(argv, fragment, capsys):
    assert main(["train", *argv, "--epochs", "1"]) == 2
    captured = capsys.readouterr()
    assert fragment in captured.err and "epoch 1" not in captured.err


def test_a_negative_strength_is_a_usage_error(capsys):
    assert main(["train", "mnist-mlp", "--rotation", "-5"]) == 2
    assert "must be 0 (off) or a positive number" in capsys.readouterr().err
