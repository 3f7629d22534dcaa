"""Image augmentation: each distortion does what it says, seeded, and leaves the input alone."""

import numpy as np
import pytest

from nnplayground.data.augment import Augmentation


def square(size=28, top=10, left=11, side=6):
    """One image (1, 1, size, size): a bright square on black."""
    x = np.zeros((1, 1, size, size), np.float32)
    x[0, 0, top:top + side, left:left + side] = 1.0
    return x


def centre_of_mass(image):
    """(row, column) of the ink of one (h, w) image."""
    rows, cols = np.indices(image.shape)
    return np.array([(image * rows).sum(), (image * cols).sum()]) / image.sum()


def second_moments(image):
    """The 2x2 covariance of the ink's position (its spread and orientation)."""
    rows, cols = np.indices(image.shape)
    c = centre_of_mass(image)
    d = np.stack([rows - c[0], cols - c[1]]).reshape(2, -1)
    return (d * image.reshape(-1)) @ d.T / image.sum()


def test_a_shifted_image_moves_its_centre_of_mass_by_the_shift():
    x = np.repeat(square(), 50, axis=0)
    aug = Augmentation(shift=4)
    # the shifts drawn are the first draws of the generator: (2, n) uniform(-4, 4)
    expected = np.random.default_rng(3).uniform(-4, 4, (2, 50))
    out = aug(x, np.random.default_rng(3))
    for i in range(50):
        moved = centre_of_mass(out[i, 0]) - centre_of_mass(x[i, 0])
        np.testing.assert_allclose(moved, expected[:, i], atol=1e-4)
    # bilinear interpolation keeps the ink of a shape that stays inside the image
    np.testing.assert_allclose(out.sum(axis=(1, 2, 3)), x.sum(axis=(1, 2, 3)), rtol=1e-5)


def test_an_integer_shift_moves_pixels_exactly():
    x = np.random.default_rng(0).random((1, 1, 28, 28)).astype(np.float32)

    class Fixed:
        def uniform(self, low, high, size):
            return np.full(size, 3.0)     # 3 pixels down and 3 right

    out = Augmentation(shift=3)(x, Fixed())
    np.testing.assert_array_equal(out[0, 0, 3:, 3:], x[0, 0, :-3, :-3])
    assert not out[0, 0, :3].any() and not out[0, 0, :, :3].any()    # black came in


def test_rotation_turns_a_bar_by_the_angle_about_the_centre():
    x = np.zeros((1, 1, 29, 29), np.float32)
    x[0, 0, 14, 4:25] = 1.0                         # a horizontal bar through the centre
    angle = np.random.default_rng(5).uniform(-30, 30, 1)[0]
    out = Augmentation(rotation=30)(x, np.random.default_rng(5))[0, 0]
    np.testing.assert_allclose(centre_of_mass(out), [14, 14], atol=1e-6)
    # the bar's main axis: its angle to the columns axis, in the image's (row down) frame
    values, vectors = np.linalg.eigh(second_moments(out))
    axis = vectors[:, np.argmax(values)]
    turned = np.degrees(np.arctan2(axis[0], axis[1]))
    turned = (turned + 90) % 180 - 90
    assert abs(abs(turned) - abs(angle)) < 1.0
    assert abs(angle) > 5                           # the seed draws a real rotation


def test_scale_grows_or_shrinks_a_shape_by_the_zoom_factor():
    x = np.zeros((1, 1, 28, 28), np.float32)
    x[0, 0, 8:20, 8:20] = 1.0
    zoom = np.random.default_rng(7).uniform(0.7, 1.3, 1)[0]
    out = Augmentation(scale=0.3)(x, np.random.default_rng(7))[0, 0]
    ratio = np.sqrt(np.trace(second_moments(out)) / np.trace(second_moments(x[0, 0])))
    assert ratio == pytest.approx(zoom, rel=0.03)
    assert abs(zoom - 1) > 0.05


def test_elastic_distortion_bends_strokes_smoothly_and_keeps_them_in_place():
    x = np.zeros((1, 1, 28, 28), np.float32)
    x[0, 0, 4:24, 13:15] = 1.0                     # a vertical stroke
    out = Augmentation(elastic=34)(x, np.random.default_rng(1))[0, 0]
    assert not np.allclose(out, x[0, 0], atol=0.05)  # it moved
    # smooth: a displacement of a pixel or two, not noise; the stroke keeps most of its ink
    np.testing.assert_allclose(centre_of_mass(out), centre_of_mass(x[0, 0]), atol=2.0)
    assert out.sum() == pytest.approx(x.sum(), rel=0.25)
    # the ink stays in one band around the original column
    assert out[:, :9].sum() + out[:, 19:].sum() < 0.02 * out.sum()


def test_same_generator_state_same_images_and_different_images_per_sample():
    x = np.repeat(square(), 8, axis=0)
    aug = Augmentation(shift=2, rotation=10, scale=0.1, elastic=20)
    first = aug(x, np.random.default_rng(42))
    second = aug(x, np.random.default_rng(42))
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, aug(x, np.random.default_rng(43)))
    assert len({first[i].tobytes() for i in range(8)}) == 8


def test_the_input_batch_is_not_modified_and_dtype_and_shape_are_kept():
    x = np.random.default_rng(0).random((4, 1, 28, 28)).astype(np.float32)
    before = x.copy()
    out = Augmentation(shift=2, rotation=15, elastic=10)(x, np.random.default_rng(0))
    np.testing.assert_array_equal(x, before)
    assert out.shape == x.shape and out.dtype == np.float32
    three_d = Augmentation(shift=2)(x[:, 0], np.random.default_rng(0))
    assert three_d.shape == (4, 28, 28)


def test_all_off_is_none_from_a_spec_and_a_copy_when_called():
    assert Augmentation.from_spec(None) is None
    assert Augmentation.from_spec({}) is None
    assert Augmentation.from_spec({"shift": 0, "elastic_sigma": 3}) is None
    assert Augmentation.from_spec({"shift": 1.5}) == Augmentation(shift=1.5)
    x = square()
    out = Augmentation()(x, np.random.default_rng(0))
    np.testing.assert_array_equal(out, x)
    assert out is not x


@pytest.mark.parametrize("kwargs, fragment", [
    ({"shift": -1}, "shift: must be a number >= 0"),
    ({"rotation": float("nan")}, "rotation: must be a number >= 0"),
    ({"scale": 1.0}, "scale: must be below 1"),
    ({"elastic_sigma": 0}, "elastic_sigma: must be a number > 0"),
])
def test_bad_strengths_are_refused_with_the_name_of_the_setting(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        Augmentation(**kwargs)


def test_a_batch_that_is_not_images_is_refused():
    with pytest.raises(ValueError, match="image batches"):
        Augmentation(shift=1)(np.zeros((4, 2), np.float32), np.random.default_rng(0))
