"""Deep face recognition with dlib: HOG and CNN detectors, 5-point alignment, 128-d
descriptors, one-shot verification (1:1) and recognition against a gallery (1:K).

Models come from the ``face-recognition-models`` package (dlib's MMOD CNN detector, the
5-point landmark model and the ResNet descriptor network), so everything works offline.
The 68-point model in that package is not used: its training data is not licensed for
commercial use.

Boxes are (x, y, w, h) in pixels of the image passed in; images are RGB uint8 (H, W, 3).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np

from playground.core import images
from playground.core.cache import per_process
from playground.lessons import faces_classic

# Conventional dlib threshold: descriptors of the same person are usually closer than this
# (99.38% on LFW pairs, as dlib reports).
SAME_PERSON_THRESHOLD = 0.6
CHIP_SIZE = 150  # pixels; the descriptor network's input size
DESCRIPTOR_SIZE = 128


@dataclass
class FaceBox:
    """A detected face: box (x, y, w, h) in pixels and the detector's score."""

    box: tuple[int, int, int, int]
    score: float

    @property
    def area(self) -> int:
        return self.box[2] * self.box[3]


@dataclass
class Detection:
    """Faces found by one detector on one image, largest first, and the time it took."""

    detector: str
    faces: list[FaceBox]
    seconds: float


@dataclass
class Face:
    """An aligned face: its box, the 150x150 aligned RGB chip and its 128-d descriptor."""

    box: tuple[int, int, int, int]
    chip: np.ndarray
    descriptor: np.ndarray


def _rect_to_box(rect, width: int, height: int) -> tuple[int, int, int, int]:
    return faces_classic.clip_box(rect.left(), rect.top(), rect.width(), rect.height(), width, height)


class FaceModels:
    """dlib's detectors, landmark model and descriptor network, loaded once.

    dlib objects are not documented as thread-safe, so each call holds a lock; pages share
    :func:`shared_models`.
    """

    def __init__(self):
        import dlib
        import face_recognition_models as files

        self._dlib = dlib
        self._hog = dlib.get_frontal_face_detector()
        self._cnn = dlib.cnn_face_detection_model_v1(files.cnn_face_detector_model_location())
        self._landmarks = dlib.shape_predictor(files.pose_predictor_five_point_model_location())
        self._descriptor = dlib.face_recognition_model_v1(files.face_recognition_model_location())
        self._lock = threading.Lock()

    def detect_hog(self, image: np.ndarray, upsample: int = 0, threshold: float = 0.0) -> Detection:
        """HOG + linear SVM sliding-window detector; ``threshold`` shifts the SVM score cut-off."""
        image = _check_image(image)
        start = time.perf_counter()
        with self._lock:
            rects, scores, _ = self._hog.run(image, int(upsample), float(threshold))
        found = [FaceBox(_rect_to_box(r, image.shape[1], image.shape[0]), float(s)) for r, s in zip(rects, scores)]
        return Detection("dlib HOG", _largest_first(found), time.perf_counter() - start)

    def detect_cnn(self, image: np.ndarray, upsample: int = 0, threshold: float = 0.0) -> Detection:
        """dlib's MMOD CNN detector; faces with confidence below ``threshold`` are dropped."""
        image = _check_image(image)
        start = time.perf_counter()
        with self._lock:
            found = self._cnn(image, int(upsample))
        kept = [
            FaceBox(_rect_to_box(d.rect, image.shape[1], image.shape[0]), float(d.confidence))
            for d in found
            if d.confidence >= threshold
        ]
        return Detection("dlib CNN", _largest_first(kept), time.perf_counter() - start)

    def align(self, image: np.ndarray, box: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
        """5-point landmarks in ``box`` → (aligned 150x150 RGB chip, landmarks (5, 2) in pixels)."""
        x, y, w, h = box
        rect = self._dlib.rectangle(int(x), int(y), int(x + w), int(y + h))
        with self._lock:
            shape = self._landmarks(image, rect)
            chip = self._dlib.get_face_chip(image, shape, size=CHIP_SIZE)
        points = np.array([[shape.part(i).x, shape.part(i).y] for i in range(shape.num_parts)], float)
        return np.asarray(chip), points

    def describe_chip(self, chip: np.ndarray) -> np.ndarray:
        """128-d descriptor (float64, unit-ish length) of an aligned 150x150 RGB chip."""
        if chip.shape != (CHIP_SIZE, CHIP_SIZE, 3):
            raise ValueError(f"An aligned chip must be {CHIP_SIZE}x{CHIP_SIZE}x3, got {chip.shape}.")
        with self._lock:
            return np.array(self._descriptor.compute_face_descriptor(np.ascontiguousarray(chip, np.uint8)))

    def faces(self, image: np.ndarray, upsample: int = 0, detector: str = "hog") -> list[Face]:
        """Detect, align and describe every face, largest first."""
        detect = self.detect_cnn if detector == "cnn" else self.detect_hog
        described = []
        for found in detect(image, upsample).faces:
            chip, _ = self.align(image, found.box)
            described.append(Face(found.box, chip, self.describe_chip(chip)))
        return described

    def main_face(self, image: np.ndarray, who: str = "the photo") -> tuple[Face, str]:
        """The largest face, and a note for the user when there were several.

        Looks at the image as it is first and upsamples once only if that finds nothing
        (upsampling finds small faces but also more false alarms). Raises ``ValueError``
        with a clear message when no face is found.
        """
        found = self.faces(image, upsample=0) or self.faces(image, upsample=1)
        if not found:
            raise ValueError(
                f"No face found in {who}. Use a photo where the face is frontal, "
                "well lit and at least about 80 pixels wide."
            )
        note = f"{len(found)} faces in {who}: using the largest." if len(found) > 1 else ""
        return found[0], note


@per_process
def shared_models() -> FaceModels:
    """dlib's face models, loaded once per process for every page and session."""
    return FaceModels()


def _check_image(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(faces_classic.check_image(image))


def _largest_first(faces: list[FaceBox]) -> list[FaceBox]:
    return sorted(faces, key=lambda f: f.area, reverse=True)


def descriptor_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance between two 128-d descriptors."""
    return float(np.linalg.norm(np.asarray(a, float) - np.asarray(b, float)))


def verify(a: np.ndarray, b: np.ndarray, threshold: float = SAME_PERSON_THRESHOLD) -> tuple[float, bool]:
    """1:1 verification: (distance, same person?) with ``distance < threshold`` meaning the same."""
    distance = descriptor_distance(a, b)
    return distance, distance < threshold


@dataclass
class Gallery:
    """Enrolled people: name → list of 128-d descriptors (and their chips, for display)."""

    descriptors: dict[str, list[np.ndarray]] = field(default_factory=dict)
    chips: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def enrol(self, name: str, face: Face) -> None:
        name = name.strip()
        if not name:
            raise ValueError("Give the person a name before enrolling photos.")
        self.descriptors.setdefault(name, []).append(face.descriptor)
        self.chips.setdefault(name, []).append(face.chip)

    def remove(self, name: str) -> None:
        self.descriptors.pop(name, None)
        self.chips.pop(name, None)

    @property
    def people(self) -> list[str]:
        return list(self.descriptors)

    def recognise(self, descriptor: np.ndarray, threshold: float = SAME_PERSON_THRESHOLD) -> tuple[str | None, float]:
        """1:K recognition by the nearest enrolled descriptor: (name or None for unknown, distance)."""
        if not self.descriptors:
            raise ValueError("Nobody is enrolled yet: add at least one person first.")
        best_name, best_distance = None, np.inf
        for name, known in self.descriptors.items():
            distance = float(np.min(np.linalg.norm(np.stack(known) - descriptor, axis=1)))
            if distance < best_distance:
                best_name, best_distance = name, distance
        return (best_name if best_distance < threshold else None), best_distance

    def matrix(self) -> tuple[np.ndarray, list[str]]:
        """All descriptors (N, 128) and the person of each row."""
        names = [name for name, known in self.descriptors.items() for _ in known]
        rows = [d for known in self.descriptors.values() for d in known]
        return (np.stack(rows) if rows else np.zeros((0, DESCRIPTOR_SIZE))), names


@dataclass(frozen=True)
class MethodScore:
    """Leave-one-out result of one recogniser over a gallery: accuracy in [0, 1] and ms per face."""

    method: str
    accuracy: float
    ms_per_face: float
    photos: int


def compare_with_lbph(gallery: Gallery, lbph: faces_classic.LbphSettings | None = None) -> list[MethodScore]:
    """Deep descriptors vs OpenCV's LBPH on the same enrolled photos, leave-one-out.

    Each photo in turn is held out and recognised among the others (for LBPH, a model
    trained without it); both methods see the same aligned chips (LBPH as 100x100 gray).
    The time per face covers the comparison only (descriptors were computed at enrolment;
    LBPH histograms are computed for the held-out face).
    """
    rows, names = gallery.matrix()
    counts = {name: names.count(name) for name in set(names)}
    if len(counts) < 2 or max(counts.values()) < 2:
        raise ValueError("To compare, enrol at least two people and two photos of someone.")
    grays = [
        images.resize_to(images.to_gray(chip), (faces_classic.FACE_SIZE, faces_classic.FACE_SIZE))
        for person in gallery.people
        for chip in gallery.chips[person]
    ]
    testable = [i for i, name in enumerate(names) if counts[name] >= 2]
    deep_hits, lbph_hits, deep_seconds, lbph_seconds = 0, 0, 0.0, 0.0
    for i in testable:
        others = [j for j in range(len(names)) if j != i]
        start = time.perf_counter()
        nearest = others[int(np.argmin(np.linalg.norm(rows[others] - rows[i], axis=1)))]
        deep_seconds += time.perf_counter() - start
        deep_hits += names[nearest] == names[i]
        held_out = {}
        for j in others:
            held_out.setdefault(names[j], []).append(grays[j])
        recogniser = faces_classic.LbphRecognizer(held_out, lbph or faces_classic.LbphSettings())
        start = time.perf_counter()
        answer = recogniser.recognise(grays[i], threshold=np.inf)
        lbph_seconds += time.perf_counter() - start
        lbph_hits += answer.name == names[i]
    n = len(testable)
    return [
        MethodScore("dlib ResNet descriptors", deep_hits / n, deep_seconds / n * 1000, n),
        MethodScore("OpenCV LBPH", lbph_hits / n, lbph_seconds / n * 1000, n),
    ]


@dataclass(frozen=True)
class LiveSettings:
    """What the webcam callback needs: the gallery's descriptors (N, 128) with names, the
    unknown threshold, and the width frames are shrunk to before detection (speed)."""

    descriptors: np.ndarray
    names: tuple[str, ...]
    threshold: float = SAME_PERSON_THRESHOLD
    process_width: int = 480


def recognise_frame(
    models: FaceModels, frame_bgr: np.ndarray, settings: LiveSettings
) -> tuple[np.ndarray, list[tuple[tuple[int, int, int, int], str | None, float]]]:
    """One webcam frame: find, describe and name every face, draw the answers.

    Returns the annotated BGR frame and ``[(box in frame pixels, name or None, distance)]``.
    """
    import cv2

    height, width = frame_bgr.shape[:2]
    scale = min(1.0, settings.process_width / width)
    small = cv2.resize(frame_bgr, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    rgb = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
    answers = []
    for face in models.faces(rgb):
        box = tuple(int(round(v / scale)) for v in face.box)
        if len(settings.names):
            distances = np.linalg.norm(settings.descriptors - face.descriptor, axis=1)
            best = int(np.argmin(distances))
            name = settings.names[best] if distances[best] < settings.threshold else None
            answers.append((box, name, float(distances[best])))
        else:
            answers.append((box, None, float("nan")))
    known, unknown = (5, 150, 105), (225, 29, 72)  # RGB; reversed below for the BGR frame
    labelled = [
        (
            box,
            f"{name or 'unknown'} {distance:.2f}" if distance == distance else "nobody enrolled",
            (known if name else unknown)[::-1],
        )
        for box, name, distance in answers
    ]
    return images.draw_boxes(frame_bgr, labelled), answers


def demo_people(strangers: int = 4) -> dict[str, list[np.ndarray]]:
    """Offline photos for a demo gallery: name → RGB uint8 images.

    Eileen Collins (scikit-image's astronaut) in three views, and ``strangers`` people from
    scikit-image's LFW subset. Those are 25x25 grayscale, upscaled to 150x150 (blurry, so
    their descriptors are less distinct than real photos'), each in two views.
    """
    import cv2
    import skimage.data

    from playground.core.images import sample_image

    astronaut = sample_image("astronaut")
    mirrored = np.ascontiguousarray(astronaut[:, ::-1])
    people = {"Eileen Collins": [astronaut, mirrored, cv2.resize(mirrored, (300, 300), interpolation=cv2.INTER_AREA)]}
    patches = skimage.data.lfw_subset()[:strangers]  # the first 100 patches are faces
    for i, patch in enumerate(patches):
        gray = cv2.resize(images.to_uint8(patch), (150, 150), interpolation=cv2.INTER_CUBIC)
        rgb = np.repeat(gray[..., None], 3, axis=2)
        people[f"LFW stranger {i + 1}"] = [rgb, np.ascontiguousarray(rgb[:, ::-1])]
    return people


def triplet_loss(anchor: np.ndarray, positive: np.ndarray, negative: np.ndarray, margin: float = 0.2) -> dict:
    """The triplet loss of FaceNet, as the Coursera notes give it.

    L(A, P, N) = max(||f(A) - f(P)||² - ||f(A) - f(N)||² + α, 0)

    Returns the two squared distances and the loss.
    """
    positive_sq = float(np.sum((np.asarray(anchor) - positive) ** 2))
    negative_sq = float(np.sum((np.asarray(anchor) - negative) ** 2))
    return {"d_ap2": positive_sq, "d_an2": negative_sq, "loss": max(positive_sq - negative_sq + margin, 0.0)}


def project_2d(descriptors: np.ndarray) -> np.ndarray:
    """PCA projection of (N, 128) descriptors to (N, 2); needs N >= 2."""
    if len(descriptors) < 2:
        raise ValueError("Enrol at least two photos to see the descriptor map.")
    from sklearn.decomposition import PCA

    return PCA(n_components=2).fit_transform(descriptors)


# How the built-in verification demo shows the same face a second time.
SEEN_DIFFERENTLY = ("mirrored, 60% size, brighter", "mirrored", "unchanged")


def seen_differently(image: np.ndarray, change: str) -> np.ndarray:
    """The RGB uint8 photo (H, W, 3) as the same face seen differently (one of
    :data:`SEEN_DIFFERENTLY`), for the verification demo's photo B."""
    if change not in SEEN_DIFFERENTLY:
        raise ValueError(f"Unknown change {change!r}; choose one of {', '.join(SEEN_DIFFERENTLY)}.")
    if change == "unchanged":
        return image
    mirrored = np.ascontiguousarray(image[:, ::-1])
    if change == "mirrored":
        return mirrored
    small = images.resize_max(mirrored, int(max(image.shape[:2]) * 0.6))
    return np.clip(small.astype(np.int16) + 25, 0, 255).astype(np.uint8)
