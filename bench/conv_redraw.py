"""How long one control change takes on the convolution page with a 512x512 image.

Prints, in milliseconds (median of several runs):
- the NumPy ``conv2d`` alone, and OpenCV's ``filter2D`` on the same input (baseline, ratio);
- everything the page computes for a redraw: grey image, conv2d, ReLU, pooling, the
  three-panel figure (PNG-encoded maps), the inspected window's products;
- a full server-side rerun of the "Explore a photo" tab after moving the stride slider
  (Streamlit's AppTest, so script time without the browser).

Run: .venv/bin/python bench/conv_redraw.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cv2
import numpy as np

from playground.core import images
from playground.figures import convolution_plots as cplots
from playground.lessons import convolution as conv

REPEATS = 7
SIDE = 512


def median_ms(work, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def page_redraw(rgb: np.ndarray, kernel: np.ndarray, stride: int, padding, dilation: int) -> None:
    """What the explore tab computes after a control change (no Streamlit)."""
    gray = images.to_float(images.to_gray(rgb)).astype(np.float64)
    feature = conv.relu(conv.conv2d(gray, kernel, stride, padding, dilation))
    pooled = conv.pool2d(feature, 2, 2, "max", "valid")
    row, col = feature.shape[0] // 2, feature.shape[1] // 2
    top, left, span = conv.input_window(row, col, kernel.shape[0], padding, stride, dilation, gray.shape)
    fig = cplots.maps_figure(
        [("input", gray), ("feature map", feature), ("pooled", pooled)],
        boxes=[cplots.Box(0, top, left, span, span), cplots.Box(1, row, col, 1, 1)],
        click_panel=1,
        own_scale=(0,),
    )
    fig.to_json()  # what Streamlit serialises
    s = conv.step(gray, kernel, row * feature.shape[1] + col, stride, padding, dilation)
    cplots.products_html(np.round(s.window, 2), kernel, total=s.value)


def apptest_rerun_ms() -> float:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("views/convolution.py").run()
    at.session_state["conv_tab"] = "2 · Explore a photo"
    at.run()
    slider = at.slider(key="conv_stride")
    times = []
    for value in [2, 1, 3, 1, 2, 1]:
        start = time.perf_counter()
        slider.set_value(value).run()
        times.append((time.perf_counter() - start) * 1000)
        assert not at.exception, at.exception
        slider = at.slider(key="conv_stride")
    return statistics.median(times)


def main() -> None:
    rgb = images.resize_to(images.sample_image("astronaut"), (SIDE, SIDE))
    gray = images.to_float(images.to_gray(rgb)).astype(np.float64)
    print(
        f"image {SIDE}x{SIDE}, median of {REPEATS} runs, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    ratios = []
    for name, size in [("Sobel x", 3), ("Gaussian blur", 5), ("Box blur", 11)]:
        kernel = conv.kernel_preset(name, size)
        ours = median_ms(lambda kernel=kernel: conv.conv2d(gray, kernel, padding="same"))
        opencv = median_ms(lambda kernel=kernel: cv2.filter2D(gray, -1, kernel, borderType=cv2.BORDER_CONSTANT))
        ratios.append(ours / opencv)
        print(
            f"conv2d {name} {size}x{size}: {ours:.1f} ms (OpenCV filter2D {opencv:.1f} ms, ratio {ours / opencv:.1f}x)"
        )
    redraws = []
    for label, args in [
        ("f=3 same s=1 d=1", (conv.kernel_preset("Sobel x", 3), 1, "same", 1)),
        ("f=7 same s=1 d=2", (conv.kernel_preset("Gaussian blur", 7), 1, "same", 2)),
        ("f=11 valid s=2 d=1", (conv.kernel_preset("Box blur", 11), 2, "valid", 1)),
    ]:
        redraws.append(median_ms(lambda args=args: page_redraw(rgb, *args)))
        print(f"page redraw (compute + figure) {label}: {redraws[-1]:.1f} ms")
    rerun = apptest_rerun_ms()
    print(f"full script rerun after a slider move (AppTest): {rerun:.0f} ms")
    print(f"rerun_ms={rerun:.0f} redraw_ms_max={max(redraws):.0f} conv2d_vs_opencv_ratio_max={max(ratios):.1f}x")


if __name__ == "__main__":
    main()
