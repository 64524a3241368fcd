"""How fast the GAN page redraws: a 64-image grid and one latent-slider move (target <= 0.2 s).

Each figure covers what the page does per redraw: draw the noise, run the shipped generator
through its traced tf.function, tile the images and encode the PNG the browser receives.
Baseline, measured in the same run: the same grid through ``model.predict``.
Run: .venv/bin/python bench/gan_sampling.py
"""

import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PIL import Image

from playground.core import shipped_models
from playground.core.images import tile
from playground.lessons import gan

TARGET_S = 0.2
REPEATS = 30


def median_seconds(work, repeats: int = REPEATS) -> float:
    work()  # warm-up (tracing happens once per model)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def png(canvas: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(canvas).save(buffer, format="PNG")
    return buffer.getvalue()


def main() -> None:
    generator = shipped_models.load("fashion_gan_generator")
    labels = np.full(64, 7)
    z_grid = gan.latents(64, gan.latent_dim_of(generator), seed=0)

    def grid():
        images = gan.sample(generator, 64, seed=0, labels=labels)
        return png(tile(images, 8, pad=2, scale=3))

    def slider_move():
        z = z_grid[0].copy()
        z[0] = np.random.uniform(-3, 3)
        return png(tile(gan.generate(generator, z[None], labels[:1]), 1, scale=8))

    def grid_with_predict():
        inputs = [z_grid, gan.one_hot(labels, 10)]
        images = (generator.predict(inputs, verbose=0) + 1) / 2
        return png(tile(images, 8, pad=2, scale=3))

    grid_s, slider_s = median_seconds(grid), median_seconds(slider_move)
    predict_s = median_seconds(grid_with_predict, repeats=10)
    for name, seconds in (("64-image grid", grid_s), ("latent slider redraw", slider_s)):
        verdict = "OK" if seconds <= TARGET_S else "TOO SLOW"
        print(f"{name}: {seconds * 1000:.1f} ms (target {TARGET_S * 1000:.0f} ms) {verdict}")
    print(f"baseline 64-image grid via model.predict: {predict_s * 1000:.1f} ms")
    print(
        f"grid_ms={grid_s * 1000:.0f} slider_ms={slider_s * 1000:.0f} target_ms={TARGET_S * 1000:.0f} "
        f"predict_grid_ms={predict_s * 1000:.0f} ratio_predict_to_ours={predict_s / grid_s:.1f}x"
    )


if __name__ == "__main__":
    main()
