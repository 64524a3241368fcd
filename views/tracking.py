"""Object tracking: OpenCV's KCF, CSRT, MIL, MOSSE and MedianFlow on generated clips with exact
ground truth, on OpenCV's pedestrian sample, on uploads and live on the webcam; tracking vs
detecting on every frame; one KCF step in NumPy."""

import hashlib

import numpy as np
import pandas as pd
import streamlit as st

from playground import ui
from playground.core import images
from playground.figures import tracking_plots
from playground.lessons import tracking

ui.page_header(
    "Object tracking",
    "A detector looks for the object anew in every frame; a tracker is shown it once and then follows it, "
    "learning its look as it goes. Start several trackers on the same box, watch where each one holds on or "
    "loses the target, and measure them against the exact truth of a generated scene.",
    source="Trackers: OpenCV contrib (offline). Videos: scenes generated from scikit-image's photos, OpenCV's "
    "pedestrian sample (vtest.avi, re-encoded in assets/videos), your own upload or your webcam. Detector: OpenCV's HOG "
    "people detector.",
)

TABS = ["1 · Track", "2 · Tracking vs detection", "3 · How KCF works", "4 · Live webcam"]
tabs = st.tabs(TABS, key="track_tab", on_change="rerun")
GENERATED, PEDESTRIANS, UPLOAD = "Generated scene (exact truth)", "Pedestrians (OpenCV sample)", "Your video"
MAX_UPLOAD_MB = 50


@st.cache_resource(show_spinner="Making the clip…", max_entries=8)
def generated(settings: tuple) -> tracking.Clip:
    return tracking.synthetic_clip(**dict(settings))


@st.cache_resource(show_spinner="Reading the pedestrian clip…")
def pedestrians() -> tracking.Clip:
    return tracking.pedestrian_clip()


@st.cache_resource(show_spinner="Tracking…", max_entries=32)
def tracked(clip_key: str, _clip: tracking.Clip, box: tuple, method: str, params: tuple) -> tracking.TrackRun:
    return tracking.track_timed(_clip.frames, box, method, **dict(params))


@st.cache_data(show_spinner="Drawing the boxes and encoding the video…", max_entries=8)
def video(clip_key: str, _clip: tracking.Clip, _runs: list, run_keys: tuple) -> bytes:
    return tracking.encode_mp4(tracking.annotate(_clip, _runs), _clip.fps)


@st.cache_resource(show_spinner="Running the people detector on every frame…")
def detections() -> tuple[list, list[float]]:
    return tracking.detect_timed(pedestrians().frames, tracking.PeopleDetector())


@st.cache_data(show_spinner="Drawing the boxes and encoding the video…", max_entries=8)
def detection_video(_run: tracking.TrackRun, run_key: tuple) -> bytes:
    clip = pedestrians()
    return tracking.encode_mp4(tracking.annotate(clip, [_run], detections()[0]), clip.fps)


def pick_clip() -> tuple[str, tracking.Clip]:
    """The video controls: a key naming the clip and the clip itself."""
    source = st.radio("Video", [GENERATED, PEDESTRIANS, UPLOAD], key="track_source")
    if source == PEDESTRIANS:
        return "pedestrians", pedestrians()
    if source == UPLOAD:
        file = st.file_uploader(
            "A short video (mp4, avi, webm, mov)", type=["mp4", "avi", "webm", "mov", "mkv"], key="track_upload"
        )
        if file is not None:
            if file.size > MAX_UPLOAD_MB * 2**20:
                st.error(f"'{file.name}' is {file.size / 2**20:.0f} MB; upload at most {MAX_UPLOAD_MB} MB.")
            else:
                data = file.getvalue()
                digest = hashlib.sha1(data).hexdigest()
                if st.session_state.get("track_last_upload", (None,))[0] != digest:
                    try:
                        with st.spinner("Reading your video…"):
                            clip = tracking.read_video(data, file.name, max_frames=tracking.MAX_UPLOAD_FRAMES)
                        st.session_state["track_last_upload"] = (digest, clip)
                    except ValueError as exc:
                        st.error(str(exc), icon=":material/videocam_off:")
        last = st.session_state.get("track_last_upload")
        if last is not None:
            return f"upload {last[0]}", last[1]
        st.info("Until you upload one, here is the generated scene.", icon=":material/upload:")
    with st.expander("Scene", expanded=source == GENERATED):
        row = st.columns(2)
        settings = {
            "speed": row[0].slider("Speed (px/frame)", 1.0, 20.0, 5.0, 1.0, key="track_speed"),
            "scale_change": row[1].slider("Scale change", 0.0, 0.6, 0.0, 0.1, key="track_scale"),
            "rotation": row[0].slider("Rotation (°)", 0.0, 45.0, 0.0, 5.0, key="track_rotation"),
            "blur": row[1].slider("Motion blur (px)", 0, 15, 0, key="track_blur"),
            "clutter": row[0].slider("Look-alikes", 0, 6, 0, key="track_clutter"),
            "n_frames": row[1].slider("Frames", 30, tracking.MAX_VIDEO_FRAMES, 120, 10, key="track_frames"),
            "occlusion": st.toggle("A pillar to pass behind (occlusion)", key="track_occlusion"),
            "seed": int(st.number_input("Seed", 0, 10_000, 0, key="track_seed")),
        }
    key = "generated " + repr(sorted(settings.items()))
    return key, generated(tuple(sorted(settings.items())))


def pick_box(clip: tracking.Clip, clip_key: str) -> tuple[int, int, int, int]:
    """The start box on frame 0: the truth of a generated clip, else the people detector's first
    find (or the middle of the frame), then whatever the user types."""
    height, width = clip.frames[0].shape[:2]
    if st.session_state.get("track_box_for") != clip_key:
        if clip.truth is not None and clip.truth[0] is not None:
            suggested = clip.truth[0]
        else:
            found = tracking.PeopleDetector().detect(clip.frames[0])
            middle = (width // 3, height // 3, width // 3, height // 3)
            suggested = max(found, key=lambda b: b[2] * b[3]) if found else middle
        st.session_state["track_box_for"] = clip_key
        for name, value in zip("xywh", suggested):
            st.session_state[f"track_box_{name}"] = int(value)
    drawn = draw_box(clip, clip_key)
    if drawn is not None and drawn != st.session_state.get("track_box_drawn"):
        st.session_state["track_box_drawn"] = drawn
        for name, value in zip("xywh", drawn):
            st.session_state[f"track_box_{name}"] = value
    cols = st.columns(4)
    limits = {"x": width - 4, "y": height - 4, "w": width, "h": height}
    values = [int(cols[i].number_input(n, 0, limits[n], key=f"track_box_{n}")) for i, n in enumerate("xywh")]
    return tracking.check_box(values, clip.frames[0].shape)


CANVAS_WIDTH = 420


def draw_box(clip: tracking.Clip, clip_key: str) -> tuple[int, int, int, int] | None:
    """A canvas over frame 0 to draw the target's box on, shown on request (the canvas reruns the
    page when it mounts); the newest box drawn, in frame pixels."""
    if not st.toggle("Draw the box on frame 0", key="track_draw"):
        return None
    return box_on(clip.frames[0], f"track_canvas_{hashlib.sha1(clip_key.encode()).hexdigest()[:12]}")


def box_on(image_bgr: np.ndarray, key: str) -> tuple[int, int, int, int] | None:
    """A canvas showing ``image_bgr`` to drag a box on; the newest box drawn, in image pixels."""
    from PIL import Image
    from streamlit_drawable_canvas import st_canvas

    height, width = image_bgr.shape[:2]
    canvas = st_canvas(
        fill_color="rgba(245, 158, 11, 0.15)",
        stroke_width=2,
        stroke_color="#f59e0b",
        background_image=Image.fromarray(np.ascontiguousarray(image_bgr[..., ::-1])),
        height=round(CANVAS_WIDTH * height / width),
        width=CANVAS_WIDTH,
        drawing_mode="labeled_rect",
        label="target",
        key=key,
    )
    st.caption("Drag a rectangle around the object; the newest one counts.")
    boxes = (canvas.boxes_in_image_space if canvas is not None else None) or []
    if not boxes:
        return None
    last = boxes[-1]
    return tuple(int(round(last[k])) for k in ("left", "top", "width", "height"))


def tracker_params(method: str) -> dict:
    """The tracker's parameters as controls; returns only those moved off OpenCV's defaults."""
    defaults = tracking.default_params(method)
    if not defaults:
        return {}
    params = {}
    with st.expander(f"{method} parameters"):
        if method == "KCF":
            st.caption(
                "OpenCV's KCF works on gray pixels plus colour names with a fixed padding; this OpenCV fails "
                "on any other feature choice, so those are not offered (CSRT's are)."
            )
        for name, default in defaults.items():
            limits = tracking.TUNABLE[method][name]
            if limits is None:
                params[name] = st.toggle(name, bool(default), key=f"track_{method}_{name}")
            else:
                params[name] = st.slider(
                    name, float(limits[0]), float(limits[1]), float(default), key=f"track_{method}_{name}"
                )
    return {name: value for name, value in params.items() if value != defaults[name]}


def results_table(runs: list[tracking.TrackRun], overlaps: dict[str, np.ndarray] | None) -> pd.DataFrame:
    rows = []
    for run in runs:
        row = {"tracker": run.method, "frames per second": round(run.fps), "frames lost": len(run.lost_frames)}
        if overlaps is not None:
            row["mean IoU"] = round(float(overlaps[run.method].mean()), 3)
            row["success AUC"] = round(tracking.success_auc(overlaps[run.method]), 3)
        row["first lost at frame"] = run.lost_frames[0] if run.lost_frames else "—"
        rows.append(row)
    return pd.DataFrame(rows).set_index("tracker")


def track_tab() -> None:
    left, right = st.columns([2, 3])
    with left:
        clip_key, clip = pick_clip()
        st.caption(f":material/movie: {clip.source}")
        st.markdown("**Target on frame 0** (x, y, width, height)")
        box = pick_box(clip, clip_key)
        methods = st.multiselect(
            "Trackers", tracking.METHODS, default=["KCF", "CSRT"], key="track_methods", help="Each in its own colour."
        )
        params = {method: tracker_params(method) for method in methods}
        st.caption(
            "Not here: "
            + ", ".join(f"{name} (needs {files})" for name, files in tracking.NEEDS_MODEL_FILES.items())
            + " — OpenCV has them, but their model files do not ship."
        )
    with right:
        if not methods:
            st.image(
                images.draw_boxes(clip.frames[0], [(box, "target", (255, 255, 255))])[..., ::-1],
                caption="Frame 0 and the target: pick at least one tracker.",
            )
            return
        runs = [tracked(clip_key, clip, box, m, tuple(sorted(params[m].items()))) for m in methods]
        run_keys = tuple((m, box, tuple(sorted(params[m].items()))) for m in methods)
        st.video(video(clip_key, clip, runs, run_keys), autoplay=True, loop=True, muted=True)
        st.caption(
            f"{len(clip.frames)} frames at {clip.fps:.0f} fps"
            + (", dark grey: the true box" if clip.truth is not None else "")
            + ". A tracker that reports the target lost draws no box from then on."
        )
        overlaps = None
        if clip.truth is not None:
            overlaps = {run.method: tracking.ious(run.boxes, clip.truth) for run in runs}
        st.dataframe(results_table(runs, overlaps), width="stretch")
        if overlaps is not None:
            hidden = [index for index, box in enumerate(clip.truth) if box is None]
            charts = st.columns(2)
            charts[0].plotly_chart(tracking_plots.iou_figure(overlaps, hidden), key="track_iou")
            charts[1].plotly_chart(tracking_plots.success_figure(overlaps), key="track_success")
    st.info(
        "**Try this:** turn on the pillar and watch every tracker give up behind it — none of them looks for the "
        "target again. Then set *Scale change* to 0.4: KCF keeps its first box size and slides off, CSRT grows "
        "and shrinks with the cat. Add look-alikes and motion blur, and raise KCF's *detect_thresh* until it "
        "calls the target lost.",
        icon=":material/lightbulb:",
    )


def detection_tab() -> None:
    clip = pedestrians()
    found, detect_seconds = detections()
    st.markdown(
        "The same pedestrian clip two ways: OpenCV's HOG people detector searched on **every frame**, and one "
        "tracker started from the detector's box on frame 0."
    )
    first = found[0]
    if not first:
        st.warning("The detector finds nobody on frame 0 of this clip.")
        return
    cols = st.columns([1, 1, 2])
    person = int(cols[0].number_input("Person on frame 0", 1, len(first), 1, key="track_vs_person")) - 1
    method = cols[1].selectbox("Tracker", tracking.METHODS, index=1, key="track_vs_method")
    run = tracked("pedestrians", clip, first[person], method, ())
    matched = [max((tracking.iou(box, run.boxes[i]) for box in found[i]), default=0.0) > 0.3 for i in range(len(found))]
    detect_ms = 1000 * float(np.mean(detect_seconds))
    track_ms = 1000 / run.fps if run.fps else float("nan")
    metrics = st.columns(4)
    metrics[0].metric("Detector, per frame", f"{detect_ms:.0f} ms")
    metrics[1].metric(
        f"{method}, per frame", f"{track_ms:.1f} ms", f"{detect_ms / track_ms:.0f}x faster" if track_ms else None
    )
    metrics[2].metric("Frames the detector found this person", f"{sum(matched)} of {len(found)}")
    metrics[3].metric("Frames the tracker held on", f"{len(found) - len(run.lost_frames)} of {len(found)}")
    st.video(detection_video(run, (person, method)), autoplay=True, loop=True, muted=True)
    st.caption(
        f"Green: the detector's boxes on each frame; {method}'s box in its colour. The detector knows "
        "nothing of who is who between frames (and misses people now and then); the tracker knows one person "
        "and follows only them."
    )


def kcf_tab() -> None:
    st.markdown(
        "A correlation-filter tracker learns a filter **w** whose response over the search window is a sharp "
        "peak on the target and low elsewhere. KCF trains it by ridge regression on *every cyclic shift* of "
        "the target patch at once: the shifts of a patch form a circulant matrix, which the discrete Fourier "
        "transform diagonalises, so training and detection become element-wise products of spectra — "
        "O(n log n) instead of a matrix inverse. A kernel (Gaussian, on HOG features) makes the filter "
        "non-linear at the same cost. In the next frame the peak of the response gives the target's new "
        "position; a weak peak (below *detect_thresh*) means it is lost."
    )
    st.latex(
        r"\hat{\alpha} = \frac{\hat{y}}{\hat{k}^{xx} + \lambda} \qquad "
        r"f(z) = \mathcal{F}^{-1}\!\left(\hat{k}^{xz} \odot \hat{\alpha}\right)"
    )
    st.caption(
        "x: the target patch, y: the wanted response (a Gaussian peak), k: the kernel correlation of two "
        "patches, λ: the ridge penalty, ^: the discrete Fourier transform, z: the patch in the new frame. "
        "CSRT adds a spatial reliability map (which pixels belong to the target) and weights per feature channel."
    )
    st.subheader("One step of KCF, computed in NumPy")
    clip = generated(tuple(sorted({"seed": 0, "n_frames": 60, "speed": 6.0}.items())))
    cols = st.columns(3)
    frame = cols[0].slider("Frame", 1, len(clip.frames) - 1, 20, key="kcf_frame")
    sigma = cols[1].select_slider("Kernel width σ", [0.1, 0.2, 0.5, 1.0, 2.0], 0.5, key="kcf_sigma")
    padding = cols[2].select_slider("Padding around the box", [0.5, 1.0, 1.5, 2.5], 1.5, key="kcf_padding")
    before, after = clip.truth[frame - 1], clip.truth[frame]
    step = tracking.kcf_step(clip.frames[frame - 1], clip.frames[frame], before, padding, sigma)
    moved = (after[1] + after[3] / 2 - before[1] - before[3] / 2, after[0] + after[2] / 2 - before[0] - before[2] / 2)
    st.plotly_chart(tracking_plots.kcf_figure(step, moved), key="kcf_step")
    st.caption(
        f"Trained on the cat in frame {frame - 1}, searched in frame {frame}: the response peaks "
        f"{step.shift[1]:+d} px across and {step.shift[0]:+d} px down from the patch centre; the cat really moved "
        f"{moved[1]:+.0f} and {moved[0]:+.0f}. Try a narrow σ (0.1): the kernel then only likes near-exact copies "
        "and the response gets noisy; a wide one blurs the peak."
    )


LIVE_STARTS = {"the largest face": "face", "the middle": "middle", "a box on a snapshot": "box"}


def snapshot_box() -> tuple[float, float, float, float] | None:
    """A box the user draws on a camera snapshot, as fractions of the snapshot (x, y, w, h)."""
    with st.expander("Snapshot", expanded=True, icon=":material/photo_camera:"):
        shot = st.camera_input("Snapshot to draw the box on", key="track_live_snapshot")
        if shot is None:
            return None
        try:
            rgb = images.decode_image(shot.getvalue(), "snapshot")
        except images.ImageError as exc:
            st.error(str(exc), icon=":material/broken_image:")
            return None
        box = box_on(np.ascontiguousarray(rgb[..., ::-1]), f"track_live_canvas_{shot.file_id}")
    if box is None:
        return None
    height, width = rgb.shape[:2]
    return box[0] / width, box[1] / height, box[2] / width, box[3] / height


def live_tab() -> None:
    st.markdown(
        "Your webcam, tracked: the tracker starts on the largest face OpenCV's Haar cascade finds (or on a box "
        "in the middle of the picture) and from then on only follows it — turn your head, walk away, cover "
        "your face, and see when it lets go. **Track anew** starts it again on the next frame."
    )
    cols = st.columns([1, 2, 1])
    method = cols[0].selectbox("Tracker", tracking.METHODS, key="track_live_method")
    start = cols[1].radio("Start on", list(LIVE_STARTS), horizontal=True, key="track_live_start")
    if cols[2].button("Track anew", icon=":material/restart_alt:", key="track_live_restart"):
        st.session_state["track_live_restarts"] = st.session_state.get("track_live_restarts", 0) + 1
    start_box = None
    if LIVE_STARTS[start] == "box":
        start_box = snapshot_box()
        if start_box is None:
            st.info("Take a snapshot and drag a box around what to follow; until then it starts in the middle.")
    settings = tracking.LiveSettings(
        method, LIVE_STARTS[start] == "face", st.session_state.get("track_live_restarts", 0), start_box
    )
    tracker = st.session_state.setdefault("track_live_tracker", tracking.LiveTracker())

    def readout(result: tracking.LiveResult) -> None:
        words = {"searching": "Looking for a face…", "tracking": "Tracking", "lost": "Lost: press Track anew"}
        st.metric(
            f"{result.method}, this frame",
            f"{result.milliseconds:.1f} ms",
            words[result.state],
            delta_color="off",
            delta_arrow="off",
        )
        if result.box is not None:
            st.caption(f"Box (x, y, w, h): {result.box}")

    ui.live_webcam("track_live", tracker.process, settings, readout, "Press START and allow the camera.")


for tab, label, draw in zip(tabs, TABS, [track_tab, detection_tab, kcf_tab, live_tab]):
    if tab.open:
        with tab, ui.guard(label):
            draw()
