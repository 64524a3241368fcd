"""What a process holds, and giving freed memory back to the operating system.

glibc keeps freed heap pages mapped (they count in RSS) until ``malloc_trim`` returns them,
and Python frees reference cycles (Keras models are full of them) only when the cyclic
garbage collector runs, which the app no longer forces after every script run
(``postScriptGC = false``). :func:`give_back` does both.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import os
from pathlib import Path


def rss_mb(pid: int | None = None) -> float:
    """Resident set size of process ``pid`` (default: this one) in MB (2**20 bytes); NaN if gone."""
    try:
        status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    except OSError:
        return float("nan")
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@functools.cache
def _libc_malloc_trim():
    """glibc's ``malloc_trim(size_t pad)``, or None on another C library (macOS, musl)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def give_back() -> int:
    """Collect unreachable cycles, then return free heap pages to the OS.

    Costs ~0.3 s with TensorFlow loaded (the collection holds the GIL): call it after
    something big went away, not per script run. Returns the number of objects collected.
    """
    collected = gc.collect()
    trim = _libc_malloc_trim()
    if trim is not None:
        trim(0)
    return collected
