"""Fixtures for the command-line tests: small saved models built without training."""

import copy
from pathlib import Path

import pytest


def tiny_digit_preset() -> dict:
    """A valid MNIST preset with a small model (Flatten -> Dense 10 softmax), fast to build."""
    from nnplayground.presets import load_builtin

    doc = copy.deepcopy(load_builtin("mnist-mlp"))
    doc["model"] = {
        "nodes": [
            {"id": "x", "type": "Input", "params": {"shape": [1, 28, 28]}, "inputs": [],
             "pos": [0, 0]},
            {"id": "flat", "type": "Flatten", "params": {}, "inputs": ["x"], "pos": [150, 0]},
            {"id": "out", "type": "Dense", "params": {"units": 10, "activation": "softmax"},
             "inputs": ["flat"], "pos": [300, 0]},
        ],
        "output": "out",
    }
    doc["loss"] = "cross_entropy"
    return doc


def save_untrained(doc: dict, path: Path, seed: int = 0) -> Path:
    from nnplayground.engine import build_model
    from nnplayground.presets import save_model

    save_model(path, doc, build_model(doc["model"], seed=seed))
    return path


@pytest.fixture
def model_file():
    """`model_file(doc, path)` saves an untrained model of `doc` and returns the path."""
    return save_untrained


@pytest.fixture
def digit_preset():
    return tiny_digit_preset()


@pytest.fixture
def xor_model(tmp_path):
    from nnplayground.presets import load_builtin

    return save_untrained(load_builtin("xor"), tmp_path / "xor.npz")


@pytest.fixture
def digit_model(tmp_path):
    return save_untrained(tiny_digit_preset(), tmp_path / "digits.npz")


@pytest.fixture
def digit_png(tmp_path):
    """A hand-drawn-looking '1': a thick dark stroke on white paper, as a user would scan it."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (120, 160), color=255)
    ImageDraw.Draw(image).line([(60, 20), (62, 140)], fill=0, width=14)
    path = tmp_path / "one.png"
    image.save(path)
    return path
