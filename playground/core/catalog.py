"""The app's table of contents: every page, its section, icon, blurb and thumbnail.

The router and the home page both read this list. A page whose file does not exist
yet is left out, so the navigation never shows placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playground.core.paths import PROJECT_ROOT


@dataclass(frozen=True)
class PageInfo:
    """One page of the app. ``path`` is relative to the project root."""

    path: str
    title: str
    section: str
    icon: str
    blurb: str
    thumbnail: str

    @property
    def exists(self) -> bool:
        return (PROJECT_ROOT / self.path).exists()

    @property
    def thumbnail_path(self) -> Path:
        return PROJECT_ROOT / self.thumbnail


PAGES = [
    PageInfo("views/home.py", "Home", "Foundations", ":material/home:", "Where to start.", "assets/thumbs/home.png"),
    PageInfo(
        "views/perceptron.py",
        "Perceptron & MLP",
        "Foundations",
        ":material/hub:",
        "Train a neuron by hand, watch backpropagation solve XOR, then play with a live MLP.",
        "assets/thumbs/perceptron.png",
    ),
    PageInfo(
        "views/convolution.py",
        "Convolution & pooling",
        "Foundations",
        ":material/grid_on:",
        "Slide a kernel over an image step by step, then pool, flatten and stack filters.",
        "assets/thumbs/convolution.png",
    ),
    PageInfo(
        "views/hog_lbp.py",
        "HOG & LBP",
        "Classic vision",
        ":material/texture:",
        "Gradients, 9-bin histograms and local binary patterns: features before deep learning.",
        "assets/thumbs/hog_lbp.png",
    ),
    PageInfo(
        "views/faces.py",
        "Faces",
        "Classic vision",
        ":material/face:",
        "Detect faces with Haar cascades and HOG, recognise people with LBPH.",
        "assets/thumbs/faces.png",
    ),
    PageInfo(
        "views/tracking.py",
        "Object tracking",
        "Classic vision",
        ":material/my_location:",
        "Follow an object with KCF, CSRT and friends; see which one holds on and which one loses it.",
        "assets/thumbs/tracking.png",
    ),
    PageInfo(
        "views/cnn_trainer.py",
        "CNN trainer",
        "Deep learning",
        ":material/model_training:",
        "Build a CNN layer by layer, watch it learn live, and look inside it.",
        "assets/thumbs/cnn_trainer.png",
    ),
    PageInfo(
        "views/transfer.py",
        "Transfer learning",
        "Deep learning",
        ":material/move_up:",
        "Teach a pretrained network your own classes in seconds, then fine-tune it.",
        "assets/thumbs/transfer.png",
    ),
    PageInfo(
        "views/face_id.py",
        "Face recognition, deep",
        "Deep learning",
        ":material/badge:",
        "Faces as 128-d points: one-shot verification and recognition with dlib's ResNet.",
        "assets/thumbs/face_id.png",
    ),
    PageInfo(
        "views/deep_dream.py",
        "Deep dream",
        "Creative",
        ":material/auto_awesome:",
        "Gradient ascent on a photo until the network's favourite patterns appear.",
        "assets/thumbs/deep_dream.png",
    ),
    PageInfo(
        "views/style_transfer.py",
        "Style transfer",
        "Creative",
        ":material/palette:",
        "Repaint a photo in the style of another with Gram matrices.",
        "assets/thumbs/style_transfer.png",
    ),
    PageInfo(
        "views/gan.py",
        "GAN sampler",
        "Creative",
        ":material/shuffle:",
        "Sample, steer and train a generator against its detective.",
        "assets/thumbs/gan.png",
    ),
    PageInfo(
        "views/webcam_emotions.py",
        "Webcam emotions",
        "Live",
        ":material/videocam:",
        "Your facial expression classified live from your webcam.",
        "assets/thumbs/webcam_emotions.png",
    ),
]

SECTIONS = ["Foundations", "Classic vision", "Deep learning", "Creative", "Live"]


def available_pages() -> list[PageInfo]:
    """Pages whose file exists, in catalogue order."""
    return [page for page in PAGES if page.exists]


def by_section(pages: list[PageInfo] | None = None) -> dict[str, list[PageInfo]]:
    """Existing pages grouped by section, sections in course order, empty ones dropped."""
    pages = available_pages() if pages is None else pages
    grouped = {section: [p for p in pages if p.section == section] for section in SECTIONS}
    return {section: items for section, items in grouped.items() if items}
