"""Frames per second of each tracker at 640x480, on the generated scene with its truth, against
the HOG people detector run on every frame of OpenCV's pedestrian clip, in the same run.

Targets (issue: object tracking): KCF >= 60 fps, CSRT >= 15 fps on this 2-core machine; the page
encodes the annotated clip to H.264 too, so its time per frame is printed as well.

Last line: ``kcf_fps=… csrt_fps=… mil_fps=… mosse_fps=… medianflow_fps=… detector_fps=…
kcf_vs_detector=…x encode_ms_per_frame=…``
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.lessons import tracking


def main() -> None:
    clip = tracking.synthetic_clip(seed=0, n_frames=150)
    fps = {}
    for method in tracking.METHODS:
        run = tracking.track_timed(clip.frames, clip.truth[0], method)
        auc = tracking.success_auc(tracking.ious(run.boxes, clip.truth))
        fps[method] = run.fps
        print(f"{method}: {run.fps:.0f} fps at 640x480, success AUC {auc:.2f}, lost {len(run.lost_frames)} frames")
    people = tracking.pedestrian_clip()
    _, seconds = tracking.detect_timed(people.frames[:30], tracking.PeopleDetector())
    detector_fps = len(seconds) / sum(seconds)
    print(f"HOG people detector on every frame: {detector_fps:.1f} fps at 640x480")
    started = time.perf_counter()
    tracking.encode_mp4(clip.frames, clip.fps)
    encode_ms = (time.perf_counter() - started) * 1000 / len(clip.frames)
    print(f"H.264 encoding of the annotated clip: {encode_ms:.1f} ms a frame")
    print(
        " ".join(f"{m.lower()}_fps={v:.0f}" for m, v in fps.items())
        + f" detector_fps={detector_fps:.1f} kcf_vs_detector={fps['KCF'] / detector_fps:.0f}x"
        f" encode_ms_per_frame={encode_ms:.1f}"
    )


if __name__ == "__main__":
    main()
