"""Neuron maps for the diagram: each unit's output over the input plane, as small images.

Nothing is computed twice: hidden units come from the snapshot's `units` (what the Hidden
units view draws, coloured the same way by `views.common.unit_map_levels`), the output from
its `boundary` (one unit: that output; K > 2 classes: each unit k's p(class k | x), white to
class k's colour, the colour the boundary view gives class k's region), and the Input's
features from the plane grid through `make_features` (the same function that made the
training data), once per dataset.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from nnplayground.data import FEATURES, make_features
from nnplayground.ui.views.classes import class_ramp
from nnplayground.ui.views.common import DIVERGING, unit_map_levels
from nnplayground.worker import snapshot as S

_LUT = DIVERGING.getLookupTable(nPts=256, alpha=False)


class UnitMap(NamedTuple):
    """One unit's map: `values` in [0, 1] with row 0 at the bottom of the plane (what the
    boundary view enlarges), `rgb` (H, W, 3) uint8 with row 0 at the top (what the diagram
    draws), and `lut`, the (256, 3) colour table that made `rgb` from `values`."""
    values: np.ndarray
    rgb: np.ndarray
    lut: np.ndarray


def unit_maps(values: np.ndarray, lut: np.ndarray = _LUT) -> list[UnitMap]:
    """(units, H, W) maps already in [0, 1] (on the orange-blue `_LUT`, 0.5 is a zero
    output), each with its pixels plane-up, coloured by `lut` (256, 3), or (units, 256, 3)
    for a table each; all units in one go (a per-unit loop cost 4 ms a frame for spiral)."""
    values = np.asarray(values, dtype=np.float32)
    values = np.clip(np.where(np.isfinite(values), values, 0.5), 0.0, 1.0)
    index = np.rint(values[:, ::-1] * 255).astype(np.intp)
    luts = np.broadcast_to(lut, (len(values), *lut.shape[-2:]))
    rgb = luts[np.arange(len(values))[:, None, None], index]
    return [UnitMap(*m) for m in zip(values, rgb, luts)]


def class_maps(probabilities: np.ndarray) -> list[UnitMap]:
    """(H, W, K) every class's probability -> K maps, unit k's p(class k | x) from white (0)
    to class k's colour (1), so it lights up where the boundary view paints class k."""
    p = np.moveaxis(np.asarray(probabilities), -1, 0)
    return unit_maps(p, np.stack([class_ramp(k) for k in range(len(p))]))


def feature_maps(info: S.DatasetInfo | None) -> dict[str, UnitMap]:
    """{feature name: map} over the dataset's plane; {} for data that is not a plane."""
    if info is None or info.kind != "plane":
        return {}
    n = S.GRID
    columns = make_features(S.plane_grid(info.extent, n), FEATURES)
    return dict(zip(FEATURES, unit_maps(unit_map_levels(columns.T.reshape(-1, n, n)))))


def layer_maps(units: Mapping[str, np.ndarray], boundary: np.ndarray | None,
               output: str | None, task: str, output_units: int = 1
               ) -> dict[str, list[UnitMap]]:
    """{node_id: [map of each unit]}: hidden layers from `units` ((units, GRID, GRID) each),
    the output from `boundary`: one unit's (a probability for classification, drawn as the
    boundary view draws it; a value for regression, scaled like a hidden unit), or with
    (GRID, GRID, K) class probabilities each unit's in its class's colour (`class_maps`).
    Two output units of two classes (lesson 4's softmax) get p(class 1) and 1 - p(class 1),
    where the boundary view paints class 1 and class 0."""
    maps = {node_id: unit_maps(unit_map_levels(images)) for node_id, images in units.items()}
    if output is not None and boundary is not None and output not in maps:
        if np.ndim(boundary) == 3:
            maps[output] = class_maps(boundary)
        elif task == "classification" and output_units == 2:
            p = np.asarray(boundary)
            maps[output] = class_maps(np.stack([1.0 - p, p], axis=-1))
        else:
            values = boundary if task == "classification" else unit_map_levels(boundary)
            maps[output] = unit_maps(np.asarray(values)[None])
    return maps
