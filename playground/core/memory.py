"""What a process holds, and giving freed memory back to the operating system.

glibc keeps freed heap pages mapped (they count in RSS) until ``malloc_trim`` returns them
(jemalloc, when preloaded as ``make run`` does, until it purges its arenas), and Python
frees reference cycles (Keras models are full of them) only when the cyclic garbage
collector runs, which the app no longer forces after every script run
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


@functools.cache
def _jemalloc_mallctl():
    """jemalloc's ``mallctl`` when jemalloc is the process's allocator (LD_PRELOAD), else None."""
    try:
        mallctl = ctypes.CDLL(None).mallctl
    except (OSError, AttributeError):
        return None
    mallctl.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    mallctl.restype = ctypes.c_int
    return mallctl


JEMALLOC_ALL_ARENAS = 4096  # MALLCTL_ARENAS_ALL in jemalloc.h


def give_back() -> int:
    """Collect unreachable cycles, then return free heap pages to the OS.

    Costs ~0.3 s with TensorFlow loaded (the collection holds the GIL): call it after
    something big went away, not per script run. Returns the number of objects collected.
    """
    collected = gc.collect()
    trim = _libc_malloc_trim()
    if trim is not None:
        trim(0)
    mallctl = _jemalloc_mallctl()
    if mallctl is not None:
        mallctl(f"arena.{JEMALLOC_ALL_ARENAS}.purge".encode(), None, None, None, 0)
    return collected
