"""Start the real Streamlit server once and drive it with headless Chromium (Playwright)."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
FAKE_WEBCAM_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, env: dict | None = None) -> subprocess.Popen:
    """Start `streamlit run app.py` on ``port`` and wait until its health check answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=ROOT, env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"Streamlit did not start:\n{process.stdout.read().decode(errors='replace')}")


def chromium_executable() -> str | None:
    """System Chromium if present (Debian), else None: Playwright uses its own download."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def server_url():
    port = free_port()
    process = start_server(port)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_executable(),
                                              args=CHROMIUM_ARGS + FAKE_WEBCAM_ARGS)
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
    for a second.
    """
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const running = document.querySelector('[data-testid="stStatusWidget"]');
            const now = performance.now();
            if (running) { window.__vpIdleSince = undefined; return false; }
            if (window.__vpIdleSince === undefined) { window.__vpIdleSince = now; }
            return now - window.__vpIdleSince > 1000;
        }""", timeout=timeout_ms, polling=200)


def exception_texts(page) -> list[str]:
    """Text of every exception box on the page (should be none)."""
    return [e.inner_text() for e in page.query_selector_all('[data-testid="stException"]')]
