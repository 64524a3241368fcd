"""The live stream end to end: a fake camera plays a clip of a face, the page shows emotions.

Chromium's fake camera reads a .y4m clip (made here from the astronaut photo, moving a
little) through --use-file-for-fake-video-capture, so this needs its own browser.
"""
import time

import cv2
import numpy as np
import pytest

from playground.images import resize_to, sample_image
from tests.e2e.conftest import CHROMIUM_ARGS, FAKE_WEBCAM_ARGS, chromium_executable, exception_texts, wait_for_app

pytestmark = pytest.mark.e2e

CLIP_FPS = 30


def write_y4m(path, frames_bgr: list[np.ndarray], fps: int = CLIP_FPS) -> None:
    """Uncompressed YUV4MPEG2 (4:2:0) clip, the format Chromium's fake camera plays in a loop."""
    height, width = frames_bgr[0].shape[:2]
    with open(path, "wb") as clip:
        clip.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames_bgr:
            clip.write(b"FRAME\n" + cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())


@pytest.fixture(scope="module")
def face_clip(tmp_path_factory):
    """One second at 640x480: the astronaut bobbing up and down by a few pixels."""
    photo = resize_to(sample_image("astronaut"), (520, 520))[..., ::-1]
    frames = []
    for index in range(CLIP_FPS):
        frame = np.zeros((480, 640, 3), np.uint8)
        shift = round(10 + 8 * np.sin(2 * np.pi * index / CLIP_FPS))
        frame[:, 60:580] = photo[shift:shift + 480]
        frames.append(frame)
    path = tmp_path_factory.mktemp("clip") / "face.y4m"
    write_y4m(path, frames)
    return path


@pytest.fixture(scope="module")
def clip_page(face_clip):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(),
            args=CHROMIUM_ARGS + FAKE_WEBCAM_ARGS + [f"--use-file-for-fake-video-capture={face_clip}"])
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.grant_permissions(["camera"])
        yield context.new_page()
        browser.close()


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
    print(f"frames reaching the <video> element: {decoded_fps:.1f} fps decoded, {presented_fps:.1f} fps presented "
          f"(fake camera at {CLIP_FPS} fps; target >= 25)")
    readout = page.get_by_text("frames/s processed").first.inner_text()
    print(f"page readout: {readout}")
    page.screenshot(path=str(screenshot_dir / "webcam_emotions_live.png"))
    assert decoded_fps > 0, "no frame reached the video element"
    assert not exception_texts(page)
    component.get_by_role("button", name="STOP").click()
    page.wait_for_timeout(1000)
    assert not exception_texts(page)
