"""Four browser sessions run four different jobs at once on one server; a fifth waits.

Own server with ``PLAYGROUND_MAX_JOBS=4`` and a short ``PLAYGROUND_ABANDON_AFTER_S``: each
session sees only its own job's progress, the fifth job is queued and its page says so,
and closing a tab releases that tab's job so the queued one starts.
"""
from __future__ import annotations

import re
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from playground import catalog
from tests.e2e.conftest import exception_texts, start_server, wait_for_app

pytestmark = pytest.mark.e2e

PORT = 8612
MAX_JOBS = 4
ABANDON_AFTER_S = 20  # long enough for a fragment poll on a loaded 2-core machine, short for the test
SLOW_MS = 240_000


@dataclass(frozen=True)
class JobPage:
    """A page that starts a background job: its file stem, tab, start button, what its status says
    (a regex the other jobs' lines do not match) and number inputs to set first (to make it long)."""

    stem: str
    tab: str | None
    button: str
    status: str
    numbers: tuple[tuple[str, str], ...] = ()


JOBS = {
    "cnn": JobPage("cnn_trainer", "3 · Train", "Train", r"Building the model|Training on [\d,]+ images"),
    "gan": JobPage("gan", "Train live", "Start training",
                   r"building the two networks|tracing the training step|training · epoch"),
    "dream": JobPage("deep_dream", "Dream", "Dream", r"octave \d", (("dream_steps", "500"),)),
    "style": JobPage("style_transfer", "Stylise", "Stylise", r"feature extractor|step \d+/\d+",
                     (("style_steps", "2000"),)),
}
WAITING = "Waiting for a free worker"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@pytest.fixture(scope="module")
def loaded_server():
    process = start_server(PORT, {"PLAYGROUND_MAX_JOBS": str(MAX_JOBS),
                                  "PLAYGROUND_ABANDON_AFTER_S": str(ABANDON_AFTER_S)})
    yield process, f"http://127.0.0.1:{PORT}"
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()


def page_title(stem: str) -> str:
    return next(p.title for p in catalog.available_pages() if Path(p.path).stem == stem)


def open_session(browser, url: str, job: JobPage):
    """A new browser session (context) on ``job``'s page, reached from the home page (not waited for)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(url)
    wait_for_app(page)
    page.locator('[data-testid="stMain"]').get_by_role("link", name=page_title(job.stem)).first.click()
    page.wait_for_url(f"**/{job.stem}", timeout=30_000)
    return context, page


def start_job(page, job: JobPage) -> None:
    """Open the job's tab, set its numbers, press its start button and wait for its progress bar."""
    wait_for_app(page, timeout_ms=SLOW_MS)
    if job.tab:
        page.get_by_role("tab", name=job.tab).first.click()
        wait_for_app(page, timeout_ms=SLOW_MS)
    for key, value in job.numbers:
        field = page.locator(f".st-key-{key} input")
        field.wait_for(timeout=SLOW_MS)
        field.fill(value)
        field.press("Enter")
        wait_for_app(page, timeout_ms=SLOW_MS)
    button = page.get_by_role("button", name=re.compile(rf"{job.button}$")).first  # the icon's name comes first
    button.wait_for(timeout=SLOW_MS)
    button.scroll_into_view_if_needed()
    button.click()
    page.locator('[data-testid="stProgress"]').first.wait_for(timeout=SLOW_MS)


def status_lines(page) -> list[str]:
    return [e.inner_text() for e in page.query_selector_all('[data-testid="stProgress"]')]


def wait_for_status(page, pattern: str, timeout_s: float = 120) -> str:
    deadline = time.time() + timeout_s
    lines: list[str] = []
    while time.time() < deadline:
        lines = status_lines(page)
        if any(re.search(pattern, line) for line in lines):
            return next(line for line in lines if re.search(pattern, line))
        page.wait_for_timeout(500)
    raise AssertionError(f"no status matching {pattern!r}; saw {lines}")


def test_four_sessions_four_jobs_then_a_queued_fifth(browser, loaded_server, screenshot_dir):
    process, url = loaded_server
    rss_start = rss_mb(process.pid)
    sessions = {name: open_session(browser, url, job) for name, job in JOBS.items()}  # pages load in parallel
    for name, (_, page) in sessions.items():
        start_job(page, JOBS[name])

    # Each session runs its own job at the same time and shows only its own status.
    for name, (_, page) in sessions.items():
        line = wait_for_status(page, rf"^Running.*({JOBS[name].status})", timeout_s=150)
        assert len(status_lines(page)) == 1, (name, status_lines(page))
        others = [other for other in JOBS if other != name and re.search(JOBS[other].status, line)]
        assert not others, f"{name} shows {others}' progress: {line}"
    assert all(status_lines(page)[0].startswith("Running") for _, page in sessions.values()), \
        {name: status_lines(page) for name, (_, page) in sessions.items()}
    rss_busy = rss_mb(process.pid)

    # A fifth job waits for a free worker and says so.
    fifth_context, fifth = open_session(browser, url, JOBS["gan"])
    start_job(fifth, JOBS["gan"])
    waiting = wait_for_status(fifth, WAITING, timeout_s=60)
    assert "position 1" in waiting and f"at most {MAX_JOBS} jobs" in waiting, waiting
    fifth.screenshot(path=str(screenshot_dir / "load_fifth_waiting.png"))

    # Closing the dream tab releases its job after ABANDON_AFTER_S; the fifth job then runs.
    dream_context, _ = sessions.pop("dream")
    dream_context.close()
    wait_for_status(fifth, r"^Running", timeout_s=ABANDON_AFTER_S + 90)

    for name, (_, page) in [*sessions.items(), ("gan (5th)", (fifth_context, fifth))]:
        assert exception_texts(page) == [], name
        page.get_by_role("button", name="Stop").first.click()
    for name, (_, page) in [*sessions.items(), ("gan (5th)", (fifth_context, fifth))]:
        wait_for_status(page, r"^Stopped|^Finished", timeout_s=90)
        assert exception_texts(page) == [], name
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
        assert response.status == 200
    for context, _ in sessions.values():
        context.close()
    fifth_context.close()
    print(f"\nserver RSS: {rss_start:.0f} MB at start, {rss_busy:.0f} MB with 4 jobs, "
          f"{rss_mb(process.pid):.0f} MB after all stopped")
