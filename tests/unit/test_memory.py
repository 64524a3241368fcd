"""Giving memory back: cycles collected, freed heap returned to the OS, RSS read right."""

import gc
import os
import subprocess
import sys
import weakref
from pathlib import Path

import pytest

from playground.core import jobs, memory
from tests.conftest import environment_with_allocator


class Node:
    def __init__(self, payload=None):
        self.payload, self.partner = payload, None


def test_rss_matches_statm():
    """VmRSS from /proc/self/status against the resident page count in /proc/self/statm."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    assert memory.rss_mb() == pytest.approx(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, rel=0.05)


def test_rss_of_a_finished_process_is_nan():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert memory.rss_mb(child.pid) != memory.rss_mb(child.pid)  # NaN


def test_give_back_collects_reference_cycles():
    gc.disable()  # only give_back may collect here
    try:
        a, b = Node(bytearray(10**6)), Node()
        a.partner, b.partner = b, a
        alive = weakref.ref(a)
        del a, b
        assert alive() is not None  # a cycle: reference counting alone keeps it
        assert memory.give_back() >= 2
        assert alive() is None
    finally:
        gc.enable()


TRIM_SCRIPT = """
import sys
from playground.core import memory
blocks = [bytes(1000) + bytes([i % 256]) for i in range(300_000)]  # ~300 MB of 1 kB heap blocks
keep = blocks[-1:]  # one block at the top of the heap, so free() cannot shrink it by itself
del blocks
before = memory.rss_mb()
memory.give_back()
print(memory._jemalloc_mallctl() is not None, before, memory.rss_mb())
"""


@pytest.mark.parametrize("allocator", ["glibc", "jemalloc"])
def test_give_back_returns_freed_heap_to_the_os(allocator):
    """Freed 1 kB blocks below a live one stay in RSS until malloc_trim (glibc) or an arena
    purge (jemalloc, preloaded) returns them."""
    env = environment_with_allocator(allocator) | {"MALLOC_ARENA_MAX": "2"}
    if allocator == "jemalloc":
        # Its own decay would return some pages already: with it off only give_back's purge can.
        env["MALLOC_CONF"] = "dirty_decay_ms:-1,muzzy_decay_ms:-1"
    out = subprocess.run(
        [sys.executable, "-c", TRIM_SCRIPT], capture_output=True, text=True, check=True, env=env
    ).stdout
    uses_jemalloc, before, after = out.split()
    assert uses_jemalloc == str(allocator == "jemalloc")
    before, after = float(before), float(after)
    assert before > 250 and after < before - 200, (before, after)


def test_ended_jobs_counts_done_stopped_and_failed():
    def fail(progress):
        raise ValueError("bad")

    def wait_for_stop(progress):
        while True:
            progress.check()

    before = jobs.ended_jobs()
    jobs.submit(lambda progress: 1).wait(5)
    jobs.submit(fail).wait(5)
    stopped = jobs.submit(wait_for_stop)
    stopped.stop()
    assert stopped.wait(5).state == jobs.STOPPED
    assert jobs.ended_jobs() == before + 3
