"""Webcam emotions page in AppTest: the live tab explains why it cannot stream here; snapshot,
upload and sample give the same faces and scores; bad uploads keep the page alive."""

import io

import numpy as np
import pytest
import skimage.data
from PIL import Image

from playground.lessons import emotion
from tests.app.conftest import open_page

pytestmark = pytest.mark.app


def jpeg_bytes(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def page():
    return open_page("views/webcam_emotions.py")


def still_results(at):
    return [(d.box, d.top[0], d.probabilities) for d in at.session_state["emo_still_detections"]]


def test_live_tab_says_why_there_is_no_stream_here(page):
    assert not page.exception
    assert any("live stream cannot run here" in w.value for w in page.warning)
    assert any("Snapshot / upload" in i.value for i in page.info)


def test_snapshot_and_upload_agree_on_a_group_photo(page):
    at = page
    at.toggle(key="emo_mirror").set_value(False).run()
    assert not at.exception
    assert len(at.session_state["emo_still_detections"]) == 1  # the astronaut sample
    group = jpeg_bytes(emotion.group_photo(skimage.data.astronaut(), emotion.lfw_faces(3)))

    at.radio(key="emo_still_source").set_value("Camera").run()
    at.camera_input(key="emo_still_camera").set_value(("snapshot.jpg", group, "image/jpeg")).run()
    assert not at.exception
    from_camera = still_results(at)
    assert len(from_camera) == 4

    at.radio(key="emo_still_source").set_value("Upload").run()
    at.file_uploader(key="emo_still_upload").upload("group.jpg", group, "image/jpeg").run()
    assert not at.exception
    from_upload = still_results(at)
    assert [(box, top) for box, top, _ in from_upload] == [(box, top) for box, top, _ in from_camera]
    np.testing.assert_allclose([p for *_, p in from_upload], [p for *_, p in from_camera], atol=1e-6)
    assert any("group.jpg: 4 face(s)" in c for image in at.get("image") for c in image.captions)


def test_a_file_that_is_not_an_image_keeps_the_last_picture(page):
    at = page
    at.radio(key="emo_still_source").set_value("Upload").run()
    at.file_uploader(key="emo_still_upload").upload("notes.jpg", b"these are not pixels", "image/jpeg").run()
    assert not at.exception
    assert any("not an image" in e.value for e in at.error)
    assert at.session_state["emo_still_detections"] is not None


def test_adding_lfw_faces_and_the_understand_tab(page):
    at = page
    at.radio(key="emo_still_source").set_value("Sample").run()
    at.slider(key="emo_add_faces").set_value(2).run()
    assert not at.exception and len(at.session_state["emo_still_detections"]) == 3
    assert at.radio(key="emo_explain_source").value.startswith("Still")
    assert any("66 %" in m.value for m in at.markdown)
    captions = " ".join(c for image in at.get("image") for c in image.captions)
    assert "What the CNN sees" in captions and "Saliency" in captions and "Grad-CAM" in captions


def test_impossible_detector_settings_show_a_message(page):
    at = page
    at.slider(key="emo_min_size").set_value(240).run()
    assert not at.exception
    assert any("No face found" in i.value for i in at.info)
