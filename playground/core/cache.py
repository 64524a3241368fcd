"""One copy per process of the read-only resources every page shares (datasets, shipped models,
detectors), whichever page or session asks first."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def per_process(load: Callable[..., T]) -> Callable[..., T]:
    """Cache ``load``'s result per positional arguments for the life of the process.

    Loads of one function run one at a time, so sessions that ask together get the same
    object instead of one copy each. A load that raises is not cached (the next call
    tries again). Results are shared by every session: use them read-only.
    """
    lock = threading.Lock()
    results: dict[tuple, T] = {}

    @functools.wraps(load)
    def cached(*args):
        with lock:
            if args not in results:
                results[args] = load(*args)
            return results[args]

    cached.cache_clear = results.clear
    return cached
