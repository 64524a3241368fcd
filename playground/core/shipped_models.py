"""Models that ship with the project in ``assets/models/``, each rebuilt by a script in ``scripts/``.

Pages use :func:`shared` (one instance per process, for inference); :func:`load` gives a fresh copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playground.core import errors
from playground.core.cache import per_process
from playground.core.paths import ASSETS_DIR

MODELS_DIR = ASSETS_DIR / "models"


class ModelUnavailable(ValueError):
    """A model cannot be loaded here (e.g. no internet for ImageNet weights); message is for the user."""


def imagenet_features(application: str, what: str):
    """``keras.applications.<application>`` without its classifier head, with ImageNet weights
    (downloaded by Keras once, then cached); :class:`ModelUnavailable` saying why when the
    download fails. ``what`` names the download for the message."""
    import keras

    try:
        return getattr(keras.applications, application)(weights="imagenet", include_top=False)
    except Exception as exc:  # URLError, OSError, HTTPError, ... depending on the network
        raise imagenet_unavailable(what, exc) from None


def imagenet_unavailable(what: str, exc: BaseException) -> ModelUnavailable:
    """The error for ImageNet weights (``what``, e.g. "VGG19 ImageNet weights (80 MB)") that Keras
    could not download, saying why and what to do instead."""
    return ModelUnavailable(
        f"Could not download the {what}: {errors.download_reason(exc)}. Connect to the internet once "
        "(Keras caches it in ~/.keras/models) or use the offline backbone."
    )


@dataclass(frozen=True)
class ShippedModel:
    """A model file in ``assets/models`` and the script that regenerates it."""

    file: str
    script: str
    description: str

    @property
    def path(self) -> Path:
        return MODELS_DIR / self.file


SHIPPED = {
    "fashion_cnn": ShippedModel(
        "fashion_cnn.keras",
        "scripts/train_fashion_cnn.py",
        "small CNN trained on Fashion-MNIST (28x28 grayscale, 10 classes)",
    ),
    "backbone": ShippedModel(
        "backbone.keras",
        "scripts/train_backbone.py",
        "offline RGB backbone: 5 conv blocks (block1_conv … block5_conv, any image size, input RGB "
        "0-255) + global pool, trained to tell which of 19 bundled photos/textures or 5 coloured "
        "patterns a crop comes from (78% on crops from held-out parts of the photos, chance 4%)",
    ),
    "fashion_gan_generator": ShippedModel(
        "fashion_gan_generator.keras",
        "scripts/train_gan.py",
        "class-conditional DCGAN generator for Fashion-MNIST (z: 64 + one-hot class -> 28x28 in [-1, 1])",
    ),
    "fashion_gan_discriminator": ShippedModel(
        "fashion_gan_discriminator.keras",
        "scripts/train_gan.py",
        "its discriminator (28x28 image in [-1, 1] + one-hot class -> logit of 'real')",
    ),
}


def load(name: str):
    """Load a shipped Keras model by name (safe mode, no custom code)."""
    import keras

    model = SHIPPED[name]
    if not model.path.exists():
        raise FileNotFoundError(f"{model.path} is missing; rebuild it with `python {model.script}`.")
    return keras.models.load_model(model.path, compile=False, safe_mode=True)


@per_process
def shared(name: str):
    """The shipped model ``name``, loaded once per process and shared by every page and session:
    for inference and feature extraction only (train a copy)."""
    return load(name)
