"""Redraw cost of the HOG & LBP page on a 512x512 photo, against scikit-image on the same input.

Prints milliseconds (median of several runs) for the page's HOG descriptor (hard votes,
the setting that equals ``skimage.feature.hog``) and its circular LBP (radius 1, 8
neighbours), each with scikit-image's time measured in the same run and the ratio.

Last line: ``hog_ms=… hog_ratio=… lbp_ms=… lbp_ratio=…`` (ratio = ours / scikit-image)
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from skimage.feature import hog, local_binary_pattern

from playground.core import images
from playground.lessons import hog_lbp

REPEATS = 7
SIDE = 512


def median_ms(function) -> float:
    function()  # warm caches
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    gray_u8 = images.to_gray(images.resize_to(images.sample_image("astronaut"), (SIDE, SIDE)))
    gray = gray_u8.astype(float)
    ours_hog = median_ms(lambda: hog_lbp.hog_descriptor(gray, 8, 2, 9, "L2-Hys", vote="hard"))
    their_hog = median_ms(lambda: hog(gray, 9, (8, 8), (2, 2), "L2-Hys"))
    ours_lbp = median_ms(lambda: hog_lbp.lbp_image(gray_u8, 1, 8, "default"))
    their_lbp = median_ms(lambda: local_binary_pattern(gray_u8, 8, 1, "default"))
    print(
        f"HOG descriptor {SIDE}x{SIDE}: ours {ours_hog:.1f} ms, scikit-image {their_hog:.1f} ms "
        f"(ratio {ours_hog / their_hog:.2f})"
    )
    print(
        f"LBP image {SIDE}x{SIDE}: ours {ours_lbp:.1f} ms, scikit-image {their_lbp:.1f} ms "
        f"(ratio {ours_lbp / their_lbp:.2f})"
    )
    print(
        f"hog_ms={ours_hog:.1f} hog_ratio={ours_hog / their_hog:.2f} lbp_ms={ours_lbp:.1f} "
        f"lbp_ratio={ours_lbp / their_lbp:.2f}"
    )


if __name__ == "__main__":
    main()
