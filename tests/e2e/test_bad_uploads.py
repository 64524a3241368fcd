"""Hostile and awkward uploads to every upload widget, in the real browser.

The whole image table goes to every image picker, each page computing what it computes
on a picture; on one picker (Convolution → Volumes, whose caption names the picture and
its size) the test also checks the decoded sizes and that a refusal keeps the last good
picture. Each custom uploader (class images, zips, models) gets the files that fit it.
Always: no exception box, a clear message or a result, and the page keeps working.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from playground.core import catalog, shipped_models
from tests import badfiles
from tests.e2e.conftest import exception_texts, wait_for_app

pytestmark = pytest.mark.e2e

SLOW_MS = 180_000  # TensorFlow pages load models on first open on a busy machine


@dataclass(frozen=True)
class Widget:
    """An upload widget: page file stem, tab to click, Streamlit key (a prefix for keys
    with a counter), and widget choices that reveal it (``(key, option)`` pairs)."""

    stem: str
    tab: str | None
    key: str
    setup: tuple[tuple[str, str], ...] = field(default=())


PICKERS = [
    Widget("convolution", "2 · Explore a photo", "conv_explore"),
    Widget("hog_lbp", "1 · Gradients & one cell", "hog_cell", (("hog_cell_from", "A photo"),)),
    Widget("hog_lbp", "2 · Blocks & the full HOG", "hog_full"),
    Widget("hog_lbp", "3 · LBP codes", "lbp"),
    Widget("hog_lbp", "4 · LBPH & textures", "lbph"),
    Widget("hog_lbp", "5 · Classic vs learned", "learned"),
    Widget("faces", "1 · Detection", "faces_detect"),
    Widget("faces", "2 · Recognition with LBPH", "faces_probe"),
    Widget("cnn_trainer", "5 · Use it", "cnn_use_pick", (("cnn_use_source", "Upload or camera"),)),
    Widget("face_id", "Detection", "face_id_detect"),
    Widget("face_id", "Verification (1:1)", "face_id_a"),
    Widget("face_id", "Verification (1:1)", "face_id_b"),
    Widget("face_id", "Recognition (1:K)", "face_id_probe"),
    Widget("deep_dream", "Dream", "dream_image"),
    Widget("style_transfer", "Stylise", "style_content"),
    Widget("style_transfer", "Stylise", "style_style", (("style_kind", "Photo, upload or camera"),)),
    Widget("webcam_emotions", "Snapshot / upload", "emo_still"),
]
REPRESENTATIVE_PICKER = Widget("convolution", "3 · Volumes", "conv_volume")
# Only reachable after training a model in the page, which this test does not do.
PICKERS_BEHIND_TRAINING = {"tl_try"}

# Multi-file class/enrolment uploaders: (widget, button to press after, other uploaders that need files
# too before the page reads any: the CNN trainer waits until every class has images).
IMAGE_BATCH_UPLOADERS = [
    (
        Widget("cnn_trainer", "1 · Data", "cnn_class_files_0", (("cnn_dataset", "Your images (per class)"),)),
        None,
        ("cnn_class_files_1",),
    ),
    (Widget("transfer", "1 · Classes", "tl_up_"), None, ()),
    (
        Widget("faces", "2 · Recognition with LBPH", "faces_enrol_files", (("faces_mode", "Enrol your own"),)),
        "Enrol",
        (),
    ),
    (Widget("face_id", "Recognition (1:K)", "face_id_enrol_files"), "Enrol", ()),
]
ZIP_UPLOADERS = [
    Widget("cnn_trainer", "1 · Data", "cnn_zip", (("cnn_dataset", "Your images (zip)"),)),
    Widget("transfer", "1 · Classes", "tl_zip_"),
]
MODEL_UPLOADERS = [Widget("cnn_trainer", "6 · Keep it", "cnn_load_file")]
ENROL_NAMES = {"faces": "faces_enrol_name", "face_id": "face_id_name"}


def page_info(stem: str) -> catalog.PageInfo:
    return next(p for p in catalog.available_pages() if Path(p.path).stem == stem)


def existing(widgets):
    stems = {Path(p.path).stem for p in catalog.available_pages()}
    return [w for w in widgets if (w[0] if isinstance(w, tuple) else w).stem in stems]


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
    page.wait_for_timeout(400)  # let the upload start its rerun
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
    deadline = time.time() + timeout_s
    while True:
        text = messages(page)
        if re.search(pattern, text) or time.time() > deadline:
            assert re.search(pattern, text), f"no message matching {pattern!r}; messages: {text!r}"
            return text
        page.wait_for_timeout(500)


def assert_no_exception(page, context: str) -> None:
    boxes = exception_texts(page)
    assert boxes == [], f"{context}: exception box {boxes[0][:500]}"


def test_every_upload_widget_is_in_the_tables():
    """The tables below cover every picker and uploader the pages create (keys from the sources)."""
    covered = {w.key for w in PICKERS + ZIP_UPLOADERS + MODEL_UPLOADERS + [REPRESENTATIVE_PICKER]}
    covered |= {w.key for w, _, _ in IMAGE_BATCH_UPLOADERS} | PICKERS_BEHIND_TRAINING
    found = set()
    for info in catalog.available_pages():
        source = (catalog.ROOT / info.path).read_text()
        found |= set(re.findall(r'image_picker\(\s*"(\w+)"', source))
        for call in re.findall(r"file_uploader\((.*?)\)\n", source, flags=re.S):
            key = re.search(r'key=f?"([\w]+)', call)
            found.add(key.group(1) if key else f"<no key in {info.path}>")
    missing = {k for k in found if not any(k == c or (c.endswith("_") and k.startswith(c)) for c in covered)}
    missing -= {"cnn_class_files_"}  # per-class uploaders: the first one stands for all
    assert not missing, f"upload widgets without a bad-upload test: {sorted(missing)}"


def test_image_table_on_the_representative_picker(page, server_url, screenshot_dir):
    """All awkward images: good ones show with their true size, bad ones a message naming them;
    after a refusal the last good picture stays."""
    widget = REPRESENTATIVE_PICKER
    reveal(page, server_url, widget, set())
    choose(page, f"{widget.key}_source", "Upload")
    last_good = None
    for item in badfiles.image_table():
        upload(page, f"{widget.key}_upload", [item])
        assert_no_exception(page, item.name)
        captions = " ".join(e.inner_text() for e in page.query_selector_all('[data-testid="stImageCaption"]'))
        if item.accepted:
            width, height = item.size
            assert f"{item.name}: {width}×{height}×3" in captions, (item.name, captions)
            last_good = item.name
        else:
            expect_message(page, rf"{re.escape(item.name)}|not allowed")
            if last_good:
                assert f"{last_good}:" in captions, (item.name, "lost the previous picture", captions)
    page.screenshot(path=str(screenshot_dir / "bad_uploads_picker.png"), full_page=True)


@pytest.mark.parametrize("stem", sorted({w.stem for w in existing(PICKERS)}))
def test_image_table_on_every_picker(page, server_url, stem):
    """Every awkward image reaches each page's own computation: a result or a message naming
    the file, never a traceback; a refusal leaves the page usable."""
    opened: set[str] = set()
    for widget in (w for w in PICKERS if w.stem == stem):
        reveal(page, server_url, widget, opened)
        choose(page, f"{widget.key}_source", "Upload")
        for item in badfiles.image_table():
            upload(page, f"{widget.key}_upload", [item])
            assert_no_exception(page, f"{widget.stem} {widget.key} {item.name}")
            if not item.accepted:
                expect_message(page, rf"{re.escape(item.name)}|not allowed")
        assert page.get_by_role("heading", level=1).first.is_visible()


@pytest.mark.parametrize(
    "widget, button, also", existing(IMAGE_BATCH_UPLOADERS), ids=lambda w: getattr(w, "stem", None)
)
def test_bad_image_batch_on_class_uploaders(page, server_url, widget, button, also):
    """Several bad images at once, with one good one: the bad ones are named in a message."""
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


@pytest.mark.parametrize("widget", existing(ZIP_UPLOADERS), ids=lambda w: f"{w.stem}-{w.key}")
def test_bad_zips(page, server_url, widget):
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


@pytest.mark.parametrize("widget", existing(MODEL_UPLOADERS), ids=lambda w: f"{w.stem}-{w.key}")
def test_bad_models(page, server_url, widget, model_files, screenshot_dir):
    """A good model first, then every bad one: each is refused by name, and the good one stays loaded."""
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
