"""Style transfer speed: 100 steps at 256x256 px with the offline backbone (aim: under a
minute), against VGG19's structure (random weights, same cost as ImageNet's) for a few
steps as the baseline a user with internet would pick.

Last line: `backbone_100_steps_s=… ms_per_step=… vgg19_ms_per_step=… ratio=…`.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.core import images
from playground.lessons import style

SIDE = 256
STEPS = 100
VGG_STEPS = 6


def time_run(net, content, style_rgb, steps: int) -> tuple[float, float]:
    """(seconds for ``steps`` steps after the first traced one, seconds to set up and trace)."""
    settings = style.StyleSettings(
        content_layer=net.default_content, style_layers=net.default_style, steps=steps + 1, image_side=SIDE
    )
    started = time.perf_counter()
    updates = style.stylise(net, content, style_rgb, settings, report_every=1)
    next(updates)
    next(updates)  # step 1 traces the tf.function
    traced = time.perf_counter()
    for _ in updates:
        pass
    return time.perf_counter() - traced, traced - started


def main() -> None:
    import keras

    content, style_rgb, _ = style.prepare_images(images.sample_image("astronaut"), images.sample_image("coffee"), SIDE)
    backbone = style.load_backbone()
    seconds, setup = time_run(backbone, content, style_rgb, STEPS)
    vgg = style.vgg19_from_model(keras.applications.VGG19(weights=None, include_top=False), "VGG19 structure")
    vgg_seconds, _ = time_run(vgg, content, style_rgb, VGG_STEPS)
    megapixels = content.shape[0] * content.shape[1] / 1e6
    step_ms, vgg_ms = seconds / STEPS * 1000, vgg_seconds / VGG_STEPS * 1000
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"offline backbone: {STEPS} steps at {content.shape[1]}x{content.shape[0]} px in {seconds:.1f} s "
        f"(+{setup:.1f} s setup and tracing); {seconds / STEPS / megapixels:.2f} s per megapixel-step"
    )
    print(
        f"VGG19: {vgg_ms:.0f} ms/step, {vgg_seconds / VGG_STEPS / megapixels:.2f} s per megapixel-step; "
        f"100 steps would take {vgg_ms / 10:.0f} s"
    )
    print(
        f"backbone_100_steps_s={seconds:.1f} ms_per_step={step_ms:.0f} vgg19_ms_per_step={vgg_ms:.0f} "
        f"ratio={vgg_ms / step_ms:.1f}"
    )


if __name__ == "__main__":
    main()
