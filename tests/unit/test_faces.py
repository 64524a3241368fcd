"""Classic detectors on the astronaut and on photos without faces; LBPH on the offline demo."""

import numpy as np
import pytest

from playground.core import images
from playground.lessons import faces_classic

# Hand-labelled: a point between Eileen Collins' eyes in scikit-image's astronaut (x, y).
ASTRONAUT_FACE_POINT = (222, 118)


@pytest.fixture(scope="module")
def detectors():
    return faces_classic.Detectors()


@pytest.fixture(scope="module")
def astronaut():
    return images.sample_image("astronaut")


def _contains(box, point):
    x, y, w, h = box
    return x <= point[0] <= x + w and y <= point[1] <= y + h


@pytest.mark.parametrize("detector", [faces_classic.HAAR, faces_classic.LBP, faces_classic.HOG_FACES])
def test_face_detectors_find_the_astronaut(detectors, astronaut, detector):
    found = detectors.detect(astronaut, detector)
    assert len(found.boxes) == 1
    assert _contains(found.boxes[0], ASTRONAUT_FACE_POINT)
    assert 60 <= found.boxes[0][2] <= 130  # her face is roughly 90 px wide
    assert found.seconds > 0


@pytest.mark.parametrize("detector", [faces_classic.HAAR, faces_classic.LBP, faces_classic.HOG_FACES])
def test_no_faces_in_coffee(detectors, detector):
    assert detectors.detect(images.sample_image("coffee"), detector).boxes == []


def test_people_detector_runs_and_times(detectors, astronaut):
    found = detectors.detect(astronaut, faces_classic.HOG_PEOPLE)
    assert len(found.scores) == len(found.boxes)
    assert found.seconds > 0


def test_draw_detections_colours_the_box(detectors, astronaut):
    found = detectors.detect(astronaut, faces_classic.HAAR)
    drawn = faces_classic.draw_detections(astronaut, [found])
    x, y, _w, h = found.boxes[0]
    assert tuple(drawn[y + h // 2, x]) == faces_classic.DETECTOR_COLOURS[faces_classic.HAAR]
    assert np.array_equal(drawn[0, 0], astronaut[0, 0])


def test_bad_inputs_say_what_is_wrong(detectors):
    with pytest.raises(ValueError, match="10x12"):
        detectors.detect(np.zeros((12, 10, 3), np.uint8), faces_classic.HAAR)
    with pytest.raises(ValueError, match="1.0"):
        detectors.detect(
            np.zeros((64, 64, 3), np.uint8), faces_classic.HAAR, faces_classic.CascadeSettings(scale_factor=1.0)
        )
    with pytest.raises(ValueError, match="No face found in coffee"):
        detectors.largest_face(images.sample_image("coffee"), "coffee")
    with pytest.raises(ValueError, match="Nobody"):
        faces_classic.LbphRecognizer({"Ann": []})


@pytest.fixture(scope="module")
def demo(detectors):
    return faces_classic.demo_set(detectors)


def test_lbph_demo_recognises_new_views_and_rejects_a_stranger(demo):
    settings = faces_classic.LbphSettings(radius=2, neighbors=8, grid_x=4, grid_y=4)
    threshold = faces_classic.LbphRecognizer(demo.gallery, settings).suggested_threshold()
    recogniser = faces_classic.LbphRecognizer(demo.gallery, faces_classic.LbphSettings(2, 8, 4, 4, threshold))
    for label, face, truth in demo.probes:
        assert recogniser.recognise(face).name == truth, label


def test_enrolled_distances_and_self_match(demo):
    recogniser = faces_classic.LbphRecognizer(demo.gallery)
    matrix, labels = recogniser.enrolled_distances()
    assert matrix.shape == (len(labels), len(labels)) and np.allclose(np.diag(matrix), 0)
    # Recognising an enrolled face finds itself at distance 0.
    first = demo.gallery[labels[0]][0]
    assert recogniser.recognise(first).distance == pytest.approx(0, abs=1e-6)
    assert recogniser.recognise(first).name == labels[0]
    same = [i for i, name in enumerate(labels) if name == labels[0]]
    assert recogniser.recognise(first).distances[labels[0]] == pytest.approx(matrix[same[0], same].min(), abs=1e-6)


def test_single_person_is_matched_only_below_threshold(demo):
    collins = {"Eileen Collins": demo.gallery["Eileen Collins"]}
    stranger = demo.probes[-1][1]
    loose = faces_classic.LbphRecognizer(collins, faces_classic.LbphSettings(threshold=1e9)).recognise(stranger)
    strict = faces_classic.LbphRecognizer(collins, faces_classic.LbphSettings(threshold=1.0)).recognise(stranger)
    assert loose.name == "Eileen Collins" and strict.name is None
    assert loose.distance == strict.distance > 1.0


def test_crop_face_is_square_gray(astronaut):
    crop = faces_classic.crop_face(astronaut, (177, 66, 95, 95))
    assert crop.shape == (faces_classic.FACE_SIZE, faces_classic.FACE_SIZE) and crop.dtype == np.uint8


def test_enrolment_from_files_keeps_the_good_photos(detectors, astronaut):
    files = [
        ("eileen.png", images.encode_png(astronaut)),
        ("coffee.png", images.encode_png(images.sample_image("coffee"))),
        ("notes.txt", b"not an image"),
        ("tiny.png", images.encode_png(np.zeros((8, 8, 3), np.uint8))),
    ]
    crops, problems = faces_classic.faces_from_files(detectors, files)
    assert len(crops) == 1 and crops[0].shape == (faces_classic.FACE_SIZE, faces_classic.FACE_SIZE)
    assert len(problems) == 3
    assert "No face found in 'coffee.png'" in problems[0]
    assert "notes.txt" in problems[1] and "8x8" in problems[2]


def test_detect_frame_scales_boxes_back_and_names_the_face(detectors, astronaut, demo):
    import cv2

    frame = cv2.cvtColor(images.resize_to(astronaut[:384], (480, 640)), cv2.COLOR_RGB2BGR)  # a 640x480 "webcam"
    recogniser = faces_classic.LbphRecognizer(demo.gallery)
    settings = faces_classic.LiveSettings(
        detectors=(faces_classic.HAAR, faces_classic.HOG_FACES), process_width=320, recogniser=recogniser, threshold=1e9
    )
    annotated, found = faces_classic.detect_frame(detectors, frame, settings)
    assert annotated.shape == frame.shape
    face_point = tuple(round(v * 1.25) for v in ASTRONAUT_FACE_POINT)  # 512 → 640 px
    for detection in found:
        assert len(detection.boxes) == 1 and _contains(detection.boxes[0], face_point)
    # Haar on the half-size copy lands where Haar on the full frame does (within the pyramid step).
    full = detectors.detect(
        cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), faces_classic.HAAR, faces_classic.CascadeSettings(1.2)
    ).boxes[0]
    assert np.abs(np.subtract(found[0].boxes[0], full)).max() <= 0.25 * full[2]
    assert not np.array_equal(annotated, frame)
