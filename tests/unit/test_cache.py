"""One copy per process: shared loaders run once, however many sessions ask at the same time."""

import threading

import numpy as np
import pytest

from playground.core import datasets
from playground.core.cache import per_process


def test_concurrent_callers_share_one_load():
    calls = []
    started = threading.Event()

    @per_process
    def load(name):
        calls.append(name)
        started.wait(1)  # hold the first load open while the others ask
        return object()

    results = []
    threads = [threading.Thread(target=lambda: results.append(load("a"))) for _ in range(6)]
    for thread in threads:
        thread.start()
    started.set()
    for thread in threads:
        thread.join()
    assert calls == ["a"]
    assert len({id(r) for r in results}) == 1
    assert load("b") is not results[0] and calls == ["a", "b"]


def test_a_failed_load_is_tried_again():
    attempts = []

    @per_process
    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise ValueError("offline")
        return "loaded"

    with pytest.raises(ValueError, match="offline"):
        flaky()
    assert flaky() == "loaded" and flaky() == "loaded" and len(attempts) == 2


@pytest.mark.skipif(not datasets.DEBIAN_FASHION_MNIST.exists(), reason="needs Debian's dataset-fashion-mnist")
def test_limited_fashion_mnist_is_a_read_only_view_of_the_one_copy():
    full = datasets.load_fashion_mnist()
    small = datasets.load_fashion_mnist(limit_train=100, limit_test=10)
    assert small.x_train.shape == (100, 28, 28, 1) and small.x_test.shape == (10, 28, 28, 1)
    assert np.shares_memory(small.x_train, full.x_train) and np.shares_memory(small.y_test, full.y_test)
    np.testing.assert_array_equal(small.x_train, full.x_train[:100])
    with pytest.raises(ValueError, match="read-only"):
        small.x_train[0, 0, 0, 0] = 1.0
    small.class_names.append("not shared")
    assert len(datasets.load_fashion_mnist().class_names) == 10
