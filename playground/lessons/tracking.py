"""Object tracking: follow one box through a video with OpenCV's trackers, measured against the
ground truth of generated clips, and tracking vs running a detector on every frame.

A tracker is started from one box on the first frame and then only updates it, frame by frame,
from what it learned of the target's appearance; a detector finds the object anew in every frame.
KCF (kernelized correlation filter) learns a filter whose response peaks on the target, trained on
every cyclic shift of the patch at once in the Fourier domain; CSRT adds per-channel weights and a
spatial reliability map, slower but steadier through deformation and partial occlusion.

Boxes are ``(x, y, w, h)`` in pixels; frames are BGR uint8 (H, W, 3), as OpenCV reads them.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from playground.core import images
from playground.core.paths import ASSETS_DIR

Box = tuple[int, int, int, int]


def _factory(name: str, params: str | None, legacy: bool = False) -> tuple[Callable, Callable | None] | None:
    """OpenCV's ``Tracker<name>_create`` and its parameters class, or None if this build lacks it."""
    module = getattr(cv2, "legacy", None) if legacy else cv2
    make = getattr(module, f"Tracker{name}_create", None)
    return (make, getattr(cv2, params, None) if params else None) if make else None


# OpenCV's trackers that run offline in this build; each builds one, given its parameters object.
_FACTORIES: dict[str, tuple[Callable, Callable | None]] = {
    name: factory
    for name, factory in {
        "KCF": _factory("KCF", "TrackerKCF_Params"),
        "CSRT": _factory("CSRT", "TrackerCSRT_Params"),
        "MIL": _factory("MIL", "TrackerMIL_Params"),
        "MOSSE": _factory("MOSSE", None, legacy=True),
        "MedianFlow": _factory("MedianFlow", None, legacy=True),
    }.items()
    if factory is not None
}
METHODS = tuple(_FACTORIES)
# What each tracker is, in one line for the page.
DESCRIPTIONS = {
    "KCF": "Kernelized correlation filter on HOG features (Henriques et al., 2015): fast, fixed box size",
    "CSRT": "Correlation filter with channel and spatial reliability (Lukežič et al., 2017): slower, steadier, "
    "follows scale",
    "MIL": "Multiple-instance learning of a boosted classifier (Babenko et al., 2009): robust, slow, drifts",
    "MOSSE": "Minimum output sum of squared error filter on grey pixels (Bolme et al., 2010): very fast, rough",
    "MedianFlow": "Forward-backward optical flow of a point grid (Kalal et al., 2010): exact on smooth motion, "
    "gives up on jumps",
}
# OpenCV also has these, but they need model files that do not ship with it.
NEEDS_MODEL_FILES = {
    "GOTURN": "goturn.prototxt + goturn.caffemodel",
    "DaSiamRPN": "dasiamrpn_model.onnx and two kernel files",
    "Nano": "nanotrack_backbone_sim.onnx + nanotrack_head_sim.onnx",
    "Vit": "object_tracking_vittrack_2023sep.onnx",
}
# The parameters the page exposes: name -> (minimum, maximum) for numbers, None for switches.
TUNABLE: dict[str, dict[str, tuple[float, float] | None]] = {
    # KCF's features stay OpenCV's default, gray pixels with compressed colour names: this
    # build's KCF fails on the first update with any other choice (desc_pca / desc_npca).
    "KCF": {
        "detect_thresh": (0.0, 1.0),
        "sigma": (0.05, 1.0),
        "interp_factor": (0.0, 0.5),
        "output_sigma_factor": (0.01, 0.5),
        "resize": None,
        "compress_feature": None,
    },
    "CSRT": {
        "padding": (1.0, 6.0),
        "psr_threshold": (0.0, 0.3),
        "filter_lr": (0.0, 0.2),
        "use_hog": None,
        "use_color_names": None,
        "use_channel_weights": None,
        "use_segmentation": None,
    },
    "MIL": {"samplerSearchWinSize": (5.0, 60.0)},
}
PEDESTRIAN_CLIP = ASSETS_DIR / "videos" / "pedestrians.mp4"
MAX_VIDEO_FRAMES = 300  # the longest clip tracked (10 s at 30 fps): tracking runs on the server's CPU
MAX_UPLOAD_FRAMES = 150  # an upload is cut here; it stays in the session (about 140 MB at 640x480)
MAX_VIDEO_SIDE = 640  # longer side of the frames tracked, in pixels


def create_tracker(method: str, **params):
    """A fresh OpenCV tracker ``method`` (one of :data:`METHODS`) with ``params`` set on its
    parameters object (names as in :data:`TUNABLE`)."""
    if method not in _FACTORIES:
        raise ValueError(f"Unknown tracker {method!r}; choose one of {', '.join(METHODS)}.")
    make, params_class = _FACTORIES[method]
    if not params:
        return make()
    allowed = TUNABLE.get(method, {})
    unknown = sorted(set(params) - set(allowed))
    if unknown or params_class is None:
        raise ValueError(
            f"{method} has no parameter {', '.join(unknown or sorted(params))}; "
            f"it takes {', '.join(allowed) or 'none'}."
        )
    settings = params_class()
    for name, value in params.items():
        setattr(settings, name, type(getattr(settings, name))(value))
    return make(settings)


def default_params(method: str) -> dict[str, float | bool]:
    """OpenCV's defaults for the :data:`TUNABLE` parameters of ``method`` (empty when it has none)."""
    params_class = _FACTORIES[method][1] if method in _FACTORIES else None
    if params_class is None or method not in TUNABLE:
        return {}
    defaults = params_class()
    return {name: getattr(defaults, name) for name in TUNABLE[method]}


def check_box(box: Sequence[float], frame_shape: tuple[int, ...]) -> Box:
    """``box`` as ints, or a ``ValueError`` saying why it cannot start a tracker on such a frame."""
    x, y, w, h = (int(round(v)) for v in box)
    height, width = frame_shape[:2]
    if w < 4 or h < 4:
        raise ValueError(f"The box {w}x{h} is too small to track: give it at least 4x4 pixels.")
    if x < 0 or y < 0 or x + w > width or y + h > height:
        raise ValueError(f"The box ({x}, {y}, {w}, {h}) leaves the {width}x{height} frame; keep it inside.")
    return x, y, w, h


@dataclass
class TrackRun:
    """One tracker over a clip: a box per frame (None where it reported the target lost) and the
    seconds each update took."""

    method: str
    boxes: list[Box | None]
    seconds: list[float]

    @property
    def fps(self) -> float:
        """Updates per second (frame 0, the initialisation, not counted)."""
        spent = sum(self.seconds[1:])
        return (len(self.seconds) - 1) / spent if spent > 0 else float("inf")

    @property
    def lost_frames(self) -> list[int]:
        return [index for index, box in enumerate(self.boxes) if box is None]


def track_timed(frames: Sequence[np.ndarray], box: Sequence[float], method: str = "CSRT", **params) -> TrackRun:
    """Start ``method`` on ``box`` in frame 0 and update it on every later frame."""
    if len(frames) == 0:
        raise ValueError("The video has no frames.")
    start = check_box(box, frames[0].shape)
    tracker = create_tracker(method, **params)
    began = time.perf_counter()
    tracker.init(frames[0], start)
    boxes: list[Box | None] = [start]
    seconds = [time.perf_counter() - began]
    for frame in frames[1:]:
        began = time.perf_counter()
        found, found_box = tracker.update(frame)
        seconds.append(time.perf_counter() - began)
        boxes.append(tuple(int(round(v)) for v in found_box) if found else None)
    return TrackRun(method, boxes, seconds)


def track(frames: Sequence[np.ndarray], box: Sequence[float], method: str = "CSRT", **params) -> list[Box | None]:
    """One box per frame from tracker ``method`` started on ``box`` in frame 0 (None where it
    reports the target lost). ``frames``: BGR uint8 arrays; ``box``: (x, y, w, h)."""
    return track_timed(frames, box, method, **params).boxes


# --- measuring ----------------------------------------------------------------------------


def iou(a: Box | None, b: Box | None) -> float:
    """Intersection over union of two (x, y, w, h) boxes; 0 when either is missing."""
    if a is None or b is None:
        return 0.0
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    overlap_w = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    overlap_h = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    overlap = overlap_w * overlap_h
    union = aw * ah + bw * bh - overlap
    return float(overlap / union) if union > 0 else 0.0


def ious(boxes: Sequence[Box | None], truth: Sequence[Box | None]) -> np.ndarray:
    """IoU per frame (N,) of a tracker's boxes against the ground truth."""
    return np.array([iou(found, true) for found, true in zip(boxes, truth, strict=True)])


def success_curve(overlaps: Sequence[float], thresholds: Sequence[float]) -> np.ndarray:
    """OTB's success plot: for each threshold, the fraction of frames whose IoU exceeds it."""
    overlaps = np.asarray(overlaps, float)
    return np.array([float(np.mean(overlaps > t)) if len(overlaps) else 0.0 for t in thresholds])


SUCCESS_THRESHOLDS = np.linspace(0, 1, 21)


def success_auc(overlaps: Sequence[float]) -> float:
    """Area under the success curve (OTB's ranking score), in [0, 1]."""
    return float(np.mean(success_curve(overlaps, SUCCESS_THRESHOLDS)))


# --- clips --------------------------------------------------------------------------------


@dataclass
class Clip:
    """Frames (BGR uint8) of one video at ``fps``, with the target's true box per frame when known
    (generated clips) and None where it is fully hidden."""

    frames: list[np.ndarray]
    fps: float
    source: str
    truth: list[Box | None] | None = None


def _sprite() -> np.ndarray:
    """The target: the cat's face from scikit-image's chelsea photo, BGR (60, 70, 3)."""
    import skimage.data

    return cv2.resize(np.ascontiguousarray(skimage.data.chelsea()[40:260, 100:340, ::-1]), (70, 60))


def synthetic_clip(
    seed: int = 0,
    n_frames: int = 90,
    size: tuple[int, int] = (480, 640),
    speed: float = 5.0,
    scale_change: float = 0.0,
    rotation: float = 0.0,
    occlusion: bool = False,
    blur: int = 0,
    clutter: int = 0,
) -> Clip:
    """A cat's face gliding over a brick wall with exact ground truth, the same for a seed.

    ``speed`` pixels a frame; ``scale_change`` the relative size swing (0.5: between 0.5x and
    1.5x); ``rotation`` the swing in degrees; ``occlusion`` a grey pillar the target passes
    behind (its truth is None while fully hidden); ``blur`` a motion-blur length in pixels;
    ``clutter`` look-alike copies of the target standing still in the scene.
    """
    import skimage.data

    if not 2 <= n_frames <= MAX_VIDEO_FRAMES:
        raise ValueError(f"A clip has 2 to {MAX_VIDEO_FRAMES} frames, got {n_frames}.")
    height, width = size
    rng = np.random.default_rng(seed)
    wall = cv2.cvtColor(cv2.resize(skimage.data.brick(), (width, height)), cv2.COLOR_GRAY2BGR)
    background = cv2.addWeighted(wall, 0.7, np.full_like(wall, (90, 120, 150)), 0.3, 0)
    sprite = _sprite()
    for _ in range(clutter):
        x, y = rng.integers(0, width - 80), rng.integers(0, height - 70)
        decoy = cv2.resize(sprite, None, fx=rng.uniform(0.7, 1.1), fy=rng.uniform(0.7, 1.1))
        background[y : y + decoy.shape[0], x : x + decoy.shape[1]] = decoy
    pillar = (width // 2 - 75, width // 2 + 75)
    # A smooth random path that stays inside the frame: a wandering heading at constant speed.
    x, y = 40.0, height / 2 - 30
    heading = rng.uniform(-0.4, 0.4)
    frames, truth = [], []
    for t in range(n_frames):
        scale = 1.0 + scale_change * np.sin(2 * np.pi * t / 60)
        angle = rotation * np.sin(2 * np.pi * t / 45)
        target = cv2.resize(sprite, None, fx=scale, fy=scale)
        h, w = target.shape[:2]
        if angle:
            turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
            target = cv2.warpAffine(target, turn, (w, h), borderMode=cv2.BORDER_REFLECT)
        heading += rng.normal(0, 0.08)
        x, y = x + speed * np.cos(heading), y + speed * np.sin(heading)
        if not 0 <= x <= width - w:
            heading = np.pi - heading
            x = float(np.clip(x, 0, width - w))
        if not 0 <= y <= height - h:
            heading = -heading
            y = float(np.clip(y, 0, height - h))
        frame = background.copy()
        left, top = int(round(x)), int(round(y))
        frame[top : top + h, left : left + w] = target
        hidden = occlusion and pillar[0] <= left and left + w <= pillar[1]
        if occlusion:
            frame[:, pillar[0] : pillar[1]] = (128, 128, 128)
        if blur > 1:
            kernel = np.zeros((blur, blur), np.float32)
            kernel[blur // 2, :] = 1.0 / blur
            frame = cv2.filter2D(frame, -1, kernel)
        frames.append(frame)
        truth.append(None if hidden else (left, top, w, h))
    return Clip(frames, 30.0, f"generated clip (seed {seed}, {n_frames} frames, {width}x{height})", truth)


def read_video(data: bytes, name: str = "video", max_frames: int = MAX_VIDEO_FRAMES) -> Clip:
    """Decode an uploaded video (mp4, avi, webm, mov…) into at most ``max_frames`` frames whose
    longer side is at most :data:`MAX_VIDEO_SIDE`; a ``ValueError`` says what is wrong with it."""
    import av

    try:
        with av.open(io.BytesIO(data)) as container:
            if not container.streams.video:
                raise ValueError(f"'{name}' has no video stream.")
            stream = container.streams.video[0]
            fps = float(stream.average_rate or 30)
            frames, original = [], None
            for frame in container.decode(stream):
                original = original or (frame.width, frame.height)
                frames.append(images.resize_max(frame.to_ndarray(format="bgr24"), MAX_VIDEO_SIDE))
                if len(frames) >= max_frames:
                    break
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise ValueError(f"'{name}' could not be read as a video ({type(exc).__name__}).") from None
    if not frames:
        raise ValueError(f"'{name}' has no frames.")
    note = f", cut to its first {max_frames} frames" if len(frames) == max_frames else ""
    if original and max(original) > MAX_VIDEO_SIDE:
        height, width = frames[0].shape[:2]
        note += f", downscaled from {original[0]}x{original[1]} to {width}x{height}"
    return Clip(frames, fps, f"'{name}', {len(frames)} frames at {fps:.0f} fps{note}")


def pedestrian_clip() -> Clip:
    """OpenCV's sample of people walking (vtest.avi, cut and re-encoded by scripts/make_pedestrian_clip.py)."""
    if not PEDESTRIAN_CLIP.exists():
        raise ValueError(f"{PEDESTRIAN_CLIP} is missing; rebuild it with `python scripts/make_pedestrian_clip.py`.")
    clip = read_video(PEDESTRIAN_CLIP.read_bytes(), PEDESTRIAN_CLIP.name)
    clip.source = "OpenCV's pedestrian sample (vtest.avi), " + clip.source.split(", ", 1)[1]
    return clip


# --- inside KCF ---------------------------------------------------------------------------


@dataclass
class KcfStep:
    """One KCF update computed in NumPy: the search patch around the previous box (gray, cosine
    windowed), the learned dual coefficients alpha and the response on the next frame, each
    (H, W); ``shift`` = (dy, dx) of the response's peak from the patch centre, in pixels."""

    patch: np.ndarray
    alpha: np.ndarray
    response: np.ndarray
    shift: tuple[int, int]


def _gaussian_correlation(x_hat: np.ndarray, z_hat: np.ndarray, x: np.ndarray, z: np.ndarray, sigma: float):
    """Spectrum of the Gaussian kernel between ``z`` and every cyclic shift of ``x`` (same shape)."""
    cross = np.real(np.fft.ifft2(np.conj(x_hat) * z_hat))
    distances = np.maximum((x**2).sum() + (z**2).sum() - 2 * cross, 0) / x.size
    return np.fft.fft2(np.exp(-distances / sigma**2))


def kcf_step(
    previous: np.ndarray,
    current: np.ndarray,
    box: Box,
    padding: float = 1.5,
    sigma: float = 0.5,
    ridge: float = 1e-4,
    output_sigma_factor: float = 0.1,
) -> KcfStep:
    """Train KCF (Henriques et al. 2015, Gaussian kernel, gray pixels) on ``box`` in ``previous``
    and find the target in ``current``: ``alpha^ = y^ / (k^xx + ridge)``, response
    ``f(z) = F^-1(k^xz * alpha^)``. Frames BGR uint8; ``padding`` widens the patch around the box."""
    x0, y0, w, h = check_box(box, previous.shape)
    side_w, side_h = int(w * (1 + padding)) // 2 * 2, int(h * (1 + padding)) // 2 * 2
    centre = (x0 + w / 2, y0 + h / 2)
    window = np.outer(np.hanning(side_h), np.hanning(side_w))

    def patch_of(frame: np.ndarray) -> np.ndarray:
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY).astype(np.float64) / 255.0
        crop = cv2.getRectSubPix(gray.astype(np.float32), (side_w, side_h), centre).astype(np.float64)
        return (crop - crop.mean()) * window

    x, z = patch_of(previous), patch_of(current)
    rows, cols = np.mgrid[:side_h, :side_w]
    spread = np.sqrt(w * h) * output_sigma_factor
    target = np.exp(-((rows - side_h // 2) ** 2 + (cols - side_w // 2) ** 2) / (2 * spread**2))
    x_hat, z_hat = np.fft.fft2(x), np.fft.fft2(z)
    alpha_hat = np.fft.fft2(target) / (_gaussian_correlation(x_hat, x_hat, x, x, sigma) + ridge)
    response = np.real(np.fft.ifft2(_gaussian_correlation(x_hat, z_hat, x, z, sigma) * alpha_hat))
    peak_row, peak_col = np.unravel_index(int(np.argmax(response)), response.shape)
    alpha = np.real(np.fft.ifft2(alpha_hat))
    return KcfStep(x, alpha, response, (int(peak_row - side_h // 2), int(peak_col - side_w // 2)))


# --- detection on every frame ---------------------------------------------------------------


class PeopleDetector:
    """OpenCV's HOG + linear SVM pedestrian detector (Dalal & Triggs), run on a whole frame."""

    def __init__(self):
        self._hog = cv2.HOGDescriptor()
        self._hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())

    def detect(self, frame: np.ndarray) -> list[Box]:
        boxes, _ = self._hog.detectMultiScale(frame, winStride=(8, 8), padding=(8, 8), scale=1.05)
        return [tuple(int(v) for v in box) for box in boxes]


def detect_timed(frames: Sequence[np.ndarray], detector: PeopleDetector) -> tuple[list[list[Box]], list[float]]:
    """Every frame through the detector: its boxes per frame and the seconds each frame took."""
    found, seconds = [], []
    for frame in frames:
        began = time.perf_counter()
        found.append(detector.detect(frame))
        seconds.append(time.perf_counter() - began)
    return found, seconds


# --- live from the webcam ------------------------------------------------------------------


@dataclass(frozen=True)
class LiveSettings:
    """What the live stream does: which tracker; where it starts — on the largest face the Haar
    detector finds (``start_box`` None, ``start_on_face``), in the middle of the frame, or on
    ``start_box``, (x, y, w, h) as fractions of the frame (drawn on a snapshot); and ``restart``,
    a counter the page bumps to start again on the next frame."""

    method: str = "KCF"
    start_on_face: bool = True
    restart: int = 0
    start_box: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class LiveResult:
    """One live frame: ``state`` is "searching" (no face yet), "tracking" or "lost"; the box in
    frame pixels; milliseconds spent detecting or updating."""

    state: str
    box: Box | None
    milliseconds: float
    method: str


class LiveTracker:
    """A session's tracker on its webcam stream: started from a face (or the middle of the frame)
    and then only updated. :meth:`process` runs in the stream's worker thread."""

    def __init__(self):
        self._tracker = None
        self._restart: int | None = None
        self._method: str | None = None

    def _start_box(self, frame: np.ndarray, settings: LiveSettings) -> Box | None:
        height, width = frame.shape[:2]
        if settings.start_box is not None:
            x, y, w, h = settings.start_box
            return check_box((x * width, y * height, w * width, h * height), frame.shape)
        if not settings.start_on_face:
            return width * 3 // 8, height * 3 // 8, width // 4, height // 4
        from playground.lessons import faces_classic

        small = images.resize_max(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), 320)
        scale = frame.shape[1] / small.shape[1]
        found = faces_classic.shared_detectors().detect(small, faces_classic.HAAR, faces_classic.CascadeSettings(1.2))
        if not found.boxes:
            return None
        x, y, w, h = max(found.boxes, key=lambda b: b[2] * b[3])
        return check_box([v * scale for v in (x, y, w, h)], frame.shape)

    def process(self, frame: np.ndarray, settings: LiveSettings) -> tuple[np.ndarray, LiveResult]:
        """Track on one BGR frame: returns the frame with the box drawn, and what happened."""
        began = time.perf_counter()
        if settings.restart != self._restart or settings.method != self._method:
            self._tracker, self._restart, self._method = None, settings.restart, settings.method
        if self._tracker is None:
            box = self._start_box(frame, settings)
            if box is None:
                return frame, LiveResult("searching", None, (time.perf_counter() - began) * 1000, settings.method)
            self._tracker = create_tracker(settings.method)
            self._tracker.init(frame, box)
            state = "tracking"
        else:
            found, raw = self._tracker.update(frame)
            box = tuple(int(round(v)) for v in raw) if found else None
            state = "tracking" if found else "lost"
        milliseconds = (time.perf_counter() - began) * 1000
        colour = images.hex_to_rgb(COLOURS_HEX[settings.method])[::-1]
        if box is None:
            return frame, LiveResult(state, None, milliseconds, settings.method)
        drawn = images.draw_boxes(frame, [(box, f"{settings.method} {milliseconds:.0f} ms", colour)])
        return drawn, LiveResult(state, box, milliseconds, settings.method)


# --- showing it ---------------------------------------------------------------------------

TRUTH_COLOUR = (40, 40, 40)
# One colour per tracker, the same on the video and on the charts.
COLOURS_HEX = {"KCF": "#4f46e5", "CSRT": "#e11d48", "MIL": "#059669", "MOSSE": "#d97706", "MedianFlow": "#0891b2"}


DETECTION_COLOUR = (105, 150, 5)


def annotate(
    clip: Clip, runs: Sequence[TrackRun], detections: Sequence[Sequence[Box]] | None = None
) -> list[np.ndarray]:
    """The clip's frames with the true box (dark grey), each tracker's box in its colour ("lost" where
    it gave up) and, when given, a detector's boxes of each frame (green, unlabelled)."""
    annotated = []
    for index, frame in enumerate(clip.frames):
        if detections is not None:
            found = [(box, "", DETECTION_COLOUR) for box in detections[index]]
            frame = images.draw_boxes(frame, found, labels=False)
        labelled = []
        if clip.truth is not None and clip.truth[index] is not None:
            labelled.append((clip.truth[index], "truth", TRUTH_COLOUR))
        for run in runs:
            box = run.boxes[index]
            if box is not None:
                labelled.append((box, run.method, images.hex_to_rgb(COLOURS_HEX[run.method])[::-1]))
        drawn = images.draw_boxes(frame, labelled)
        lost = [run.method for run in runs if run.boxes[index] is None]
        if lost:
            cv2.putText(
                drawn, "lost: " + ", ".join(lost), (8, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 255), 2, cv2.LINE_AA
            )
        annotated.append(drawn)
    return annotated


def encode_mp4(frames: Sequence[np.ndarray], fps: float) -> bytes:
    """BGR frames as an H.264 MP4 (yuv420p, moov atom first) that browsers play in ``st.video``."""
    import tempfile

    import av

    height, width = frames[0].shape[:2]
    even = (width // 2 * 2, height // 2 * 2)
    # faststart rewrites the file to put the index first, which needs a real file.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        with av.open(str(path), mode="w", options={"movflags": "+faststart"}) as container:
            stream = container.add_stream("libx264", rate=int(round(fps)))
            stream.width, stream.height = even
            stream.pix_fmt = "yuv420p"
            stream.options = {"preset": "veryfast", "crf": "23"}
            for frame in frames:
                picture = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame[: even[1], : even[0]]), format="bgr24")
                container.mux(stream.encode(picture))
            container.mux(stream.encode())
        return path.read_bytes()
