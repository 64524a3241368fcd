"""Regenerate assets/thumbs/webcam_emotions.png: the page's annotated group photo (the astronaut
and three LFW faces, as the Snapshot tab shows it) with a Grad-CAM inset, 480x270."""

import sys
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground.core import images
from playground.lessons import emotion, explain


def main() -> None:
    photo = emotion.group_photo(images.sample_image("astronaut"), emotion.lfw_faces(3))
    bgr = cv2.cvtColor(photo, cv2.COLOR_RGB2BGR)
    detector = emotion.EmotionDetector(emotion.DetectorSettings(processing_width=1024))
    detections = detector.detect(bgr)
    annotated = cv2.cvtColor(emotion.draw_detections(bgr, detections), cv2.COLOR_BGR2RGB)
    top = annotated[0:460, 60 : 60 + 818]  # 16:9 around the faces and their labels
    thumb = images.resize_to(top, (270, 480))
    main_face = max(detections, key=lambda d: d.box[2] * d.box[3] if d.box[0] < 480 else 0)
    heat, _ = emotion.explain_crop(main_face.crop, "grad-cam", detector.classifier)
    inset = explain.overlay(images.to_float(main_face.crop)[..., None], heat)
    thumb[270 - 84 : 270 - 4, 4:84] = cv2.resize(inset, (80, 80), interpolation=cv2.INTER_NEAREST)
    path = ROOT / "assets" / "thumbs" / "webcam_emotions.png"
    path.write_bytes(images.encode_png(np.ascontiguousarray(thumb)))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
