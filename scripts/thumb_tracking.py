"""Render assets/thumbs/tracking.png: a frame of the generated scene with KCF and CSRT following
the cat's face (480x270, the home page's card size)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cv2

from playground.lessons import tracking


def main() -> None:
    clip = tracking.synthetic_clip(seed=0, n_frames=40, clutter=2)
    runs = [tracking.track_timed(clip.frames, clip.truth[0], method) for method in ("KCF", "CSRT")]
    frame = tracking.annotate(clip, runs)[-1]
    x, y, w, h = clip.truth[-1]
    top = min(max(0, y + h // 2 - 180), frame.shape[0] - 360)
    left = min(max(0, x + w // 2 - 320), frame.shape[1] - 640)
    thumb = cv2.resize(frame[top : top + 360, left : left + 640], (480, 270), interpolation=cv2.INTER_AREA)
    out = ROOT / "assets" / "thumbs" / "tracking.png"
    cv2.imwrite(str(out), thumb)
    print("wrote", out, thumb.shape)


if __name__ == "__main__":
    main()
