"""Shared fixtures: small images made on the fly for every test layer."""
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


def png_bytes(array: np.ndarray, **save_kwargs) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG", **save_kwargs)
    return buffer.getvalue()


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
