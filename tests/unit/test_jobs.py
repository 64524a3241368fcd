"""Background jobs: progress, stop, pause, failure, the concurrency cap and abandonment."""

import threading
import time

import pytest

from playground.core import jobs


def counting(progress, n, delay=0.0, gate=None):
    for i in range(n):
        progress.check()
        if gate is not None:
            gate.wait(5)
        time.sleep(delay)
        progress.report(step=i + 1, total=n, metrics={"square": (i + 1) ** 2})
    return n


def test_progress_and_result():
    job = jobs.submit(counting, 5, name="count")
    snapshot = job.wait(5)
    assert snapshot.state == jobs.DONE and snapshot.result == 5
    assert snapshot.series["square"] == ([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 4.0, 9.0, 16.0, 25.0])
    assert snapshot.fraction == 1.0 and snapshot.last("square") == 25.0


def test_stop_mid_run():
    job = jobs.submit(counting, 10_000, 0.001)
    time.sleep(0.1)
    job.stop()
    snapshot = job.wait(5)
    assert snapshot.state == jobs.STOPPED
    assert 0 < snapshot.step < 10_000


def test_pause_and_resume():
    job = jobs.submit(counting, 10_000, 0.001)
    time.sleep(0.1)
    job.pause()
    time.sleep(0.3)
    paused_at = job.snapshot()
    time.sleep(0.3)
    assert paused_at.state == jobs.PAUSED
    assert job.snapshot().step == paused_at.step
    job.resume()
    time.sleep(0.2)
    assert job.snapshot().step > paused_at.step
    job.stop()
    assert job.wait(5).state == jobs.STOPPED


def test_failure_gives_message_not_crash():
    def broken(progress):
        raise ValueError("learning rate 1e9 made the loss NaN")

    snapshot = jobs.submit(broken).wait(5)
    assert snapshot.state == jobs.FAILED
    assert snapshot.error == "learning rate 1e9 made the loss NaN"


def test_cap_queues_extra_jobs_and_reports_position():
    gate = threading.Event()
    running = [jobs.submit(counting, 1, gate=gate) for _ in range(jobs.MAX_CONCURRENT_JOBS)]
    time.sleep(0.3)
    extra = jobs.submit(counting, 1)
    time.sleep(0.5)
    waiting = extra.snapshot()
    assert waiting.state == jobs.QUEUED and waiting.queue_position == 1
    assert jobs.running_jobs() == jobs.MAX_CONCURRENT_JOBS
    gate.set()
    assert extra.wait(5).state == jobs.DONE
    assert all(job.wait(5).state == jobs.DONE for job in running)


def test_abandoned_job_stops_itself():
    job = jobs.submit(counting, 10_000, 0.01, abandon_after=0.3)
    snapshot = job.wait(5)
    assert snapshot.state == jobs.STOPPED and "nobody" in snapshot.message


def test_requests_reach_the_work():
    seen = []

    def listener(progress):
        for _ in range(200):
            seen.append(progress.take_requests())
            if any(seen):
                return next(s for s in seen if s)
            time.sleep(0.01)

    job = jobs.submit(listener)
    job.send(learning_rate=0.5)
    assert job.wait(5).result == {"learning_rate": 0.5}


@pytest.mark.parametrize("state, expected", [(jobs.DONE, 1.0), (jobs.RUNNING, 0.0)])
def test_fraction_without_total(state, expected):
    snapshot = jobs.Snapshot(1, "x", state, 3, None, {}, {}, "", "", 0.0, 0)
    assert snapshot.fraction == expected
