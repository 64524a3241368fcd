"""The safe decoder: every bad upload is refused with a message; good ones match OpenCV's decoding."""

import cv2
import numpy as np
import pytest
from PIL import Image

from playground.core import images
from playground.core.images import ImageError, decode_image
from tests.badfiles import (
    animated_gif,
    cmyk_jpeg,
    exif_rotated_jpeg,
    huge_png_header,
    pil_bytes,
    random_bytes,
    rgba_png,
    sixteen_bit_png,
    text_bytes,
    truncated_jpeg,
)
from tests.conftest import png_bytes


def opencv_rgb(data: bytes) -> np.ndarray:
    """Independent reference: OpenCV's decoder (applies EXIF orientation too), as RGB."""
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"", "empty"),
        (random_bytes(), "not an image"),
        (text_bytes(), "not an image"),
    ],
)
def test_refuses_non_images(data, fragment):
    with pytest.raises(ImageError, match=fragment):
        decode_image(data, "upload.png")


def test_refuses_truncated_jpeg(rng):
    with pytest.raises(ImageError, match="damaged or truncated"):
        decode_image(truncated_jpeg(rng), "cut.jpg")


@pytest.mark.parametrize(
    "width, height, fragment",
    [
        (20000, 20000, "decompression bomb"),  # past Pillow's own guard
        (10000, 5000, "10000x5000 pixels; the limit is 40 megapixels"),  # past ours only
    ],
)
def test_refuses_huge_images_without_decoding(width, height, fragment):
    with pytest.raises(ImageError, match=fragment):
        decode_image(huge_png_header(width, height), "bomb.png")


def test_refuses_unsupported_format():
    data = pil_bytes(Image.new("RGB", (8, 8)), "ICO")
    with pytest.raises(ImageError, match="ICO"):
        decode_image(data, "icon.ico")


def test_rgb_png_matches_opencv(rng):
    photo = rng.integers(0, 256, (31, 47, 3), dtype=np.uint8)
    data = png_bytes(photo)
    np.testing.assert_array_equal(decode_image(data), opencv_rgb(data))


def test_grayscale_and_one_pixel(rng):
    gray = rng.integers(0, 256, (20, 10), dtype=np.uint8)
    out = decode_image(png_bytes(gray))
    assert out.shape == (20, 10, 3) and out.dtype == np.uint8
    np.testing.assert_array_equal(out, opencv_rgb(png_bytes(gray)))
    assert decode_image(png_bytes(np.full((1, 1, 3), 7, np.uint8))).shape == (1, 1, 3)


def test_rgba_composited_on_white():
    out = decode_image(rgba_png(4, 4))  # top half opaque (200, 0, 0), bottom half transparent
    np.testing.assert_array_equal(out[0, 0], [200, 0, 0])
    np.testing.assert_array_equal(out[3, 0], [255, 255, 255])


def test_16_bit_png_scaled_to_8_bit():
    data = sixteen_bit_png()
    out = decode_image(data)
    reference = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED).astype(float) / 65535 * 255
    np.testing.assert_allclose(out[..., 0], reference, atol=1.0)


def test_cmyk_jpeg_converted(rng):
    data = cmyk_jpeg(rng, 16, 16)
    out = decode_image(data)
    assert out.shape == (16, 16, 3)
    # OpenCV reads CMYK JPEGs too; both undo the same (lossy) conversion.
    assert np.abs(out.astype(int) - opencv_rgb(data).astype(int)).mean() < 3


def test_animated_gif_first_frame():
    out = decode_image(animated_gif(((255, 0, 0), (0, 0, 255)), (6, 6)), "anim.gif")  # red, then blue
    assert out.shape == (6, 6, 3)
    assert out[..., 0].mean() > 200 and out[..., 2].mean() < 50


def test_exif_rotation_applied_like_opencv(rng):
    data = exif_rotated_jpeg(rng, 10, 30)  # orientation 6: rotate 90 degrees clockwise to display
    out = decode_image(data)
    assert out.shape == (30, 10, 3)
    assert np.abs(out.astype(int) - opencv_rgb(data).astype(int)).mean() < 2


def test_samples_are_rgb_uint8():
    for name in ("astronaut", "camera", "brick"):
        image = images.sample_image(name)
        assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8
    with pytest.raises(ImageError, match="nope"):
        images.sample_image("nope")


def test_resize_helpers():
    image = np.zeros((400, 1000, 3), np.uint8)
    assert images.resize_max(image, 500).shape == (200, 500, 3)
    assert images.resize_max(image, 2000) is image
    assert images.resize_to(image, (32, 64)).shape == (32, 64, 3)
    assert images.to_gray(image).shape == (400, 1000)
    np.testing.assert_array_equal(images.to_uint8(images.to_float(image)), image)
    assert images.encode_png(image[:4, :4]).startswith(b"\x89PNG")


def test_draw_boxes_stacks_the_tags_of_coinciding_boxes_and_keeps_the_input():
    image = np.zeros((200, 200, 3), np.uint8)
    box = (60, 80, 60, 60)
    drawn = images.draw_boxes(image, [(box, "first", (255, 0, 0)), (box, "second", (0, 0, 255))])
    assert not image.any()
    tag_rows = [y for y in range(80) if (drawn[y, 62] == (255, 0, 0)).all() or (drawn[y, 62] == (0, 0, 255)).all()]
    red_rows = [y for y in tag_rows if drawn[y, 62, 0] == 255]
    blue_rows = [y for y in tag_rows if drawn[y, 62, 2] == 255]
    assert red_rows and blue_rows and max(blue_rows) < min(red_rows)  # the second tag sits above the first
    assert images.draw_boxes(image, [(box, "x", (0, 255, 0))], boxes=False, labels=False).max() == 0


def test_outline_matches_an_opencv_rectangle_and_keeps_the_input():
    image = np.random.default_rng(0).integers(0, 255, (40, 50, 3), dtype=np.uint8)
    framed = images.outline(image, 5, 7, 20, 30, (245, 158, 11), thickness=1)
    reference = cv2.rectangle(image.copy(), (7, 5), (7 + 30 - 1, 5 + 20 - 1), (245, 158, 11), 1)
    np.testing.assert_array_equal(framed, reference)
    assert images.outline(image[..., 0], 0, 0, 10, 10, (1, 2, 3)).shape == (40, 50, 3)
    assert not np.array_equal(framed, image)


def test_tile_cell_finds_each_image_on_the_tiled_canvas():
    cells = [np.full((6, 4, 3), value, np.uint8) for value in (10, 20, 30, 40, 50)]
    canvas = images.tile(cells, cols=3, pad=2, scale=3)
    for index, cell in enumerate(cells):
        top, left, height, width = images.tile_cell(index, 3, (6, 4), pad=2, scale=3)
        assert (canvas[top : top + height, left : left + width] == cell[0, 0]).all()
        assert height == 18 and width == 12
