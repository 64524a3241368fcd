"""Deep dream: gradient ascent on a photo until a CNN's favourite patterns appear in it."""

import numpy as np
import streamlit as st

from playground import ui
from playground.core import images, jobs, shipped_models
from playground.lessons import dream

JOB_KEY = "dream_job"
META_KEY = "dream_job_meta"  # what the running job was started with (image, model, names)
GALLERY = ui.RunGallery("dream")  # finished dreams with their settings; measured speed per model
BACKBONE, INCEPTION = "Offline backbone", "InceptionV3"
MODELS = {
    BACKBONE: "Offline backbone (ships with the project, 3 MB)",
    INCEPTION: "InceptionV3, ImageNet weights (downloads about 84 MB once)",
}
# Seconds per megapixel per step on the 2-core benchmark machine (bench/deep_dream.py); replaced by
# the measurement of the session's last run.
BENCH_RATES = {BACKBONE: 0.7, INCEPTION: 3.6}
TARGETS = ["Mix of layers", "One channel", "One class (offline backbone)"]
ESTIMATE_WARN_S = 20


@st.cache_resource(show_spinner="Loading the network…")
def load_model(name: str) -> dream.DreamModel:
    return dream.load_inception() if name == INCEPTION else dream.load_backbone()


@st.cache_resource(show_spinner=False, max_entries=32)
def step_function(model_name: str, layers: tuple[str, ...], channel: int | None):
    """One traced gradient-ascent step per (model, layers, channel), shared by runs and sessions."""
    return dream.make_gradient_ascent_step(load_model(model_name), layers, channel)


@st.cache_data(show_spinner=False, max_entries=128)
def preview(model_name: str, layer: str, channel: int | None = None) -> np.ndarray:
    return dream.layer_preview(load_model(model_name), layer, channel=channel)


def target_controls(model: dream.DreamModel) -> tuple[dict[str, float], int | None, str]:
    """Which activations to amplify: weighted layers, one channel of a layer, or one class score.

    Returns (layer weights, channel or None, a short description).
    """
    key = model.name.replace(" ", "_")
    targets = TARGETS if model.class_names else TARGETS[:2]
    target = st.radio("Dream about", targets, key=f"dream_target_{key}", horizontal=True)
    if target == TARGETS[2]:
        default = model.class_names.index("star") if "star" in model.class_names else 0
        label = st.selectbox("Class", model.class_names, index=default, key="dream_class")
        index = model.class_names.index(label)
        cols = st.columns([1, 3])
        with ui.guard("The class preview"):
            cols[0].image(
                preview(model.name, dream.CLASS_LAYER, index), caption=f"'{label}' from grey noise", width="stretch"
            )
        cols[1].markdown(
            f"The image is pushed towards whatever makes the backbone's score for **{label}** rise "
            "(the score before the softmax, which does not saturate)."
        )
        return {dream.CLASS_LAYER: 1.0}, index, f"class '{label}'"
    if target == TARGETS[1]:
        cols = st.columns([2, 1, 3])
        layer = cols[0].selectbox("Layer", model.layers, index=len(model.layers) // 2, key=f"dream_ch_layer_{key}")
        count = dream.channel_count(model, layer)
        channel = int(
            cols[1].number_input(f"Channel (0-{count - 1})", 0, count - 1, 0, 1, key=f"dream_channel_{key}_{layer}")
        )
        with ui.guard("The channel preview"):
            cols[2].image(preview(model.name, layer, channel), caption=f"{layer}, channel {channel}", width=160)
        return {layer: 1.0}, channel, f"{layer} channel {channel}"
    chosen = st.multiselect(
        "Layers",
        model.layers,
        default=list(model.default_weights),
        key=f"dream_layers_{key}",
        help="Early layers amplify edges and colours; deeper ones, textures and motifs.",
    )
    weights = {}
    if chosen:
        st.caption("Weight of each layer in the objective, and what the layer alone makes of faint grey noise:")
        cols = st.columns(max(4, len(chosen)))
        for col, layer in zip(cols, chosen):
            with col:
                weights[layer] = st.slider(
                    layer, 0.0, 5.0, float(model.default_weights.get(layer, 1.0)), 0.1, key=f"dream_w_{key}_{layer}"
                )
                with ui.guard(f"The preview of {layer}"):
                    st.image(preview(model.name, layer), width="stretch")
    return weights, None, ", ".join(f"{n}×{w:g}" for n, w in weights.items())


def settings_controls(model: dream.DreamModel, weights: dict[str, float], channel: int | None) -> dream.DreamSettings:
    row = st.columns(5)
    octaves = row[0].slider(
        "Octaves",
        1,
        dream.MAX_OCTAVES,
        dream.OCTAVES,
        key="dream_octaves",
        help="How many scales: the dream starts on a small copy and grows.",
    )
    scale = row[1].slider(
        "Octave scale",
        1.0,
        2.0,
        dream.OCTAVE_SCALE,
        0.05,
        key="dream_scale",
        help="Size ratio between octaves: larger means bigger patterns.",
    )
    steps = row[2].number_input("Steps per octave", 0, 500, dream.STEPS, 5, key="dream_steps")
    step_size = row[3].select_slider(
        "Step size",
        [0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1],
        dream.STEP_SIZE,
        key="dream_step_size",
        help="Average change per pixel per step, on [-1, 1].",
    )
    side = row[4].slider(
        "Resolution (longer side, px)",
        64,
        dream.MAX_SIDE_LIMIT,
        dream.MAX_SIDE,
        32,
        key="dream_side",
        help=f"Capped at {dream.MAX_SIDE_LIMIT} px: time grows with the pixel count. Smaller images are not upscaled.",
    )
    row = st.columns(4)
    max_loss = row[0].number_input(
        "Max loss (0 = no limit)",
        0.0,
        1e6,
        dream.MAX_LOSS,
        1.0,
        key="dream_max_loss",
        help="An octave ends early once the loss passes this (keras-io uses 15 with "
        "InceptionV3): keeps the dream from burning out.",
    )
    jitter = row[1].slider(
        "Jitter (px)",
        0,
        64,
        dream.JITTER,
        2,
        key="dream_jitter",
        help="Random shift before each step, so patterns don't lock to the pixel grid.",
    )
    tv_weight = row[2].number_input(
        "TV smoothing",
        0.0,
        100.0,
        dream.TV_WEIGHT,
        0.5,
        key="dream_tv",
        help="Penalty on differences between neighbouring pixels: higher = smoother.",
    )
    seed = row[3].number_input("Seed", 0, 10_000, 0, 1, key="dream_seed", help="Fixes the jitter sequence.")
    return dream.DreamSettings(
        weights,
        channel,
        octaves,
        float(scale),
        int(steps),
        float(step_size),
        float(max_loss),
        int(side),
        int(jitter),
        float(tv_weight),
        int(seed),
    )


def live_view(snapshot: jobs.Snapshot) -> None:
    if snapshot.finished:  # "Before and after" below takes over
        return
    meta = st.session_state.get(META_KEY) or {}
    left, right = st.columns(2)
    if "original" in meta:
        left.image(meta["original"], caption=f"Original: {meta['image_name']}", width="stretch")
    if "dream" in snapshot.images:
        right.image(snapshot.images["dream"], caption=snapshot.message or "dream", width="stretch")


def gallery_item(result: dict, meta: dict) -> dict:
    """What the gallery keeps of a finished (or stopped) dream."""
    return {
        "image": result["image"],
        "settings": result["settings"],
        "seconds": result["seconds"],
        "model": meta["model"],
        "target": meta["target"],
        "image_name": meta["image_name"],
        "steps_done": len(result["losses"]),
    }


def settings_text(item: dict) -> str:
    s = item["settings"]
    return (
        f"**{item['image_name']}** · {item['model']} · {item['target']}  \n"
        f"{s['octaves']} octaves × {s['steps']} steps (scale {s['octave_scale']:g}), step {s['step_size']:g}, "
        f"max loss {s['max_loss']:g}, {s['max_side']} px, jitter {s['jitter']}, TV {s['tv_weight']:g}, "
        f"seed {s['seed']} · {item['steps_done']} steps in {item['seconds']:.1f} s"
        f"{' (stopped)' if item['stopped'] else ''}"
    )


def comparison(original: np.ndarray, dreamed: np.ndarray, key: str) -> None:
    """Side by side, or one image with a slider that blends/wipes from original to dream."""
    mode = st.radio("Compare", ["Side by side", "Wipe", "Blend"], horizontal=True, key=f"{key}_mode")
    if original.shape != dreamed.shape:
        original = images.resize_to(original, dreamed.shape[:2])
    if mode == "Side by side":
        cols = st.columns(2)
        cols[0].image(original, caption="Original", width="stretch")
        cols[1].image(dreamed, caption="Dream", width="stretch")
        return
    amount = st.slider("Original ← → dream", 0.0, 1.0, 0.5, 0.05, key=f"{key}_amount")
    if mode == "Wipe":
        cut = int(round(amount * dreamed.shape[1]))
        shown = np.concatenate([dreamed[:, :cut], original[:, cut:]], axis=1)
        if 0 < cut < shown.shape[1]:
            shown[:, cut - 1] = 255  # the wipe line
    else:
        shown = (original * (1 - amount) + dreamed * amount + 0.5).astype(np.uint8)
    st.image(shown, caption=f"{mode}: {amount:.0%} dream", width=min(720, dreamed.shape[1] * 2))


# --- page ------------------------------------------------------------------------------
ui.keep_keras_session()  # otherwise every live refresh clears Keras' session and slows the dream down
ui.page_header(
    "Deep dream",
    "Instead of changing the network to fit the image, change the image to excite the network: gradient "
    "*ascent* on the pixels makes the chosen layers fire harder, so whatever they faintly detect gets drawn in. "
    "Repeating it over several scales (octaves) grows patterns of every size, as in Google's 2015 DeepDream.",
    f"Network: the project's offline backbone ({shipped_models.SHIPPED['backbone'].file}, a 5-block CNN rebuilt by "
    f"{shipped_models.SHIPPED['backbone'].script} from bundled photos) by default; for the classic dog-and-pagoda dreams "
    f"pick InceptionV3, whose ImageNet weights keras.applications downloads once (about 84 MB).",
)
st.latex(
    r"L(x) = \sum_{l} w_l \,\frac{1}{|\Omega_l|} \sum_{i \in \Omega_l} a^{[l]}_i(x)^2"
    r"\;-\; \gamma\,\mathrm{TV}(x) \qquad\qquad x \leftarrow x + \eta\,"
    r"\frac{\nabla_x L}{\operatorname{mean}|\nabla_x L|}"
)
st.caption(
    "Ω_l: positions of layer l's activation map away from the 2-pixel border (padding artefacts), all its "
    "channels (or one, in channel mode). η is the step size; dividing by the mean gradient makes it the "
    "average change per pixel whatever the layer's scale. Between octaves the image is upscaled and the detail "
    "lost by shrinking the photo is added back."
)

dream_tab, gallery_tab = st.tabs(["Dream", "Gallery"])

with dream_tab:
    picker_col, controls_col = st.columns([1, 2])
    with picker_col:
        picked = ui.image_picker("dream_image", "Image", default="chelsea (cat)", max_side=dream.MAX_SIDE_LIMIT)
        st.image(picked.rgb, caption=f"{picked.name}: {picked.rgb.shape[1]}x{picked.rgb.shape[0]} px", width="stretch")
    with controls_col:
        model, _ = ui.model_choice(
            "dream_model", "Network", MODELS, load_model, BACKBONE, shipped_models.ModelUnavailable
        )
        weights, channel, target_text = target_controls(model)
        settings = settings_controls(model, weights, channel)
        shapes = None
        with ui.guard("Checking the settings"):
            shapes = dream.validate(settings, picked.rgb.shape, model)
        if shapes:
            rate, basis = GALLERY.speed(model.name)
            seconds = dream.estimate_seconds(shapes, settings.steps, rate or BENCH_RATES[model.name])
            cols = st.columns([1, 3])
            start = cols[0].button("Dream", type="primary", icon=":material/auto_awesome:", key="dream_start")
            note = (
                f"{settings.octaves} octave(s) from {shapes[0][1]}x{shapes[0][0]} to {shapes[-1][1]}x{shapes[-1][0]}"
                f" px, {settings.steps} steps each: about **{seconds:.0f} s** (estimate from {basis}; a new layer "
                "choice adds a few seconds of set-up the first time)."
            )
            if seconds > ESTIMATE_WARN_S:
                note += " That's a while: fewer steps or a lower resolution make it faster; you can stop any time."
            cols[1].caption(note)
            if start:
                with ui.guard("Starting the dream"):
                    step_fn = step_function(model.name, tuple(settings.active_layers()), settings.channel)
                    job = ui.start_job(
                        JOB_KEY, dream.dream_job, model, picked.rgb, settings, step_fn=step_fn, name="dream"
                    )
                    original = images.resize_to(picked.rgb, shapes[-1])
                    st.session_state[META_KEY] = {
                        "job_id": job.id,
                        "model": model.name,
                        "original": original,
                        "image_name": picked.name,
                        "target": target_text,
                    }

    octave_names = [f"octave {i + 1}" for i in range(dream.MAX_OCTAVES)]
    snapshot = ui.job_panel(
        JOB_KEY,
        charts={"Loss per octave": octave_names},
        extra=live_view,
        x_title="step within the octave",
        run_every_s=0.5,
    )
    meta = st.session_state.get(META_KEY)
    if GALLERY.keep(snapshot, meta, gallery_item):
        st.markdown("#### Before and after")
        comparison(meta["original"], snapshot.result["image"], "dream_compare")
        GALLERY.offer_download(snapshot, "Download the dream (PNG)")
    st.info(
        "**Try this:** dream with the defaults, then move all the weight to *block2_conv* (fine colour "
        "fringes) and then to *block5_conv* (larger texture motifs). Switch to *One class* and pick *star* or "
        "*checkerboard*: the backbone paints what it was trained to recognise. Raise TV smoothing to 2 to tame "
        "the speckle, set jitter to 0 to see grid artefacts, or use 5 octaves with scale 1.6 for big patterns.",
        icon=":material/lightbulb:",
    )

with gallery_tab:
    GALLERY.show(
        lambda item: st.markdown(settings_text(item)),
        "Dreams of this session appear here with the settings that made them, so you can compare and reproduce them.",
    )
