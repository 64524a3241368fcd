"""dlib detectors, alignment and descriptors on the shipped images, checked against OpenCV's
Haar cascade (an independent detector) and the 0.6 same-person convention."""

import cv2
import numpy as np
import pytest

from playground.core.images import resize_max, sample_image
from playground.lessons import face_embeddings


@pytest.fixture(scope="module")
def models():
    return face_embeddings.FaceModels()


@pytest.fixture(scope="module")
def astronaut():
    return sample_image("astronaut")


def iou(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    h = max(0, min(ay + ah, by + bh) - max(ay, by))
    return w * h / (aw * ah + bw * bh - w * h)


def haar_face(image):
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    boxes = cascade.detectMultiScale(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), 1.1, 5, minSize=(60, 60))
    return tuple(max(boxes, key=lambda b: b[2] * b[3]))


@pytest.mark.parametrize("detector", ["detect_hog", "detect_cnn"])
def test_detectors_find_the_astronaut_where_haar_does(models, astronaut, detector):
    detection = getattr(models, detector)(astronaut)
    assert len(detection.faces) == 1
    assert iou(detection.faces[0].box, haar_face(astronaut)) > 0.5
    assert detection.seconds > 0


def test_hog_upsampling_adds_the_known_false_alarm_on_the_suit(models, astronaut):
    faces = models.detect_hog(astronaut, upsample=1).faces
    assert len(faces) == 2  # the second box sits on the suit, with a much lower score
    assert min(f.score for f in faces) < 0.5 * max(f.score for f in faces)


def test_cnn_finds_nothing_on_a_flat_image(models):
    assert models.detect_cnn(np.full((300, 300, 3), 128, np.uint8)).faces == []


def test_same_face_is_close_and_a_non_face_is_far(models, astronaut):
    face, note = models.main_face(astronaut)
    assert note == "" and face.chip.shape == (150, 150, 3) and face.descriptor.shape == (128,)
    # Another view of the same face: mirrored, downscaled to 60%, slightly brighter.
    other = np.clip(resize_max(np.ascontiguousarray(astronaut[:, ::-1]), 307).astype(int) + 20, 0, 255).astype(np.uint8)
    same, _ = models.main_face(other)
    distance, same_person = face_embeddings.verify(face.descriptor, same.descriptor)
    assert same_person and distance < 0.4
    # A brick-wall patch pushed through the same alignment and network.
    brick = sample_image("brick")
    chip, _ = models.align(brick, (100, 100, 150, 150))
    distance, same_person = face_embeddings.verify(face.descriptor, models.describe_chip(chip))
    assert not same_person and distance > face_embeddings.SAME_PERSON_THRESHOLD


def test_no_face_and_tiny_images_give_clear_messages(models):
    with pytest.raises(ValueError, match="No face found in the coffee"):
        models.main_face(sample_image("coffee"), who="the coffee")
    with pytest.raises(ValueError, match="only 10x10 pixels"):
        models.detect_hog(np.zeros((10, 10, 3), np.uint8))


def test_gallery_recognises_nearest_and_says_unknown():
    gallery = face_embeddings.Gallery()
    with pytest.raises(ValueError, match="Nobody is enrolled"):
        gallery.recognise(np.zeros(128))
    unit = np.eye(128)
    chip = np.zeros((150, 150, 3), np.uint8)
    gallery.enrol("Ada", face_embeddings.Face((0, 0, 1, 1), chip, unit[0] * 0.5))
    gallery.enrol("Alan", face_embeddings.Face((0, 0, 1, 1), chip, unit[1] * 0.5))
    assert gallery.recognise(unit[0] * 0.4) == ("Ada", pytest.approx(0.1))
    name, distance = gallery.recognise(unit[2] * 3)
    assert name is None and distance > 0.6
    rows, names = gallery.matrix()
    assert rows.shape == (2, 128) and names == ["Ada", "Alan"]
    with pytest.raises(ValueError, match="name"):
        gallery.enrol("  ", face_embeddings.Face((0, 0, 1, 1), chip, unit[0]))


def test_triplet_loss_worked_by_hand():
    anchor, positive, negative = np.array([0.0, 0.0]), np.array([0.3, 0.4]), np.array([0.6, 0.8])
    # ||A-P||² = 0.25, ||A-N||² = 1.0: with margin 0.2 the loss is max(0.25 - 1 + 0.2, 0) = 0.
    assert face_embeddings.triplet_loss(anchor, positive, negative, 0.2) == pytest.approx(
        {"d_ap2": 0.25, "d_an2": 1.0, "loss": 0.0}
    )
    # Swap positive and negative: max(1 - 0.25 + 0.2, 0) = 0.95.
    assert face_embeddings.triplet_loss(anchor, negative, positive, 0.2)["loss"] == pytest.approx(0.95)


def test_demo_gallery_separates_people(models):
    gallery = face_embeddings.Gallery()
    for person, photos in face_embeddings.demo_people(strangers=2).items():
        for photo in photos:
            gallery.enrol(person, models.main_face(photo, person)[0])
    assert len(gallery.people) == 3
    rows, names = gallery.matrix()
    # Leave-one-out: every photo's nearest other photo belongs to the same person.
    distances = np.linalg.norm(rows[:, None] - rows[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    assert [names[j] for j in distances.argmin(1)] == names
    assert face_embeddings.project_2d(rows).shape == (len(rows), 2)


def test_deep_descriptors_beat_or_match_lbph_on_the_demo(models):
    gallery = face_embeddings.Gallery()
    for person, photos in face_embeddings.demo_people(strangers=3).items():
        for photo in photos:
            gallery.enrol(person, models.main_face(photo, person)[0])
    deep, lbph = face_embeddings.compare_with_lbph(gallery)
    assert deep.photos == lbph.photos == len(gallery.matrix()[1])
    assert deep.accuracy == 1.0 and deep.accuracy >= lbph.accuracy
    with pytest.raises(ValueError, match="two people"):
        face_embeddings.compare_with_lbph(face_embeddings.Gallery())


def test_live_frame_names_the_enrolled_face(models, astronaut):
    frame_bgr = np.zeros((480, 640, 3), np.uint8)
    frame_bgr[:, 80:560] = cv2.cvtColor(cv2.resize(astronaut, (480, 480)), cv2.COLOR_RGB2BGR)
    face, _ = models.main_face(astronaut)
    settings = face_embeddings.LiveSettings(face.descriptor[None], ("Eileen",), process_width=480)
    annotated, answers = face_embeddings.recognise_frame(models, frame_bgr, settings)
    assert annotated.shape == frame_bgr.shape and not np.array_equal(annotated, frame_bgr)
    ((box, name, distance),) = answers
    assert name == "Eileen" and distance < 0.4
    # The box is in frame pixels: it overlaps Haar's face on the photo, mapped into the frame.
    x, y, w, h = (v * 480 / 512 for v in haar_face(astronaut))
    assert iou(box, (x + 80, y, w, h)) > 0.5
    unknown = face_embeddings.LiveSettings(np.ones((1, 128)), ("Nobody",))
    assert face_embeddings.recognise_frame(models, frame_bgr, unknown)[1][0][1] is None
