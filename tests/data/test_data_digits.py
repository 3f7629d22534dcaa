"""MNIST-style preprocessing of digit images: invert, crop, scale to 20x20, centre by mass."""

import numpy as np
import pytest
from PIL import Image

from nnplayground.data import DatasetError, load_dataset, load_digit_image, preprocess_digit


def centre_of_mass(img):
    total = img.sum()
    return (img.sum(axis=1) @ np.arange(img.shape[0]) / total,
            img.sum(axis=0) @ np.arange(img.shape[1]) / total)


def ink_box(img, threshold=0.1):
    rows = np.flatnonzero((img > threshold).any(axis=1))
    cols = np.flatnonzero((img > threshold).any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def dark_stroke_on_white():
    """An off-centre 'L'-shaped dark stroke on a white 120x90 page (uint8)."""
    page = np.full((120, 90), 255, np.uint8)
    page[10:90, 60:68] = 0     # the upright
    page[82:90, 60:85] = 0     # the foot
    return page


def test_stroke_is_inverted_scaled_to_20_and_centred_by_mass():
    out = preprocess_digit(dark_stroke_on_white())
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 1 and out.max() > 0.9
    assert out[0, 0] == 0  # background is dark after inversion
    height, width = ink_box(out)
    assert height == 20                          # the longer side fits 20
    assert width == pytest.approx(25 / 80 * 20, abs=1.5)  # aspect ratio kept
    cy, cx = centre_of_mass(out)
    assert cy == pytest.approx(14, abs=0.5) and cx == pytest.approx(14, abs=0.5)


def test_light_on_dark_and_dark_on_light_give_the_same_digit():
    page = dark_stroke_on_white()
    np.testing.assert_allclose(preprocess_digit(page), preprocess_digit(255 - page), atol=1e-6)
    as_float = (255 - page) / 255.0
    np.testing.assert_allclose(preprocess_digit(as_float), preprocess_digit(page), atol=1e-5)


def test_wide_digit_fits_20_across():
    page = np.zeros((50, 200))
    page[20:26, 10:190] = 1.0
    height, width = ink_box(preprocess_digit(page))
    assert width == 20 and height <= 2


def test_an_mnist_digit_is_left_almost_unchanged():
    ds = load_dataset({"kind": "mnist", "source": "sample", "train_limit": 20, "test_limit": 1})
    for image in ds.x_train[:, 0]:
        again = preprocess_digit(image)
        corr = np.corrcoef(image.ravel(), again.ravel())[0, 1]
        assert corr > 0.99  # MNIST digits already are 20x20, centred by mass


def test_blank_images_are_refused():
    with pytest.raises(DatasetError, match="blank"):
        preprocess_digit(np.full((40, 40), 200, np.uint8))
    with pytest.raises(DatasetError, match="2-D"):
        preprocess_digit(np.zeros((3, 40, 40)))


def test_load_digit_image_from_png_and_transparent_drawing(tmp_path):
    path = tmp_path / "digit.png"
    Image.fromarray(dark_stroke_on_white()).convert("RGB").save(path)
    out = load_digit_image(path)
    assert out.shape == (1, 28, 28) and out.dtype == np.float32
    np.testing.assert_allclose(out[0], preprocess_digit(dark_stroke_on_white()), atol=0.02)
    # a drawing pad's export: black strokes on a fully transparent canvas
    rgba = np.zeros((120, 90, 4), np.uint8)
    rgba[..., 3] = 255 - dark_stroke_on_white()
    Image.fromarray(rgba).save(tmp_path / "drawn.png")
    drawn = load_digit_image(tmp_path / "drawn.png")
    np.testing.assert_allclose(drawn, out, atol=0.02)


def test_unreadable_or_blank_image_files_name_the_file(tmp_path):
    bad = tmp_path / "digit.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(DatasetError, match="not a readable image") as info:
        load_digit_image(bad)
    assert str(bad) in str(info.value)
    with pytest.raises(DatasetError, match="no such image"):
        load_digit_image(tmp_path / "missing.png")
    blank = tmp_path / "blank.png"
    Image.new("L", (30, 30), 255).save(blank)
    with pytest.raises(DatasetError, match="blank") as info:
        load_digit_image(blank)
    assert str(blank) in str(info.value)


# -- issue 11: deep images and decompression bombs ------------------------------------------

def _stroke(dtype, high):
    """A vertical stroke (a "1") on a dark field, at the given depth."""
    a = np.zeros((60, 40), dtype=dtype)
    a[10:50, 18:23] = high
    return a


@pytest.mark.parametrize("array, mode", [
    (_stroke(np.float32, 0.8), "F"),          # a float TIFF in [0, 1]: read as blank before
    (_stroke(np.float32, 4000.0), "F"),       # a float TIFF in counts
    (_stroke(np.uint16, 60000), "I;16"),      # 16-bit
])
def test_deep_tiff_digits_are_read_at_their_own_depth(tmp_path, array, mode):
    from PIL import Image
    path = tmp_path / "one.tif"
    Image.fromarray(array).save(path)
    with Image.open(path) as image:
        assert image.mode == mode
    x = load_digit_image(path)
    assert x.shape == (1, 28, 28) and x.max() == pytest.approx(1.0)
    assert 30 <= (x > 0.5).sum() <= 80     # the stroke, not a blank or a filled field


def test_a_decompression_bomb_is_a_dataset_error_not_a_warning(tmp_path, monkeypatch):
    import warnings

    from PIL import Image
    Image.fromarray(_stroke(np.uint8, 255)).save(tmp_path / "big.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 2000)     # 2,400 pixels: Pillow warns
    with warnings.catch_warnings():
        warnings.simplefilter("error")                        # any warning fails the test
        with pytest.raises(DatasetError, match="too large to be a digit") as info:
            load_digit_image(tmp_path / "big.png")
    assert "big.png" in str(info.value) and "crop or scale it down" in str(info.value)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)     # over twice: Pillow refuses
    with pytest.raises(DatasetError, match="too large to be a digit"):
        load_digit_image(tmp_path / "big.png")
