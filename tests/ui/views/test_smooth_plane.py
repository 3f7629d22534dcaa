"""The plane's heatmaps are drawn interpolated between the grid's samples, each pixel at its
own place in the plane."""

import numpy as np
import pytest

from nnplayground.ui.views.plane import SMOOTH, smooth_plane
from nnplayground.worker import snapshot as S

EXTENT = (-6.0, 6.0, -4.0, 2.0)


def _pixel_centres(m):
    """(x1, x2) of each pixel centre of an m x m image tiling EXTENT (row = x2)."""
    x1 = EXTENT[0] + (np.arange(m) + 0.5) / m * (EXTENT[1] - EXTENT[0])
    x2 = EXTENT[2] + (np.arange(m) + 0.5) / m * (EXTENT[3] - EXTENT[2])
    return np.meshgrid(x1, x2)


def test_a_plane_linear_in_x1_and_x2_is_drawn_exactly_at_every_pixel_centre():
    """Bilinear interpolation reproduces a linear function, so every pixel must show the
    function's value at its own centre: no half-cell shift, no staircase."""
    points = S.plane_grid(EXTENT)
    samples = (0.3 * points[:, 0] - 0.7 * points[:, 1] + 0.1).reshape(S.GRID, S.GRID)
    image = smooth_plane(samples)
    m = S.GRID * SMOOTH
    assert image.shape == (m, m) and image.dtype == samples.dtype
    g1, g2 = _pixel_centres(m)
    np.testing.assert_allclose(image, 0.3 * g1 - 0.7 * g2 + 0.1, atol=1e-5)


def test_the_half_line_of_a_drawn_boundary_is_smooth_not_a_staircase():
    """A circular boundary computed on the 50 x 50 grid: thresholded as computed, its edge
    moves in steps of whole cells (SMOOTH pixels); interpolated, it follows the circle to
    within a fraction of a cell."""
    points = S.plane_grid(EXTENT)
    radius = np.hypot(points[:, 0], points[:, 1] + 1.0).reshape(S.GRID, S.GRID)
    samples = (1 / (1 + np.exp(4 * (radius - 2.5)))).astype(np.float32)   # 1 inside r = 2.5
    m = S.GRID * SMOOTH
    g1, g2 = _pixel_centres(m)
    truth = np.hypot(g1, g2 + 1.0) < 2.5
    blocky = np.kron(samples > 0.5, np.ones((SMOOTH, SMOOTH), bool))
    smooth = smooth_plane(samples) > 0.5
    assert np.sum(smooth != truth) < 0.25 * np.sum(blocky != truth)
    assert np.sum(smooth != truth) < 0.3 * 2 * np.pi * 2.5 / ((EXTENT[1] - EXTENT[0]) / m)


def test_many_classes_are_interpolated_channel_by_channel_and_still_sum_to_one():
    rng = np.random.default_rng(0)
    p = rng.random((S.GRID, S.GRID, 4)).astype(np.float32)
    p /= p.sum(axis=-1, keepdims=True)
    image = smooth_plane(p)
    assert image.shape == (S.GRID * SMOOTH, S.GRID * SMOOTH, 4)
    np.testing.assert_allclose(image.sum(axis=-1), 1.0, atol=1e-5)
    for k in range(4):
        np.testing.assert_array_equal(image[..., k], smooth_plane(p[..., k]))


@pytest.mark.parametrize("where", [(0, 0), (17, 31), (49, 49)])
def test_a_nan_stays_in_the_pixels_next_to_its_sample(where):
    """A diverged unit's NaN must not blank out whole rows of the picture."""
    samples = np.zeros((S.GRID, S.GRID), np.float32)
    samples[where] = np.nan
    bad = np.isnan(smooth_plane(samples))
    assert 0 < bad.sum() <= (2 * SMOOTH + 1) ** 2
    rows, cols = np.nonzero(bad)
    assert np.ptp(rows) <= 2 * SMOOTH and np.ptp(cols) <= 2 * SMOOTH
