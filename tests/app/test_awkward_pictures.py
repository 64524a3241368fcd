"""Every awkward picture the safe decoder accepts (one pixel, 16-bit, CMYK, animated, transparent,
gray, EXIF-rotated) on every image picker: each page computes what it computes on it, and shows a
result or a message, never a traceback.

The picture goes in as the picker's last upload, decoded by images.decode_image as an upload is;
the browser test (tests/e2e/test_bad_uploads.py) uploads the whole table, refusals included, to one
representative picker, and the decoding table itself is in tests/unit/test_images.py.
"""

from pathlib import Path

import pytest

from playground.core import images
from playground.ui import PickedImage
from tests import badfiles
from tests.app.conftest import open_page
from tests.upload_widgets import PICKERS

pytestmark = pytest.mark.app

ACCEPTED = [item for item in badfiles.image_table() if item.accepted]
# Pages that run only the chosen tab (st.tabs with a key): the tab's key.
TAB_KEYS = {"convolution": "conv_tab", "hog_lbp": "hog_tab", "faces": "faces_tab"}


def choose(at, key: str, option: str) -> None:
    """Set the radio or selectbox with ``key`` to ``option`` and rerun."""
    widget = next((w for kind in ("radio", "selectbox") for w in at.get(kind) if w.key == key), None)
    assert widget is not None, f"no radio or selectbox with key {key!r}"
    widget.set_value(option).run()
    assert not at.exception, (key, option, at.exception)


def decoded(item: badfiles.Upload) -> PickedImage:
    rgb = images.decode_image(item.data, item.name)
    assert (rgb.shape[1], rgb.shape[0]) == item.size, item.name
    return PickedImage(rgb, item.name)


@pytest.mark.parametrize("stem", sorted({w.stem for w in PICKERS}))
def test_every_accepted_awkward_picture_on_every_picker(stem):
    widgets = [w for w in PICKERS if w.stem == stem]
    at = open_page(f"views/{stem}.py", timeout=180)
    assert not at.exception
    # Pages that run every tab show all their pickers at once; the others one tab at a time.
    groups = [[w for w in widgets if w.tab == tab] for tab in dict.fromkeys(w.tab for w in widgets)]
    if stem not in TAB_KEYS:
        groups = [widgets]
    for group in groups:
        if stem in TAB_KEYS:
            at.session_state[TAB_KEYS[stem]] = group[0].tab
            at.run()
        for widget in group:
            for key, option in widget.setup:
                choose(at, key, option)
            choose(at, f"{widget.key}_source", "Upload")
        for item in ACCEPTED:
            picked = decoded(item)
            for widget in group:
                at.session_state[f"{widget.key}_last_upload"] = picked
            at.run()
            where = f"{stem} {[w.key for w in group]} {item.name}"
            assert not at.exception, (where, [e.value for e in at.exception])
            shown = [c.value for c in at.caption if f"**{item.name}**" in c.value]
            assert len(shown) == len(group), (where, "the picture did not reach every picker", shown)


def test_the_matrix_covers_every_picker_in_the_views():
    """Every ui.image_picker call in views/ is in the table (keys read from the sources)."""
    import re

    found = set()
    for view in Path("views").glob("*.py"):
        found |= set(re.findall(r'image_picker\(\s*"(\w+)"', view.read_text()))
    from tests.upload_widgets import PICKERS_BEHIND_TRAINING

    assert found - PICKERS_BEHIND_TRAINING == {w.key for w in PICKERS}
