"""The HOG & LBP page in AppTest: the course's numbers on screen, every tab, controls, bad input."""

import json
import re

import numpy as np
import pytest

from playground.lessons import hog_lbp
from playground.ui import PickedImage
from tests.app.conftest import open_page

pytestmark = pytest.mark.app

PAGE = "views/hog_lbp.py"
TABS = [
    "1 · Gradients & one cell",
    "2 · Blocks & the full HOG",
    "3 · LBP codes",
    "4 · LBPH & textures",
    "5 · Classic vs learned",
]


def html_text(at) -> str:
    return re.sub(r"<[^>]+>", " ", " ".join(str(element.proto.body) for element in at.get("html")))


def latex(at) -> str:
    return " ".join(element.value for element in at.latex)


def chart_titles(at) -> list[str]:
    titles = []
    for chart in at.get("plotly_chart"):
        title = json.loads(chart.proto.spec)["layout"].get("title") or {}
        titles.append(title.get("text", "") if isinstance(title, dict) else str(title))
    return titles


def open_tab(label: str):
    at = open_page(PAGE)
    at.session_state["hog_tab"] = label
    return at.run()


def test_course_cell_votes_are_written_out():
    at = open_page(PAGE)
    assert not at.exception and not at.error
    assert at.title[0].value == "HOG & LBP"
    # Default pixel (6, 5) of learnopencv's cell: θ = 165°, |g| = 85 → 63.75 to 160°, 21.25 to 0°.
    text = latex(at)
    assert "63.75" in text and "21.25" in text
    assert "The cell's 9-bin histogram (total = Σ|g| = 3489.0)" in chart_titles(at)
    at.number_input(key="hog_px_row").set_value(0).run()
    at.number_input(key="hog_px_col").set_value(3).run()  # θ = 10°, |g| = 4: half and half
    assert "= 2.00" in latex(at)
    assert not at.exception


def test_photo_cell_click_free_picking():
    at = open_page(PAGE)
    at.radio(key="hog_cell_from").set_value("A photo").run()
    at.number_input(key="hog_cell_row").set_value(10).run()
    assert not at.exception and not at.error
    assert at.session_state["hog_cell_row"] == 10


def test_full_hog_tab_matches_scikit_image_and_counts_the_descriptor():
    at = open_tab(TABS[1])
    assert not at.exception and not at.error
    assert r"63\times63" in latex(at) and "142{,}884" in latex(at)
    at.radio(key="hog_full_vote").set_value("hard").run()
    assert at.success and "skimage.feature.hog" in at.success[0].value
    difference = float(re.search(r"difference ([0-9.]+e[+-]?[0-9]+)", at.success[0].value).group(1))
    assert difference < 1e-6
    at.select_slider(key="hog_full_cell").set_value(16).run()
    at.slider(key="hog_full_block").set_value(3).run()
    info = hog_lbp.descriptor_length(512, 512, 16, 3, 9)
    assert f"{info['length']:,}".replace(",", "{,}") in latex(at)


def test_lbp_tab_shows_226_and_updates_the_patch():
    at = open_tab(TABS[2])
    assert not at.exception and not at.error
    assert "11100010" in latex(at) and r"\mathbf{226}" in latex(at)
    at.slider(key="lbp_radius").set_value(2).run()
    at.selectbox(key="lbp_method").set_value("uniform").run()
    assert not at.exception and not at.error
    assert "Histogram of the 10 possible codes" in chart_titles(at)


def test_lbph_and_textures_tab():
    at = open_tab(TABS[3])
    assert not at.exception and not at.error
    lbp_score = at.metric[0].value
    assert int(lbp_score.rstrip("%")) >= 90  # LBP tells brick, grass and gravel apart
    at.slider(key="lbph_grid_x").set_value(4).run()
    assert r"4\times8" in latex(at)
    at.select_slider(key="tex_patch").set_value(32).run()
    assert not at.exception and not at.error


def test_classic_vs_learned_tab_shows_conv1():
    at = open_tab(TABS[4])
    assert not at.exception and not at.error
    assert any("'conv1'" in title for title in chart_titles(at))


def test_tiny_upload_is_a_message_not_a_traceback():
    at = open_tab(TABS[1])
    at.session_state["hog_full_last_upload"] = PickedImage(np.full((6, 7, 3), 90, dtype=np.uint8), "tiny.png")
    at.radio(key="hog_full_source").set_value("Upload").run()
    assert not at.exception
    assert any("7x6" in e.value and "8x8" in e.value for e in at.error)
    # A block that no longer fits in the cells says so too.
    at.radio(key="hog_full_source").set_value("Sample").run()
    at.select_slider(key="hog_full_cell").set_value(32).run()
    at.selectbox(key="hog_full_sample").set_value("coins").run()  # 384x303 → 12x9 cells
    at.slider(key="hog_full_block").set_value(4).run()
    assert not at.exception and not at.error
