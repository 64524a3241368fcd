"""Keras helpers that several lessons share: optimizers by name, batched class probabilities,
a model as ``.keras`` bytes. Keras is imported inside each function."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np

OPTIMIZERS = ["Adam", "SGD", "SGD + momentum", "RMSprop"]


def make_optimizer(name: str, learning_rate: float):
    """A Keras optimizer by display name (see :data:`OPTIMIZERS`)."""
    import keras

    if not (learning_rate > 0 and math.isfinite(learning_rate)):
        raise ValueError(f"The learning rate must be a positive number, got {learning_rate}.")
    if name == "Adam":
        return keras.optimizers.Adam(learning_rate)
    if name == "SGD":
        return keras.optimizers.SGD(learning_rate)
    if name == "SGD + momentum":
        return keras.optimizers.SGD(learning_rate, momentum=0.9)
    if name == "RMSprop":
        return keras.optimizers.RMSprop(learning_rate)
    raise ValueError(f"Unknown optimizer '{name}'; choose one of {', '.join(OPTIMIZERS)}.")


def predict_probabilities(model, images: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Class probabilities (N, K) for float32 images (N, H, W, C), in batches without ``predict``'s overhead."""
    import keras

    outputs = [
        keras.ops.convert_to_numpy(model(images[i : i + batch_size], training=False))
        for i in range(0, len(images), batch_size)
    ]
    return np.concatenate(outputs).astype(np.float32) if outputs else np.zeros((0, model.output_shape[-1]), np.float32)


def model_bytes(model) -> bytes:
    """The model as a ``.keras`` file's bytes (for a download button)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()
