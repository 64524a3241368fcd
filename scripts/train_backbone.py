"""Train the project's offline RGB backbone shipped in assets/models/backbone.keras.

The task: name where a random crop comes from — one of scikit-image's / scikit-learn's
bundled photos and textures, or one of five coloured procedural patterns (stripes,
checkerboard, dots, star, hexagon). Crops are taken at random scales, flipped and
re-lit, so the filters learn natural edges, colours and textures rather than positions.
Accuracy is measured on crops from the right quarter of every photo, which training
never sees (and on freshly generated patterns).

The network is fully convolutional (named layers ``block1_conv`` … ``block5_conv``)
with a global-average-pool head, so its feature layers accept any image size — deep
dream, style transfer and transfer learning use it as a stand-in for ImageNet models.
Input: RGB float in [0, 255] (the model rescales internally).

Run: .venv/bin/python scripts/train_backbone.py  (a few minutes on 2 CPU cores)
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cv2
import numpy as np

from playground.core import images, shipped_models

SEED = 0
CROP_PX = 64  # training resolution; the model itself accepts any size
MIN_CROP, MAX_CROP = 32, 96  # side of the square cut from a photo before resizing to CROP_PX
PHOTO_MAX_SIDE = 512  # photos are first downscaled to this longer side
TEST_FRACTION = 0.25  # the right quarter of each photo is held out for testing
FILTERS = (32, 64, 128, 192, 256)
BATCH_SIZE = 64
STEPS_PER_EPOCH = 100
EPOCHS = 8
TEST_PER_CLASS = 100

# Bundled photos and textures (file in skimage.data, or "sklearn:" for scikit-learn's).
PHOTOS = {
    "astronaut": "astronaut.png",
    "cat": "chelsea.png",
    "coffee": "coffee.png",
    "rocket": "rocket.jpg",
    "motorcycle": "motorcycle_left.png",
    "temple": "sklearn:china.jpg",
    "flower": "sklearn:flower.jpg",
    "stained tissue": "ihc.png",
    "retina": "retina.jpg",
    "galaxies": "hubble_deep_field.jpg",
    "colour blobs": "color.png",
    "brick": "brick.png",
    "grass": "grass.png",
    "gravel": "gravel.png",
    "cameraman": "camera.png",
    "coins": "coins.png",
    "moon": "moon.png",
    "page": "page.png",
    "cells": "cell.png",
}
PATTERNS = ["stripes", "checkerboard", "dots", "star", "hexagon"]
CLASS_NAMES = list(PHOTOS) + PATTERNS


def load_photo(file: str) -> np.ndarray:
    """A bundled photo as RGB uint8, longer side at most PHOTO_MAX_SIDE."""
    if file.startswith("sklearn:"):
        import sklearn.datasets

        folder = Path(sklearn.datasets.__file__).parent / "images"
        file = file.removeprefix("sklearn:")
    else:
        import skimage.data

        folder = Path(skimage.data.__file__).parent
    rgb = images.decode_image((folder / file).read_bytes(), file)
    return images.resize_max(rgb, PHOTO_MAX_SIDE)


def split_photo(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(train part, test part): the test part is the right TEST_FRACTION of the columns."""
    cut = int(round(rgb.shape[1] * (1 - TEST_FRACTION)))
    return rgb[:, :cut], rgb[:, cut:]


def random_crop(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A square crop of random size and place, resized to CROP_PX."""
    height, width = rgb.shape[:2]
    side = int(rng.integers(MIN_CROP, min(MAX_CROP, height, width) + 1))
    top = int(rng.integers(0, height - side + 1))
    left = int(rng.integers(0, width - side + 1))
    crop = rgb[top : top + side, left : left + side]
    interpolation = cv2.INTER_AREA if side > CROP_PX else cv2.INTER_LINEAR
    return cv2.resize(crop, (CROP_PX, CROP_PX), interpolation=interpolation)


def random_colour(rng: np.random.Generator) -> tuple[int, int, int]:
    return tuple(int(v) for v in rng.integers(0, 256, 3))


def draw_pattern(kind: str, rng: np.random.Generator) -> np.ndarray:
    """A coloured procedural pattern (CROP_PX, CROP_PX, 3) uint8, drawn at 4x for anti-aliasing."""
    size = CROP_PX * 4
    canvas = np.empty((size, size, 3), np.uint8)
    canvas[:] = random_colour(rng)
    ink = random_colour(rng)
    period = int(rng.integers(24, 72))
    if kind in ("stripes", "checkerboard"):
        yy, xx = np.mgrid[:size, :size]
        angle = rng.uniform(0, np.pi)
        u = xx * np.cos(angle) + yy * np.sin(angle)
        on = (u // period) % 2 == 0
        if kind == "checkerboard":
            v = -xx * np.sin(angle) + yy * np.cos(angle)
            on ^= (v // period) % 2 == 0
        canvas[on] = ink
    elif kind == "dots":
        radius = int(period * rng.uniform(0.2, 0.4))
        for cy in range(int(rng.integers(0, period)), size, period):
            for cx in range(int(rng.integers(0, period)), size, period):
                cv2.circle(canvas, (cx, cy), radius, ink, -1, cv2.LINE_AA)
    else:
        centre = rng.uniform(0.35, 0.65, 2) * size
        radius = rng.uniform(0.2, 0.45) * size
        phase = rng.uniform(0, 2 * np.pi)
        if kind == "star":
            k = 10
            radii = np.where(np.arange(k) % 2 == 0, radius, radius * rng.uniform(0.35, 0.55))
        else:
            k = 6
            radii = np.full(k, radius)
        angles = phase + np.arange(k) * 2 * np.pi / k
        points = np.stack([centre[0] + radii * np.cos(angles), centre[1] + radii * np.sin(angles)], 1)
        cv2.fillPoly(canvas, [points.astype(np.int32)], ink, cv2.LINE_AA)
    return cv2.resize(canvas, (CROP_PX, CROP_PX), interpolation=cv2.INTER_AREA)


def augment(crop: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random flips and a mild brightness/contrast change (hue kept: colour is a cue)."""
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    if rng.random() < 0.5:
        crop = crop[::-1]
    gain, offset = rng.uniform(0.8, 1.2), rng.uniform(-20, 20)
    return np.clip(crop.astype(np.float32) * gain + offset, 0, 255)


def sample_batch(
    parts: list[np.ndarray], n: int, rng: np.random.Generator, augmented: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """n labelled examples: crops of ``parts[label]`` for photos, fresh drawings for patterns.

    Returns x float32 (n, CROP_PX, CROP_PX, 3) in [0, 255] and y int64 (n,).
    """
    labels = rng.integers(0, len(CLASS_NAMES), n)
    batch = np.empty((n, CROP_PX, CROP_PX, 3), np.float32)
    for i, label in enumerate(labels):
        crop = random_crop(parts[label], rng) if label < len(parts) else draw_pattern(PATTERNS[label - len(parts)], rng)
        batch[i] = augment(crop, rng) if augmented else crop
    return batch, labels.astype(np.int64)


def build_model(num_classes: int):
    """Five 3x3 conv blocks (ReLU, 2x2 max-pool between) → global average pool → softmax."""
    import keras

    inputs = keras.Input((None, None, 3), name="rgb_0_255")
    x = keras.layers.Rescaling(1 / 127.5, offset=-1.0, name="rescale")(inputs)
    for block, filters in enumerate(FILTERS, start=1):
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv")(x)
        if block < len(FILTERS):
            x = keras.layers.MaxPooling2D(name=f"block{block}_pool")(x)
    x = keras.layers.GlobalAveragePooling2D(name="global_pool")(x)
    x = keras.layers.Dropout(0.3, name="dropout")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="backbone")


def main() -> None:
    import keras

    keras.utils.set_random_seed(SEED)
    photos = [load_photo(file) for file in PHOTOS.values()]
    train_parts, test_parts = zip(*(split_photo(p) for p in photos))
    test_x, test_y = sample_batch(
        list(test_parts), TEST_PER_CLASS * len(CLASS_NAMES), np.random.default_rng(SEED + 1), augmented=False
    )

    class Crops(keras.utils.PyDataset):
        """Endless fresh random crops: every batch is new, so the net cannot memorise."""

        def __init__(self):
            super().__init__()
            self.rng = np.random.default_rng(SEED)

        def __len__(self):
            return STEPS_PER_EPOCH

        def __getitem__(self, index):
            return sample_batch(list(train_parts), BATCH_SIZE, self.rng)

    model = build_model(len(CLASS_NAMES))
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    schedule = keras.callbacks.ReduceLROnPlateau("loss", factor=0.5, patience=1)
    started = time.time()
    model.fit(Crops(), epochs=EPOCHS, validation_data=(test_x, test_y), callbacks=[schedule], verbose=2)
    loss, accuracy = model.evaluate(test_x, test_y, verbose=0)
    print(
        f"held_out_accuracy={accuracy:.4f} held_out_loss={loss:.4f} classes={len(CLASS_NAMES)} "
        f"chance={1 / len(CLASS_NAMES):.3f} train_seconds={time.time() - started:.0f}"
    )
    save(model, shipped_models.SHIPPED["backbone"].path)


def save(model, path: Path) -> None:
    """Save the weights in an uncompiled copy (no optimizer state: a third of the size)
    and the class names next to it (``backbone.classes.json``)."""
    import json

    bare = build_model(len(CLASS_NAMES))
    bare.set_weights(model.get_weights())
    path.parent.mkdir(parents=True, exist_ok=True)
    bare.save(path)
    path.with_suffix(".classes.json").write_text(json.dumps(CLASS_NAMES, indent=1) + "\n")
    print(f"saved {path} ({path.stat().st_size / 2**20:.1f} MB) and its class names")


if __name__ == "__main__":
    main()
