"""The object-tracking page's live tab with Chromium's fake camera playing a face: the tracker
starts on the face and the readout says it is tracking."""

import pytest

from tests.e2e.conftest import exception_texts, wait_for_app

pytestmark = pytest.mark.e2e


def test_live_tracking_starts_on_the_face(clip_page, server_url, screenshot_dir):
    page = clip_page
    page.goto(f"{server_url}/tracking")
    wait_for_app(page, 120_000)
    page.get_by_role("tab", name="4 · Live webcam").click()
    wait_for_app(page, 120_000)
    component = page.frame_locator("iframe[title*='webrtc']").first
    component.get_by_role("button", name="START").click(timeout=60_000)
    page.get_by_text("Frames per second").first.wait_for(timeout=120_000)
    page.get_by_text("Tracking", exact=True).first.wait_for(timeout=60_000)
    page.screenshot(path=str(screenshot_dir / "tracking_live.png"))
    assert not exception_texts(page)
    component.get_by_role("button", name="STOP").click()
    component.get_by_role("button", name="START").wait_for(timeout=30_000)
    assert not exception_texts(page)
