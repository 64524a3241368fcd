"""Hostile and awkward uploads in the real browser, one representative widget per kind.

Image pickers: the whole image table goes to one picker (Convolution → Volumes, whose caption names
the picture and its size): good pictures show with their decoded size, bad ones a message naming
them, and a refusal keeps the last good picture. Every other picker is the same widget
(playground.ui.image_picker); tests/app/test_awkward_pictures.py runs every accepted awkward picture
through each page's own computation, and tests/unit/test_images.py holds the decoding table.
One class uploader gets a bad batch, one zip uploader the bad zips, the model uploader the bad
models. A static check ties every upload widget in the views to a safe reader. Always: no
exception box, a clear message or a result, and the page keeps working.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from playground.core import catalog, datasets, images, keras_tools, shipped_models
from playground.lessons import faces_classic, tracking, transfer
from playground.ui import widgets
from tests import badfiles
from tests.conftest import ROOT, wait_until
from tests.e2e.conftest import exception_texts, wait_for_app
from tests.upload_widgets import (
    IMAGE_BATCH_UPLOADERS,
    MODEL_UPLOADERS,
    PICKERS,
    PICKERS_BEHIND_TRAINING,
    REPRESENTATIVE_PICKER,
    SAFE_READERS,
    VIDEO_UPLOADERS,
    ZIP_UPLOADERS,
    Widget,
)

pytestmark = pytest.mark.e2e

SLOW_MS = 180_000  # TensorFlow pages load models on first open on a busy machine

# One representative per kind of upload widget (the picker is REPRESENTATIVE_PICKER).
BATCH_UPLOADER = next(entry for entry in IMAGE_BATCH_UPLOADERS if entry[0].key == "faces_enrol_files")
ZIP_UPLOADER = next(w for w in ZIP_UPLOADERS if w.key == "cnn_zip")
MODEL_UPLOADER = MODEL_UPLOADERS[0]
VIDEO_UPLOADER = VIDEO_UPLOADERS[0]
ENROL_NAMES = {"faces": "faces_enrol_name", "face_id": "face_id_name"}
READERS = {
    "datasets.from_class_files": datasets.from_class_files,
    "transfer.prepare_uploads": transfer.prepare_uploads,
    "faces_classic.faces_from_files": faces_classic.faces_from_files,
    "images.decode_image": images.decode_image,
    "datasets.read_class_zip": datasets.read_class_zip,
    "keras_tools.load_uploaded_model": keras_tools.load_uploaded_model,
    "tracking.read_video": tracking.read_video,
}
# Decoders that are safe in themselves (unit-tested on bad files): images, and videos (PyAV with
# the frame count and frame size capped).
DECODERS = {"images.decode_image", "tracking.read_video"}


def page_info(stem: str) -> catalog.PageInfo:
    return next(p for p in catalog.available_pages() if Path(p.path).stem == stem)


def open_page(page, server_url: str, stem: str) -> None:
    """Open a page the way a user does: the home page, then its card."""
    page.goto(server_url)
    wait_for_app(page)
    page.locator('[data-testid="stMain"]').get_by_role("link", name=page_info(stem).title).first.click()
    page.wait_for_url(f"**/{stem}", timeout=30_000)
    wait_for_app(page, timeout_ms=SLOW_MS)


def keyed(page, key: str):
    """The widget with Streamlit key ``key``; a key ending in '_' stands for the first key starting so."""
    return page.locator(f'[class*="st-key-{key}"]' if key.endswith("_") else f".st-key-{key}").first


def choose(page, key: str, option: str) -> None:
    """Pick ``option`` in the radio or selectbox with key ``key``."""
    widget = keyed(page, key)
    widget.locator('[role="radiogroup"], [role="combobox"]').first.wait_for(timeout=SLOW_MS)
    widget.scroll_into_view_if_needed()
    if widget.locator('[role="combobox"]').count():
        widget.locator('[role="combobox"]').first.click()
        page.get_by_role("option", name=option, exact=True).click()
    else:
        widget.get_by_text(option, exact=True).click()
    wait_for_app(page, timeout_ms=SLOW_MS)


def reveal(page, server_url: str, widget: Widget, opened: set) -> None:
    """Open the widget's page (once per test), its tab, its revealing choices; for pickers, 'Upload'."""
    if widget.stem not in opened:
        open_page(page, server_url, widget.stem)
        opened.add(widget.stem)
    if widget.tab:
        page.get_by_role("tab", name=widget.tab).first.click()
        wait_for_app(page, timeout_ms=SLOW_MS)
    for key, option in widget.setup:
        choose(page, key, option)
    settle(page)


def upload(page, uploader_key: str, files: list[badfiles.Upload]) -> None:
    box = keyed(page, uploader_key)
    box.scroll_into_view_if_needed()
    box.locator("input[type=file]").set_input_files(files=[f.as_playwright() for f in files])
    # The upload shows in the uploader (its file list, three a page, or its refusal); then the rerun runs.
    names = [f.name for f in files]
    wait_until(
        lambda: any(name in (text := box.inner_text()) for name in names) or "not allowed" in text,
        timeout=SLOW_MS / 1000,
        interval=0.05,
        what=f"{names} in the uploader {uploader_key}",
    )
    settle(page)


def settle(page) -> None:
    """Wait for the rerun to end: no 'Running' indicator, no stale element, no skeleton left."""
    wait_for_app(page, timeout_ms=SLOW_MS)
    page.wait_for_function(
        """() => !document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')""", timeout=SLOW_MS
    )


def messages(page) -> str:
    """Text of every alert and caption, and of the uploaders' own error lines."""
    shown = page.query_selector_all('[data-testid="stAlert"], [data-testid="stCaptionContainer"]')
    parts = [e.inner_text() for e in shown]
    parts += [
        e.inner_text()
        for e in page.query_selector_all('[data-testid="stFileUploader"]')
        if "not allowed" in e.inner_text()
    ]
    return "\n".join(parts)


def expect_message(page, pattern: str, timeout_s: float = 90) -> str:
    """Wait until the page's messages match ``pattern`` (a regex); return them."""
    try:
        return wait_until(
            lambda: (text := messages(page)) and re.search(pattern, text) and text, timeout_s, interval=0.05
        )
    except AssertionError:
        raise AssertionError(f"no message matching {pattern!r}; messages: {messages(page)!r}") from None


def assert_no_exception(page, context: str) -> None:
    boxes = exception_texts(page)
    assert boxes == [], f"{context}: exception box {boxes[0][:500]}"


def calls_in(function: ast.AST) -> set[str]:
    """Dotted names of what ``function`` calls (``images.decode_image``, ``st.file_uploader``, ...)."""
    return {ast.unparse(node.func) for node in ast.walk(function) if isinstance(node, ast.Call)}


def test_every_upload_widget_goes_through_a_safe_reader():
    """Every picker is ui.image_picker, which decodes with images.decode_image; the function holding
    each raw file_uploader in the views calls its safe reader, and each reader decodes images with
    images.decode_image or checks zips with datasets.check_zip. Each kind has a browser test below."""
    picker = ast.parse(inspect.getsource(widgets.image_picker))
    assert "images.decode_image" in calls_in(picker)
    pickers, uploaders = set(), {}
    for info in catalog.available_pages():
        tree = ast.parse((ROOT / info.path).read_text())
        functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func)
            if name == "ui.image_picker":
                pickers.add(node.args[0].value)
            elif name == "st.file_uploader":
                key = next((k.value for k in node.keywords if k.arg == "key"), None)
                assert key is not None, f"a file_uploader without a key in {info.path}"
                # The key's fixed part: 'cnn_zip', or 'tl_up_' of f"tl_up_{cid}_{...}".
                prefix = key.value if isinstance(key, ast.Constant) else key.values[0].value
                # What reads it: the function it is in, else the page's top-level block around it.
                around = [f for f in functions if f.lineno <= node.lineno <= f.end_lineno] or [
                    block for block in tree.body if block.lineno <= node.lineno <= block.end_lineno
                ]
                uploaders[prefix] = (info.path, calls_in(min(around, key=lambda f: f.end_lineno - f.lineno)))
    assert pickers - PICKERS_BEHIND_TRAINING == {w.key for w in PICKERS}
    assert set(uploaders) == set(SAFE_READERS), "an upload widget without a safe reader in SAFE_READERS"
    for key, (path, calls) in uploaders.items():
        assert SAFE_READERS[key] in calls, f"{path}: {key} is not read by {SAFE_READERS[key]}"
    for name, reader in READERS.items():
        source = calls_in(ast.parse(inspect.getsource(reader)))
        safe = {"decode_image", "images.decode_image", "check_zip", "datasets.check_zip"}
        assert name in DECODERS or source & safe, f"{name} decodes or unzips without the safe readers"
    kinds = {REPRESENTATIVE_PICKER.key, BATCH_UPLOADER[0].key, ZIP_UPLOADER.key, MODEL_UPLOADER.key, VIDEO_UPLOADER.key}
    assert len(kinds) == 5


def test_image_table_on_the_representative_picker(page, server_url, screenshot_dir):
    """All awkward images: good ones show with their true size, bad ones a message naming them;
    after a refusal the last good picture stays."""
    widget = REPRESENTATIVE_PICKER
    reveal(page, server_url, widget, set())
    choose(page, f"{widget.key}_source", "Upload")
    last_good = None

    def captions() -> str:
        return " ".join(e.inner_text() for e in page.query_selector_all('[data-testid="stImageCaption"]'))

    for item in badfiles.image_table():
        upload(page, f"{widget.key}_upload", [item])
        if item.accepted:
            width, height = item.size
            label = f"{item.name}:"
            shown = wait_until(lambda: label in (text := captions()) and text, 90, interval=0.05)  # noqa: B023
            assert f"{item.name}: {width}×{height}×3" in shown, (item.name, shown)
            last_good = item.name
        else:
            expect_message(page, rf"{re.escape(item.name)}|not allowed")
            if last_good:
                assert f"{last_good}:" in captions(), (item.name, "lost the previous picture", captions())
        assert_no_exception(page, item.name)
    page.screenshot(path=str(screenshot_dir / "bad_uploads_picker.png"), full_page=True)


def test_bad_image_batch_on_a_class_uploader(page, server_url):
    """Several bad images at once, with one good one: the bad ones are named in a message."""
    widget, button, also = BATCH_UPLOADER
    reveal(page, server_url, widget, set())
    if widget.stem in ENROL_NAMES:
        keyed(page, ENROL_NAMES[widget.stem]).locator("input").fill("Ada")
        page.keyboard.press("Enter")
        wait_for_app(page, timeout_ms=SLOW_MS)
    table = {u.name: u for u in badfiles.image_table()}
    batch = [
        table[n] for n in ("empty.png", "random_bytes.png", "truncated.jpg", "bomb_20000x20000.png", "one_pixel.png")
    ]
    for key in also:
        upload(page, key, batch)
    upload(page, widget.key, batch)
    if button:
        keyed(page, widget.key).locator("xpath=ancestor::*[@data-testid='stVerticalBlock'][1]").get_by_role(
            "button", name=button
        ).first.click()
        wait_for_app(page, timeout_ms=SLOW_MS)
    expect_message(page, r"empty\.png|random_bytes\.png|truncated\.jpg")
    assert_no_exception(page, f"{widget.stem} {widget.key}")


def test_bad_zips(page, server_url):
    widget = ZIP_UPLOADER
    item_pattern = {
        "not_a_zip.zip": r"(?i)not a zip",
        "empty.zip": r"(?i)not a zip|empty",
        "zip_bomb.zip": r"(?i)zip bomb|unpack to",
    }
    reveal(page, server_url, widget, set())
    for item in badfiles.zip_table():
        upload(page, widget.key, [item])
        expect_message(page, item_pattern[item.name])
        assert_no_exception(page, f"{widget.stem} {item.name}")
    assert page.get_by_role("heading", level=1).first.is_visible()


@pytest.fixture(scope="module")
def model_files():
    return badfiles.model_table()


def test_bad_models(page, server_url, model_files, screenshot_dir):
    """A good model first, then every bad one: each is refused by name, and the good one stays loaded."""
    widget = MODEL_UPLOADER
    reveal(page, server_url, widget, set())
    good = badfiles.Upload(
        "my_model.keras", "application/octet-stream", shipped_models.SHIPPED["fashion_cnn"].path.read_bytes()
    )
    upload(page, widget.key, [good])
    expect_message(page, r"Loaded 'my_model\.keras'")
    for item in model_files:
        upload(page, widget.key, [item])
        expect_message(page, re.escape(item.name))
        assert_no_exception(page, f"{widget.stem} {item.name}")
    page.screenshot(path=str(screenshot_dir / "bad_uploads_model.png"), full_page=True)
    page.get_by_role("tab", name="4 · Look inside").first.click()
    wait_for_app(page, timeout_ms=SLOW_MS)
    chooser = keyed(page, "cnn_inside_model").locator('[role="combobox"]').first
    chooser.click()
    assert page.get_by_role("option", name="Loaded: my_model.keras").count() == 1, "the good model was lost"
    page.keyboard.press("Escape")


def test_bad_videos(page, server_url, screenshot_dir):
    """A good video plays; then a file that is no video and an empty one are each refused by name,
    and the good video stays on the page."""
    widget = VIDEO_UPLOADER
    reveal(page, server_url, widget, set())
    clip = tracking.synthetic_clip(seed=5, n_frames=12)
    upload(page, widget.key, [badfiles.Upload("good.mp4", "video/mp4", tracking.encode_mp4(clip.frames, 30))])
    expect_message(page, r"'good\.mp4', 12 frames")
    for item in (
        badfiles.Upload("holiday.mp4", "video/mp4", b"not a video at all" * 500),
        badfiles.Upload("empty.webm", "video/webm", b""),
    ):
        upload(page, widget.key, [item])
        expect_message(page, re.escape(item.name))
        assert_no_exception(page, f"{widget.stem} {item.name}")
        assert "'good.mp4', 12 frames" in page.inner_text('[data-testid="stMain"]'), "lost the good video"
    try:
        page.locator("video").first.wait_for(timeout=SLOW_MS)  # still tracked and played after the refusals
    except PlaywrightTimeout:
        page.screenshot(path=str(screenshot_dir / "bad_videos_no_video.png"), full_page=True)
        raise
