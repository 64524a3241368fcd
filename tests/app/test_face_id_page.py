"""The deep face page in AppTest: detection, verification verdict, demo gallery, bad input."""

import pytest

from tests.app.conftest import open_page

pytestmark = pytest.mark.app

PAGE = "views/face_id.py"


@pytest.fixture(scope="module")
def at():
    return open_page(PAGE, timeout=180)


def test_opens_with_both_detectors_and_a_same_person_verdict(at):
    assert not at.exception
    assert at.title[0].value == "Face recognition, deep"
    assert any("the same person" in s.value for s in at.success)


def test_verification_rejects_a_photo_without_a_face(at):
    at.selectbox(key="face_id_b_sample").select("coffee").run()
    assert not at.exception
    assert any("No face found in photo B" in e.value for e in at.error)
    at.selectbox(key="face_id_b_sample").select("astronaut").run()


def test_demo_gallery_then_recognition_and_triplet(at):
    at.button(key="face_id_demo").click().run()
    assert not at.exception
    assert any("Enrolled: 5 people" in s.value for s in at.subheader)
    latex = " ".join(formula.value for formula in at.latex)
    assert r"\max(" in latex  # the triplet loss with live numbers
    at.button(key="face_id_compare").click().run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["method"]) == ["dlib ResNet descriptors", "OpenCV LBPH"]
    assert table["accuracy"][0] == "100%"


def test_enrol_without_name_or_photo_gives_a_message(at):
    at.text_input(key="face_id_name").set_value("").run()
    at.button(key="face_id_enrol").click().run()
    assert not at.exception
    assert any("Give the person a name" in e.value for e in at.error)
    at.text_input(key="face_id_name").set_value("Ada").run()
    at.button(key="face_id_enrol").click().run()
    assert any("Add at least one photo" in e.value for e in at.error)
