"""The emotion model end to end: faces found where they are, scores as Keras computes them,
gradients as finite differences say."""

import cv2
import numpy as np
import pytest
import skimage.data

from playground.lessons import emotion

pytestmark = pytest.mark.tf

ASTRONAUT_FACE = (177, 66, 95, 95)  # OpenCV's default cascade at scaleFactor 1.1 on the full image


@pytest.fixture(scope="module")
def detector():
    return emotion.EmotionDetector(emotion.DetectorSettings(processing_width=1024))


@pytest.fixture(scope="module")
def astronaut_bgr():
    return cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)


def test_astronaut_has_one_smiling_face_at_the_right_place(detector, astronaut_bgr):
    found = detector.detect(astronaut_bgr)
    assert len(found) == 1
    assert emotion.box_iou(found[0].box, ASTRONAUT_FACE) > 0.7
    assert list(found[0].scores) == list(emotion.EMOTIONS)
    assert sum(found[0].scores.values()) == pytest.approx(1, abs=1e-5)
    assert all(0 <= p <= 1 for p in found[0].scores.values())
    assert found[0].top[0] == "happy"  # she smiles broadly
    assert found[0].crop.shape == (64, 64) and found[0].crop.dtype == np.uint8


def test_no_face_no_detection(detector):
    coffee = cv2.cvtColor(skimage.data.coffee(), cv2.COLOR_RGB2BGR)
    assert detector.detect(coffee) == []


def test_every_face_of_a_composed_group_photo_is_found_largest_first(detector):
    faces = emotion.lfw_faces(4, side=120)
    photo = emotion.group_photo(skimage.data.astronaut(), faces, height=480)
    found = detector.detect(cv2.cvtColor(photo, cv2.COLOR_RGB2BGR))
    gap, left = 40, 480  # group_photo: gap = side // 3; the astronaut is 480 px wide at 480 px high
    placed = [(left + gap + (i % 2) * (120 + gap), gap + (i // 2) * (120 + gap), 120, 120) for i in range(4)]
    astronaut = tuple(round(v * 480 / 512) for v in ASTRONAUT_FACE)
    assert len(found) == 5
    for expected in placed + [astronaut]:
        assert max(emotion.box_iou(d.box, expected) for d in found) > 0.5, expected
    areas = [d.box[2] * d.box[3] for d in found]
    assert areas == sorted(areas, reverse=True)


def test_batch_scores_equal_keras_on_fer_preprocessing(detector, rng):
    crops = rng.integers(0, 256, (5, 64, 64), dtype=np.uint8)
    reference = detector.classifier.model.predict(((crops / 255.0 - 0.5) * 2.0)[..., None], verbose=0)  # fer's formula
    np.testing.assert_allclose(detector.classifier.probabilities(crops), reference, atol=1e-5)
    np.testing.assert_allclose(detector.classifier.probabilities(crops[2:3]), reference[2:3], atol=1e-5)
    assert detector.classifier.probabilities(crops[:0]).shape == (0, 7)


def test_pixel_gradient_matches_finite_differences(detector, astronaut_bgr):
    crop = detector.detect(astronaut_bgr)[0].crop
    pixel_gradient, maps, map_gradient, index = detector.classifier.gradients(crop)
    assert maps.shape == map_gradient.shape == (4, 4, 128) and pixel_gradient.shape == (64, 64)
    model = detector.classifier.model
    x = emotion.model_input(crop[None]).astype(np.float32)
    step = 0.05  # input units ([-1, 1] scale)
    for i, j in zip(*np.unravel_index(np.argsort(np.abs(pixel_gradient).ravel())[-3:], (64, 64))):
        up, down = x.copy(), x.copy()
        up[0, i, j, 0] += step
        down[0, i, j, 0] -= step
        numeric = (model.predict(up, verbose=0)[0, index] - model.predict(down, verbose=0)[0, index]) / (2 * step)
        assert pixel_gradient[i, j] == pytest.approx(numeric, rel=0.2, abs=1e-4)


@pytest.mark.parametrize("method", ["saliency", "grad-cam"])
def test_explanations_are_unit_maps_of_the_crop(detector, astronaut_bgr, method):
    crop = detector.detect(astronaut_bgr)[0].crop
    heat, index = emotion.explain_crop(crop, method, detector.classifier)
    assert heat.shape == (64, 64) and heat.min() == 0 and heat.max() == pytest.approx(1)
    assert emotion.EMOTIONS[index] == "happy"
    with pytest.raises(ValueError, match="'lime'"):
        emotion.explain_crop(crop, "lime", detector.classifier)


def test_stream_mirrors_boxes_and_flags_dark_frames(detector, astronaut_bgr):
    stream = emotion.EmotionStream(detector.classifier)
    settings = emotion.LiveSettings(emotion.DetectorSettings(processing_width=1024), smoothing_frames=1)
    _, plain = stream.process(astronaut_bgr, replace_mirror(settings, False))
    annotated, mirrored = stream.process(astronaut_bgr, settings)
    (x, y, w, _), (mx, my, _, _) = plain.detections[0].box, mirrored.detections[0].box
    assert abs((512 - x - w) - mx) <= 3 and abs(y - my) <= 3
    assert annotated.shape == astronaut_bgr.shape and not plain.dark
    _, dark = stream.process((astronaut_bgr * 0.1).astype(np.uint8), settings)
    assert dark.dark


def test_stream_follows_a_moving_face_and_rescans_when_it_is_lost(detector, astronaut_bgr):
    stream = emotion.EmotionStream(detector.classifier)
    settings = emotion.LiveSettings(emotion.DetectorSettings(processing_width=1024), mirror=False)
    boxes = []
    for shift in (0, 20, 40, 60):  # tracked: searched near the last box
        _, result = stream.process(np.ascontiguousarray(np.roll(astronaut_bgr, shift, axis=1)), settings)
        boxes.append(result.detections[0].box)
    assert [b[0] - boxes[0][0] for b in boxes] == pytest.approx([0, 20, 40, 60], abs=6)  # Haar boxes jitter
    jumped = np.ascontiguousarray(np.roll(astronaut_bgr, -150, axis=1))  # far away: lost, so a full scan
    _, result = stream.process(jumped, settings)
    assert len(result.detections) == 1 and abs(result.detections[0].box[0] - (boxes[0][0] - 150)) <= 6


def test_a_face_cut_by_the_frame_edge_still_gets_scores(detector, astronaut_bgr):
    x, _y, _w, _h = ASTRONAUT_FACE
    edge = np.ascontiguousarray(astronaut_bgr[:, x + 2 :])  # the face touches the left edge: its crop needs padding
    found = detector.detect(edge)
    assert len(found) == 1 and found[0].box[0] < 0.1 * found[0].box[2]  # the 10 % margin leaves the frame
    assert sum(found[0].scores.values()) == pytest.approx(1, abs=1e-5)


def replace_mirror(settings, mirror):
    from dataclasses import replace

    return replace(settings, mirror=mirror)
