"""Shared fixtures: a small valid preset written in code, so tests do not depend on resources/."""

import copy

import pytest

DOC = {
    "format": "nnplayground-preset",
    "version": 1,
    "name": "Tiny XOR",
    "description": "A **small** net.\n\nTry more units.",
    "dataset": {"kind": "xor", "n_samples": 200, "noise": 0, "train_fraction": 0.5, "seed": 1},
    "model": {
        "nodes": [
            {"id": "x", "type": "Input", "params": {"shape": [2]}, "inputs": [], "pos": [0, 0]},
            {"id": "h1", "type": "Dense", "params": {"units": 4, "activation": "tanh"},
             "inputs": ["x"], "pos": [180, 0]},
            {"id": "out", "type": "Dense", "params": {"units": 1, "activation": "sigmoid"},
             "inputs": ["h1"], "pos": [360, 0]},
        ],
        "output": "out",
    },
    "loss": "binary_cross_entropy",
    "optimizer": {"type": "sgd", "lr": 0.1},
    "regularization": {"l1": 0.0, "l2": 0.0},
    "training": {"batch_size": 10, "epochs": 5, "seed": 0},
    "views": ["loss", "boundary"],
}


@pytest.fixture
def doc():
    """A fresh deep copy of a valid preset, safe to mutate."""
    return copy.deepcopy(DOC)
