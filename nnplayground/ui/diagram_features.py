"""Input features by clicking, as on TensorFlow Playground.

A 2-D toy dataset can feed the network any of `data.FEATURES` (x1, x2, x1^2, x2^2, x1*x2,
sin(x1), sin(x2)): the diagram draws all of them on the Input, the ones the network gets at
full strength and the others dimmed, and a click turns one on or off. Here are the pure parts:
which features a document's data can take, and the edit (the dataset's `features` and the
Input's width together, so the document stays one the engine can build).
"""

from __future__ import annotations

from dataclasses import dataclass

from nnplayground.data import FEATURES, DatasetError, dataset_defaults
from nnplayground.data.toy import REGRESSION_1D

DEFAULT_FEATURES = ("x1", "x2")


@dataclass(frozen=True)
class InputFeatures:
    """The Input's rows: every feature the data can take (`choices`, the diagram's order) and
    those the network gets (`on`, in the order of its input columns: W's rows)."""
    choices: tuple[str, ...]
    on: tuple[str, ...]

    def rows_of_units(self) -> list[int]:
        """For each input column (unit), the row it is drawn in."""
        return [self.choices.index(name) for name in self.on]


def feature_choices(dataset: dict) -> tuple[str, ...]:
    """The features a dataset spec can take: all seven for a 2-D toy kind (generators, gates),
    none for images, files and 1-D curves."""
    kind = dataset.get("kind")
    try:
        accepts = "features" in dataset_defaults(kind)
    except DatasetError:
        return ()
    return FEATURES if accepts and kind not in REGRESSION_1D else ()


def input_features(doc: dict) -> InputFeatures | None:
    """The Input's feature rows, or None when the diagram cannot offer them: data without
    features, or an Input whose width is not the number of features (the graph checker says
    what is wrong then; a click must not hide it)."""
    dataset = doc.get("dataset") or {}
    choices = feature_choices(dataset)
    on = tuple(dataset.get("features") or DEFAULT_FEATURES)
    inputs = [n for n in doc.get("model", {}).get("nodes", []) if n["type"] == "Input"]
    if (not choices or len(inputs) != 1 or not set(on) <= set(choices)
            or len(set(on)) != len(on)):
        return None
    if inputs[0].get("params", {}).get("shape") != [len(on)]:
        return None
    return InputFeatures(choices, on)


def toggle_feature(doc: dict, name: str) -> None:
    """Turns feature `name` on or off in `doc`: `dataset.features` (in the diagram's order)
    and the Input's `shape` together. Raises ValueError, saying why, for the last feature on
    (a network needs an input) or when the document offers no features."""
    features = input_features(doc)
    if features is None or name not in features.choices:
        raise ValueError(f"{name} cannot be chosen for this data")
    on = set(features.on) ^ {name}
    if not on:
        raise ValueError(f"{name} is the only input feature left and stays on: the network "
                         "needs at least one input. Turn another feature on first.")
    chosen = [f for f in features.choices if f in on]
    doc["dataset"]["features"] = chosen
    for node in doc["model"]["nodes"]:
        if node["type"] == "Input":
            node.setdefault("params", {})["shape"] = [len(chosen)]
