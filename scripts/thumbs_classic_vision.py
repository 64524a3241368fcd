"""Home-card thumbnails for the HOG & LBP and Faces pages (480x270 crops of their main visuals).

Run: python scripts/thumbs_classic_vision.py  → assets/thumbs/hog_lbp.png and assets/thumbs/faces.png
"""

import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground.core import images
from playground.lessons import faces_classic, hog_lbp

SIZE = (480, 270)


def hog_lbp_thumbnail() -> Image.Image:
    """The astronaut's face: gray, its HOG glyphs, its LBP codes (centre-cropped to 16:9)."""
    gray = images.to_gray(images.sample_image("astronaut"))[20:276, 120:376]  # her head and shoulders
    glyphs = hog_lbp.hog_glyphs(hog_lbp.hog_cells(hog_lbp.gradients(gray), 8), 8, scale=1)
    codes = hog_lbp.lbp_image(gray, 1, 8, "uniform")
    lbp = (codes * 255 / 9).astype(np.uint8)
    strip = np.concatenate([gray[:, 64:192], glyphs, lbp[:, 64:192]], axis=1)  # 256 x 512
    return _fit(strip)


def _fit(array: np.ndarray) -> Image.Image:
    """Scale to cover 480x270, then centre-crop."""
    image = Image.fromarray(array).convert("RGB")
    scale = max(SIZE[0] / image.width, SIZE[1] / image.height)
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
    left, top = (image.width - SIZE[0]) // 2, (image.height - SIZE[1]) // 2
    return image.crop((left, top, left + SIZE[0], top + SIZE[1]))


def faces_thumbnail() -> Image.Image:
    detectors = faces_classic.Detectors()
    astronaut = images.sample_image("astronaut")
    found = [detectors.detect(astronaut, name) for name in faces_classic.DETECTORS[:3]]
    drawn = faces_classic.draw_detections(astronaut, found)
    return _fit(drawn[10:298])  # the top 16:9 band: face, boxes and timing tags


if __name__ == "__main__":
    out = ROOT / "assets" / "thumbs"
    hog_lbp_thumbnail().save(out / "hog_lbp.png")
    faces_thumbnail().save(out / "faces.png")
    print("wrote", out / "hog_lbp.png", out / "faces.png")
