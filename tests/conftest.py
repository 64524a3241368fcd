"""Shared helpers and fixtures for every test layer: waiting on a condition, a job pool of the
test's own, small images made on the fly, and each layer's timeout."""

import functools
import glob
import io
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest
from PIL import Image

from playground.core import datasets, jobs, shipped_models

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


@pytest.fixture(scope="session")
def fashion_mnist() -> datasets.Dataset:
    """Fashion-MNIST, decoded once per test process: read it, never write to it."""
    return datasets.load_fashion_mnist()


@pytest.fixture(scope="session")
def shipped_model():
    """``shipped_model(name)``: a shipped Keras model loaded once per test process, for inference
    only (a test that trains one loads its own with ``shipped_models.load``)."""
    return functools.cache(shipped_models.load)


T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float = 10.0, interval: float = 0.01, what: str = "") -> T:
    """Call ``predicate`` every ``interval`` seconds until it returns something truthy, and return
    that; fail after ``timeout`` seconds, saying ``what`` was awaited. Tests wait on conditions
    with this, never with a fixed sleep."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what or getattr(predicate, '__name__', 'a condition')}")
        time.sleep(interval)


@pytest.fixture(autouse=True)
def own_default_job_pool(monkeypatch):
    """Each test submits to a fresh default pool (same size as the app's), so a job another test
    left running cannot hold a slot or a queue position."""
    pool = jobs.JobPool(jobs.MAX_CONCURRENT_JOBS)
    monkeypatch.setattr(jobs, "default_pool", pool)
    return pool


# --- layers: a timeout each, browser tests grouped per module, load tests on request -----------

# Seconds a test may take, fixtures included, by its folder (a ``timeout`` mark wins): a hang
# fails fast and says which layer it was in.
LAYER_TIMEOUT_S = {"unit": 60, "tf": 180, "app": 300, "e2e": 600}
LOAD_TIMEOUT_S = 1800  # the load and soak tests wait on session TTLs and whole training runs


def layer(item: pytest.Item) -> str:
    """The test's folder under tests/ ('unit', 'tf', 'app' or 'e2e')."""
    return Path(item.path).relative_to(ROOT / "tests").parts[0]


def pytest_configure(config: pytest.Config) -> None:
    """One screenshot folder for the whole run, named before the xdist workers start (they inherit
    it); the browser tests' ``screenshot_dir`` fixture makes it."""
    if not os.environ.get("SCREENSHOT_DIR") and not hasattr(config, "workerinput"):
        os.environ["SCREENSHOT_DIR"] = str(Path(tempfile.gettempdir()) / f"vp-screens-{os.getpid()}-{time.time_ns()}")


@pytest.hookimpl(tryfirst=True)  # before xdist's loadgroup reads the xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give each test its layer's timeout, keep a browser module's tests on one xdist worker (and
    so on that worker's one server), and leave the ``load`` tests to ``make test-load`` unless the
    ``-m`` expression names them."""
    run_load = "load" in (config.getoption("markexpr") or "")
    kept, deselected = [], []
    for item in items:
        is_load = item.get_closest_marker("load") is not None
        if is_load and not run_load:
            deselected.append(item)
            continue
        kept.append(item)
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(LOAD_TIMEOUT_S if is_load else LAYER_TIMEOUT_S[layer(item)]))
        if layer(item) == "e2e":
            item.add_marker(pytest.mark.xdist_group(Path(item.path).stem))
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
