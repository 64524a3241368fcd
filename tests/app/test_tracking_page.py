"""The object-tracking page in AppTest: trackers on the generated scene against its truth, the
pillar that makes them lose it, a bad start box and a bad upload, and tracking vs detection."""

import pytest

from tests.app.conftest import open_page

pytestmark = pytest.mark.app

PAGE = "views/tracking.py"
TABS = ["1 · Track", "2 · Tracking vs detection", "3 · How KCF works"]


def results(at) -> dict:
    table = at.dataframe[0].value
    return {method: table.loc[method] for method in table.index}


def test_trackers_follow_the_generated_scene_and_lose_it_behind_the_pillar():
    at = open_page(PAGE)
    assert not at.exception and not at.error
    assert len(at.get("video")) == 1 and len(at.get("plotly_chart")) == 2
    plain = results(at)
    assert set(plain) == {"KCF", "CSRT"} and all(row["mean IoU"] > 0.6 for row in plain.values())
    at.toggle(key="track_occlusion").set_value(True).run()
    assert not at.exception
    hidden = results(at)
    assert all(row["frames lost"] > 0 and row["mean IoU"] < plain[m]["mean IoU"] for m, row in hidden.items())
    at.multiselect(key="track_methods").set_value(["MOSSE"]).run()
    assert list(results(at)) == ["MOSSE"]


def test_a_box_outside_the_frame_is_a_message_and_the_page_stays():
    at = open_page(PAGE)
    at.number_input(key="track_box_x").set_value(620).run()
    assert not at.exception
    assert any("leaves the 640x480 frame" in e.value for e in at.error), [e.value for e in at.error]
    at.number_input(key="track_box_x").set_value(45).run()
    assert not at.error and len(at.get("video")) == 1


def test_an_upload_that_is_no_video_says_so_and_keeps_the_scene():
    at = open_page(PAGE)
    at.radio(key="track_source").set_value("Your video").run()
    assert not at.exception and len(at.get("video")) == 1  # the generated scene until a video comes
    assert any("Until you upload one" in i.value for i in at.info)


def test_tracking_vs_detection_times_both():
    at = open_page(PAGE)
    at.session_state["track_tab"] = TABS[1]
    at.run()
    assert not at.exception and not at.error
    labels = {m.label: m.value for m in at.metric}
    assert labels["Detector, per frame"].endswith("ms") and "Frames the tracker held on" in labels
    assert len(at.get("video")) == 1
    at.session_state["track_tab"] = TABS[2]
    at.run()
    assert not at.exception and at.latex
