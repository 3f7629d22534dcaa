"""Turn a photo, scan or drawing of a digit into an MNIST-style 28x28 image.

A network trained on MNIST only understands digits prepared the way MNIST's were: light ink on
a dark background, the digit scaled to fit a 20x20 box (keeping its aspect ratio, antialiased),
placed in a 28x28 field so that its centre of mass sits at the centre. The CLI's `predict` and
the GUI's drawing pad both go through `preprocess_digit`.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .dataset import DatasetError

BOX = 20            # the digit's longer side after scaling, as in MNIST
FIELD = 28
INK_THRESHOLD = 0.1  # of the full ink range; fainter pixels do not count for the bounding box
MIN_CONTRAST = 0.05  # below this the image is considered blank


def _to_unit_float(gray) -> np.ndarray:
    gray = np.asarray(gray)
    if gray.ndim != 2 or min(gray.shape) < 1:
        raise DatasetError(f"a digit image must be a 2-D greyscale array, got shape {gray.shape}")
    if not (np.issubdtype(gray.dtype, np.number) or gray.dtype == np.bool_):
        raise DatasetError(f"a digit image must hold numbers, got dtype {gray.dtype}")
    img = gray.astype(np.float64)
    if not np.all(np.isfinite(img)):
        raise DatasetError("the digit image holds NaN or infinity")
    if gray.dtype == np.uint8 or img.max() > 1.0:
        img = img / 255.0  # 0-255 pixel values
    return np.clip(img, 0.0, 1.0)


def _resize(img: np.ndarray, height: int, width: int) -> np.ndarray:
    from PIL import Image
    pil = Image.fromarray(img.astype(np.float32))  # 2-D float32 -> mode "F"
    return np.asarray(pil.resize((width, height), Image.Resampling.LANCZOS), dtype=np.float64)


def preprocess_digit(gray) -> np.ndarray:
    """(H, W) greyscale, float in [0, 1] or 0-255 / uint8 -> (28, 28) float32 in [0, 1].

    The background is taken from the border (its median); a light background is inverted so
    that ink is light on dark. Raises DatasetError for a blank image.
    """
    img = _to_unit_float(gray)
    border = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
    background = float(np.median(border))
    if background > 0.5:
        img, background = 1.0 - img, 1.0 - background
    ink = np.clip(img - background, 0.0, None)
    peak = float(ink.max())
    if peak < MIN_CONTRAST:
        raise DatasetError("the digit image is blank: no ink stands out from the background; "
                           "draw or photograph a digit with clear contrast")
    ink /= peak
    rows = np.flatnonzero((ink > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((ink > INK_THRESHOLD).any(axis=0))
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = crop.shape
    scale = BOX / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    small = np.clip(_resize(crop, new_h, new_w), 0.0, 1.0)
    # Centre of mass to pixel (14, 14), where MNIST's digits have it on average (measured over
    # the bundled sample: 14.00 +- 0.29); the offsets are clamped so no ink falls off.
    total = small.sum()
    cy = (small.sum(axis=1) @ np.arange(new_h)) / total
    cx = (small.sum(axis=0) @ np.arange(new_w)) / total
    top = int(np.clip(round(FIELD / 2 - cy), 0, FIELD - new_h))
    left = int(np.clip(round(FIELD / 2 - cx), 0, FIELD - new_w))
    out = np.zeros((FIELD, FIELD), dtype=np.float32)
    out[top:top + new_h, left:left + new_w] = small
    return out


def load_digit_image(path) -> np.ndarray:
    """Read an image file with Pillow and preprocess it: -> (1, 28, 28) float32 in [0, 1].

    A transparent drawing (e.g. from a paint program) is read by its alpha channel, since its
    transparent pixels carry no reliable colour. A 16-bit or floating-point image (a scientific
    TIFF) is read at its own depth and scaled by its own range: Pillow's 8-bit conversion would
    clip it to a blank or black-and-white picture. An image larger than Pillow's decompression
    bomb limit is refused with a message (Pillow would warn on stderr, or fail).
    """
    from PIL import Image, UnidentifiedImageError
    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.load()
                gray = _grey_of(image)
    except FileNotFoundError as exc:
        raise DatasetError(f"{path}: no such image file") from exc
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise DatasetError(f"{path}: the image is too large to be a digit ({exc}); crop or "
                           "scale it down to the digit (a few hundred pixels a side is "
                           "plenty)") from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise DatasetError(f"{path}: not a readable image ({exc}); use PNG, JPEG, BMP or "
                           "another format Pillow reads") from exc
    try:
        return preprocess_digit(gray)[None]
    except DatasetError as exc:
        raise DatasetError(f"{path}: {exc}") from exc


# Pillow's modes of one channel deeper than 8 bits: 32-bit float, 32-bit and 16-bit integers.
_DEEP_MODES = ("F", "I", "I;16", "I;16L", "I;16B", "I;16N")


def _grey_of(image) -> np.ndarray:
    """The greyscale array of an opened Pillow image (see load_digit_image)."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        alpha = np.asarray(image.convert("RGBA").getchannel("A"))
        if alpha.min() < 255:
            return alpha
    if image.mode in _DEEP_MODES:
        values = np.asarray(image, dtype=np.float64)
        if not np.all(np.isfinite(values)):
            raise DatasetError("the digit image holds NaN or infinity")
        low, high = float(values.min()), float(values.max())
        return (values - low) / (high - low) if high > low else np.zeros_like(values)
    return np.asarray(image.convert("L"))
