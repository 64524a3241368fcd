"""The object-tracking page's live tab with Chromium's fake camera playing a face: the tracker
starts on the face (and on a box drawn on a snapshot), the readout says it is tracking, and the
annotated stream reaches the page's <video>."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import exception_texts, wait_for_app
from tests.e2e.test_webcam_emotions import COUNT_FRAMES_JS

pytestmark = pytest.mark.e2e


def open_live_tab(page, server_url) -> None:
    page.goto(f"{server_url}/tracking")
    wait_for_app(page, 120_000)
    page.get_by_role("tab", name="4 · Live webcam").click()
    wait_for_app(page, 120_000)


def stream_until_tracking(page):
    component = page.frame_locator("iframe[title*='webrtc']").first
    component.get_by_role("button", name="START").click(timeout=60_000)
    page.get_by_text("Frames per second").first.wait_for(timeout=120_000)
    page.get_by_text("Tracking", exact=True).first.wait_for(timeout=60_000)
    return component


def stop(page, component) -> None:
    component.get_by_role("button", name="STOP").click()
    component.get_by_role("button", name="START").wait_for(timeout=30_000)
    assert not exception_texts(page)


def test_live_tracking_starts_on_the_face_and_streams(clip_page, server_url, screenshot_dir):
    page = clip_page
    open_live_tab(page, server_url)
    component = stream_until_tracking(page)
    video_frame = next(f for f in page.frames if "webrtc" in f.url or f.query_selector("video"))
    decoded_fps, presented_fps = video_frame.evaluate(COUNT_FRAMES_JS, 3000)
    print(f"\nKCF live: {decoded_fps:.1f} fps decoded, {presented_fps:.1f} fps presented by the <video>")
    assert decoded_fps > 0, "no frame reached the video element"
    page.screenshot(path=str(screenshot_dir / "tracking_live.png"))
    assert not exception_texts(page)
    stop(page, component)


def test_live_tracking_starts_on_a_box_drawn_on_a_snapshot(clip_page, server_url, screenshot_dir):
    page = clip_page
    open_live_tab(page, server_url)
    page.get_by_text("a box on a snapshot").click()
    wait_for_app(page, 120_000)
    # A click that lands while the camera preview is still starting is dropped: click until it takes.
    canvas = page.locator("canvas.upper-canvas").first
    for _ in range(4):
        page.get_by_role("button", name="Take Photo").click(timeout=60_000)
        try:
            canvas.wait_for(timeout=30_000)
            break
        except PlaywrightTimeout:
            continue
    else:
        page.screenshot(path=str(screenshot_dir / "tracking_live_snapshot_failed.png"), full_page=True)
        pytest.fail("four clicks on Take Photo never gave a snapshot to draw on")
    box = canvas.bounding_box()
    left, top = box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.2
    page.mouse.move(left, top)
    page.mouse.down()
    page.mouse.move(left + box["width"] * 0.2, top + box["height"] * 0.3, steps=8)
    page.mouse.up()
    wait_for_app(page, 120_000)
    component = stream_until_tracking(page)
    page.screenshot(path=str(screenshot_dir / "tracking_live_snapshot.png"))
    stop(page, component)
