"""Safe decoding of uploaded images, sample images, and resizing helpers.

Every upload in the app goes through :func:`decode_image`, which either returns an
RGB ``uint8`` array of shape (H, W, 3) or raises :class:`ImageError` with a message
fit to show a user.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

# Beyond this many pixels an upload is refused (decompression bombs); 40 Mpx covers
# any phone photo.
MAX_PIXELS = 40_000_000
# Formats Pillow may decode for us; everything else is refused by name.
ALLOWED_FORMATS = {"PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF", "MPO"}
UPLOAD_TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"]

_SKIMAGE_SAMPLES = {
    "astronaut": "astronaut.png",
    "chelsea (cat)": "chelsea.png",
    "coffee": "coffee.png",
    "camera": "camera.png",
    "rocket": "rocket.jpg",
    "horse": "horse.png",
    "coins": "coins.png",
    "moon": "moon.png",
    "brick": "brick.png",
    "grass": "grass.png",
    "gravel": "gravel.png",
    "chessboard": "chessboard_GRAY.png",
    "text": "text.png",
}
SAMPLE_NAMES = list(_SKIMAGE_SAMPLES)


class ImageError(ValueError):
    """An image that cannot be used; the message is meant for the user."""


def decode_image(data: bytes, name: str = "upload", max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Decode image bytes to RGB uint8, refusing anything unsafe or unreadable.

    Normalises EXIF orientation, grayscale, palette, RGBA (composited on white),
    16-bit, CMYK and animated images (first frame).

    Parameters
    ----------
    data : bytes
        The file's contents.
    name : str
        File name, used only in messages.
    max_pixels : int
        Largest width*height accepted.

    Returns
    -------
    ndarray, shape (H, W, 3), dtype uint8
    """
    if not data:
        raise ImageError(f"'{name}' is empty (0 bytes).")
    limit = f"the limit is {max_pixels / 1e6:.0f} megapixels; please downscale it first"
    try:
        # Image.open reads only the header, so the size check runs before any decoding.
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        if width * height > max_pixels:
            raise ImageError(f"'{name}' is {width}x{height} pixels; {limit}.")
        if image.format not in ALLOWED_FORMATS:
            raise ImageError(f"'{name}' is a {image.format} file; use PNG, JPEG, GIF, BMP, WebP or TIFF.")
        image.seek(0)  # animated GIF/WebP/TIFF: first frame
        image.load()
    except ImageError:
        raise
    except Image.DecompressionBombError:  # Pillow's own, stricter-than-header guard
        raise ImageError(f"'{name}' is far too large (a decompression bomb?); {limit}.") from None
    except UnidentifiedImageError:
        raise ImageError(f"'{name}' is not an image we can read (is it really a picture?).") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(f"'{name}' looks damaged or truncated ({exc}).") from None
    return pil_to_rgb(image)


def pil_to_rgb(image: Image.Image) -> np.ndarray:
    """Convert any Pillow image to an upright RGB uint8 array (H, W, 3)."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        wide = np.asarray(image, dtype=np.float64)
        top = wide.max() if wide.max() > 255 else 255.0
        gray = np.clip(wide / top * 255.0, 0, 255).astype(np.uint8)
        return np.repeat(gray[..., None], 3, axis=2)
    if image.mode == "F":
        wide = np.asarray(image, dtype=np.float64)
        span = float(wide.max() - wide.min()) or 1.0
        gray = ((wide - wide.min()) / span * 255.0).astype(np.uint8)
        return np.repeat(gray[..., None], 3, axis=2)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image)
    return np.ascontiguousarray(np.asarray(image.convert("RGB"), dtype=np.uint8))


def sample_image(name: str) -> np.ndarray:
    """One of scikit-image's bundled samples as RGB uint8 (H, W, 3); works offline."""
    if name not in _SKIMAGE_SAMPLES:
        raise ImageError(f"Unknown sample '{name}'; choose one of {', '.join(SAMPLE_NAMES)}.")
    import skimage.data

    path = Path(skimage.data.__file__).parent / _SKIMAGE_SAMPLES[name]
    return decode_image(path.read_bytes(), name)


def resize_max(image: np.ndarray, max_side: int) -> np.ndarray:
    """Downscale so the longer side is at most ``max_side`` pixels (area filter); never upscale."""
    height, width = image.shape[:2]
    scale = max_side / max(height, width)
    if scale >= 1:
        return image
    import cv2

    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def resize_to(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize to exactly (height, width), with area filtering when shrinking."""
    import cv2

    height, width = size
    shrinking = height * width < image.shape[0] * image.shape[1]
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(image, (width, height), interpolation=interpolation)


def to_gray(image: np.ndarray) -> np.ndarray:
    """RGB uint8 (H, W, 3) → grayscale uint8 (H, W) with ITU-R 601 weights (as OpenCV)."""
    if image.ndim == 2:
        return image
    import cv2

    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def to_float(image: np.ndarray) -> np.ndarray:
    """uint8 image → float32 in [0, 1], same shape."""
    return image.astype(np.float32) / 255.0


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Float image in [0, 1] (values outside are clipped) → uint8, same shape."""
    return (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    """ "#rrggbb" → (r, g, b) integers 0-255."""
    color = color.lstrip("#")
    return tuple(int(color[i : i + 2], 16) for i in (0, 2, 4))


def as_rgb_uint8(image: np.ndarray) -> np.ndarray:
    """(H, W), (H, W, 1) or (H, W, 3), floats in [0, 1] or uint8 → RGB uint8 (H, W, 3)."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.dtype != np.uint8:
        image = to_uint8(image)
    return np.repeat(image[..., None], 3, axis=2) if image.ndim == 2 else image


def tile(images: Sequence[np.ndarray], cols: int, pad: int = 1, scale: int = 1, background: int = 255) -> np.ndarray:
    """Equal-sized images (see :func:`as_rgb_uint8`) on one grid, row by row, with scikit-image's
    ``montage``: RGB uint8 (rows*(H+pad)-pad, cols*(W+pad)-pad, 3) times ``scale`` (nearest
    neighbour, crisp when small), ``background`` grey level between and after the cells."""
    from skimage.util import montage

    rgb = np.stack([as_rgb_uint8(image) for image in images])
    cols = max(1, min(cols, len(rgb)))
    rows = -(-len(rgb) // cols)
    canvas = montage(rgb, fill=(background,) * 3, grid_shape=(rows, cols), padding_width=pad, channel_axis=-1)
    canvas = canvas[pad : canvas.shape[0] - pad, pad : canvas.shape[1] - pad].astype(np.uint8)
    return canvas.repeat(scale, axis=0).repeat(scale, axis=1) if scale > 1 else canvas


Box = tuple[int, int, int, int]  # x, y, width, height in pixels


def draw_boxes(
    image: np.ndarray,
    labelled: Sequence[tuple[Box, str, tuple[int, int, int]]],
    text_colour: tuple[int, int, int] = (255, 255, 255),
    boxes: bool = True,
    labels: bool = True,
    label_scale_by_box: bool = False,
) -> np.ndarray:
    """A copy of a 3-channel uint8 image with each ``(box, label, colour)`` drawn: a rectangle, and
    the label on a filled tag above it (below at the top edge). All boxes go first, so no box
    covers a neighbour's tag; tags of coinciding boxes stack instead of hiding each other. Tag
    text grows with the image, or with each box when ``label_scale_by_box``."""
    import cv2

    canvas = image.copy()
    height = image.shape[0]
    thickness = max(2, round(max(image.shape[:2]) / 300))
    if boxes:
        for (x, y, w, h), _, colour in labelled:
            cv2.rectangle(canvas, (x, y), (x + w, y + h), colour, thickness, cv2.LINE_AA)
    if not labels:
        return canvas
    placed: list[tuple[int, int, int, int]] = []  # tags drawn so far (x0, y0, x1, y1)

    def overlaps(x0, y0, x1, y1):
        return any(x0 < px1 and px0 < x1 and y0 < py1 and py0 < y1 for px0, py0, px1, py1 in placed)

    for (x, y, w, h), label, colour in labelled:
        scale = max(0.5, min(1.2, w / 160)) if label_scale_by_box else max(0.4, thickness / 4)
        weight = 2 if label_scale_by_box else 1
        (tw, th), base = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, weight)
        tag_h, tag_w = th + base + 4, tw + 6
        top, step = (y - tag_h, -tag_h) if y - tag_h >= 0 else (min(y + h, height - tag_h), tag_h)
        while overlaps(x, top, x + tag_w, top + tag_h):
            if top + step < 0:
                top, step = y + h, tag_h  # the next tag lands just below the box
            elif top + step + tag_h > height:
                break
            else:
                top += step
        placed.append((x, top, x + tag_w, top + tag_h))
        cv2.rectangle(canvas, (x, top), (x + tag_w, top + tag_h), colour, cv2.FILLED)
        cv2.putText(
            canvas, label, (x + 3, top + th + 2), cv2.FONT_HERSHEY_SIMPLEX, scale, text_colour, weight, cv2.LINE_AA
        )
    return canvas


def pixelated(image: np.ndarray, side: int) -> np.ndarray:
    """``image`` (H, W[, C]) resized to ``side`` x ``side`` by nearest neighbour, so that a small
    network input shows its pixels instead of a blur."""
    import cv2

    return cv2.resize(image, (side, side), interpolation=cv2.INTER_NEAREST)


def png_data_uri(rgb: np.ndarray) -> str:
    """RGB uint8 (H, W, 3) → ``data:image/png;base64,…`` for ``go.Image(source=...)`` and HTML.

    OpenCV with light compression: several times faster than Pillow's default for maps that
    change on every slider move."""
    import cv2

    _ok, encoded = cv2.imencode(".png", np.ascontiguousarray(rgb[..., ::-1]), [cv2.IMWRITE_PNG_COMPRESSION, 1])
    return "data:image/png;base64," + base64.b64encode(encoded.tobytes()).decode()


def outline(image: np.ndarray, top: int, left: int, height: int, width: int, colour, thickness: int = 2) -> np.ndarray:
    """A copy of an RGB uint8 image (H, W, 3), or of a gray one made RGB, with a ``thickness``-pixel
    frame drawn just inside the rectangle at (top, left) of ``height`` x ``width`` pixels."""
    rgb = np.repeat(image[..., None], 3, axis=2) if image.ndim == 2 else image.copy()
    bottom, right = top + height, left + width
    rgb[top : top + thickness, left:right] = colour
    rgb[bottom - thickness : bottom, left:right] = colour
    rgb[top:bottom, left : left + thickness] = colour
    rgb[top:bottom, right - thickness : right] = colour
    return rgb


def tile_cell(index: int, cols: int, cell: tuple[int, int], pad: int = 1, scale: int = 1) -> tuple[int, int, int, int]:
    """``(top, left, height, width)`` in pixels of cell ``index`` of a :func:`tile` canvas whose
    cells are ``cell`` = (H, W) images laid out ``cols`` to a row."""
    row, col = divmod(index, cols)
    height, width = cell
    return row * (height + pad) * scale, col * (width + pad) * scale, height * scale, width * scale


def encode_png(image: np.ndarray) -> bytes:
    """uint8 (H, W) or (H, W, 3) array → PNG bytes, for downloads."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()
