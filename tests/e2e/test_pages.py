"""Every page opens in a real browser without an exception box; navigation works."""

import pytest

from playground.core import catalog
from tests.e2e.conftest import exception_texts, wait_for_app

pytestmark = pytest.mark.e2e

PAGES = catalog.available_pages()


def url_path(page_info: catalog.PageInfo) -> str:
    """Streamlit's URL for a page file: its stem, '' for the default page."""
    return "" if page_info.path == "views/home.py" else page_info.path.split("/")[-1].removesuffix(".py")


@pytest.mark.parametrize("page_info", PAGES, ids=[p.title for p in PAGES])
def test_page_opens_without_exception(page, server_url, screenshot_dir, page_info):
    page.goto(f"{server_url}/{url_path(page_info)}")
    wait_for_app(page, timeout_ms=120_000)
    assert page.get_by_role("heading", level=1).first.is_visible()
    page.screenshot(path=str(screenshot_dir / f"{url_path(page_info) or 'home'}.png"), full_page=True)
    assert exception_texts(page) == []


def test_home_cards_link_to_every_page(page, server_url):
    page.goto(server_url)
    wait_for_app(page)
    others = [p for p in PAGES if p.path != "views/home.py"]
    main = page.locator('[data-testid="stMain"]')
    for info in others:
        assert main.get_by_role("link", name=info.title).count() >= 1, info.title
    if others:
        main.get_by_role("link", name=others[0].title).first.click()
        page.wait_for_url(f"**/{url_path(others[0])}", timeout=30_000)
        wait_for_app(page, timeout_ms=120_000)
        assert exception_texts(page) == []


@pytest.mark.skipif(len(PAGES) < 2, reason="Streamlit shows no navigation for a single page")
def test_sidebar_navigation_lists_sections(page, server_url):
    page.goto(server_url)
    wait_for_app(page)
    sidebar = page.locator('[data-testid="stSidebarNav"]')
    for section in catalog.by_section():
        assert sidebar.get_by_text(section, exact=True).count() >= 1, section
