"""Neuron maps for the diagram: each unit's output over the input plane, as small images.

Nothing is computed twice: hidden units come from the snapshot's `units` (what the Hidden
units view draws, coloured the same way by `views.common.unit_map_levels`), a one-unit output
from its `boundary`, and the Input's features from the plane grid through `make_features`
(the same function that made the training data), once per dataset.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from nnplayground.data import FEATURES, make_features
from nnplayground.ui.views.common import DIVERGING, unit_map_levels
from nnplayground.worker import snapshot as S

# (values in [0, 1] with row 0 at the bottom of the plane, (H, W, 3) uint8 with row 0 at the top)
UnitMap = tuple[np.ndarray, np.ndarray]

_LUT = DIVERGING.getLookupTable(nPts=256, alpha=False)


def unit_maps(values: np.ndarray) -> list[UnitMap]:
    """(units, H, W) maps already in [0, 1] (0.5: zero output), each with its pixels
    plane-up; all units in one go (a per-unit loop cost 4 ms a frame for spiral)."""
    values = np.asarray(values, dtype=np.float32)
    values = np.clip(np.where(np.isfinite(values), values, 0.5), 0.0, 1.0)
    rgb = _LUT[np.rint(values[:, ::-1] * 255).astype(np.intp)]
    return list(zip(values, rgb))


def feature_maps(info: S.DatasetInfo | None) -> dict[str, UnitMap]:
    """{feature name: map} over the dataset's plane; {} for data that is not a plane."""
    if info is None or info.kind != "plane":
        return {}
    n = S.GRID
    columns = make_features(S.plane_grid(info.extent, n), FEATURES)
    return dict(zip(FEATURES, unit_maps(unit_map_levels(columns.T.reshape(-1, n, n)))))


def layer_maps(units: Mapping[str, np.ndarray], boundary: np.ndarray | None,
               output: str | None, task: str) -> dict[str, list[UnitMap]]:
    """{node_id: [map of each unit]}: hidden layers from `units` ((units, GRID, GRID) each),
    the output when it is one unit, from `boundary` (a probability for classification, drawn
    as the boundary view draws it; a value for regression, scaled like a hidden unit)."""
    maps = {node_id: unit_maps(unit_map_levels(images)) for node_id, images in units.items()}
    if output is not None and boundary is not None and output not in maps:
        values = boundary if task == "classification" else unit_map_levels(boundary)
        maps[output] = unit_maps(np.asarray(values)[None])
    return maps
