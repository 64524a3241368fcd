"""Background jobs: progress, stop, pause, failure, the concurrency cap and abandonment."""

import threading
import time

import pytest

from playground.core import jobs
from tests.conftest import wait_until


def counting(progress, n, delay=0.0, gate=None):
    """Work of ``n`` steps, each ``delay`` seconds long (so that a stop lands mid-run) or held at
    ``gate`` until the test opens it."""
    for i in range(n):
        progress.check()
        if gate is not None:
            gate.wait(5)
        time.sleep(delay)
        progress.report(step=i + 1, total=n, metrics={"square": (i + 1) ** 2})
    return n


def state_is(job, state):
    return lambda: job.snapshot().state == state


def test_progress_and_result():
    job = jobs.submit(counting, 5, name="count")
    snapshot = job.wait(5)
    assert snapshot.state == jobs.DONE and snapshot.result == 5
    assert snapshot.series["square"] == ([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 4.0, 9.0, 16.0, 25.0])
    assert snapshot.fraction == 1.0 and snapshot.last("square") == 25.0


def test_stop_mid_run():
    job = jobs.submit(counting, 10_000, 0.001)
    wait_until(lambda: job.snapshot().step > 0, what="the first step")
    job.stop()
    snapshot = job.wait(5)
    assert snapshot.state == jobs.STOPPED
    assert 0 < snapshot.step < 10_000


def test_pause_holds_the_work_until_resume_or_stop():
    job = jobs.submit(counting, 10_000, 0.001)
    wait_until(lambda: job.snapshot().step > 0, what="the first step")
    job.pause()
    wait_until(state_is(job, jobs.PAUSED), what="the pause")
    paused_at = job.snapshot().step
    job.resume()
    wait_until(lambda: job.snapshot().step > paused_at, what="steps after resuming")
    assert job.snapshot().state == jobs.RUNNING
    job.pause()
    wait_until(state_is(job, jobs.PAUSED), what="the second pause")
    paused_again_at = job.snapshot().step
    assert paused_again_at > paused_at
    job.stop()
    snapshot = job.wait(5)
    # Paused, the work sits in progress.check() until stopped: not one more step ran.
    assert snapshot.state == jobs.STOPPED and snapshot.step == paused_again_at


def test_failure_gives_message_not_crash():
    def broken(progress):
        raise ValueError("learning rate 1e9 made the loss NaN")

    snapshot = jobs.submit(broken).wait(5)
    assert snapshot.state == jobs.FAILED
    assert snapshot.error == "learning rate 1e9 made the loss NaN"


def test_cap_queues_extra_jobs_and_reports_position():
    pool = jobs.JobPool(2)
    gate = threading.Event()
    running = [pool.submit(counting, 1, gate=gate) for _ in range(2)]
    wait_until(lambda: all(job.snapshot().state == jobs.RUNNING for job in running), what="two running jobs")
    extra = [pool.submit(counting, 1) for _ in range(2)]
    wait_until(lambda: [job.snapshot().queue_position for job in extra] == [1, 2], what="two queued jobs")
    assert [job.snapshot().state for job in extra] == [jobs.QUEUED, jobs.QUEUED]
    assert pool.running_jobs() == 2
    gate.set()
    assert all(job.wait(5).state == jobs.DONE for job in running + extra)
    assert pool.running_jobs() == 0 and pool.ended_jobs() == 4


def test_pools_do_not_share_slots():
    gate = threading.Event()
    full = jobs.JobPool(1)
    blocker = full.submit(counting, 1, gate=gate)
    wait_until(state_is(blocker, jobs.RUNNING), what="the blocking job")
    queued = full.submit(counting, 1)
    wait_until(lambda: queued.snapshot().queue_position == 1, what="the queued job")
    assert jobs.JobPool(1).submit(counting, 1).wait(5).state == jobs.DONE  # another pool runs at once
    assert queued.snapshot().state == jobs.QUEUED
    gate.set()
    assert blocker.wait(5).state == queued.wait(5).state == jobs.DONE


def test_the_default_pool_holds_the_configured_number_of_slots():
    assert jobs.default_pool.max_jobs == jobs.MAX_CONCURRENT_JOBS
    job = jobs.submit(counting, 1)
    assert job._pool is jobs.default_pool and job.wait(5).state == jobs.DONE
    assert jobs.ended_jobs() == 1 and jobs.running_jobs() == 0
    with pytest.raises(ValueError, match="at least 1 slot, not 0"):
        jobs.JobPool(0)


def test_a_queued_job_stopped_before_it_starts():
    pool = jobs.JobPool(1)
    gate = threading.Event()
    blocker = pool.submit(counting, 1, gate=gate)
    wait_until(state_is(blocker, jobs.RUNNING), what="the blocking job")
    queued = pool.submit(counting, 1)
    wait_until(lambda: queued.snapshot().queue_position == 1, what="the queued job")
    queued.stop()
    snapshot = queued.wait(5)
    assert snapshot.state == jobs.STOPPED and snapshot.message == "Stopped before it started."
    assert snapshot.step == 0 and snapshot.queue_position == 0
    gate.set()
    assert blocker.wait(5).state == jobs.DONE


def test_abandoned_job_stops_itself():
    job = jobs.submit(counting, 10_000, 0.01, abandon_after=0.3)
    snapshot = job.wait(5)
    assert snapshot.state == jobs.STOPPED and "nobody" in snapshot.message


def test_requests_reach_the_work():
    sent = threading.Event()

    def listener(progress):
        sent.wait(5)  # the page has sent its request
        return progress.take_requests()

    job = jobs.submit(listener)
    job.send(learning_rate=0.5)
    sent.set()
    assert job.wait(5).result == {"learning_rate": 0.5}


@pytest.mark.parametrize("state, expected", [(jobs.DONE, 1.0), (jobs.RUNNING, 0.0)])
def test_fraction_without_total(state, expected):
    snapshot = jobs.Snapshot(1, "x", state, 3, None, {}, {}, "", "", 0.0, 0)
    assert snapshot.fraction == expected
