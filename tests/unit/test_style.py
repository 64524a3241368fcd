"""Style transfer without TensorFlow: preparing the image pair, the time estimate, painted styles."""

import numpy as np
import pytest

from playground.lessons import style


def test_identical_content_and_style_are_refused(rng):
    picture = rng.integers(0, 256, (60, 80, 3)).astype(np.uint8)
    with pytest.raises(ValueError, match="same picture"):
        style.prepare_images(picture, picture.copy(), 40)


def test_mismatched_sizes_and_gray_style_are_handled_with_notes(rng):
    content = rng.integers(0, 256, (300, 200, 3)).astype(np.uint8)
    gray = np.repeat(rng.integers(0, 256, (90, 500, 1)).astype(np.uint8), 3, axis=2)
    small_content, small_style, notes = style.prepare_images(content, gray, 120)
    assert small_content.shape == (120, 80, 3)
    # The style keeps its own aspect ratio and covers about the content's area.
    assert abs(small_style.shape[0] * small_style.shape[1] - 120 * 80) < 0.05 * 120 * 80
    assert small_style.shape[1] / small_style.shape[0] == pytest.approx(500 / 90, rel=0.1)
    assert any("→" in note for note in notes)
    assert any("grayscale" in note for note in notes)


def test_same_picture_at_another_resolution_is_refused_too():
    from playground.core import images

    cat = images.sample_image("chelsea (cat)")
    with pytest.raises(ValueError, match="same picture"):
        style.prepare_images(cat, images.resize_max(cat, 200), 128)


def test_estimate_grows_with_steps_and_pixels_and_prefers_a_measured_rate():
    base = style.estimate_seconds("Offline backbone", (256, 256), 100)
    rate = style.SECONDS_PER_MEGAPIXEL_STEP["Offline backbone"]
    assert base == pytest.approx(style.SETUP_SECONDS + 100 * 256 * 256 / 1e6 * rate)
    assert style.estimate_seconds("Offline backbone", (256, 256), 200) - style.SETUP_SECONDS == pytest.approx(
        2 * (base - style.SETUP_SECONDS)
    )
    assert style.estimate_seconds("VGG19", (256, 256), 100) > 10 * base
    measured = style.estimate_seconds("Offline backbone", (1000, 1000), 10, seconds_per_megapixel_step=0.5)
    assert measured == pytest.approx(style.SETUP_SECONDS + 5.0)


def test_painted_styles_ship_as_coloured_images():
    names = style.painted_style_names()
    assert {"bold strokes", "mosaic", "waves", "pointillism"} <= set(names)
    for name in names:
        image = style.painted_style(name)
        assert image.dtype == np.uint8 and image.shape[2] == 3 and image.std(axis=2).mean() > 5
    with pytest.raises(ValueError, match="No style image 'picasso'"):
        style.painted_style("picasso")
