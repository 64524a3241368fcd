"""The live stream end to end: a fake camera plays a clip of a face (the ``clip_page``
fixture), the page shows emotions."""

import time

import pytest

from tests.e2e.conftest import CLIP_FPS, exception_texts, wait_for_app

pytestmark = pytest.mark.e2e

# Frames per second the <video> inside the component's iframe decodes (playback quality counter)
# and presents (requestVideoFrameCallback), over `ms` milliseconds.
COUNT_FRAMES_JS = """async (ms) => {
  const video = document.querySelector('video');
  if (!video || !video.requestVideoFrameCallback) return [-1, -1];
  let presented = 0; const start = performance.now();
  const decodedBefore = video.getVideoPlaybackQuality().totalVideoFrames;
  await new Promise(done => {
    const tick = () => { presented++; if (performance.now() - start < ms) video.requestVideoFrameCallback(tick); else done(); };
    video.requestVideoFrameCallback(tick);
  });
  const seconds = (performance.now() - start) / 1000;
  return [(video.getVideoPlaybackQuality().totalVideoFrames - decodedBefore) / seconds, presented / seconds];
}"""


def test_live_stream_shows_emotions_and_measures_fps(clip_page, server_url, screenshot_dir):
    page = clip_page
    page.goto(f"{server_url}/webcam_emotions")
    wait_for_app(page, 120_000)
    page.get_by_role("heading", name="Webcam emotions").wait_for(timeout=60_000)
    component = page.frame_locator("iframe[title*='webrtc']").first
    component.get_by_role("button", name="START").click(timeout=60_000)
    started = time.time()
    page.get_by_text("Main face:").first.wait_for(timeout=120_000)
    print(f"\nfirst emotion result {time.time() - started:.1f} s after START")
    main_face = page.get_by_text("Main face:").first.inner_text()
    assert any(name in main_face for name in ("happy", "neutral", "surprise", "sad", "angry", "fear", "disgust"))
    assert page.get_by_text("frames/s processed").count() >= 1
    video_frame = next(f for f in page.frames if "webrtc" in f.url or f.query_selector("video"))
    decoded_fps, presented_fps = video_frame.evaluate(COUNT_FRAMES_JS, 3000)
    print(
        f"frames reaching the <video> element: {decoded_fps:.1f} fps decoded, {presented_fps:.1f} fps presented "
        f"(fake camera at {CLIP_FPS} fps; target >= 25)"
    )
    readout = page.get_by_text("frames/s processed").first.inner_text()
    print(f"page readout: {readout}")
    page.screenshot(path=str(screenshot_dir / "webcam_emotions_live.png"))
    assert decoded_fps > 0, "no frame reached the video element"
    assert not exception_texts(page)
    component.get_by_role("button", name="STOP").click()
    component.get_by_role("button", name="START").wait_for(timeout=30_000)  # the stream has stopped
    wait_for_app(page)
    assert not exception_texts(page)
