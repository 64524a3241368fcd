"""Start-up time: from launching `streamlit run app.py` (what `make run` does once set up)
to a served home page, and to the home page's first paint in headless Chromium.

Prints one line per figure and a last line `server_ready_s=… first_paint_s=… title_visible_s=…`.
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM_ARGS, chromium_executable, free_port, start_server


def main() -> None:
    port = free_port()
    launched = time.perf_counter()
    server = start_server(port)
    server_ready = time.perf_counter() - launched
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            navigated = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_role("heading", name="Vision Playground").wait_for(timeout=60_000)
            title_visible = time.perf_counter() - navigated
            first_paint_ms = page.evaluate(
                "() => (performance.getEntriesByName('first-contentful-paint')[0] || {startTime: NaN}).startTime"
            )
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    print(f"server start to health OK: {server_ready:.2f} s")
    print(f"browser first contentful paint: {first_paint_ms / 1000:.2f} s after navigation")
    print(f"home page title visible: {title_visible:.2f} s after navigation")
    print(
        f"server_ready_s={server_ready:.2f} first_paint_s={first_paint_ms / 1000:.2f} "
        f"title_visible_s={title_visible:.2f}"
    )


if __name__ == "__main__":
    main()
