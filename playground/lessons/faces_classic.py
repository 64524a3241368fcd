"""Classic face detection and recognition, as the course teaches them with OpenCV and dlib.

- Detection: Viola-Jones Haar cascades (OpenCV's files), the LBP frontal-face cascade (the
  copy scikit-image ships), HOG + linear SVM faces (dlib's frontal face detector) and HOG +
  linear SVM people (OpenCV's default people detector). Each run is timed.
- Recognition: OpenCV's LBPH recogniser (radius, neighbours, grid_x, grid_y, threshold) on
  faces that are detected and cropped automatically.

Images are RGB uint8 (H, W, 3); boxes are (x, y, w, h) in pixels of the image passed in.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from playground.core import images
from playground.core.cache import per_process

HAAR_MODELS = {
    "frontal face": "haarcascade_frontalface_default.xml",
    "frontal face (alt2)": "haarcascade_frontalface_alt2.xml",
    "profile face": "haarcascade_profileface.xml",
    "eyes": "haarcascade_eye.xml",
    "cat face": "haarcascade_frontalcatface.xml",
    "full body": "haarcascade_fullbody.xml",
}
HAAR, LBP, HOG_FACES, HOG_PEOPLE = "Haar cascade", "LBP cascade", "HOG + SVM faces (dlib)", "HOG + SVM people (OpenCV)"
DETECTORS = [HAAR, LBP, HOG_FACES, HOG_PEOPLE]
DETECTOR_COLOURS = {HAAR: (79, 70, 229), LBP: (225, 29, 72), HOG_FACES: (5, 150, 105), HOG_PEOPLE: (217, 119, 6)}
FACE_SIZE = 100  # pixels; enrolled and probe faces are resized to FACE_SIZE x FACE_SIZE gray
MIN_IMAGE_SIDE = 24  # the cascades' training window is 24x24 (LBP) or 24x24/20x20 (Haar)


@dataclass(frozen=True)
class CascadeSettings:
    """``detectMultiScale`` parameters: image pyramid step, overlapping hits needed, smallest box (px)."""

    scale_factor: float = 1.1
    min_neighbors: int = 5
    min_size: int = 30


@dataclass(frozen=True)
class HogSettings:
    """dlib: ``upsample`` doubles the image that many times (finds faces < 80 px).
    OpenCV people: window stride (px), pyramid scale and SVM score threshold."""

    upsample: int = 0
    people_stride: int = 8
    people_scale: float = 1.05
    people_threshold: float = 0.0


@dataclass
class Detection:
    """What one detector found on one image and how long it took (seconds)."""

    detector: str
    boxes: list[tuple[int, int, int, int]]
    seconds: float
    scores: list[float] = field(default_factory=list)


def _lbp_cascade_text() -> str:
    import skimage.data

    path = Path(skimage.data.__file__).parent / "lbpcascade_frontalface_opencv.xml"
    # scikit-image's copy misspells one tag ("featuhreParams"), which OpenCV refuses.
    return path.read_text().replace("featuhreParams", "featureParams")


class Detectors:
    """All classic detectors, loaded once. OpenCV/dlib detectors are not documented as
    thread-safe, so each call holds that detector's lock; pages share :func:`shared_detectors`."""

    def __init__(self):
        import cv2
        import dlib

        self._cv2 = cv2
        self._haar: dict[str, object] = {}
        self._lbp = cv2.CascadeClassifier()
        storage = cv2.FileStorage(_lbp_cascade_text(), cv2.FILE_STORAGE_READ | cv2.FILE_STORAGE_MEMORY)
        if not self._lbp.read(storage.getFirstTopLevelNode()):
            raise RuntimeError("Could not read scikit-image's LBP face cascade.")
        self._people = cv2.HOGDescriptor()
        self._people.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())
        self._dlib_faces = dlib.get_frontal_face_detector()
        self._locks = {name: threading.Lock() for name in DETECTORS}

    def _haar_model(self, model: str):
        if model not in HAAR_MODELS:
            raise ValueError(f"Unknown Haar model '{model}'; choose one of {', '.join(HAAR_MODELS)}.")
        if model not in self._haar:
            cascade = self._cv2.CascadeClassifier(self._cv2.data.haarcascades + HAAR_MODELS[model])
            if cascade.empty():
                raise RuntimeError(f"OpenCV's {HAAR_MODELS[model]} is missing from cv2.data.")
            self._haar[model] = cascade
        return self._haar[model]

    def detect(
        self,
        image: np.ndarray,
        detector: str,
        cascade: CascadeSettings = CascadeSettings(),
        hog: HogSettings = HogSettings(),
        haar_model: str = "frontal face",
    ) -> Detection:
        """Run one detector on an RGB image and time it (the time excludes gray conversion)."""
        image = check_image(image)
        gray = images.to_gray(image)
        check_cascade_settings(cascade)
        with self._locks[detector]:
            model = self._haar_model(haar_model) if detector == HAAR else self._lbp  # loaded before timing
            start = time.perf_counter()
            scores: list[float] = []
            if detector in (HAAR, LBP):
                found = model.detectMultiScale(
                    gray,
                    scaleFactor=cascade.scale_factor,
                    minNeighbors=cascade.min_neighbors,
                    minSize=(cascade.min_size, cascade.min_size),
                )
                boxes = [tuple(int(v) for v in box) for box in found]
            elif detector == HOG_FACES:
                rects, dlib_scores, _ = self._dlib_faces.run(image, hog.upsample, 0.0)
                height, width = gray.shape
                boxes = [
                    clip_box(r.left(), r.top(), r.right() - r.left(), r.bottom() - r.top(), width, height)
                    for r in rects
                ]
                scores = [float(s) for s in dlib_scores]
            elif detector == HOG_PEOPLE:
                found, weights = self._people.detectMultiScale(
                    gray,
                    hitThreshold=hog.people_threshold,
                    winStride=(hog.people_stride, hog.people_stride),
                    padding=(8, 8),
                    scale=hog.people_scale,
                )
                boxes = [tuple(int(v) for v in box) for box in found]
                scores = [float(w) for w in np.ravel(weights)]
            else:
                raise ValueError(f"Unknown detector '{detector}'; choose one of {', '.join(DETECTORS)}.")
            seconds = time.perf_counter() - start
        return Detection(detector, boxes, seconds, scores)

    def largest_face(
        self, image: np.ndarray, who: str = "the photo", cascade: CascadeSettings = CascadeSettings()
    ) -> tuple[int, int, int, int]:
        """The biggest frontal face (Haar first, then dlib's HOG); ``ValueError`` naming ``who`` if none."""
        for detector in (HAAR, HOG_FACES):
            found = self.detect(image, detector, cascade, HogSettings(upsample=1)).boxes
            if found:
                return max(found, key=lambda box: box[2] * box[3])
        height, width = image.shape[:2]
        raise ValueError(
            f"No face found in {who} ({width}x{height}). Use a photo where one face looks "
            "at the camera, well lit and at least ~60 px wide."
        )


@per_process
def shared_detectors() -> Detectors:
    """The classic detectors, loaded once per process for every page and session."""
    return Detectors()


def clip_box(x: int, y: int, w: int, h: int, width: int, height: int) -> tuple[int, int, int, int]:
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(width, x + w), min(height, y + h)
    return int(x0), int(y0), int(max(0, x1 - x0)), int(max(0, y1 - y0))


def check_image(image: np.ndarray) -> np.ndarray:
    """Reject what the detectors cannot use, with a message for people."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"Expected an RGB uint8 image (H, W, 3), got {image.dtype} {image.shape}.")
    height, width = image.shape[:2]
    if min(height, width) < MIN_IMAGE_SIDE:
        raise ValueError(
            f"The image is only {width}x{height} pixels; detectors need at least "
            f"{MIN_IMAGE_SIDE}x{MIN_IMAGE_SIDE} (their training window)."
        )
    return image


def check_cascade_settings(settings: CascadeSettings) -> None:
    """The ranges OpenCV accepts (scaleFactor must exceed 1), said in words."""
    if not settings.scale_factor > 1.0:
        raise ValueError(
            f"scaleFactor must be greater than 1 (each pyramid level shrinks the image), got {settings.scale_factor}."
        )
    if settings.min_neighbors < 0 or settings.min_size < 1:
        raise ValueError(
            f"minNeighbors must be >= 0 and minSize >= 1, got {settings.min_neighbors} and {settings.min_size}."
        )


def draw_detections(image: np.ndarray, detections: list[Detection]) -> np.ndarray:
    """A copy of the RGB image with each detector's boxes in its colour, labelled with its time."""
    return images.draw_boxes(
        image,
        [
            (box, f"{d.detector.split(' (')[0]} {d.seconds * 1000:.0f} ms", DETECTOR_COLOURS.get(d.detector, (0, 0, 0)))
            for d in detections
            for box in d.boxes
        ],
    )


def crop_face(image: np.ndarray, box: tuple[int, int, int, int], margin: float = 0.1) -> np.ndarray:
    """The face in ``box`` (with a small margin) as FACE_SIZE x FACE_SIZE grayscale uint8."""
    x, y, w, h = box
    pad = int(round(margin * w))
    height, width = image.shape[:2]
    x0, y0 = max(0, x - pad), max(0, y - pad)
    x1, y1 = min(width, x + w + pad), min(height, y + h + pad)
    return images.resize_to(images.to_gray(image[y0:y1, x0:x1]), (FACE_SIZE, FACE_SIZE))


def faces_from_files(detectors: Detectors, files: list[tuple[str, bytes]]) -> tuple[list[np.ndarray], list[str]]:
    """Enrolment: decode each (name, bytes) photo and crop its largest face.

    Returns the crops (FACE_SIZE x FACE_SIZE gray) and one message per file that could not be
    used (unreadable, or no face found), so one bad photo never loses the good ones.
    """
    crops, problems = [], []
    for name, data in files:
        try:
            rgb = check_image(images.decode_image(data, name))
            crops.append(crop_face(rgb, detectors.largest_face(rgb, f"'{name}'")))
        except ValueError as exc:
            problems.append(str(exc))
    return crops, problems


# ---------------------------------------------------------------- LBPH recognition


@dataclass(frozen=True)
class LbphSettings:
    """OpenCV LBPH parameters (the course's list) and the distance above which a face is unknown."""

    radius: int = 1
    neighbors: int = 8
    grid_x: int = 8
    grid_y: int = 8
    threshold: float = 60.0


@dataclass
class Recognition:
    """Who a face is (None = unknown), its distance to that person, and the nearest distance to everyone."""

    name: str | None
    distance: float
    distances: dict[str, float]


class LbphRecognizer:
    """OpenCV's LBPH face recogniser over a gallery of named, cropped gray faces."""

    def __init__(self, gallery: dict[str, list[np.ndarray]], settings: LbphSettings = LbphSettings()):
        import cv2

        if not 1 <= settings.radius <= 8 or not 1 <= settings.neighbors <= 16:
            raise ValueError(
                f"Use 1 <= radius <= 8 and 1 <= neighbors <= 16, got radius={settings.radius}, "
                f"neighbors={settings.neighbors}."
            )
        if not (1 <= settings.grid_x <= 16 and 1 <= settings.grid_y <= 16):
            raise ValueError(f"Use grids between 1 and 16 cells, got {settings.grid_x}x{settings.grid_y}.")
        people = [name for name, faces in gallery.items() if len(faces)]
        if not people:
            raise ValueError("Nobody is enrolled yet: add at least one photo with a face for a person.")
        self.names = people
        self.settings = settings
        faces, labels = [], []
        for label, name in enumerate(people):
            for face in gallery[name]:
                faces.append(np.asarray(face, dtype=np.uint8))
                labels.append(label)
        self.n_faces = len(faces)
        # Unknowns are decided here against settings.threshold, so OpenCV's own stays infinite and
        # every prediction reports its distance.
        self._model = cv2.face.LBPHFaceRecognizer_create(
            settings.radius, settings.neighbors, settings.grid_x, settings.grid_y
        )
        self._model.train(faces, np.array(labels, dtype=np.int32))
        self._lock = threading.Lock()

    def recognise(self, face: np.ndarray, threshold: float | None = None) -> Recognition:
        """Nearest enrolled person by chi-square distance between LBPH histograms; unknown when that
        distance exceeds ``threshold`` (default: the settings')."""
        import cv2

        collector = cv2.face.StandardCollector_create()
        with self._lock:
            self._model.predict_collect(np.asarray(face, dtype=np.uint8), collector)
        distances: dict[str, float] = {}
        for label, distance in collector.getResults(True):
            name = self.names[int(label)]
            distances[name] = min(distances.get(name, np.inf), float(distance))
        best = min(distances, key=distances.get)
        known = distances[best] <= (self.settings.threshold if threshold is None else threshold)
        return Recognition(best if known else None, distances[best], distances)

    def enrolled_distances(self) -> tuple[np.ndarray, list[str]]:
        """Chi-square distances between all enrolled faces' LBPH histograms (what ``recognise``
        compares), shape (N, N), and each row's person."""
        import cv2

        histograms = [np.asarray(h, dtype=np.float32) for h in self._model.getHistograms()]
        labels = [self.names[int(label)] for label in np.ravel(self._model.getLabels())]
        matrix = np.array([[cv2.compareHist(a, b, cv2.HISTCMP_CHISQR_ALT) for b in histograms] for a in histograms])
        return matrix, labels

    def suggested_threshold(self) -> float | None:
        """Halfway between the typical distance of a face to its own person's other photos and
        to the nearest other person (leave-one-out over the gallery); None if it cannot be told."""
        matrix, labels = self.enrolled_distances()
        labels = np.array(labels)
        same, other = [], []
        for i in range(len(labels)):
            mine = (labels == labels[i]) & (np.arange(len(labels)) != i)
            if mine.any():
                same.append(matrix[i, mine].min())
            if (labels != labels[i]).any():
                other.append(matrix[i, labels != labels[i]].min())
        if same and other:
            return float((np.median(same) + np.median(other)) / 2)
        if same:
            return float(max(same) * 1.5)
        return None


def augmented_views(face: np.ndarray, count: int, seed: int = 0) -> list[np.ndarray]:
    """``count`` plausible variants of a gray face crop: small rotation, shift, zoom, mirror,
    brightness/contrast and sensor noise (the same face as if photographed again)."""
    import cv2

    rng = np.random.default_rng(seed)
    size = face.shape[0]
    views = []
    for _ in range(count):
        angle, zoom = rng.uniform(-10, 10), rng.uniform(0.92, 1.08)
        matrix = cv2.getRotationMatrix2D((size / 2, size / 2), angle, zoom)
        matrix[:, 2] += rng.uniform(-0.05, 0.05, 2) * size
        view = cv2.warpAffine(face, matrix, (size, size), borderMode=cv2.BORDER_REFLECT)
        if rng.random() < 0.5:
            view = view[:, ::-1]
        view = view.astype(np.float64) * rng.uniform(0.75, 1.25) + rng.uniform(-25, 25)
        view += rng.normal(0, 4, view.shape)
        views.append(np.clip(view, 0, 255).astype(np.uint8))
    return views


@dataclass
class DemoSet:
    """An offline LBPH demo: a gallery of enrolled faces and probe faces with their true names
    (None = someone never enrolled)."""

    gallery: dict[str, list[np.ndarray]]
    probes: list[tuple[str, np.ndarray, str | None]]
    note: str


def demo_set(detectors: Detectors, views: int = 6, strangers: int = 3) -> DemoSet:
    """Eileen Collins (scikit-image's astronaut photo, face detected and cropped) and ``strangers``
    faces from scikit-image's LFW subset, each enrolled as augmented views of its one photo;
    probes are fresh augmentations plus an LFW face that was never enrolled."""
    import skimage.data

    astronaut = images.sample_image("astronaut")
    collins = crop_face(astronaut, detectors.largest_face(astronaut, "the astronaut photo"))
    lfw = skimage.data.lfw_subset()[:100]  # the first 100 patches are faces, 25x25 in [0, 1]

    def lfw_face(index: int) -> np.ndarray:
        return images.resize_to(images.to_uint8(lfw[index]), (FACE_SIZE, FACE_SIZE))

    people = {"Eileen Collins": collins} | {f"LFW person {i + 1}": lfw_face(i * 7) for i in range(strangers)}
    gallery = {name: augmented_views(face, views, seed=i) for i, (name, face) in enumerate(people.items())}
    probes = [
        (f"new view of {name}", augmented_views(face, 1, seed=100 + i)[0], name)
        for i, (name, face) in enumerate(people.items())
    ]
    probes.append(("someone never enrolled (LFW)", lfw_face(50), None))
    note = (
        f"Offline demo: {len(people)} people, each enrolled from {views} augmented views (rotation, shift, "
        "zoom, mirror, lighting, noise) of ONE photo — scikit-image's astronaut (Eileen Collins) and 25x25 "
        "faces from its LFW subset, upscaled. Easier than real life: enrol real photos for the real test."
    )
    return DemoSet(gallery, probes, note)


# ---------------------------------------------------------------- live video


@dataclass(frozen=True)
class LiveSettings:
    """What the live stream runs on each frame: detectors, their settings, the width frames are
    shrunk to before detecting (px; smaller = faster) and, optionally, an LBPH recogniser that names
    the faces the first face detector finds."""

    detectors: tuple[str, ...] = (HAAR,)
    cascade: CascadeSettings = CascadeSettings(scale_factor=1.2)
    hog: HogSettings = HogSettings()
    haar_model: str = "frontal face"
    process_width: int = 320
    recogniser: LbphRecognizer | None = None
    threshold: float | None = None


def detect_frame(
    detectors: Detectors, frame_bgr: np.ndarray, settings: LiveSettings
) -> tuple[np.ndarray, list[Detection]]:
    """One webcam frame (BGR uint8): run the chosen detectors on a copy shrunk to
    ``process_width``, then draw their boxes (scaled back) with each detector's time, and names
    when a recogniser is set. Returns the annotated BGR frame and the detections (full-size boxes)."""
    import cv2

    rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
    scale = min(1.0, settings.process_width / rgb.shape[1])
    small = images.resize_max(rgb, max(1, round(max(rgb.shape[:2]) * scale)))
    found = []
    for name in settings.detectors:
        detection = detectors.detect(small, name, settings.cascade, settings.hog, settings.haar_model)
        detection.boxes = [tuple(int(round(v / scale)) for v in box) for box in detection.boxes]
        found.append(detection)
    labelled = [
        (box, f"{d.detector.split(' (')[0]} {d.seconds * 1000:.0f} ms", DETECTOR_COLOURS[d.detector])
        for d in found
        for box in d.boxes
    ]
    faces_found = next((d.boxes for d in found if d.detector != HOG_PEOPLE), [])
    if settings.recogniser is not None:
        for box in faces_found:
            who = settings.recogniser.recognise(crop_face(rgb, box), settings.threshold)
            labelled.append(
                (
                    (box[0], box[1] + box[3], box[2], 0),
                    f"{who.name or 'unknown'} {who.distance:.0f}",
                    (5, 150, 105) if who.name else (225, 29, 72),
                )
            )
    annotated = images.draw_boxes(rgb, labelled)
    return cv2.cvtColor(annotated, cv2.COLOR_RGB2BGR), found
