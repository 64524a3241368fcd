"""Face recognition, deep: dlib's HOG and CNN detectors, aligned crops, 128-d descriptors,
one-shot verification (1:1), recognition against enrolled people (1:K), and the triplet loss."""

import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st

from playground import ui
from playground.core import images
from playground.figures import plots
from playground.lessons import face_embeddings, faces_classic

MAX_SIDE = 800  # detection cost grows with pixels; the CNN detector takes ~1.4 s at 512 px
GALLERY_KEY = "face_id_gallery"

ui.page_header(
    "Face recognition, deep",
    "Classic recognisers (LBPH) compare pixel patterns; deep ones map each face to a point in a "
    "128-dimensional space where the same person lands close and different people far apart. "
    "Enrol someone from a single photo and the network can already tell them apart: one-shot learning.",
    source="dlib's HOG and MMOD CNN detectors, 5-point aligner and ResNet descriptor network "
    "(package face-recognition-models, offline; trained by Davis King, 99.38% on LFW pairs).",
)


def load_models() -> face_embeddings.FaceModels:
    with st.spinner("Loading dlib's face models…"):
        return face_embeddings.shared_models()


def load_cascades() -> faces_classic.Detectors:
    with st.spinner("Loading OpenCV's cascades…"):
        return faces_classic.shared_detectors()


@st.cache_data(show_spinner=False, max_entries=64)
def detect(
    image: np.ndarray, detector: str, upsample: int, threshold: float, cascade: faces_classic.CascadeSettings
) -> tuple[list[tuple[tuple, str]], float]:
    """[(box, label)] and seconds for one of the four detectors."""
    if detector in (faces_classic.HAAR, faces_classic.LBP):
        found = load_cascades().detect(image, detector, cascade)
        return [(box, "face") for box in found.boxes], found.seconds
    models = load_models()
    method = models.detect_cnn if detector == "dlib CNN" else models.detect_hog
    found = method(image, upsample, threshold)
    return [(f.box, f"{f.score:.2f}") for f in found.faces], found.seconds


def boxes_on(image: np.ndarray, boxes, labels=None, colour=(79, 70, 229)) -> np.ndarray:
    """``image`` with rectangles (x, y, w, h), each with its label (if any)."""
    labels = labels or [""] * len(boxes)
    return images.draw_boxes(image, [(box, label, colour) for box, label in zip(boxes, labels)])


@st.cache_data(show_spinner=False, max_entries=64)
def main_face(image: np.ndarray, who: str) -> tuple[face_embeddings.Face, str]:
    return load_models().main_face(image, who)


gallery: face_embeddings.Gallery = st.session_state.setdefault(GALLERY_KEY, face_embeddings.Gallery())
detect_tab, verify_tab, recognise_tab, live_tab, understand_tab = st.tabs(
    ["Detection", "Verification (1:1)", "Recognition (1:K)", "Live webcam", "Understand: embeddings & triplet loss"]
)

with detect_tab:
    st.markdown(
        "Four detectors, one photo. **Haar** and **LBP cascades** (Viola & Jones) reject non-faces "
        "stage by stage with simple features: very fast, frontal faces only, many knobs. "
        "**HOG + linear SVM** (Dalal & Triggs) scores the histogram of gradients in a sliding "
        "window: robust to lighting, wants faces of at least ~80 px. dlib's **CNN (MMOD)** learns "
        "its own features: slowest on a CPU, but it finds turned, small and badly lit faces. "
        "**Upsampling** enlarges the image first so smaller faces reach the detectors' minimum size, "
        "at the price of time and false alarms."
    )
    left, right = st.columns([1, 3])
    with left:
        picked = ui.image_picker("face_id_detect", default="astronaut", max_side=MAX_SIDE)
        st.markdown("**Cascades**")
        cascade = faces_classic.CascadeSettings(
            st.slider("scaleFactor", 1.05, 1.5, 1.1, 0.01, key="face_id_scale"),
            st.slider("minNeighbors", 0, 10, 5, key="face_id_neighbors"),
            st.slider("minSize (px)", 10, 200, 30, key="face_id_min_size"),
        )
        st.markdown("**dlib**")
        upsample = st.slider("Upsample (times ×2)", 0, 2, 0, key="face_id_upsample")
        hog_threshold = st.slider(
            "HOG score threshold",
            -1.0,
            1.5,
            0.0,
            0.05,
            key="face_id_hog_threshold",
            help="Lower finds more faces and more false alarms.",
        )
        cnn_threshold = st.slider("CNN confidence threshold", -1.0, 1.5, 0.0, 0.05, key="face_id_cnn_threshold")
        st.info(
            "Try this: set *Upsample* to 1 on the astronaut. HOG now also fires on a patch of her "
            "suit; the CNN does not. Then set minNeighbors to 0 and watch the cascades' raw hits.",
            icon=":material/lightbulb:",
        )
    with right, ui.guard("Face detection"):
        settings = {
            faces_classic.HAAR: 0.0,
            faces_classic.LBP: 0.0,
            "dlib HOG": hog_threshold,
            "dlib CNN": cnn_threshold,
        }
        columns = st.columns(2) + st.columns(2)
        for column, (name, threshold) in zip(columns, settings.items()):
            with st.spinner(f"Running the {name} detector…"):
                found, seconds = detect(picked.rgb, name, upsample, threshold, cascade)
            column.image(
                boxes_on(picked.rgb, [box for box, _ in found], [label for _, label in found]),
                caption=f"{name}: {len(found)} face(s) in {seconds * 1000:.0f} ms",
                width="stretch",
            )
        st.caption(
            f"Image {picked.rgb.shape[1]}x{picked.rgb.shape[0]} px. Numbers on dlib's boxes are the "
            "detector's score (HOG: SVM margin; CNN: confidence). Cascades don't use upsampling."
        )

with verify_tab:
    st.markdown(
        "**Verification** answers *is this the person they claim to be?* Both photos go through the "
        "same pipeline — detect, align on 5 landmarks to a 150x150 crop, compute a 128-d descriptor — "
        "and the pair is accepted when the descriptors are close."
    )
    st.latex(r"d(A, B) = \lVert f(A) - f(B) \rVert_2 \quad\text{same person} \iff d < \tau")
    col_a, col_b = st.columns(2)
    with col_a:
        photo_a = ui.image_picker("face_id_a", label="Photo A", default="astronaut", max_side=MAX_SIDE)
    with col_b:
        photo_b = ui.image_picker("face_id_b", label="Photo B", default="astronaut", max_side=MAX_SIDE)
        change = st.selectbox(
            "Show photo B changed",
            list(face_embeddings.SEEN_DIFFERENTLY),
            key="face_id_change",
            help="A built-in pair: the same face seen differently.",
        )
        image_b = face_embeddings.seen_differently(photo_b.rgb, change)
    threshold = st.slider(
        "Threshold τ",
        0.2,
        1.0,
        face_embeddings.SAME_PERSON_THRESHOLD,
        0.01,
        key="face_id_threshold",
        help="0.6 is dlib's convention.",
    )
    with ui.guard("Verification"):
        with st.spinner("Detecting, aligning and describing both faces…"):
            face_a, note_a = main_face(photo_a.rgb, "photo A")
            face_b, note_b = main_face(image_b, "photo B")
        for note in (note_a, note_b):
            if note:
                st.warning(note, icon=":material/groups:")
        distance, same = face_embeddings.verify(face_a.descriptor, face_b.descriptor, threshold)
        shown = st.columns([1, 1, 1, 1])
        shown[0].image(boxes_on(photo_a.rgb, [face_a.box]), caption="Photo A", width="stretch")
        shown[1].image(face_a.chip, caption="A aligned (150x150)", width="stretch")
        shown[2].image(boxes_on(image_b, [face_b.box]), caption=f"Photo B ({change})", width="stretch")
        shown[3].image(face_b.chip, caption="B aligned (150x150)", width="stretch")
        verdict = st.success if same else st.error
        verdict(
            f"Distance {distance:.3f} {'<' if same else '≥'} τ = {threshold:.2f}: "
            f"{'the same person' if same else 'different people'}.",
            icon=":material/check_circle:" if same else ":material/cancel:",
        )
        st.plotly_chart(
            plots.matrix_heatmap(
                np.stack([face_a.descriptor, face_b.descriptor, face_a.descriptor - face_b.descriptor]),
                show_values=False,
                y_labels=["A", "B", "A − B"],
                height=230,
                title="The two descriptors (128 numbers each) and their difference",
            ),
            config={"displayModeBar": False},
            key="face_id_descriptors",
        )
        st.caption(
            "Try this: pick *coffee* as photo B (no face), or upload two photos of yourself and one "
            "of a friend and move τ to see where the errors begin."
        )

with recognise_tab:
    st.markdown(
        "**Recognition** answers *who is this?* among K enrolled people: the nearest enrolled "
        "descriptor wins, unless even the nearest is farther than τ — then it is *unknown*. "
        "Enrolling is just storing descriptors: no training, one photo can be enough."
    )
    enrol_col, gallery_col = st.columns([1, 2])
    with enrol_col:
        st.subheader("Enrol a person")
        name = st.text_input("Name", key="face_id_name", placeholder="e.g. Ada")
        uploads = st.file_uploader(
            "Photos of them (one face each)",
            type=images.UPLOAD_TYPES,
            accept_multiple_files=True,
            key="face_id_enrol_files",
        )
        snapshot = st.camera_input("…or a camera snapshot", key="face_id_enrol_camera")
        if st.button("Enrol", icon=":material/person_add:", key="face_id_enrol", type="primary"):
            with ui.guard("Enrolling"):
                if not name.strip():
                    raise ValueError("Give the person a name first.")
                files = list(uploads or []) + ([snapshot] if snapshot is not None else [])
                if not files:
                    raise ValueError("Add at least one photo or camera snapshot.")
                added, problems = 0, []
                for file in files:
                    try:
                        face, _ = main_face(
                            images.resize_max(images.decode_image(file.getvalue(), file.name), MAX_SIDE), file.name
                        )
                    except ValueError as exc:
                        problems.append(str(exc))
                        continue
                    gallery.enrol(name, face)
                    added += 1
                if added:
                    st.success(f"Enrolled {added} photo(s) of {name.strip()}.")
                for problem in problems:
                    st.warning(problem, icon=":material/face_retouching_off:")
        if st.button(
            "Add the built-in demo people",
            key="face_id_demo",
            help="Eileen Collins (the astronaut sample) in three views, and four strangers "
            "from scikit-image's LFW patches in two views each.",
        ):
            with ui.guard("The demo"), st.spinner("Enrolling the demo people…"):
                for person, photos in face_embeddings.demo_people().items():
                    gallery.remove(person)
                    for photo in photos:
                        try:
                            gallery.enrol(person, main_face(photo, person)[0])
                        except ValueError:  # a blurry LFW patch without a detectable face
                            continue
    with gallery_col:
        st.subheader(f"Enrolled: {len(gallery.people)} people")
        if not gallery.people:
            st.caption("Nobody yet. Enrol yourself with the camera, or add the built-in demo people.")
        for person in gallery.people:
            row = st.columns([2, 5, 1])
            row[0].markdown(f"**{person}**  \n{len(gallery.chips[person])} photo(s)")
            row[1].image(gallery.chips[person][:6], width=64)
            if row[2].button("Remove", key=f"face_id_remove_{person}"):
                gallery.remove(person)
                st.rerun()
    st.divider()
    st.subheader("Who is in this photo?")
    probe = ui.image_picker("face_id_probe", label="Photo to recognise", default="astronaut", max_side=MAX_SIDE)
    probe_threshold = st.slider(
        "Threshold τ for unknown", 0.2, 1.0, face_embeddings.SAME_PERSON_THRESHOLD, 0.01, key="face_id_probe_threshold"
    )
    with ui.guard("Recognition"):
        if gallery.people:
            with st.spinner("Describing every face…"):
                found = load_models().faces(probe.rgb, upsample=0) or load_models().faces(probe.rgb, upsample=1)
            if not found:
                st.warning("No face found in this photo.", icon=":material/face_retouching_off:")
            else:
                answers = [gallery.recognise(face.descriptor, probe_threshold) for face in found]
                labels = [f"{who or 'unknown'} ({d:.2f})" for who, d in answers]
                st.image(
                    boxes_on(probe.rgb, [f.box for f in found], labels),
                    width=520,
                    caption="Name and distance to the nearest enrolled photo",
                )
        else:
            st.caption("Enrol someone first.")
    st.divider()
    st.subheader("Deep descriptors vs LBPH on your people")
    st.caption(
        "Leave-one-out over the enrolled photos: each photo is recognised among all the others "
        "(LBPH retrained without it), both from the same aligned crops."
    )
    if st.button("Compare", key="face_id_compare", icon=":material/compare_arrows:"):
        with ui.guard("The comparison"), st.spinner("Recognising every enrolled photo both ways…"):
            scores = face_embeddings.compare_with_lbph(gallery)
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "method": m.method,
                            "accuracy": f"{m.accuracy:.0%}",
                            "time per face (ms)": round(m.ms_per_face, 2),
                            "photos tested": m.photos,
                        }
                        for m in scores
                    ]
                ),
                hide_index=True,
            )
            st.caption(
                "LBPH compares pixel-pattern histograms, so lighting and pose changes hurt it; the "
                "descriptor distance was trained for exactly this. The descriptor's cost is paid once, "
                "at enrolment (~60 ms per face on a CPU)."
            )

with live_tab:
    st.markdown(
        "Every frame from your webcam: detect (dlib HOG on a frame shrunk to the processing width), "
        "align, describe, and name the face by the nearest enrolled descriptor — green if closer "
        "than τ, red *unknown* otherwise."
    )
    live_threshold = st.slider(
        "Threshold τ", 0.2, 1.0, face_embeddings.SAME_PERSON_THRESHOLD, 0.01, key="face_id_live_threshold"
    )
    process_width = st.select_slider(
        "Processing width (px)",
        [240, 320, 480, 640],
        640,
        key="face_id_live_width",
        help="Smaller is faster; faces must stay ~80 px wide after shrinking.",
    )
    rows, names = gallery.matrix()
    if not names:
        st.info(
            "Nobody is enrolled: faces will be boxed but not named. Enrol yourself on the Recognition tab first.",
            icon=":material/person_add:",
        )
    live_settings = face_embeddings.LiveSettings(rows, tuple(names), live_threshold, process_width)
    models = load_models()

    def name_faces(answers) -> None:
        for _box, name, distance in answers:
            st.markdown(
                f"- **{name or 'unknown'}** — distance {distance:.2f}"
                if distance == distance
                else "- a face (nobody enrolled)"
            )
        if not answers:
            st.caption("No face in the last frame.")

    ui.live_webcam(
        "face_id",
        lambda frame, cfg: face_embeddings.recognise_frame(models, frame, cfg),
        live_settings,
        name_faces,
        "Press *Start* and allow the camera; names appear here.",
    )

with understand_tab:
    st.markdown(
        "The descriptor network was trained so that **distances mean identity**. FaceNet's "
        "*triplet loss* (Coursera, week 4) pulls an anchor A towards a positive P (same person) "
        "and pushes it from a negative N (someone else) until the gap is at least a margin α:"
    )
    st.latex(r"\mathcal{L}(A,P,N) = \max\left(\lVert f(A)-f(P)\rVert^2 - \lVert f(A)-f(N)\rVert^2 + \alpha,\ 0\right)")
    rows, names = gallery.matrix()
    if len(rows) < 2:
        st.info(
            "Enrol at least two photos (or add the built-in demo people on the Recognition tab) "
            "to see the map and pick triplets.",
            icon=":material/scatter_plot:",
        )
    else:
        with ui.guard("The embedding map"):
            points = face_embeddings.project_2d(rows)
            fig = px.scatter(
                x=points[:, 0],
                y=points[:, 1],
                color=names,
                labels={"x": "PC 1", "y": "PC 2", "color": "person"},
                title="Enrolled descriptors projected to 2-D (PCA)",
                template="plotly_white",
                height=380,
            )
            fig.update_traces(marker_size=12)
            st.plotly_chart(fig, key="face_id_pca")
        choices = [f"{n} #{i + 1}" for i, n in enumerate(names)]
        pick = st.columns(4)
        anchor = pick[0].selectbox("Anchor A", range(len(rows)), format_func=choices.__getitem__, key="face_id_anchor")
        positive = pick[1].selectbox(
            "Positive P", range(len(rows)), index=1, format_func=choices.__getitem__, key="face_id_positive"
        )
        negative = pick[2].selectbox(
            "Negative N", range(len(rows)), index=len(rows) - 1, format_func=choices.__getitem__, key="face_id_negative"
        )
        margin = pick[3].slider("Margin α", 0.0, 1.0, 0.2, 0.05, key="face_id_margin")
        loss = face_embeddings.triplet_loss(rows[anchor], rows[positive], rows[negative], margin)
        st.latex(rf"\max({loss['d_ap2']:.3f} - {loss['d_an2']:.3f} + {margin:.2f},\ 0) = {loss['loss']:.3f}")
        if names[anchor] != names[positive] or names[anchor] == names[negative]:
            st.caption("For a proper triplet, P is the anchor's person and N is someone else.")
        elif loss["loss"] == 0:
            st.caption("Zero loss: this triplet is already easy; training learns from the hard ones.")
