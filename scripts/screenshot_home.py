"""Regenerate assets/home.png (the README's screenshot) from the running app in headless Chromium."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM_ARGS, chromium_executable, free_port, start_server, wait_for_app


def main() -> None:
    port = free_port()
    server = start_server(port)
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            page.goto(f"http://127.0.0.1:{port}/")
            wait_for_app(page)
            page.wait_for_timeout(1500)  # let thumbnails load
            page.screenshot(path=str(ROOT / "assets" / "home.png"), full_page=True)
            browser.close()
    finally:
        server.terminate()
    print(f"wrote {ROOT / 'assets' / 'home.png'}")


if __name__ == "__main__":
    main()
