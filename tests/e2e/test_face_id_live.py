"""Deep face recognition on the live stream: enrol the demo people, then the fake camera's
astronaut clip is named on the page."""
import pytest

from tests.e2e.conftest import exception_texts, wait_for_app

pytestmark = pytest.mark.e2e


def test_live_stream_names_the_enrolled_astronaut(clip_page, server_url, screenshot_dir):
    page = clip_page
    page.goto(f"{server_url}/face_id")
    wait_for_app(page, 180_000)
    page.get_by_role("tab", name="Recognition (1:K)").click()
    page.get_by_role("button", name="Add the built-in demo people").click()
    page.get_by_text("Enrolled: 5 people").wait_for(timeout=180_000)
    page.get_by_role("tab", name="Live webcam").click()
    wait_for_app(page, 120_000)
    component = page.frame_locator("iframe[title*='webrtc']").first
    component.get_by_role("button", name="START").click(timeout=60_000)
    page.get_by_text("Frames per second").first.wait_for(timeout=120_000)
    page.get_by_text("Eileen Collins — distance").first.wait_for(timeout=60_000)
    page.screenshot(path=str(screenshot_dir / "face_id_live.png"))
    assert not exception_texts(page)
    component.get_by_role("button", name="STOP").click()
