"""The Faces page in AppTest: timed detection on the astronaut, no-face and tiny images, the offline
LBPH demo, enrolment problems and a single enrolled person."""

import json

import numpy as np
import pytest

from playground.core import images
from playground.lessons import faces_classic
from playground.ui import PickedImage
from tests.app.conftest import open_page

pytestmark = pytest.mark.app

PAGE = "views/faces.py"
TABS = ["1 · Detection", "2 · Recognition with LBPH", "3 · Live"]


def chart_titles(at) -> list[str]:
    return [
        (json.loads(chart.proto.spec)["layout"].get("title") or {}).get("text", "") for chart in at.get("plotly_chart")
    ]


def test_detectors_find_the_astronaut_and_report_times():
    at = open_page(PAGE)
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert list(table["found"]) == [1, 1, 1]
    assert (table["time (ms)"] > 0).all()
    assert "What each detector boxed" in chart_titles(at)
    at.multiselect(key="faces_detectors").select(faces_classic.HOG_PEOPLE).run()
    at.slider(key="faces_neighbors").set_value(0).run()
    assert not at.exception and not at.error
    assert len(at.dataframe[0].value) == 4


def test_no_face_and_tiny_images_get_messages():
    at = open_page(PAGE)
    at.selectbox(key="faces_detect_sample").set_value("coffee").run()
    assert not at.exception
    assert any("No detector found anything" in w.value for w in at.warning)
    at.session_state["faces_detect_last_upload"] = PickedImage(np.zeros((12, 10, 3), np.uint8), "tiny.png")
    at.radio(key="faces_detect_source").set_value("Upload").run()
    assert not at.exception
    assert any("10x12" in e.value for e in at.error)


def test_offline_lbph_demo_recognises_and_updates_with_the_grid():
    at = open_page(PAGE)
    at.session_state["faces_tab"] = TABS[1]
    at.run()
    assert not at.exception and not at.error
    title = next(t for t in chart_titles(at) if t.startswith("New faces, recognised"))
    right = int(title.split("recognised: ")[1].split(" of")[0])
    assert right >= 4  # of 5: new views of 4 enrolled people and one stranger
    at.slider(key="faces_grid_x").set_value(4).run()
    at.slider(key="faces_grid_y").set_value(4).run()
    at.slider(key="faces_radius").set_value(2).run()
    assert "New faces, recognised: 5 of 5 right (✓/✗ against the truth; distance in brackets)" in chart_titles(at)
    # The astronaut photo at the bottom is recognised as Eileen Collins.
    assert not at.warning


def test_enrolment_single_person_and_removal():
    detectors = faces_classic.Detectors()
    astronaut = images.sample_image("astronaut")
    crop = faces_classic.crop_face(astronaut, detectors.largest_face(astronaut))
    at = open_page(PAGE)
    at.session_state["faces_tab"] = TABS[1]
    at.run()
    at.radio(key="faces_mode").set_value("Enrol your own").run()
    assert any("Nobody is enrolled yet" in i.value for i in at.info)
    at.session_state["faces_gallery"] = {"Eileen": [crop, crop[:, ::-1].copy()]}
    at.run()
    assert not at.exception and not at.error
    assert any("Only one person (Eileen) is enrolled" in w.value for w in at.warning)
    at.button(key="faces_remove_0").click().run()
    assert not at.exception
    assert at.session_state["faces_gallery"] == {}


def test_live_tab_degrades_to_a_message_under_apptest():
    # AppTest has no webrtc session: the stream explains itself and the settings still apply.
    at = open_page(PAGE)
    at.session_state["faces_tab"] = TABS[2]
    at.run()
    assert not at.exception and not at.error
    at.toggle(key="faces_live_lbph").set_value(True).run()
    assert not at.exception and not at.error
    assert any("Naming with LBPH" in c.value for c in at.caption)
    settings = at.session_state["faces_processor"].settings.get()
    assert settings.recogniser is not None and settings.detectors == (faces_classic.HAAR,)
