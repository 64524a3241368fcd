"""Benchmark: deep dream with the offline backbone, 3 octaves x 10 steps at 256 px.

Target (issue 8): under 20 s on a 2-core CPU. Prints the time, the time per step and,
as a baseline from the same run, one step at the smallest octave's size.
Run: .venv/bin/python bench/deep_dream.py
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.core import images
from playground.lessons import dream

SIDE = 256
SETTINGS = dream.DreamSettings(dict(dream.BACKBONE_DEFAULT), octaves=3, steps=10, max_side=SIDE)


def main() -> None:
    model = dream.load_backbone()
    photo = images.resize_to(images.sample_image("astronaut"), (SIDE, SIDE))
    started = time.perf_counter()
    step_fn = dream.make_gradient_ascent_step(model, tuple(SETTINGS.active_layers()))
    updates = list(dream.run_octaves(model, photo, SETTINGS, step_fn=step_fn))
    seconds = time.perf_counter() - started
    steps = len(updates)
    print(
        f"deep_dream offline backbone, {SETTINGS.octaves} octaves x {SETTINGS.steps} steps at "
        f"{photo.shape[1]}x{photo.shape[0]} px: {seconds:.2f} s including tracing "
        f"({steps} steps, loss {updates[0].loss:.3f} -> {updates[-1].loss:.3f}); target < 20 s: "
        f"{'OK' if seconds < 20 else 'SLOW'}"
    )
    warm_started = time.perf_counter()
    list(dream.run_octaves(model, photo, SETTINGS, step_fn=step_fn))
    warm = time.perf_counter() - warm_started
    print(
        f"second run (already traced): {warm:.2f} s = {1000 * warm / steps:.1f} ms per step; "
        f"ratio first/second {seconds / warm:.1f}x"
    )
    print(
        f"dream_s={seconds:.2f} traced_dream_s={warm:.2f} ms_per_step={1000 * warm / steps:.1f} "
        f"first_to_traced_ratio={seconds / warm:.1f} target_s=20"
    )


if __name__ == "__main__":
    main()
