"""Every upload widget the pages create, by kind, shared by the bad-upload tests: the AppTest matrix
of awkward pictures on every picker (tests/app/test_awkward_pictures.py) and the browser tests of
one representative per kind with the static check that each goes through a safe reader
(tests/e2e/test_bad_uploads.py)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Widget:
    """An upload widget: page file stem, tab to click, Streamlit key (a prefix for keys
    with a counter), and widget choices that reveal it (``(key, option)`` pairs)."""

    stem: str
    tab: str | None
    key: str
    setup: tuple[tuple[str, str], ...] = field(default=())


# Image pickers (playground.ui.image_picker: sample, upload or camera, decoded by images.decode_image).
PICKERS = [
    Widget("convolution", "2 · Explore a photo", "conv_explore"),
    Widget("convolution", "3 · Volumes (RGB) & filter banks", "conv_volume"),
    Widget("hog_lbp", "1 · Gradients & one cell", "hog_cell", (("hog_cell_from", "A photo"),)),
    Widget("hog_lbp", "2 · Blocks & the full HOG", "hog_full"),
    Widget("hog_lbp", "3 · LBP codes", "lbp"),
    Widget("hog_lbp", "4 · LBPH & textures", "lbph"),
    Widget("hog_lbp", "5 · Classic vs learned", "learned"),
    Widget("faces", "1 · Detection", "faces_detect"),
    Widget("faces", "2 · Recognition with LBPH", "faces_probe"),
    Widget("cnn_trainer", "5 · Use it", "cnn_use_pick", (("cnn_use_source", "Upload or camera"),)),
    Widget("face_id", "Detection", "face_id_detect"),
    Widget("face_id", "Verification (1:1)", "face_id_a"),
    Widget("face_id", "Verification (1:1)", "face_id_b"),
    Widget("face_id", "Recognition (1:K)", "face_id_probe"),
    Widget("deep_dream", "Dream", "dream_image"),
    Widget("style_transfer", "Stylise", "style_content"),
    Widget("style_transfer", "Stylise", "style_style", (("style_kind", "Photo, upload or camera"),)),
    Widget("webcam_emotions", "Snapshot / upload", "emo_still"),
]
# The browser walks the whole image table through this one: its caption names the picture and its size.
REPRESENTATIVE_PICKER = next(w for w in PICKERS if w.key == "conv_volume")
# Only reachable after training a model in the page, which the tests do not do.
PICKERS_BEHIND_TRAINING = {"tl_try"}

# Multi-file class/enrolment uploaders: (widget, button to press after, other uploaders that need files
# too before the page reads any: the CNN trainer waits until every class has images).
IMAGE_BATCH_UPLOADERS = [
    (
        Widget("cnn_trainer", "1 · Data", "cnn_class_files_0", (("cnn_dataset", "Your images (per class)"),)),
        None,
        ("cnn_class_files_1",),
    ),
    (Widget("transfer", "1 · Classes", "tl_up_"), None, ()),
    (
        Widget("faces", "2 · Recognition with LBPH", "faces_enrol_files", (("faces_mode", "Enrol your own"),)),
        "Enrol",
        (),
    ),
    (Widget("face_id", "Recognition (1:K)", "face_id_enrol_files"), "Enrol", ()),
]
ZIP_UPLOADERS = [
    Widget("cnn_trainer", "1 · Data", "cnn_zip", (("cnn_dataset", "Your images (zip)"),)),
    Widget("transfer", "1 · Classes", "tl_zip_"),
]
MODEL_UPLOADERS = [Widget("cnn_trainer", "6 · Keep it", "cnn_load_file")]
VIDEO_UPLOADERS = [Widget("tracking", "1 · Track", "track_upload", (("track_source", "Your video"),))]

# What reads each raw st.file_uploader's bytes (the function that holds the uploader must call
# it); each is unit-tested on bad files and reaches images.decode_image or the safe zip reader.
SAFE_READERS = {
    "cnn_class_files_": "datasets.from_class_files",
    "tl_up_": "transfer.prepare_uploads",
    "faces_enrol_files": "faces_classic.faces_from_files",
    "face_id_enrol_files": "images.decode_image",
    "cnn_zip": "datasets.read_class_zip",
    "tl_zip_": "datasets.read_class_zip",
    "cnn_load_file": "keras_tools.load_uploaded_model",
    "track_upload": "tracking.read_video",
}
