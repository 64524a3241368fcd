"""Render assets/videos/pedestrians.mp4: the first 10 seconds of OpenCV's pedestrian sample
(vtest.avi, 768x576, from Debian's opencv-doc package), at 640x480, H.264.

Run: apt-get install opencv-doc && python scripts/make_pedestrian_clip.py
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground.lessons import tracking

SOURCE = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")
SECONDS = 10


def main() -> None:
    if not SOURCE.exists():
        raise SystemExit(f"{SOURCE} is missing: apt-get install opencv-doc")
    clip = tracking.read_video(SOURCE.read_bytes(), SOURCE.name, max_frames=int(SECONDS * 10))
    tracking.PEDESTRIAN_CLIP.parent.mkdir(parents=True, exist_ok=True)
    tracking.PEDESTRIAN_CLIP.write_bytes(tracking.encode_mp4(clip.frames, clip.fps))
    size_kb = tracking.PEDESTRIAN_CLIP.stat().st_size / 1024
    print(f"wrote {tracking.PEDESTRIAN_CLIP} ({len(clip.frames)} frames at {clip.fps:.0f} fps, {size_kb:.0f} kB)")


if __name__ == "__main__":
    main()
