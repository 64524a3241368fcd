"""Emotion engine parts that need no TensorFlow: faces, crops, smoothing, drawing, composition."""

import cv2
import numpy as np
import pandas as pd
import pytest
import skimage.data

from playground.lessons import emotion


@pytest.fixture(scope="module")
def astronaut_gray():
    return cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2GRAY)


def test_finder_at_full_resolution_is_opencvs_cascade(astronaut_gray):
    settings = emotion.DetectorSettings(scale_factor=1.1, min_neighbors=3, min_size=30, processing_width=4096)
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    reference = cascade.detectMultiScale(astronaut_gray, scaleFactor=1.1, minNeighbors=3, minSize=(30, 30))
    expected = sorted((tuple(int(v) for v in box) for box in reference), key=lambda b: b[2] * b[3], reverse=True)
    assert emotion.FaceFinder(settings).find(astronaut_gray) == expected


def test_shrunk_detection_is_scaled_back_to_frame_pixels(astronaut_gray):
    full = emotion.FaceFinder(emotion.DetectorSettings(processing_width=4096)).find(astronaut_gray)
    half = emotion.FaceFinder(emotion.DetectorSettings(processing_width=256)).find(astronaut_gray)
    assert len(full) == len(half) == 1
    assert emotion.box_iou(full[0], half[0]) > 0.7


def test_search_near_last_box_finds_the_same_face_and_nothing_elsewhere(astronaut_gray):
    finder = emotion.FaceFinder(emotion.DetectorSettings(processing_width=4096))
    full = finder.find(astronaut_gray)
    moved = np.roll(astronaut_gray, (6, -9), axis=(0, 1))  # the face moved a little since
    near = finder.find_near(moved, full)
    x, y, w, h = full[0]
    assert len(near) == 1 and emotion.box_iou(near[0], (x - 9, y + 6, w, h)) > 0.7
    assert finder.find_near(astronaut_gray, [(380, 380, 90, 90)]) == []  # the helmet, no face
    assert finder.find_near(astronaut_gray, []) == []


def test_no_face_in_a_brick_wall():
    assert emotion.FaceFinder().find(emotion.to_gray_bgr(skimage.data.brick())) == []


def test_crop_inside_the_frame_is_a_plain_resize(rng):
    gray = rng.integers(0, 256, (200, 300), dtype=np.uint8)
    crop = emotion.face_crop(gray, (100, 50, 128, 128), margin=0.0)
    assert np.array_equal(crop, cv2.resize(gray[50:178, 100:228], (64, 64), interpolation=cv2.INTER_AREA))
    grown = emotion.face_crop(gray, (100, 50, 100, 100), margin=0.1)  # 120 px square around the centre
    assert np.array_equal(grown, cv2.resize(gray[40:160, 90:210], (64, 64), interpolation=cv2.INTER_AREA))


def test_crop_at_the_edge_repeats_border_pixels(rng):
    gray = rng.integers(0, 256, (100, 100), dtype=np.uint8)
    crop = emotion.face_crop(gray, (-16, 70, 64, 64), margin=0.0)
    padded = np.pad(gray, 40, mode="edge")  # NumPy's edge padding as the reference
    assert np.array_equal(crop, padded[70 + 40 : 134 + 40, -16 + 40 : 48 + 40])


def test_iou_matches_pixel_masks(rng):
    for _ in range(50):
        a = tuple(int(v) for v in rng.integers(0, 40, 4) + [0, 0, 1, 1])
        b = tuple(int(v) for v in rng.integers(0, 40, 4) + [0, 0, 1, 1])
        mask_a, mask_b = np.zeros((90, 90), bool), np.zeros((90, 90), bool)
        mask_a[a[1] : a[1] + a[3], a[0] : a[0] + a[2]] = True
        mask_b[b[1] : b[1] + b[3], b[0] : b[0] + b[2]] = True
        assert emotion.box_iou(a, b) == pytest.approx((mask_a & mask_b).sum() / (mask_a | mask_b).sum())


@pytest.mark.parametrize("frames", [1, 3, 10])
def test_smoothing_is_pandas_exponential_average(frames, rng):
    raw = rng.dirichlet(np.ones(7), size=12)
    smoother = emotion.ScoreSmoother(frames)
    out = [
        smoother.update([emotion.Detection((10, 10, 50, 50), dict(zip(emotion.EMOTIONS, row)), None)])[0] for row in raw
    ]
    reference = pd.DataFrame(raw).ewm(span=frames, adjust=False).mean().to_numpy()
    np.testing.assert_allclose([d.probabilities for d in out], reference, rtol=1e-5)
    assert all(abs(sum(d.scores.values()) - 1) < 1e-5 for d in out)


def test_a_new_face_elsewhere_is_not_mixed_with_the_old_one():
    smoother = emotion.ScoreSmoother(10)
    happy = dict(zip(emotion.EMOTIONS, [0, 0, 0, 1, 0, 0, 0]))
    sad = dict(zip(emotion.EMOTIONS, [0, 0, 0, 0, 1, 0, 0]))
    smoother.update([emotion.Detection((0, 0, 50, 50), happy, None)])
    moved = smoother.update([emotion.Detection((200, 200, 50, 50), sad, None)])
    assert moved[0].scores == sad


def test_bad_settings_and_frames_say_what_is_wrong():
    with pytest.raises(ValueError, match="got 1.0"):
        emotion.DetectorSettings(scale_factor=1.0).check()
    with pytest.raises(ValueError, match="Unknown face detector 'YOLO'"):
        emotion.DetectorSettings(detector="YOLO").check()
    with pytest.raises(ValueError, match="float64"):
        emotion.to_gray_bgr(np.zeros((50, 50, 3)))
    with pytest.raises(ValueError, match="10x8"):
        emotion.to_gray_bgr(np.zeros((8, 10, 3), np.uint8))
    with pytest.raises(ValueError, match="at least 1 frame; got 0"):
        emotion.ScoreSmoother(0)


def test_drawing_colours_the_box_and_leaves_the_frame_alone():
    frame = np.zeros((240, 320, 3), np.uint8)
    detection = emotion.Detection((100, 100, 80, 80), dict(zip(emotion.EMOTIONS, [0, 0, 0, 0.9, 0, 0, 0.1])), None)
    out = emotion.draw_detections(frame, [detection])
    assert frame.max() == 0
    assert tuple(out[140, 100]) == emotion.EMOTION_COLOURS["happy"]  # left edge of the box
    assert out[80:100, 100:150].any()  # the label above the box
    assert not emotion.draw_detections(frame, [detection], boxes=False, labels=False).any()


def test_group_photo_puts_each_face_on_a_grey_panel():
    base = np.full((240, 320, 3), 200, np.uint8)
    faces = emotion.lfw_faces(3, side=90)
    photo = emotion.group_photo(base, faces, height=480)
    assert photo.shape[0] == 480 and photo.shape[1] == 640 + 2 * 90 + 3 * 30
    gap = 30
    np.testing.assert_array_equal(photo[gap : gap + 90, 640 + gap : 640 + gap + 90, 0], faces[0])
    np.testing.assert_array_equal(photo[2 * gap + 90 : 2 * gap + 180, 640 + gap : 640 + gap + 90, 1], faces[2])
    assert len(emotion.lfw_faces(5)) == 5
    with pytest.raises(ValueError, match="asked for 101"):
        emotion.lfw_faces(101)


def test_dark_frames_are_flagged():
    assert emotion.is_dark(np.full((100, 100, 3), 20, np.uint8))
    assert not emotion.is_dark(np.full((100, 100, 3), 120, np.uint8))


def test_the_model_file_ships_with_fer():
    # tests/unit/test_no_tensorflow.py checks that finding it imports neither fer nor TensorFlow.
    assert emotion.model_path().name == "emotion_model.hdf5" and emotion.model_path().exists()
