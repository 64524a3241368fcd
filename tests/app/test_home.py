"""The home page as AppTest sees it: one card per existing page, compute badge, download status."""

import pytest

from playground.core import catalog

pytestmark = pytest.mark.app


def test_home_lists_every_existing_page(home):
    at = home
    assert not at.exception
    assert at.title[0].value == "Vision Playground"
    others = [p for p in catalog.available_pages() if p.path != "views/home.py"]
    captions = " ".join(c.value for c in at.caption)
    assert all(p.section.upper() in captions for p in others)
    assert all(page.blurb in captions for page in others)
    assert "Fashion-MNIST" in captions and "ImageNet weights" in captions
