"""Per-frame cost of live deep face recognition at 640x480 with one face:
dlib HOG detection + 5-point alignment + 128-d descriptor + nearest enrolled person.

Last line: `fps=… p50_ms=… p95_ms=…`.
"""

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.core.images import resize_to, sample_image
from playground.lessons import face_embeddings

FRAMES = 60


def main() -> None:
    models = face_embeddings.FaceModels()
    frame = np.zeros((480, 640, 3), np.uint8)
    frame[:, 80:560] = resize_to(sample_image("astronaut"), (480, 480))
    gallery = face_embeddings.Gallery()
    gallery.enrol("Eileen Collins", models.main_face(frame)[0])
    timings = []
    for _ in range(FRAMES + 3):
        start = time.perf_counter()
        for face in models.faces(frame, upsample=0):
            gallery.recognise(face.descriptor)
        timings.append(time.perf_counter() - start)
    timings = np.array(timings[3:]) * 1000  # first frames warm caches up
    p50, p95 = np.percentile(timings, [50, 95])
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{FRAMES} frames at 640x480, one face: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(f"fps={1000 / timings.mean():.1f} p50_ms={p50:.1f} p95_ms={p95:.1f}")


if __name__ == "__main__":
    main()
