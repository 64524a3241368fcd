"""Faces, the classic way: Haar / LBP cascades and HOG + SVM detection (timed side by side), and
LBPH recognition with enrolment, threshold and an offline demo. No TensorFlow."""

import numpy as np
import pandas as pd
import streamlit as st

from playground import ui
from playground.core import images
from playground.figures import plots
from playground.lessons import faces_classic

ui.page_header(
    "Faces",
    "Find faces with the detectors of the 2000s — Viola-Jones Haar cascades, LBP cascades and HOG with a linear "
    "SVM — and see how fast each one is. Then recognise people with LBPH: enrol a few photos per person, train, "
    "and watch the distance decide who is who (or nobody).",
    source="Detectors: OpenCV's Haar cascades and HOG people detector, scikit-image's LBP face cascade, dlib's HOG "
    "face detector — all bundled with the packages, offline. Demo faces: scikit-image's astronaut (Eileen "
    "Collins) and LFW subset. For the real thing, use your own photos or camera.",
)

TABS = ["1 · Detection", "2 · Recognition with LBPH", "3 · Live"]
tabs = st.tabs(TABS, key="faces_tab", on_change="rerun")
GALLERY_KEY = "faces_gallery"  # name → list of 100x100 gray face crops (the user's enrolment)
PERSON_COLOURS = [(79, 70, 229), (5, 150, 105), (217, 119, 6), (8, 145, 178), (124, 58, 237), (219, 39, 119)]
UNKNOWN_COLOUR = (225, 29, 72)


def load_detectors() -> faces_classic.Detectors:
    with st.spinner("Loading the detectors…"):
        return faces_classic.shared_detectors()


@st.cache_resource(show_spinner="Preparing the offline demo faces…")
def load_demo() -> faces_classic.DemoSet:
    return faces_classic.demo_set(load_detectors())


# --- 1. detection --------------------------------------------------------------------------


def detection_tab() -> None:
    st.latex(
        r"\begin{aligned}\text{Haar feature: } f &= \sum_{\text{white}} I - \sum_{\text{black}} I"
        r"\quad(\text{4 look-ups in the integral image})\\"
        r"\text{HOG + SVM: face} &\iff w^\top \mathrm{HOG}(\text{window}) + b > 0\end{aligned}"
    )
    st.caption(
        "A 24x24 window holds more than 160,000 Haar features; AdaBoost picks the useful few and the "
        "cascade applies them stage by stage to each sub-window, rejecting most non-faces after a "
        "handful of tests. Every detector scans an image pyramid (scaleFactor) and keeps boxes that "
        "enough overlapping hits agree on (minNeighbors)."
    )
    left, right = st.columns([1, 2.4], gap="large")
    with left:
        picked = ui.image_picker("faces_detect", default="astronaut", max_side=1024)
        chosen = st.multiselect(
            "Detectors", faces_classic.DETECTORS, default=faces_classic.DETECTORS[:3], key="faces_detectors"
        )
        with st.expander("Cascade settings (Haar, LBP)", expanded=True):
            haar_model = st.selectbox(
                "Haar model",
                list(faces_classic.HAAR_MODELS),
                key="faces_haar_model",
                help="OpenCV ships cascades for faces, eyes, cat faces and bodies.",
            )
            scale_factor = st.slider(
                "scaleFactor",
                1.02,
                1.5,
                1.1,
                0.01,
                key="faces_scale",
                help="Each pyramid level is this much smaller: bigger = faster, may miss faces.",
            )
            min_neighbors = st.slider(
                "minNeighbors",
                0,
                15,
                5,
                key="faces_neighbors",
                help="Overlapping hits needed to keep a box: higher = fewer false alarms.",
            )
            min_size = st.slider(
                "minSize (px)", 10, 300, 30, key="faces_min_size", help="Smallest face searched for: bigger = faster."
            )
        with st.expander("HOG settings"):
            upsample = st.slider(
                "dlib upsample",
                0,
                2,
                0,
                key="faces_upsample",
                help="dlib's window is 80x80: upsample once to find faces down to ~40 px (slower).",
            )
            stride = st.select_slider("People: window stride (px)", [4, 8, 16], 8, key="faces_stride")
            people_scale = st.slider("People: pyramid scale", 1.02, 1.5, 1.05, 0.01, key="faces_people_scale")
            people_threshold = st.slider("People: SVM score threshold", -0.5, 2.0, 0.0, 0.1, key="faces_people_thr")
    cascade = faces_classic.CascadeSettings(scale_factor, min_neighbors, min_size)
    hog = faces_classic.HogSettings(upsample, stride, people_scale, people_threshold)
    with right:
        if not chosen:
            st.info("Pick at least one detector.", icon=":material/checklist:")
            return
        detectors = load_detectors()
        with st.spinner("Detecting…"):
            results = [detectors.detect(picked.rgb, name, cascade, hog, haar_model) for name in chosen]
        st.image(
            faces_classic.draw_detections(picked.rgb, results),
            width="stretch",
            caption=f"{picked.name}, {picked.rgb.shape[1]}x{picked.rgb.shape[0]}",
        )
        table = pd.DataFrame(
            {
                "detector": [
                    r.detector + (f" — {haar_model}" if r.detector == faces_classic.HAAR else "") for r in results
                ],
                "found": [len(r.boxes) for r in results],
                "time (ms)": [round(r.seconds * 1000, 1) for r in results],
                "boxes (x, y, w, h)": [
                    ", ".join(str(b) for b in r.boxes[:4]) + (" …" if len(r.boxes) > 4 else "") for r in results
                ],
            }
        )
        st.dataframe(table, hide_index=True, width="stretch")
        if not any(r.boxes for r in results):
            st.warning(
                "No detector found anything in this image. If there is a face, try a lower minNeighbors, a "
                "smaller minSize, dlib upsample 1, or a photo where the face looks at the camera.",
                icon=":material/face_retouching_off:",
            )
        crops = [
            images.resize_to(picked.rgb[y : y + h, x : x + w], (96, 96))
            for r in results
            for (x, y, w, h) in r.boxes[:6]
            if w > 1 and h > 1
        ]
        if crops:
            titles = [r.detector.split(" (")[0] for r in results for _ in r.boxes[:6]]
            st.plotly_chart(
                plots.image_grid(crops[:12], titles=titles[:12], cols=6, cell_px=130, title="What each detector boxed"),
                key="faces_crops",
                config={"displayModeBar": False},
            )
    st.info(
        "**Try this** · Drop minNeighbors to 0: the raw hits of the sliding window appear, mostly false. · "
        "Raise scaleFactor to 1.3 and watch the Haar time fall. · Choose the *cat face* Haar model on the "
        "chelsea sample. · Take a camera snapshot and compare the three face detectors' times. · The people "
        "detector wants full standing bodies (64x128 windows): upload a street photo.",
        icon=":material/lightbulb:",
    )


# --- 2. recognition ------------------------------------------------------------------------


def person_colour(names: list[str], name: str | None) -> tuple[int, int, int]:
    return UNKNOWN_COLOUR if name is None else PERSON_COLOURS[names.index(name) % len(PERSON_COLOURS)]


def distances_figure(recognition: faces_classic.Recognition, threshold: float):
    names = list(recognition.distances)
    fig = plots.bars(
        names,
        [recognition.distances[n] for n in names],
        value_format=".1f",
        highlight=0 if recognition.name else None,
        title="χ² distance to each person's nearest photo",
    )
    fig.add_vline(x=threshold, line_dash="dash", line_color="#e11d48", annotation_text="threshold")
    return fig


def enrol_panel(detectors: faces_classic.Detectors) -> None:
    gallery: dict[str, list[np.ndarray]] = st.session_state.setdefault(GALLERY_KEY, {})
    st.markdown("**Enrol a person** — a few photos each; faces are found and cropped automatically.")
    name = st.text_input("Name", key="faces_enrol_name", max_chars=40)
    with st.form("faces_enrol_form", clear_on_submit=True, border=True):
        files = st.file_uploader(
            "Photos", type=images.UPLOAD_TYPES, accept_multiple_files=True, key="faces_enrol_files"
        )
        submitted = st.form_submit_button("Enrol", icon=":material/person_add:")
    snapshot = st.camera_input("…or add a camera snapshot to the name above", key="faces_enrol_camera")
    add_snapshot = snapshot is not None and st.button("Add this snapshot", key="faces_enrol_snap")
    if submitted or add_snapshot:
        person = (name or "").strip()
        if not person:
            st.error("Give the person a name first.", icon=":material/badge:")
            return
        uploads = [(f.name, f.getvalue()) for f in files] if submitted else [("camera snapshot", snapshot.getvalue())]
        added, problems = faces_classic.faces_from_files(detectors, uploads)
        if added:
            gallery.setdefault(person, []).extend(added)
            st.success(f"Enrolled {len(added)} face(s) for {person}.", icon=":material/how_to_reg:")
        for problem in problems:
            st.error(problem, icon=":material/face_retouching_off:")
        if not uploads:
            st.error("Choose at least one photo.", icon=":material/photo:")
    if gallery:
        cols = st.columns(min(4, len(gallery)))
        for i, (person, crops) in enumerate(list(gallery.items())):
            with cols[i % len(cols)]:
                st.image(crops[-1], caption=f"{person} · {len(crops)} photo(s)", width=100)
                if st.button("Remove", key=f"faces_remove_{i}", icon=":material/delete:"):
                    del gallery[person]
                    st.rerun()


def recognition_tab() -> None:
    st.latex(
        r"H = \big[h_{1,1}\,\|\,\dots\,\|\,h_{g_y,g_x}\big],\quad d(H, H') = \sum_i "
        r"\frac{2\,(H_i - H'_i)^2}{H_i + H'_i},\quad \text{who} = \begin{cases}\arg\min_k d(H, H_k) & "
        r"\min_k d \le \text{threshold}\\ \text{unknown} & \text{otherwise}\end{cases}"
    )
    st.caption(
        "LBPH (the course's parameters): LBP codes with **radius** and **neighbours**, cut into a "
        "**grid_x × grid_y** grid of cell histograms, concatenated. A face is the enrolled photo with the "
        "smallest χ² distance, unless even that is above the **threshold**. See the HOG & LBP page for "
        "the codes themselves."
    )
    detectors = load_detectors()
    mode = st.radio("People", ["Offline demo", "Enrol your own"], horizontal=True, key="faces_mode")
    c = st.columns(5)
    radius = c[0].slider("radius", 1, 4, 1, key="faces_radius")
    neighbors = c[1].select_slider("neighbours", [4, 6, 8, 10, 12], 8, key="faces_lbph_neighbors")
    grid_x = c[2].slider("grid_x", 1, 12, 8, key="faces_grid_x")
    grid_y = c[3].slider("grid_y", 1, 12, 8, key="faces_grid_y")
    if mode == "Offline demo":
        demo = load_demo()
        gallery, probes = demo.gallery, demo.probes
        st.caption(demo.note)
    else:
        enrol_panel(detectors)
        gallery, probes = st.session_state.get(GALLERY_KEY, {}), []
        if not gallery:
            st.info(
                "Nobody is enrolled yet: give a name and a few photos (or snapshots) per person above.",
                icon=":material/group_add:",
            )
            return
    recogniser = faces_classic.LbphRecognizer(gallery, faces_classic.LbphSettings(radius, neighbors, grid_x, grid_y))
    suggested = recogniser.suggested_threshold()
    auto = c[4].toggle(
        "Auto threshold",
        value=True,
        key="faces_auto_thr",
        help="Halfway between typical same-person and nearest-other-person distances in the gallery.",
    )
    default = round(suggested if suggested is not None else 50.0, 1)
    if auto:
        threshold = default
        c[4].caption(f"threshold = **{threshold}**")
    else:
        threshold = c[4].number_input("threshold", 0.0, 1e6, default, key="faces_threshold")
    names = recogniser.names
    if len(names) == 1:
        st.warning(
            f"Only one person ({names[0]}) is enrolled, so every face is either '{names[0]}' or unknown, "
            "decided by the threshold alone. Enrol a second person to see recognition choose.",
            icon=":material/person:",
        )
    st.plotly_chart(
        plots.image_grid(
            [f for n in names for f in gallery[n][:3]],
            titles=[n for n in names for _ in gallery[n][:3]],
            cols=6,
            cell_px=130,
            title=f"Enrolled: {recogniser.n_faces} faces of {len(names)} people "
            f"({faces_classic.FACE_SIZE}x{faces_classic.FACE_SIZE} gray crops; up to 3 shown each)",
        ),
        key="faces_gallery_grid",
        config={"displayModeBar": False},
    )
    if probes:
        results = [recogniser.recognise(face, threshold) for _, face, _ in probes]
        titles = []
        for (_label, _, truth), result in zip(probes, results):
            verdict = "✓" if result.name == truth else "✗"
            titles.append(f"{verdict} {result.name or 'unknown'} ({result.distance:.1f})")
        right = sum(r.name == t for r, (_, _, t) in zip(results, probes))
        st.plotly_chart(
            plots.image_grid(
                [face for _, face, _ in probes],
                titles=titles,
                cols=6,
                cell_px=150,
                title=f"New faces, recognised: {right} of {len(probes)} right "
                "(✓/✗ against the truth; distance in brackets)",
            ),
            key="faces_probe_grid",
            config={"displayModeBar": False},
        )
        which = st.columns([1, 2])[0].selectbox(
            "Distances for", [label for label, _, _ in probes], key="faces_probe_pick"
        )
        index = [label for label, _, _ in probes].index(which)
        st.plotly_chart(
            distances_figure(results[index], threshold), key="faces_probe_dist", config={"displayModeBar": False}
        )
    st.markdown("**Recognise a photo** — every face in it is detected, cropped and compared.")
    left, right_col = st.columns([1, 2.2], gap="large")
    with left:
        picked = ui.image_picker("faces_probe", default="astronaut", max_side=1024)
    with right_col:
        rgb = faces_classic.check_image(picked.rgb)
        boxes = (
            detectors.detect(rgb, faces_classic.HAAR, faces_classic.CascadeSettings()).boxes
            or detectors.detect(rgb, faces_classic.HOG_FACES, hog=faces_classic.HogSettings(upsample=1)).boxes
        )
        if not boxes:
            st.warning(
                f"No face found in {picked.name}. Try a frontal, well-lit face at least ~60 px wide.",
                icon=":material/face_retouching_off:",
            )
            return
        found = [(box, recogniser.recognise(faces_classic.crop_face(rgb, box), threshold)) for box in boxes]
        st.image(
            images.draw_boxes(
                rgb,
                [(box, f"{r.name or 'unknown'} {r.distance:.1f}", person_colour(names, r.name)) for box, r in found],
            ),
            width="stretch",
        )
        st.plotly_chart(
            distances_figure(found[0][1], threshold), key="faces_photo_dist", config={"displayModeBar": False}
        )
    st.info(
        "**Try this** · Set grid 1x1: one histogram for the whole face, and the demo starts confusing people. · "
        "Turn off the suggested threshold and lower it until Eileen Collins becomes 'unknown'. · Enrol yourself "
        "with three snapshots, then recognise a fourth — and a friend.",
        icon=":material/lightbulb:",
    )


# --- 3. live ---------------------------------------------------------------------------------


def live_tab() -> None:
    st.markdown(
        "Every webcam frame goes through the detectors you pick, on a copy shrunk to the processing "
        "width; boxes carry each detector's time on that frame. Turn on LBPH to name the faces with "
        "the people of the Recognition tab."
    )
    c = st.columns([2, 1, 1, 1])
    chosen = c[0].multiselect(
        "Detectors", faces_classic.DETECTORS, default=[faces_classic.HAAR], key="faces_live_detectors"
    )
    width = c[1].select_slider(
        "Processing width (px)",
        [160, 240, 320, 480, 640],
        320,
        key="faces_live_width",
        help="Smaller is faster; faces must stay ~30 px wide (80 px for dlib) after shrinking.",
    )
    scale_factor = c[2].slider(
        "scaleFactor",
        1.05,
        1.5,
        1.2,
        0.05,
        key="faces_live_scale",
        help="1.2 or more keeps Haar around 10-25 ms a frame.",
    )
    name_them = c[3].toggle(
        "LBPH names",
        key="faces_live_lbph",
        help="Name each face with the LBPH recogniser of the Recognition tab's people.",
    )
    recogniser, threshold = None, None
    if name_them:
        gallery = (
            load_demo().gallery
            if st.session_state.get("faces_mode", "Offline demo") == "Offline demo"
            else st.session_state.get(GALLERY_KEY, {})
        )
        if gallery:
            recogniser = faces_classic.LbphRecognizer(gallery)
            threshold = recogniser.suggested_threshold()
            st.caption(
                f"Naming with LBPH over {recogniser.n_faces} enrolled faces of {len(recogniser.names)} people "
                f"(radius 1, 8 neighbours, 8x8 grid, suggested threshold {threshold or 0:.1f})."
            )
        else:
            st.info("Nobody is enrolled: enrol people on the Recognition tab first.", icon=":material/person_add:")
    settings = faces_classic.LiveSettings(
        tuple(chosen),
        faces_classic.CascadeSettings(scale_factor, 5, 30),
        faces_classic.HogSettings(),
        "frontal face",
        width,
        recogniser,
        threshold,
    )
    detectors = load_detectors()

    def timings(detections) -> None:
        st.dataframe(
            pd.DataFrame(
                {
                    "detector": [d.detector for d in detections],
                    "found": [len(d.boxes) for d in detections],
                    "ms this frame": [round(d.seconds * 1000, 1) for d in detections],
                }
            ),
            hide_index=True,
            width="stretch",
        )

    ui.live_webcam(
        "faces",
        lambda frame, cfg: faces_classic.detect_frame(detectors, frame, cfg),
        settings,
        timings,
        "Press *Start* and allow the camera; timings appear here. No webcam? Use the camera "
        "snapshot on the Detection tab.",
    )
    st.info(
        "**Try this** · Compare the fps with Haar alone and with all three face detectors. · Shrink the "
        "processing width to 160 px: faster, but faces far from the camera vanish. · Turn your head: the "
        "frontal detectors lose you long before you leave the picture.",
        icon=":material/lightbulb:",
    )


for tab, label, draw in zip(tabs, TABS, [detection_tab, recognition_tab, live_tab]):
    if tab.open:
        with tab, ui.guard(label):
            draw()
