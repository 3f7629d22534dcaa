"""Lesson 8: activation histograms of a deep network for each weight initialisation.

The experiment of "Deep Learning from scratch" (chapter 6, ``weight_init_activation_histogram``):
1000 random inputs (standard normal, 100 features) through 5 Dense layers of 100 units without
bias, weights drawn with std 1, std 0.01, Xavier or He, activation sigmoid or ReLU. The
histogram of each layer's outputs shows whether the signal survives the depth:

- sigmoid, std 1: outputs pile up at 0 and 1 (slope ~0 there, gradients vanish);
- sigmoid, std 0.01: all near 0.5 (every unit the same: no expressive power);
- sigmoid, Xavier: spread out in every layer;
- ReLU, Xavier: shrinking towards 0 with depth; ReLU, He: the spread is kept.

The network is built by the engine (``build_model``) from a graph dict, so the initialisers
shown are exactly the engine's (for 100 -> 100 Xavier's std sqrt(2/(100+100)) = 0.1 equals the
textbook's 1/sqrt(100)).
"""

from dataclasses import dataclass

import numpy as np

from nnplayground.engine import build_model

INITS = {"std 1": ("normal", 1.0), "std 0.01": ("normal", 0.01), "xavier": ("xavier", None),
         "he": ("he", None)}


@dataclass(frozen=True)
class LayerStats:
    """One layer's activations: histogram plus the numbers the lesson's claims rest on."""

    layer: str
    counts: np.ndarray      # (bins,) number of activations per bin
    edges: np.ndarray       # (bins + 1,)
    mean: float
    std: float
    outer_mass: float       # share of activations < 0.1 or > 0.9 (sigmoid saturation)
    centre_mass: float      # share within 0.45..0.55 (sigmoid collapse onto 0.5)
    alive: float            # share of activations > 1e-3 (ReLU units that still fire)


def deep_net_spec(activation, init, layers=5, units=100, inputs=100):
    """The model graph dict of the experiment (usable in the editor or a preset too)."""
    kind, scale = INITS[init] if init in INITS else (init, None)
    nodes = [{"id": "x", "type": "Input", "params": {"shape": [inputs]}, "inputs": [],
              "pos": [0, 0]}]
    for i in range(1, layers + 1):
        params = {"units": units, "activation": activation, "init": kind, "use_bias": False}
        if scale is not None:
            params["init_scale"] = scale
        nodes.append({"id": f"layer{i}", "type": "Dense", "params": params,
                      "inputs": [nodes[-1]["id"]], "pos": [160 * i, 0]})
    return {"nodes": nodes, "output": nodes[-1]["id"]}


def layer_activations(activation, init, layers=5, units=100, samples=1000, seed=0):
    """{layer id: (samples, units) float64 outputs} for one (activation, init) setting.

    ``init`` is one of ``INITS`` ("std 1", "std 0.01", "xavier", "he"). The same seed gives the
    same inputs for every setting, so rows of the figure differ only by the initialisation.
    """
    if init not in INITS:
        raise ValueError(f"unknown initialisation {init!r}; choose one of {', '.join(INITS)}")
    x = np.random.default_rng(seed).standard_normal((samples, units))
    model = build_model(deep_net_spec(activation, init, layers, units, units), seed=seed,
                        dtype=np.float64)
    outputs = model.forward_all(x)
    return {f"layer{i}": np.asarray(outputs[f"layer{i}"], dtype=np.float64)
            for i in range(1, layers + 1)}


def histograms(activations=("sigmoid", "relu"), inits=tuple(INITS), layers=5, units=100,
               samples=1000, bins=30, seed=0):
    """{(activation, init): [LayerStats per layer]} - the textbook's figure grid.

    Histograms span 0..1 as in the textbook's figures (ReLU outputs above 1 are counted in the
    last bin's stats but not drawn; ``alive`` counts them).
    """
    result = {}
    for act in activations:
        for init in inits:
            stats = []
            for name, a in layer_activations(act, init, layers, units, samples, seed).items():
                flat = a.ravel()
                counts, edges = np.histogram(flat, bins=bins, range=(0.0, 1.0))
                stats.append(LayerStats(
                    name, counts, edges, float(flat.mean()), float(flat.std()),
                    float(np.mean((flat < 0.1) | (flat > 0.9))),
                    float(np.mean(np.abs(flat - 0.5) < 0.05)),
                    float(np.mean(flat > 1e-3))))
            result[(act, init)] = stats
    return result
