"""Data augmentation for images: random shifts, rotations, scaling and elastic distortion.

A digit moved two pixels to the left is still the same digit; a network that has only seen
centred digits does not know that. Augmentation draws a new small distortion of every training
image each time it is used, so the network learns what does not change the label. It is applied
to training batches only (`Trainer(augment=...)`), never to test images or evaluation.

    aug = Augmentation(shift=2, rotation=10, scale=0.1, elastic=0)
    x_batch = aug(x_batch, rng)      # x: (batch, channels, height, width), a new array

Every transform maps each output pixel back to a point of the input image (the *inverse* map)
and reads it there by bilinear interpolation; points outside the image read 0, the background
of MNIST. For output pixel p (row, column, measured from the image centre c):

    affine:   q = R(-angle) (p - c - t) / zoom + c      (rotate, zoom and shift about the centre)
    elastic:  q += alpha * (G * U)(p)                   (Simard et al. 2003)

with t the shift in pixels, U a field of uniform(-1, 1) displacements (one per pixel and axis)
and G * U that field blurred by a Gaussian of width `elastic_sigma`, so that neighbouring pixels
move together and strokes bend instead of tearing. The blur is a matrix product on each side
(`_blur_matrix`), as a Gaussian is separable. Simard's MNIST setting is alpha 34, sigma 4.

Randomness comes only from the generator passed in, drawn in a fixed order (angle, zoom, shift,
elastic field) and only for the transforms that are on: same generator state, same images.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["AUGMENTATION_KEYS", "Augmentation"]

# preset key -> (meaning, unit) for docs and error messages; 0 turns a transform off
AUGMENTATION_KEYS = {
    "shift": "largest shift, in pixels along each axis",
    "rotation": "largest rotation, in degrees either way",
    "scale": "largest relative zoom: 0.1 zooms by a factor from 0.9 to 1.1",
    "elastic": "strength (alpha) of the elastic distortion; 34 is Simard's MNIST setting",
    "elastic_sigma": "smoothness (Gaussian width in pixels) of the elastic distortion; default 4",
}


@dataclass(frozen=True)
class Augmentation:
    """Random distortions of an image batch; each is off at 0. See the module docstring."""

    shift: float = 0.0
    rotation: float = 0.0
    scale: float = 0.0
    elastic: float = 0.0
    elastic_sigma: float = 4.0

    def __post_init__(self):
        for key, value in asdict(self).items():
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"augmentation {key}: must be a number >= 0 (0 turns it off), "
                                 f"got {value!r}")
        if self.scale >= 1:
            raise ValueError(f"augmentation scale: must be below 1 (a zoom factor from "
                             f"1 - scale to 1 + scale), got {self.scale!r}")
        if self.elastic_sigma <= 0:
            raise ValueError(f"augmentation elastic_sigma: must be a number > 0, got "
                             f"{self.elastic_sigma!r}")

    @classmethod
    def from_spec(cls, spec) -> Augmentation | None:
        """A preset's `training.augmentation` object (or None) -> an Augmentation, or None when
        every transform is off."""
        if not spec:
            return None
        augmentation = cls(**{key: float(value) for key, value in spec.items()})
        return augmentation if augmentation.active else None

    @property
    def active(self) -> bool:
        return bool(self.shift or self.rotation or self.scale or self.elastic)

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A distorted copy of the batch x: (batch, channels, height, width) or
        (batch, height, width); every image gets its own random distortion."""
        x = np.asarray(x)
        if x.ndim not in (3, 4):
            raise ValueError(f"augmentation works on image batches (batch, channels, height, "
                             f"width), got an array of shape {x.shape}")
        if not self.active or len(x) == 0:
            return x.copy()
        n, h, w = len(x), x.shape[-2], x.shape[-1]
        rows, cols = self._source_points(n, h, w, rng)
        return _bilinear(x, rows, cols)

    def _source_points(self, n, h, w, rng):
        """Where each output pixel reads from: (rows, cols), each (n, h, w) float."""
        cy, cx = (h - 1) / 2, (w - 1) / 2
        py, px = np.meshgrid(np.arange(h) - cy, np.arange(w) - cx, indexing="ij")
        angle = np.radians(rng.uniform(-self.rotation, self.rotation, n)) if self.rotation \
            else np.zeros(n)
        zoom = rng.uniform(1 - self.scale, 1 + self.scale, n) if self.scale else np.ones(n)
        ty, tx = rng.uniform(-self.shift, self.shift, (2, n)) if self.shift else np.zeros((2, n))
        # inverse map: undo the shift, then the rotation, then the zoom
        dy = py[None] - ty[:, None, None]
        dx = px[None] - tx[:, None, None]
        cos = (np.cos(angle) / zoom)[:, None, None]
        sin = (np.sin(angle) / zoom)[:, None, None]
        rows = cos * dy - sin * dx + cy
        cols = sin * dy + cos * dx + cx
        if self.elastic:
            field = rng.uniform(-1, 1, (2, n, h, w))
            gy, gx = _blur_matrix(h, self.elastic_sigma), _blur_matrix(w, self.elastic_sigma)
            smooth = gy @ field @ gx.T      # blur along rows, then along columns
            rows = rows + self.elastic * smooth[0]
            cols = cols + self.elastic * smooth[1]
        return rows, cols


@functools.lru_cache(maxsize=8)
def _blur_matrix(size: int, sigma: float) -> np.ndarray:
    """(size, size) matrix G such that G @ v is v blurred by a Gaussian of width sigma (pixels);
    each row sums to 1, so a constant field stays constant up to the edges."""
    d = np.arange(size)[:, None] - np.arange(size)[None, :]
    g = np.exp(-0.5 * (d / sigma) ** 2)
    return g / g.sum(axis=1, keepdims=True)


def _bilinear(x, rows, cols):
    """x (n, [c,] h, w) read at the points (rows, cols) (n, h, w); 0 outside the image."""
    n, h, w = len(x), x.shape[-2], x.shape[-1]
    image = x.reshape(n, -1, h, w)
    # one zero pixel of border: clipping any point outside into it reads 0
    padded = np.zeros(image.shape[:2] + (h + 2, w + 2), dtype=x.dtype)
    padded[:, :, 1:-1, 1:-1] = image
    flat = padded.reshape(n, image.shape[1], -1)
    r0, c0 = np.floor(rows), np.floor(cols)
    fr, fc = (rows - r0).astype(x.dtype), (cols - c0).astype(x.dtype)
    r0 = r0.astype(np.intp) + 1       # + 1: the border
    c0 = c0.astype(np.intp) + 1
    out = 0
    for dr, wr in ((0, 1 - fr), (1, fr)):
        r = np.clip(r0 + dr, 0, h + 1)
        for dc, wc in ((0, 1 - fc), (1, fc)):
            c = np.clip(c0 + dc, 0, w + 1)
            index = (r * (w + 2) + c).reshape(n, 1, -1)
            out = out + np.take_along_axis(flat, index, axis=2) * (wr * wc).reshape(n, 1, -1)
    return out.reshape(x.shape)
