"""Shared fixtures: small images made on the fly for every test layer."""

import glob
import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
JEMALLOC = next(iter(sorted(glob.glob("/usr/lib/*/libjemalloc.so.2"))), None)


def environment_with_allocator(allocator: str) -> dict[str, str]:
    """This process's environment for a child that runs on ``allocator``: 'glibc' (no
    LD_PRELOAD) or 'jemalloc' (preloaded; the test is skipped where it is not installed)."""
    env = {name: value for name, value in os.environ.items() if name != "LD_PRELOAD"}
    if allocator == "jemalloc":
        if JEMALLOC is None:
            pytest.skip("jemalloc is not installed (Debian: apt-get install libjemalloc2)")
        env["LD_PRELOAD"] = JEMALLOC
    return env


def png_bytes(array: np.ndarray, **save_kwargs) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG", **save_kwargs)
    return buffer.getvalue()


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
