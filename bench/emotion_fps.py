"""Per-frame cost of live emotion recognition at 640x480 with one face, with the page's
default settings: Haar detection on a 320-px copy (whole frame every 30th frame, near the
last box in between) + 64x64 crop + mini-Xception through a
tf.function + smoothing + drawing (``EmotionStream.process``, exactly what the webcam
callback runs). Targets: >= 60 fps and p95 <= 25 ms.

Baseline in the same run: the same frames classified with ``model.predict`` per frame
(what the page never does). Last line: `fps=… p50_ms=… p95_ms=… predict_ratio=…`.
"""

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.core.images import resize_to, sample_image
from playground.lessons import emotion

FRAMES = 300
PREDICT_FRAMES = 20


def test_frame() -> np.ndarray:
    """640x480 BGR with the astronaut (one face, ~90 px) in the middle."""
    frame = np.zeros((480, 640, 3), np.uint8)
    frame[:, 80:560] = resize_to(sample_image("astronaut"), (480, 480))[..., ::-1]
    return frame


def main() -> None:
    frame = test_frame()
    stream = emotion.EmotionStream()
    settings = emotion.LiveSettings()
    _, result = stream.process(frame, settings)
    if len(result.detections) != 1:
        raise SystemExit(f"expected one face with default settings, found {len(result.detections)}")
    wall, cpu = [], []
    for _ in range(FRAMES + 10):
        start, start_cpu = time.perf_counter(), time.process_time()
        stream.process(frame, settings)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    wall, cpu = np.array(wall[10:]) * 1000, np.array(cpu[10:]) * 1000  # first frames warm caches up
    p50, p95 = np.percentile(wall, [50, 95])

    full_scan = []  # what every FULL_SCAN_EVERY-th frame (or a lost face) costs
    detector = emotion.EmotionDetector(settings.detector, stream.classifier)
    for _ in range(60):
        start = time.perf_counter()
        emotion.draw_detections(frame, detector.detect(frame))
        full_scan.append(time.perf_counter() - start)
    full_p50, full_p95 = np.percentile(full_scan, [50, 95]) * 1000

    model = stream.classifier.model
    crop_batch = emotion.model_input(result.detections[0].crop[None])
    model.predict(crop_batch, verbose=0)
    predict = []
    for _ in range(PREDICT_FRAMES):
        start = time.perf_counter()
        model.predict(crop_batch, verbose=0)
        predict.append(time.perf_counter() - start)
    graph = []
    for _ in range(PREDICT_FRAMES):
        start = time.perf_counter()
        stream.classifier.probabilities(result.detections[0].crop[None])
        graph.append(time.perf_counter() - start)
    predict_ms, graph_ms = np.median(predict) * 1000, np.median(graph) * 1000

    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"{FRAMES} frames at 640x480, one face, detect+classify+draw: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"CPU time p50 {np.median(cpu):.1f} ms (all threads)"
    )
    print(
        f"full-frame scan (1 frame in {emotion.FULL_SCAN_EVERY}, or when a face is lost): "
        f"p50 {full_p50:.1f} ms, p95 {full_p95:.1f} ms"
    )
    print(
        f"classifier alone: tf.function {graph_ms:.1f} ms vs model.predict {predict_ms:.1f} ms per frame "
        f"({predict_ms / graph_ms:.0f}x)"
    )
    print(
        f"targets: fps >= 60 ({'met' if 1000 / wall.mean() >= 60 else 'MISSED'}), "
        f"p95 <= 25 ms ({'met' if p95 <= 25 else 'MISSED'})"
    )
    print(f"fps={1000 / wall.mean():.1f} p50_ms={p50:.1f} p95_ms={p95:.1f} predict_ratio={predict_ms / graph_ms:.0f}x")


if __name__ == "__main__":
    main()
