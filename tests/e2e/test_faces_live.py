"""The Faces page's Live tab end to end: Chromium's fake camera plays the astronaut clip, the
stream shows boxes and the readout reports fps and each detector's time."""

import time

import pytest

from tests.e2e.conftest import exception_texts, wait_for_app

pytestmark = pytest.mark.e2e


def test_live_detection_reports_fps_and_detector_times(clip_page, server_url, screenshot_dir):
    page = clip_page
    page.goto(f"{server_url}/faces")
    wait_for_app(page, 120_000)
    page.get_by_role("tab", name="3 · Live").click()
    wait_for_app(page, 120_000)
    component = page.frame_locator("iframe[title*='webrtc']").first
    component.get_by_role("button", name="START").click(timeout=60_000)
    started = time.time()
    page.get_by_text("Frames per second").first.wait_for(timeout=120_000)
    print(f"\nfirst live result {time.time() - started:.1f} s after START")
    page.locator('[data-testid="stDataFrame"]').last.wait_for(timeout=60_000)  # each detector's time
    page.screenshot(path=str(screenshot_dir / "faces_live.png"))
    assert not exception_texts(page)
    component.get_by_role("button", name="STOP").click()
    component.get_by_role("button", name="START").wait_for(timeout=30_000)  # the stream has stopped
    wait_for_app(page)
    assert not exception_texts(page)
