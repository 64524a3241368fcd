"""Builders of awkward and hostile uploads, shared by the unit tests and the browser tests.

Each builder returns the file's bytes. :func:`image_table` and :func:`model_table` give
the named tables the bad-upload browser test walks through; ``expect`` says whether a
correct result (``"image"`` with its decoded width x height) or a refusal (``"refused"``)
is the right answer.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np
from PIL import Image

from tests.conftest import png_bytes

JPEG_EXIF_ORIENTATION = 0x0112


@dataclass(frozen=True)
class Upload:
    """One file to upload: its name, MIME type, bytes and what a page should do with it.

    ``size`` is the decoded (width, height) for files that must be accepted, None for
    files that must be refused with a message.
    """

    name: str
    mime: str
    data: bytes
    size: tuple[int, int] | None = None

    @property
    def accepted(self) -> bool:
        return self.size is not None

    def as_playwright(self) -> dict:
        return {"name": self.name, "mimeType": self.mime, "buffer": self.data}


def pil_bytes(image: Image.Image, fmt: str, **kwargs) -> bytes:
    """``image`` encoded as ``fmt`` (PNG, JPEG, GIF, ...) with Pillow's save options."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def huge_png_header(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height (a decompression bomb's first bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def random_bytes(count: int = 2000, seed: int = 0) -> bytes:
    return bytes(np.random.default_rng(seed).integers(0, 256, count, dtype=np.uint8))


def text_bytes() -> bytes:
    return b"hello, I am a text file\n" * 20


def photo(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A noisy RGB uint8 photo (H, W, 3) with a smooth gradient, so JPEG keeps structure."""
    ramp = np.linspace(0, 200, width)[None, :, None] + np.linspace(0, 50, height)[:, None, None]
    return np.clip(ramp + rng.integers(0, 56, (height, width, 3)), 0, 255).astype(np.uint8)


def truncated_jpeg(rng: np.random.Generator) -> bytes:
    data = pil_bytes(Image.fromarray(photo(rng, 64, 64)), "JPEG")
    return data[: len(data) // 2]


def sixteen_bit_png() -> bytes:
    wide = np.linspace(0, 65535, 64 * 48, dtype=np.uint16).reshape(48, 64)
    return pil_bytes(Image.fromarray(wide), "PNG")


def cmyk_jpeg(rng: np.random.Generator, height: int = 40, width: int = 56) -> bytes:
    cmyk = Image.fromarray(photo(rng, height, width)).convert("CMYK")
    return pil_bytes(cmyk, "JPEG", quality=95)


def animated_gif(colours=((255, 0, 0), (0, 0, 255)), size: tuple[int, int] = (6, 6)) -> bytes:
    frames = [Image.new("RGB", size, colour) for colour in colours]
    return pil_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)


def rgba_png(height: int = 4, width: int = 4) -> bytes:
    """Top half opaque red, bottom half fully transparent."""
    rgba = np.zeros((height, width, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[: height // 2, :, 3] = 255
    return png_bytes(rgba)


def exif_rotated_jpeg(rng: np.random.Generator, height: int = 10, width: int = 30) -> bytes:
    """A width x height JPEG whose EXIF says 'rotate 90 degrees clockwise to display'."""
    exif = Image.Exif()
    exif[JPEG_EXIF_ORIENTATION] = 6
    return pil_bytes(Image.fromarray(photo(rng, height, width)), "JPEG", exif=exif.tobytes(), quality=100)


def zip_bomb(member: str = "cats/cat.png", unpacked_mb: int = 100) -> bytes:
    """A ~100 kB zip whose single ``member`` inflates to ``unpacked_mb`` MB of zeros."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(member, "w", force_zip64=True) as member_file,
    ):
        block = b"\0" * 2**20
        for _ in range(unpacked_mb):
            member_file.write(block)
    return buffer.getvalue()


def keras_model_bytes(lambda_layer: bool, suffix: str) -> bytes:
    """A tiny image classifier saved as ``.keras`` or legacy ``.h5``; optionally with a Lambda layer.

    Imports Keras (slow): call it once per session.
    """
    import tempfile
    from pathlib import Path

    import keras

    layers = [keras.Input((8, 8, 1)), keras.layers.Flatten()]
    if lambda_layer:
        layers.append(keras.layers.Lambda(lambda x: x * 2.0))
    layers.append(keras.layers.Dense(3, activation="softmax"))
    model = keras.Sequential(layers)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"model{suffix}"
        model.save(path)
        return path.read_bytes()


def image_table(seed: int = 0) -> list[Upload]:
    """Every awkward image upload, with the size a correct decoder gives or None for a refusal."""
    rng = np.random.default_rng(seed)
    gray = rng.integers(0, 256, (20, 12), dtype=np.uint8)
    return [
        Upload("empty.png", "image/png", b""),
        Upload("random_bytes.png", "image/png", random_bytes()),
        Upload("notes.txt", "text/plain", text_bytes()),
        Upload("truncated.jpg", "image/jpeg", truncated_jpeg(rng)),
        Upload("one_pixel.png", "image/png", png_bytes(np.full((1, 1, 3), 7, np.uint8)), (1, 1)),
        Upload("bomb_20000x20000.png", "image/png", huge_png_header(20000, 20000)),
        Upload("sixteen_bit.png", "image/png", sixteen_bit_png(), (64, 48)),
        Upload("cmyk.jpg", "image/jpeg", cmyk_jpeg(rng), (56, 40)),
        Upload("animated.gif", "image/gif", animated_gif(), (6, 6)),
        Upload("rgba.png", "image/png", rgba_png(), (4, 4)),
        Upload("gray.png", "image/png", png_bytes(gray), (12, 20)),
        Upload("exif_rotated.jpg", "image/jpeg", exif_rotated_jpeg(rng), (10, 30)),
    ]


def model_table() -> list[Upload]:
    """Model uploads that a safe loader must refuse (Lambda layer, legacy HDF5, non-zips, a zip bomb)."""
    return [
        Upload("lambda_layer.keras", "application/octet-stream", keras_model_bytes(True, ".keras")),
        Upload("legacy.h5", "application/x-hdf5", keras_model_bytes(False, ".h5")),
        Upload("not_a_zip.keras", "application/octet-stream", random_bytes(4000, seed=1)),
        Upload("empty.keras", "application/octet-stream", b""),
        Upload("zip_bomb.keras", "application/zip", zip_bomb("config.json")),
    ]


def zip_table() -> list[Upload]:
    """Class-folder zip uploads that must be refused with a message."""
    return [
        Upload("not_a_zip.zip", "application/zip", random_bytes(4000, seed=2)),
        Upload("empty.zip", "application/zip", b""),
        Upload("zip_bomb.zip", "application/zip", zip_bomb()),
    ]
