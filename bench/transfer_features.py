"""Benchmark: backbone feature extraction (phase 1 of transfer learning) on 100 images.

MobileNetV2 runs with weights=None: ImageNet weights cannot download on this machine, and
random weights cost exactly the same arithmetic. The offline backbone is timed at the same
224x224 and at the 64x64 the page uses for it. Each figure is the best of 3 runs after a
warm-up call (graph tracing and memory allocation are one-off costs).

Run: .venv/bin/python bench/transfer_features.py
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from playground.lessons import transfer

N_IMAGES = 100
REPEATS = 3


def best_seconds(backbone, images: np.ndarray) -> float:
    transfer.extract_features(backbone.features, images[:8])  # warm-up
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        transfer.extract_features(backbone.features, images)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(0)
    images_224 = rng.uniform(0, 255, (N_IMAGES, 224, 224, 3)).astype(np.float32)
    images_64 = rng.uniform(0, 255, (N_IMAGES, 64, 64, 3)).astype(np.float32)
    mobilenet = transfer.load_backbone("MobileNetV2 (ImageNet)", weights=None, image_size=224)
    offline = transfer.load_backbone(transfer.OFFLINE)
    rows = [
        (
            "MobileNetV2 (weights=None: ImageNet weights cannot download here; same cost), 224x224",
            best_seconds(mobilenet, images_224),
        ),
        ("Offline backbone, 224x224", best_seconds(offline, images_224)),
        ("Offline backbone, 64x64 (page default)", best_seconds(offline, images_64)),
    ]
    baseline = rows[0][1]
    print(f"Feature extraction of {N_IMAGES} images, best of {REPEATS}:")
    for name, seconds in rows:
        print(f"  {name}: {seconds:.2f} s ({N_IMAGES / seconds:.0f} images/s, {seconds / baseline:.2f}x MobileNetV2)")
    cached_started = time.perf_counter()
    transfer.extract_features(offline.features, images_64, cache_key="bench")
    transfer.extract_features(offline.features, images_64, cache_key="bench")
    cached = time.perf_counter() - cached_started
    print(
        f"  Offline 64x64 again with the feature cache: first+cached call {cached:.2f} s (the second is a hash lookup)"
    )
    print(
        f"mobilenetv2_224_s={baseline:.2f} offline_224_ratio={rows[1][1] / baseline:.2f} "
        f"offline_64_ratio={rows[2][1] / baseline:.2f} cached_pair_s={cached:.2f}"
    )


if __name__ == "__main__":
    main()
