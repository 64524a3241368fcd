"""Per-frame cost of each classic detector on a 640x480 webcam-like frame with one face, at full
size and through the Live tab's path (shrunk to 320 px), plus LBPH naming.

Baseline: Haar with scaleFactor 1.1 on the full 640x480 frame (the course's default call).
Each line: `detector … p50_ms=… ratio_to_baseline=…`.
"""

import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.core.images import resize_to, sample_image
from playground.lessons import faces_classic

REPEATS = 15


def median_ms(call) -> float:
    call()  # warm-up
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1000)


def main() -> None:
    detectors = faces_classic.Detectors()
    frame_rgb = np.zeros((480, 640, 3), np.uint8)
    frame_rgb[:, 80:560] = resize_to(sample_image("astronaut"), (480, 480))
    frame_bgr = np.ascontiguousarray(frame_rgb[..., ::-1])
    baseline = median_ms(lambda: detectors.detect(frame_rgb, faces_classic.HAAR, faces_classic.CascadeSettings(1.1)))
    print(f"baseline Haar scaleFactor=1.1 640x480 p50_ms={baseline:.1f}")
    for name in faces_classic.DETECTORS:
        full = median_ms(lambda name=name: detectors.detect(frame_rgb, name, faces_classic.CascadeSettings(1.2)))
        live = median_ms(
            lambda name=name: faces_classic.detect_frame(detectors, frame_bgr, faces_classic.LiveSettings((name,)))
        )
        print(
            f"{name}: full 640x480 (scaleFactor 1.2) p50_ms={full:.1f} ratio_to_baseline={full / baseline:.2f}; "
            f"live frame at 320 px p50_ms={live:.1f} ratio_to_baseline={live / baseline:.2f}"
        )
    demo = faces_classic.demo_set(detectors)
    recogniser = faces_classic.LbphRecognizer(demo.gallery)
    named = median_ms(
        lambda: faces_classic.detect_frame(
            detectors,
            frame_bgr,
            faces_classic.LiveSettings(
                (faces_classic.HAAR,), recogniser=recogniser, threshold=recogniser.suggested_threshold()
            ),
        )
    )
    print(f"live Haar + LBPH naming (24 enrolled faces) p50_ms={named:.1f} ratio_to_baseline={named / baseline:.2f}")


if __name__ == "__main__":
    cv2.setNumThreads(1)  # one core, as a busy server gives each session
    main()
