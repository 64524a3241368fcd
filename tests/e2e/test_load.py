"""Four browser sessions run four different jobs at once on one server; a fifth waits; closed
tabs give their memory back.

Own server with ``PLAYGROUND_MAX_JOBS=4`` and a short ``PLAYGROUND_ABANDON_AFTER_S``: each
session sees only its own job's progress and result, the fifth job is queued and its page
says so, closing a tab releases that tab's job so the queued one starts, every other job
finishes, and once the tabs are closed the server's memory returns to what it held before
(Streamlit's default 120 s session TTL, then the memory janitor).
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from playground.core import catalog
from playground.core.memory import rss_mb
from tests.conftest import wait_until
from tests.e2e.conftest import exception_texts, free_port, start_server, stop_server, wait_for_app

pytestmark = [pytest.mark.e2e, pytest.mark.load]  # make test-load

PORT = 8612
MAX_JOBS = 4
ABANDON_AFTER_S = 20  # long enough for a fragment poll on a loaded 2-core machine, short for the test
SLOW_MS = 240_000
SESSION_TTL_S = 120  # Streamlit's default server.disconnectedSessionTTL, which this server keeps
RETURN_WITHIN_S = SESSION_TTL_S + 60  # the TTL, then the janitor's next look (every 15 s) and a collection
RETURN_MARGIN_MB = 100  # what a warm server may keep above its level before the job


@dataclass(frozen=True)
class JobPage:
    """A page that starts a background job: its file stem, tab, start button, what its status says
    (a regex the other jobs' lines do not match) and number inputs to set first."""

    stem: str
    tab: str | None
    button: str
    status: str
    numbers: tuple[tuple[str, str], ...] = ()


# Sized so all four are still running when the fifth arrives (2 GAN epochs ended in ~37 s, before
# the fifth had started), and all but the dream (whose tab is closed) finish on their own within a
# few minutes on a loaded 2-core machine.
JOBS = {
    "cnn": JobPage(
        "cnn_trainer",
        "3 · Train",
        "Train",
        r"Building the model|Training on [\d,]+ images|Evaluating on the test set|Test accuracy",
    ),
    "gan": JobPage(
        "gan",
        "Train live",
        "Start training",
        r"building the two networks|tracing the training step|training · epoch",
        (("gan_limit", "3000"), ("gan_epochs", "8")),
    ),
    "dream": JobPage("deep_dream", "Dream", "Dream", r"octave \d", (("dream_steps", "500"),)),
    "style": JobPage(
        "style_transfer", "Stylise", "Stylise", r"feature extractor|step \d+/\d+", (("style_steps", "600"),)
    ),
}
WAITING = "Waiting for a free worker"


@pytest.fixture(scope="module")
def loaded_server():
    process = start_server(
        PORT, {"PLAYGROUND_MAX_JOBS": str(MAX_JOBS), "PLAYGROUND_ABANDON_AFTER_S": str(ABANDON_AFTER_S)}
    )
    yield process, f"http://127.0.0.1:{PORT}"
    stop_server(process)


def page_title(stem: str) -> str:
    return next(p.title for p in catalog.available_pages() if Path(p.path).stem == stem)


def open_session(browser, url: str, stem: str):
    """A new browser session (context) on page ``stem``, reached from the home page (not waited for)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(url)
    wait_for_app(page)
    page.locator('[data-testid="stMain"]').get_by_role("link", name=page_title(stem)).first.click()
    page.wait_for_url(f"**/{stem}", timeout=30_000)
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
        # Tab, not Enter: Enter in a form's number input submits the form (the GAN page's
        # fields are in its training form), which started a job per field and queued the
        # fifth job behind one of them ("position 2").
        field.press("Tab")
        wait_for_app(page, timeout_ms=SLOW_MS)
    button = page.get_by_role("button", name=re.compile(rf"{job.button}$")).first  # the icon's name comes first
    button.wait_for(timeout=SLOW_MS)
    button.scroll_into_view_if_needed()
    button.click()
    page.locator('[data-testid="stProgress"]').first.wait_for(timeout=SLOW_MS)


def status_lines(page) -> list[str]:
    return [e.inner_text() for e in page.query_selector_all('[data-testid="stProgress"]')]


def wait_for_status(page, pattern: str, timeout_s: float = 120) -> str:
    """The first job status line matching ``pattern``, once there is one."""

    def matching() -> str | None:
        return next((line for line in status_lines(page) if re.search(pattern, line)), None)

    try:
        return wait_until(matching, timeout_s, interval=0.05)
    except AssertionError:
        raise AssertionError(f"no status matching {pattern!r} within {timeout_s} s; saw {status_lines(page)}") from None


def others_in(name: str, line: str) -> list[str]:
    """The other jobs whose status text appears in ``line``."""
    return [other for other in JOBS if other != name and re.search(JOBS[other].status, line)]


def wait_for_rss_at_most(pid: int, target_mb: float, within_s: float) -> list[tuple[float, float]]:
    """Watch the server's RSS until it is at most ``target_mb`` or ``within_s`` passed; returns
    (seconds, MB) samples, one each 10 s and the last one read."""
    began = time.monotonic()
    timeline = [(0.0, rss_mb(pid))]

    def low_enough() -> bool:
        now, mb = time.monotonic() - began, rss_mb(pid)
        if now - timeline[-1][0] >= 10 or mb <= target_mb:
            timeline.append((now, mb))
        return mb <= target_mb

    try:
        wait_until(low_enough, within_s, interval=0.05)
    except AssertionError:
        timeline.append((time.monotonic() - began, rss_mb(pid)))
    return timeline


def describe(timeline: list[tuple[float, float]]) -> str:
    return ", ".join(f"{mb:.0f} MB at {seconds:.0f} s" for seconds, mb in timeline)


def test_four_sessions_four_jobs_then_a_queued_fifth(browser, loaded_server, screenshot_dir):
    process, url = loaded_server
    rss_start = rss_mb(process.pid)
    sessions = {name: open_session(browser, url, job.stem) for name, job in JOBS.items()}  # pages load in parallel
    for name, (_, page) in sessions.items():
        start_job(page, JOBS[name])

    # Each session runs its own job at the same time and shows only its own status.
    for name, (_, page) in sessions.items():
        line = wait_for_status(page, rf"^Running.*({JOBS[name].status})", timeout_s=150)
        assert len(status_lines(page)) == 1, (name, status_lines(page))
        assert not others_in(name, line), f"{name} shows {others_in(name, line)}' progress: {line}"
    assert all(status_lines(page)[0].startswith("Running") for _, page in sessions.values()), {
        name: status_lines(page) for name, (_, page) in sessions.items()
    }
    rss_busy = rss_mb(process.pid)

    # A fifth job waits for a free worker and says so.
    fifth_context, fifth = open_session(browser, url, JOBS["gan"].stem)
    start_job(fifth, JOBS["gan"])
    waiting = wait_for_status(fifth, WAITING, timeout_s=60)
    assert "position 1" in waiting and f"at most {MAX_JOBS} jobs" in waiting, waiting
    fifth.locator('[data-testid="stProgress"]').first.scroll_into_view_if_needed()
    fifth.screenshot(path=str(screenshot_dir / "load_fifth_waiting.png"))

    # Closing the dream tab releases its job after ABANDON_AFTER_S; the fifth job then runs.
    dream_context, _ = sessions.pop("dream")
    dream_context.close()
    wait_for_status(fifth, r"^Running", timeout_s=ABANDON_AFTER_S + 90)

    # Every job left finishes on its own and its page shows its own result, no one else's.
    finishing = {**sessions, "gan (5th)": (fifth_context, fifth)}
    for name, (_, page) in finishing.items():
        job = name.split()[0]
        line = wait_for_status(page, rf"^Finished.*({JOBS[job].status})", timeout_s=420)
        assert not others_in(job, line), f"{name} finished with another job's result: {line}"
        assert exception_texts(page) == [], name
        page.locator('[data-testid="stProgress"]').first.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir / f"load_finished_{job}{'_5th' if '5th' in name else ''}.png"))
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
        assert response.status == 200
    rss_done = rss_mb(process.pid)
    for context, _ in finishing.values():
        context.close()
    after_all = wait_for_rss_at_most(process.pid, 0, RETURN_WITHIN_S)  # the first jobs' warm-up stays: report only
    print(
        f"\nserver RSS: {rss_start:.0f} MB at start, {rss_busy:.0f} MB with 4 jobs, {rss_done:.0f} MB when all "
        f"had finished; after closing every tab: {describe(after_all)}"
    )

    # Warm now: one more session trains and closes its tab mid-run; its memory comes back.
    rss_idle = after_all[-1][1]
    context, page = open_session(browser, url, JOBS["cnn"].stem)
    start_job(page, JOBS["cnn"])
    wait_for_status(page, r"^Running.*Training on", timeout_s=150)
    rss_training = wait_until(  # the run's data and model take memory to give back
        lambda: (mb := rss_mb(process.pid)) > rss_idle + RETURN_MARGIN_MB and mb, timeout=150, interval=0.05
    )
    context.close()
    back = wait_for_rss_at_most(process.pid, rss_idle + RETURN_MARGIN_MB, RETURN_WITHIN_S + ABANDON_AFTER_S)
    print(
        f"one more training session: {rss_idle:.0f} MB before, {rss_training:.0f} MB while training; "
        f"after closing its tab: {describe(back)}"
    )
    assert rss_training > rss_idle + RETURN_MARGIN_MB, "the training run should have taken memory to give back"
    assert back[-1][1] <= rss_idle + RETURN_MARGIN_MB, (
        f"a closed tab's memory did not return within {RETURN_WITHIN_S + ABANDON_AFTER_S} s: "
        f"{back[-1][1]:.0f} MB, {rss_idle:.0f} MB before its job"
    )


def media_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_closed_tab_is_shut_down_after_the_session_ttl(browser):
    """After the TTL the janitor shuts the closed tab's session down, which frees its media files.

    Streamlit alone drops an expired session only when another one is stored, and never shuts
    it down: its images would stay served (and in memory) for as long as the server runs."""
    ttl_s = 5
    port = free_port()
    process = start_server(port, {"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(ttl_s), "PLAYGROUND_JANITOR_S": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        context, page = open_session(browser, url, "convolution")
        wait_for_app(page)
        page.get_by_role("tab", name="3 · Volumes").first.click()
        wait_for_app(page)
        image = page.locator('[data-testid="stImage"] img').first
        image.wait_for()
        media_url = image.evaluate("img => img.src")  # absolute
        assert media_status(media_url) == 200, media_url
        context.close()
        wait_until(
            lambda: media_status(media_url) != 200,
            ttl_s + 30,
            interval=0.05,
            what=f"{media_url} to go once its tab closed",
        )
        assert media_status(media_url) == 404, media_url
    finally:
        stop_server(process)
