"""The object-tracking page in Chromium: the annotated clip plays in the page, and switching the
pillar on gives the trackers a target to lose."""

import pytest

from tests.e2e.conftest import exception_texts, wait_for_app

pytestmark = pytest.mark.e2e

PLAYING = "(t) => { const v = document.querySelector('video'); return v && !v.paused && v.currentTime > t; }"


def test_the_annotated_clip_plays_and_the_results_follow_the_scene(page, server_url, screenshot_dir):
    page.goto(f"{server_url}/tracking")
    wait_for_app(page, timeout_ms=120_000)
    page.wait_for_function(PLAYING, arg=0.5, timeout=120_000)
    size = page.evaluate(
        "() => [document.querySelector('video').videoWidth, document.querySelector('video').videoHeight]"
    )
    assert size == [640, 480]
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for(timeout=60_000)
    page.get_by_text("A pillar to pass behind").click()
    wait_for_app(page, timeout_ms=120_000)
    page.wait_for_function(PLAYING, arg=0.5, timeout=120_000)
    page.screenshot(path=str(screenshot_dir / "tracking_occlusion.png"), full_page=True)
    assert exception_texts(page) == []
