"""Server memory after a visitor opens every page once: how much the shared read-only resources
(datasets, shipped models, detectors) cost a process, and whether pages load their own copies.

Starts `streamlit run app.py` as `make run` does, opens each page of the catalog in turn in
headless Chromium, waits for it to finish drawing, and prints the server's RSS after each.
Last line: ``rss_start_mb=… rss_all_pages_mb=… pages=…``.
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground.core import catalog
from playground.core.memory import rss_mb
from tests.e2e.conftest import CHROMIUM_ARGS, chromium_executable, free_port, start_server, stop_server, wait_for_app


def url_path(info: catalog.PageInfo) -> str:
    return "" if info.path == "views/home.py" else Path(info.path).stem


def main() -> None:
    port = free_port()
    server = start_server(port)
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/")
            wait_for_app(page, timeout_ms=120_000)
            start = rss_mb(server.pid)
            print(f"home page: {start:.0f} MB")
            pages = [info for info in catalog.available_pages() if info.path != "views/home.py"]
            for info in pages:
                began = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/{url_path(info)}")
                wait_for_app(page, timeout_ms=240_000)
                print(f"{info.title}: {rss_mb(server.pid):.0f} MB ({time.perf_counter() - began:.1f} s to draw)")
            end = rss_mb(server.pid)
            browser.close()
    finally:
        stop_server(server)
    print(f"every page once: {end:.0f} MB, {end - start:+.0f} MB over the home page")
    print(f"rss_start_mb={start:.0f} rss_all_pages_mb={end:.0f} pages={len(pages) + 1}")


if __name__ == "__main__":
    main()
