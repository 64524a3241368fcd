"""Convolution page in the browser: the play timer (st.fragment run_every) and click-to-inspect
(a Plotly point selection), which AppTest cannot exercise."""

import re

import pytest

from tests.e2e.conftest import exception_texts, wait_for_app

pytestmark = pytest.mark.e2e


def open_convolution(page, server_url):
    page.goto(f"{server_url}/convolution")
    wait_for_app(page, timeout_ms=120_000)
    page.get_by_role("heading", name="Convolution & pooling").wait_for()


def current_step(page) -> int:
    text = page.locator('[data-testid="stHtml"]').first.inner_text()
    return int(re.search(r"Step (\d+) of", text).group(1))


def test_play_fills_the_feature_map_then_pause_stops(page, server_url, screenshot_dir):
    open_convolution(page, server_url)
    assert current_step(page) == 1
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        """() => /Step ([4-9]|\\d\\d) of/.test(document.querySelector('[data-testid="stHtml"]').innerText)""",
        timeout=30_000,
    )
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=30_000)  # the app reran without the timer
    wait_for_app(page)
    paused_at = current_step(page)
    # Two steps by hand, each followed by a second of an idle page (wait_for_app): a timer still
    # running (0.8 s a step) would have moved the step further.
    for expected in (paused_at + 1, paused_at + 2):
        page.locator(".st-key-conv_next button").first.click()
        page.wait_for_function(
            """n => document.querySelector('[data-testid="stHtml"]').innerText.includes(`Step ${n} of`)""",
            arg=expected,
            timeout=30_000,
        )
        wait_for_app(page)
        assert current_step(page) == expected
    page.screenshot(path=str(screenshot_dir / "convolution_step.png"), full_page=True)
    assert exception_texts(page) == []


def test_clicking_the_feature_map_inspects_that_pixel(page, server_url, screenshot_dir):
    open_convolution(page, server_url)
    page.get_by_role("tab", name="2 · Explore a photo").click()
    wait_for_app(page, timeout_ms=60_000)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.wait_for()
    row_input = page.get_by_label("output row")
    before = (row_input.input_value(), page.get_by_label("output column").input_value())
    box = chart.bounding_box()
    # The middle panel is the feature map; click its upper-left quarter.
    page.mouse.click(box["x"] + box["width"] * 0.40, box["y"] + box["height"] * 0.35)
    page.wait_for_function(
        f"""() => {{ const el = document.querySelector('input[aria-label="output row"]');
                     return el && el.value !== "{before[0]}"; }}""",
        timeout=30_000,
    )
    wait_for_app(page)
    after = (int(row_input.input_value()), int(page.get_by_label("output column").input_value()))
    assert after != tuple(int(v) for v in before)
    assert after[0] < 256 and after[1] < 256
    page.screenshot(path=str(screenshot_dir / "convolution_inspect.png"), full_page=True)
    assert exception_texts(page) == []
