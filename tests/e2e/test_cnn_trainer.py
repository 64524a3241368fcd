"""CNN trainer in the real browser: drawing on the canvas predicts; clicking a confusion cell selects it."""

import pytest

from tests.e2e.conftest import exception_texts, wait_for_app

pytestmark = pytest.mark.e2e


def open_tab(page, server_url, tab):
    # Home first: on a fresh server, a first request straight to a page URL is served in
    # Streamlit's views/-folder mode (narrow layout, file-name sidebar) instead of the router's.
    page.goto(server_url)
    wait_for_app(page)
    page.goto(f"{server_url}/cnn_trainer")
    wait_for_app(page, timeout_ms=180_000)
    page.get_by_role("tab", name=tab).click()
    wait_for_app(page, timeout_ms=120_000)


def test_drawing_on_the_canvas_gives_a_prediction(page, server_url, screenshot_dir):
    open_tab(page, server_url, "5 · Use it")
    canvas = page.locator(".st-key-cnn_canvas canvas").last
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["width"] > 100
    # a trouser-like pair of vertical strokes
    for x in (0.38, 0.62):
        page.mouse.move(box["x"] + box["width"] * x, box["y"] + box["height"] * 0.15)
        page.mouse.down()
        for step in range(1, 11):
            page.mouse.move(box["x"] + box["width"] * x, box["y"] + box["height"] * (0.15 + 0.07 * step), steps=2)
        page.mouse.up()
    page.get_by_text("Prediction:").first.wait_for(timeout=120_000)
    wait_for_app(page, timeout_ms=120_000)
    page.locator(".st-key-cnn_use_bars").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "cnn_trainer_draw.png"))
    assert page.get_by_text("What the network sees").count() >= 1
    assert exception_texts(page) == []


def test_clicking_a_confusion_cell_shows_its_images(page, server_url, screenshot_dir):
    open_tab(page, server_url, "4 · Look inside")
    chart = page.locator(".st-key-cnn_confusion")
    chart.scroll_into_view_if_needed()
    points = chart.locator(".scatterlayer .points path")
    assert points.count() == 100  # 10 x 10 cells
    caption = page.get_by_text("the model's confidence in").first
    before = caption.inner_text()
    box = points.nth(0).bounding_box()  # true T-shirt/top, predicted T-shirt/top
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # as a person clicks the plot
    page.wait_for_function(
        """before => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
        .some(e => e.innerText.includes("the model's confidence in 'T-shirt/top'") && e.innerText !== before)""",
        arg=before,
        timeout=60_000,
    )
    wait_for_app(page, timeout_ms=120_000)
    chart.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "cnn_trainer_confusion.png"))
    assert exception_texts(page) == []
