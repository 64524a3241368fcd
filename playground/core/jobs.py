"""Background jobs for every long computation (training, dreaming, styling).

A job runs ``work(progress, *args)`` in a worker thread. The work reports into a
lock-protected :class:`Progress`; the page polls :meth:`Job.snapshot` from a fragment.
Workers never touch Streamlit. A job stops itself when nobody has polled it for
``abandon_after`` seconds (the tab was closed). Jobs run in a :class:`JobPool`: the
process's default pool (``submit`` and friends) runs at most ``MAX_CONCURRENT_JOBS`` at
once; further jobs wait in state ``"queued"``. Tests make their own pools.

Example
-------
>>> def count(progress, n):
...     for i in range(n):
...         progress.check()                 # honours stop / pause
...         progress.report(step=i + 1, total=n, metrics={"i": i})
...     return "done"
>>> job = submit(count, 3, name="count")
>>> job.wait(5).result
'done'
"""

from __future__ import annotations

import itertools
import os
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.core import errors

MAX_CONCURRENT_JOBS = int(os.environ.get("PLAYGROUND_MAX_JOBS", "2"))
# Seconds without a poll after which a job concludes its page is gone and stops.
ABANDON_AFTER_S = float(os.environ.get("PLAYGROUND_ABANDON_AFTER_S", "120"))

_ids = itertools.count(1)  # job ids are unique across pools

QUEUED, RUNNING, PAUSED, DONE, STOPPED, FAILED = "queued", "running", "paused", "done", "stopped", "failed"
FINISHED_STATES = (DONE, STOPPED, FAILED)


class JobStopped(Exception):
    """Raised inside the work by :meth:`Progress.check` once a stop was requested."""


@dataclass
class Snapshot:
    """A consistent copy of a job's progress, safe to read from the page.

    ``series`` maps a metric name to ``(steps, values)`` lists; ``images`` holds the
    latest image per name; ``result`` is what the work returned (when done).
    """

    job_id: int
    name: str
    state: str
    step: int
    total: int | None
    series: dict[str, tuple[list[float], list[float]]]
    images: dict[str, np.ndarray]
    message: str
    error: str
    elapsed_s: float
    queue_position: int
    result: Any = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def fraction(self) -> float:
        """Progress in [0, 1] (0 when the total is unknown)."""
        if not self.total:
            return 1.0 if self.state == DONE else 0.0
        return min(1.0, max(0.0, self.step / self.total))

    def last(self, metric: str, default: float | None = None) -> float | None:
        """Most recent value of a metric."""
        values = self.series.get(metric, ([], []))[1]
        return values[-1] if values else default


class Progress:
    """The worker's side of a job: report progress, honour stop/pause, read requests."""

    def __init__(self, job: Job):
        self._job = job

    def report(
        self,
        step: int | None = None,
        total: int | None = None,
        metrics: dict[str, float] | None = None,
        images: dict[str, np.ndarray] | None = None,
        message: str | None = None,
        x: float | None = None,
        **info: Any,
    ) -> None:
        """Record progress. Metrics are appended at ``x`` (default: ``step``)."""
        job = self._job
        with job._lock:
            if step is not None:
                job._step = step
            if total is not None:
                job._total = total
            if message is not None:
                job._message = message
            where = float(job._step if x is None else x)
            for metric, value in (metrics or {}).items():
                steps, values = job._series.setdefault(metric, ([], []))
                steps.append(where)
                values.append(float(value))
            for image_name, image in (images or {}).items():
                job._images[image_name] = image
            job._info.update(info)

    @property
    def stop_requested(self) -> bool:
        return self._job._stop.is_set() or self._job._abandoned()

    def check(self) -> None:
        """Raise :class:`JobStopped` if asked to stop; block here while paused."""
        job = self._job
        while True:
            if self.stop_requested:
                raise JobStopped()
            if not job._pause.is_set():
                return
            with job._lock:
                job._state = PAUSED
            job._stop.wait(0.1)
            with job._lock:
                if job._state == PAUSED and not job._pause.is_set():
                    job._state = RUNNING

    def take_requests(self) -> dict[str, Any]:
        """Requests the page sent with :meth:`Job.send` since the last call (e.g. a new learning rate)."""
        job = self._job
        with job._lock:
            requests, job._requests = job._requests, {}
        return requests


class Job:
    """A unit of background work with a lock-protected progress record."""

    def __init__(
        self, work: Callable[..., Any], args: tuple, kwargs: dict, name: str, abandon_after: float, pool: JobPool
    ):
        self.id = next(_ids)
        self.name = name
        self._pool = pool
        self._work, self._args, self._kwargs = work, args, kwargs
        self._abandon_after = abandon_after
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pause = threading.Event()
        self._finished = threading.Event()
        self._state = QUEUED
        self._step, self._total = 0, None
        self._series: dict[str, tuple[list[float], list[float]]] = {}
        self._images: dict[str, np.ndarray] = {}
        self._info: dict[str, Any] = {}
        self._requests: dict[str, Any] = {}
        self._message, self._error = "", ""
        self._result: Any = None
        self._started_at: float | None = None
        self._ended_at: float | None = None
        self._last_poll = time.monotonic()
        self._thread = threading.Thread(target=self._run, name=f"job-{self.id}-{name}", daemon=True)

    # --- page side -----------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """Copy of the current progress; also tells the job somebody is still watching."""
        with self._lock:
            self._last_poll = time.monotonic()
            elapsed = 0.0 if self._started_at is None else (self._ended_at or time.monotonic()) - self._started_at
            return Snapshot(
                job_id=self.id,
                name=self.name,
                state=self._state,
                step=self._step,
                total=self._total,
                series={k: (list(s), list(v)) for k, (s, v) in self._series.items()},
                images=dict(self._images),
                message=self._message,
                error=self._error,
                elapsed_s=elapsed,
                queue_position=self._pool.queue_position(self.id),
                result=self._result,
                info=dict(self._info),
            )

    def stop(self) -> None:
        self._stop.set()

    def pause(self) -> None:
        self._pause.set()

    def resume(self) -> None:
        self._pause.clear()

    def send(self, **requests: Any) -> None:
        """Pass requests to the work (read with :meth:`Progress.take_requests`)."""
        with self._lock:
            self._requests.update(requests)

    def wait(self, timeout: float | None = None) -> Snapshot:
        """Block until finished (tests and scripts; pages poll instead)."""
        self._finished.wait(timeout)
        return self.snapshot()

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    # --- worker side ---------------------------------------------------------------
    def _abandoned(self) -> bool:
        with self._lock:
            return time.monotonic() - self._last_poll > self._abandon_after

    def _run(self) -> None:
        pool = self._pool
        with pool._lock:
            pool._waiting.append(self.id)
        acquired = False
        try:
            while not acquired:
                if self._stop.is_set() or self._abandoned():
                    self._finish(STOPPED, "Stopped before it started.")
                    return
                acquired = pool._slots.acquire(timeout=0.2)
            with pool._lock:
                pool._waiting.remove(self.id)
            with self._lock:
                self._state = RUNNING
                self._started_at = time.monotonic()
            result = self._work(Progress(self), *self._args, **self._kwargs)
            with self._lock:
                self._result = result
            stopped = self._stop.is_set() or self._abandoned()
            self._finish(STOPPED if stopped else DONE)
        except JobStopped:
            self._finish(STOPPED, "Stopped." if self._stop.is_set() else "Stopped: nobody was watching.")
        except Exception as exc:  # the page shows the message; the server keeps running
            traceback.print_exc()
            self._finish(FAILED, error=_friendly(exc))
        finally:
            with pool._lock:
                if self.id in pool._waiting:
                    pool._waiting.remove(self.id)
            if acquired:
                pool._slots.release()

    def _finish(self, state: str, message: str | None = None, error: str = "") -> None:
        with self._lock:
            self._state = state
            self._error = error
            if message is not None:
                self._message = message
            self._ended_at = time.monotonic()
        self._finished.set()
        with self._pool._lock:
            self._pool._ended += 1


def _friendly(exc: Exception) -> str:
    """A ValueError's own first line (the engine's messages are for people), else the type too."""
    line = errors.first_line(exc, limit=300)
    return line.split(": ", 1)[1] if isinstance(exc, ValueError) and ": " in line else line


class JobPool:
    """Runs jobs, at most ``max_jobs`` at once; the rest wait in order of submission.

    The app uses the process's default pool through :func:`submit`; a test makes its own
    so that what another test left running cannot hold its slots.
    """

    def __init__(self, max_jobs: int = MAX_CONCURRENT_JOBS):
        if max_jobs < 1:
            raise ValueError(f"A job pool needs at least 1 slot, not {max_jobs}.")
        self.max_jobs = max_jobs
        self._slots = threading.BoundedSemaphore(max_jobs)
        self._lock = threading.Lock()
        self._waiting: list[int] = []  # ids of queued jobs, oldest first
        self._ended = 0  # jobs that have ended since the pool was made

    def submit(
        self,
        work: Callable[..., Any],
        *args: Any,
        name: str = "job",
        abandon_after: float = ABANDON_AFTER_S,
        **kwargs: Any,
    ) -> Job:
        """Start ``work(progress, *args, **kwargs)`` in the background and return its :class:`Job`."""
        job = Job(work, args, kwargs, name, abandon_after, self)
        job._thread.start()
        return job

    def queue_position(self, job_id: int) -> int:
        """1-based position among this pool's queued jobs, 0 when not queued."""
        with self._lock:
            return self._waiting.index(job_id) + 1 if job_id in self._waiting else 0

    def ended_jobs(self) -> int:
        """How many of this pool's jobs have ended (done, stopped or failed)."""
        with self._lock:
            return self._ended

    def running_jobs(self) -> int:
        """How many jobs hold a slot right now."""
        return self.max_jobs - self._slots._value


default_pool = JobPool()  # the process's pool: what the pages submit to


def submit(
    work: Callable[..., Any], *args: Any, name: str = "job", abandon_after: float = ABANDON_AFTER_S, **kwargs: Any
) -> Job:
    """Start ``work(progress, *args, **kwargs)`` in the default pool and return its :class:`Job`."""
    return default_pool.submit(work, *args, name=name, abandon_after=abandon_after, **kwargs)


def ended_jobs() -> int:
    """How many of the default pool's jobs have ended (done, stopped or failed)."""
    return default_pool.ended_jobs()


def running_jobs() -> int:
    """How many of the default pool's jobs hold a slot right now (for the page's 'waiting' message)."""
    return default_pool.running_jobs()
