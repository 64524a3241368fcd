"""Render the style images shipped in assets/styles/ (procedural, so free to ship).

Four small PNGs (256x256), each a different kind of texture for the style-transfer page:
- bold strokes: thick, randomly oriented brush strokes in a warm palette;
- mosaic: Voronoi tiles in jewel colours with dark grout;
- waves: layered blue sine bands with white crests, woodblock-print style;
- pointillism: dense coloured dots on a cream ground.

Run: .venv/bin/python scripts/make_style_images.py  (under a second; deterministic)
"""

import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
STYLES_DIR = ROOT / "assets" / "styles"
SIDE = 256
SEED = 7


def bold_strokes(rng: np.random.Generator) -> np.ndarray:
    """Overlapping thick strokes, each a short bent line with a darker edge."""
    palette = np.array(
        [[230, 57, 70], [241, 143, 1], [252, 191, 73], [42, 157, 143], [38, 70, 83], [233, 196, 106]], np.uint8
    )
    canvas = np.full((SIDE, SIDE, 3), (245, 235, 215), np.uint8)
    for _ in range(260):
        colour = palette[rng.integers(len(palette))].astype(int)
        start = rng.uniform(-20, SIDE + 20, 2)
        angle = rng.uniform(0, np.pi)
        length = rng.uniform(25, 70)
        bend = rng.uniform(-0.6, 0.6)
        t = np.linspace(0, 1, 12)
        xs = start[0] + np.cos(angle + bend * t) * length * t
        ys = start[1] + np.sin(angle + bend * t) * length * t
        points = np.stack([xs, ys], axis=1).astype(np.int32)
        width = int(rng.integers(7, 15))
        cv2.polylines(canvas, [points], False, tuple(int(c * 0.6) for c in colour), width + 3, cv2.LINE_AA)
        cv2.polylines(canvas, [points], False, tuple(int(c) for c in colour), width, cv2.LINE_AA)
    return canvas


def mosaic(rng: np.random.Generator) -> np.ndarray:
    """Voronoi cells around jittered grid points, filled with jewel colours, dark grout between."""
    palette = np.array(
        [[29, 53, 87], [69, 123, 157], [168, 218, 220], [230, 57, 70], [244, 162, 97], [233, 196, 106], [42, 157, 143]],
        np.uint8,
    )
    step = 18
    grid = np.mgrid[step // 2 : SIDE : step, step // 2 : SIDE : step].reshape(2, -1).T.astype(float)
    centres = grid + rng.uniform(-step * 0.35, step * 0.35, grid.shape)
    yy, xx = np.mgrid[0:SIDE, 0:SIDE]
    pixels = np.stack([yy.ravel(), xx.ravel()], axis=1).astype(float)
    distances = ((pixels[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
    order = np.argsort(distances, axis=1)[:, :2]
    nearest = np.take_along_axis(distances, order, axis=1)
    cell = order[:, 0].reshape(SIDE, SIDE)
    # Grout where the two nearest centres are about equally far: a line of constant width.
    gap = (np.sqrt(nearest[:, 1]) - np.sqrt(nearest[:, 0])).reshape(SIDE, SIDE)
    colours = palette[rng.integers(len(palette), size=len(centres))]
    shade = rng.uniform(0.85, 1.1, size=(len(centres), 1))
    canvas = np.clip(colours * shade, 0, 255).astype(np.uint8)[cell]
    canvas[gap < 2.2] = (35, 30, 28)
    return canvas


def waves(rng: np.random.Generator) -> np.ndarray:
    """Bands of sine waves, dark navy to pale blue, with white crest lines."""
    blues = np.array([[12, 35, 64], [22, 70, 120], [41, 111, 168], [94, 160, 205], [190, 220, 235]], float)
    yy, xx = np.mgrid[0:SIDE, 0:SIDE].astype(float)
    phase = rng.uniform(0, 2 * np.pi, 3)
    height = (
        yy + 9 * np.sin(xx / 17 + phase[0]) + 5 * np.sin(xx / 7 + yy / 23 + phase[1]) + 3 * np.sin(xx / 4 + phase[2])
    )
    band = height / 14.0
    level = np.floor(band).astype(int) % len(blues)
    canvas = blues[level]
    crest = (band - np.floor(band)) > 0.82
    canvas[crest] = (245, 245, 240)
    return canvas.astype(np.uint8)


def pointillism(rng: np.random.Generator) -> np.ndarray:
    """Thousands of small dots in complementary colours on a cream ground."""
    palette = np.array(
        [[214, 40, 40], [247, 127, 0], [252, 191, 73], [0, 48, 73], [86, 130, 89], [121, 85, 172]], np.uint8
    )
    canvas = np.full((SIDE, SIDE, 3), (250, 240, 220), np.uint8)
    for _ in range(2600):
        centre = tuple(int(v) for v in rng.integers(0, SIDE, 2))
        colour = tuple(int(c) for c in palette[rng.integers(len(palette))])
        cv2.circle(canvas, centre, int(rng.integers(2, 5)), colour, -1, cv2.LINE_AA)
    return canvas


STYLES = {"bold strokes": bold_strokes, "mosaic": mosaic, "waves": waves, "pointillism": pointillism}


def file_name(style: str) -> str:
    return style.replace(" ", "_") + ".png"


def main() -> None:
    STYLES_DIR.mkdir(parents=True, exist_ok=True)
    for i, (name, render) in enumerate(STYLES.items()):
        rgb = render(np.random.default_rng(SEED + i))
        path = STYLES_DIR / file_name(name)
        cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    sys.exit(main())
