"""Start the real Streamlit server once and drive it with headless Chromium (Playwright)."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import cv2
import numpy as np
import pytest

from playground.core.images import resize_to, sample_image
from tests.conftest import wait_until

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
FAKE_WEBCAM_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, env: dict | None = None) -> subprocess.Popen:
    """Start `streamlit run app.py` on ``port`` as `make run` does (two malloc arenas) and wait
    until its health check answers."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        env={"MALLOC_ARENA_MAX": "2", **os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )

    def up_or_exited() -> str | None:
        if process.poll() is not None:
            return "exited"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as response:
                return "up" if response.status == 200 else None
        except OSError:
            return None

    try:
        if wait_until(up_or_exited, timeout=60, interval=0.05, what="the server's health check") == "up":
            return process
    except AssertionError:
        pass
    process.kill()
    raise RuntimeError(f"Streamlit did not start:\n{process.stdout.read().decode(errors='replace')}")


def stop_server(process: subprocess.Popen) -> None:
    """Terminate a server from :func:`start_server`, killing it if it lingers."""
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()


def chromium_executable() -> str | None:
    """System Chromium if present (Debian), else None: Playwright uses its own download."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def server_url():
    port = free_port()
    process = start_server(port)
    yield f"http://127.0.0.1:{port}"
    stop_server(process)


@pytest.fixture(scope="session")
def playwright_session():
    """One Playwright driver for the whole run (the sync API allows only one at a time)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session):
    launched = playwright_session.chromium.launch(
        executable_path=chromium_executable(), args=CHROMIUM_ARGS + FAKE_WEBCAM_ARGS
    )
    yield launched
    launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.grant_permissions(["camera"])
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir():
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="vp-screens-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots in {folder}")
    return folder


def wait_for_app(page, timeout_ms: int = 60_000) -> None:
    """Wait until the page's script has drawn its title and stopped running.

    Streamlit shows ``stStatusWidget`` only while a run is in progress (and only after a
    short delay), so this waits for the first heading, then for the widget to stay away
    for a second from now (an idle second before an action does not count: the run it
    started may not have shown the widget yet).
    """
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout_ms)
    page.evaluate("() => { window.__vpIdleSince = undefined; }")
    page.wait_for_function(
        """() => {
            const running = document.querySelector('[data-testid="stStatusWidget"]');
            const now = performance.now();
            if (running) { window.__vpIdleSince = undefined; return false; }
            if (window.__vpIdleSince === undefined) { window.__vpIdleSince = now; }
            return now - window.__vpIdleSince > 1000;
        }""",
        timeout=timeout_ms,
        polling=200,
    )


def exception_texts(page) -> list[str]:
    """Text of every exception box on the page (should be none)."""
    return [e.inner_text() for e in page.query_selector_all('[data-testid="stException"]')]


# --- a fake camera fed by a clip of a face -------------------------------------------

CLIP_FPS = 30


def write_y4m(path, frames_bgr: list[np.ndarray], fps: int = CLIP_FPS, fps_denominator: int = 1) -> None:
    """Uncompressed YUV4MPEG2 (4:2:0) clip, the format Chromium's fake camera plays in a loop;
    its rate is the fraction ``fps / fps_denominator`` frames per second."""
    height, width = frames_bgr[0].shape[:2]
    with open(path, "wb") as clip:
        clip.write(f"YUV4MPEG2 W{width} H{height} F{fps}:{fps_denominator} Ip A1:1 C420jpeg\n".encode())
        for frame in frames_bgr:
            clip.write(b"FRAME\n" + cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())


def bobbing_face_frames(count: int) -> list[np.ndarray]:
    """``count`` 640x480 BGR frames: the astronaut moving up and down by a few pixels, one cycle."""
    photo = resize_to(sample_image("astronaut"), (520, 520))[..., ::-1]
    frames = []
    for index in range(count):
        frame = np.zeros((480, 640, 3), np.uint8)
        shift = round(10 + 8 * np.sin(2 * np.pi * index / count))
        frame[:, 60:580] = photo[shift : shift + 480]
        frames.append(frame)
    return frames


@pytest.fixture(scope="module")
def face_clip(tmp_path_factory):
    """One second at 30 fps of ``bobbing_face_frames``."""
    path = tmp_path_factory.mktemp("clip") / "face.y4m"
    write_y4m(path, bobbing_face_frames(CLIP_FPS))
    return path


@pytest.fixture(scope="module")
def clip_page(playwright_session, face_clip):
    """A page in a Chromium whose fake camera plays ``face_clip`` (its own browser: the clip
    is a launch flag)."""
    browser = playwright_session.chromium.launch(
        executable_path=chromium_executable(),
        args=CHROMIUM_ARGS + FAKE_WEBCAM_ARGS + [f"--use-file-for-fake-video-capture={face_clip}"],
    )
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.grant_permissions(["camera"])
    yield context.new_page()
    browser.close()
