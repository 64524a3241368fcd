"""Render assets/thumbs/face_id.png: the astronaut named by her descriptor, beside her aligned chips."""

import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground.core import images
from playground.core.images import resize_to, sample_image
from playground.lessons import face_embeddings


def main() -> None:
    models = face_embeddings.FaceModels()
    astronaut = sample_image("astronaut")
    enrolled, _ = models.main_face(astronaut)
    probe = np.ascontiguousarray(astronaut[:, ::-1])
    face, _ = models.main_face(probe)
    distance, _ = face_embeddings.verify(enrolled.descriptor, face.descriptor)
    x, y, w, h = face.box
    labelled = images.draw_boxes(probe, [(face.box, f"Eileen Collins {distance:.2f}", (5, 150, 105))])
    crop = labelled[max(0, y - 2 * h) : y + 3 * h, max(0, x - 2 * w) : x + 3 * w]
    left = resize_to(crop, (270, 270))
    chips = np.concatenate([resize_to(enrolled.chip, (135, 135)), resize_to(face.chip, (135, 135))], axis=0)
    # The first 32 of her 128 descriptor numbers as grey cells, 8 px each.
    values = np.abs(enrolled.descriptor[:32]) / np.abs(enrolled.descriptor).max()
    cells = np.repeat(np.repeat((values * 255).astype(np.uint8)[:, None], 8, axis=0), 35, axis=1)
    strip = np.full((270, 75, 3), 255, np.uint8)
    strip[7:263, 20:55] = cells[..., None]
    thumb = np.concatenate([left, chips, strip], axis=1)
    Image.fromarray(thumb).save(ROOT / "assets" / "thumbs" / "face_id.png")
    print("wrote assets/thumbs/face_id.png", thumb.shape)


if __name__ == "__main__":
    main()
