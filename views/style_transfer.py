"""Neural style transfer: optimise a photo so a CNN sees its content with another image's textures."""

import numpy as np
import streamlit as st

from playground import ui
from playground.core import jobs, shipped_models
from playground.figures import plots, style_plots
from playground.lessons import style

JOB_KEY = "style_job"
META_KEY = "style_job_meta"  # what the running job was started with (names, images, network)
GALLERY = ui.RunGallery("style")  # finished results with their settings; measured speed per network
BACKBONE, VGG19 = "Offline backbone", "VGG19"
NETWORKS = {
    BACKBONE: "Offline backbone (ships with the project)",
    VGG19: f"VGG19, ImageNet weights (downloads about {style.VGG19_DOWNLOAD_MB} MB once)",
}
RATES = [0.005, 0.01, 0.02, 0.03, 0.05, 0.1]


@st.cache_resource(show_spinner="Loading the feature network…")
def load_net(name: str) -> style.FeatureNet:
    return style.load_vgg19() if name == VGG19 else style.load_backbone()


@st.cache_data(show_spinner=False, max_entries=16)
def painted(name: str) -> np.ndarray:
    return style.painted_style(name)


@st.cache_data(show_spinner=False, max_entries=16)
def prepared(content: np.ndarray, style_rgb: np.ndarray, side: int):
    return style.prepare_images(content, style_rgb, side)


@st.cache_data(show_spinner="Computing the Gram matrix…", max_entries=16)
def gram(net_name: str, rgb: np.ndarray, layer: str) -> np.ndarray:
    return style.layer_gram(load_net(net_name), rgb, layer)


def pick_style() -> ui.PickedImage:
    kind = st.radio(
        "Style source",
        ["Painted styles (made by the project)", "Photo, upload or camera"],
        key="style_kind",
        horizontal=True,
    )
    if kind.startswith("Painted"):
        names = style.painted_style_names()
        name = st.selectbox(
            "Style image", names, index=names.index("waves") if "waves" in names else 0, key="style_painted"
        )
        return ui.PickedImage(painted(name), name)
    return ui.image_picker("style_style", "Style image", default="coffee", max_side=1024, horizontal=True)


def settings_controls(net: style.FeatureNet) -> style.StyleSettings:
    """Layer choice, weights and optimiser settings (widget keys depend on the network)."""
    key = net.name.replace(" ", "_")
    row = st.columns([2, 2, 1, 2])
    content_layer = row[0].selectbox(
        "Content layer",
        net.layers,
        index=net.layers.index(net.default_content),
        key=f"style_content_layer_{key}",
        help="Deeper layers keep the layout but let details change.",
    )
    side = row[1].slider(
        "Image size (longer side, px)",
        64,
        style.MAX_SIDE,
        style.IMAGE_SIDE,
        32,
        key="style_side",
        help=f"Capped at {style.MAX_SIDE} px: cost grows with the pixel count.",
    )
    steps = row[2].number_input("Steps", 1, 2000, style.STEPS, 10, key="style_steps")
    start_from = row[3].radio("Start from", ["content", "noise"], key="style_start", horizontal=True)
    chosen = st.multiselect(
        "Style layers, each with its weight λ",
        net.layers,
        default=list(net.default_style),
        key=f"style_layers_{key}",
        help="Shallow layers: colours and fine grain; deep layers: bigger motifs.",
    )
    layer_weights = {}
    if chosen:
        cols = st.columns(max(len(chosen), 5))
        for col, layer in zip(cols, chosen):
            layer_weights[layer] = col.number_input(
                f"λ {layer}",
                0.0,
                100.0,
                float(net.default_style.get(layer, 1.0)),
                0.5,
                key=f"style_w_{key}_{layer}",
                format="%.2f",
            )
    row = st.columns([1, 1, 1, 2, 2])
    alpha = row[0].number_input(
        "Content weight α", 0.0, 1e6, style.CONTENT_WEIGHT, 0.05, key="style_alpha", format="%.3g"
    )
    beta = row[1].number_input("Style weight β", 0.0, 1e6, style.STYLE_WEIGHT, 0.1, key="style_beta", format="%.3g")
    gamma = row[2].number_input("TV weight γ", 0.0, 1e6, style.TV_WEIGHT, 0.05, key="style_gamma", format="%.3g")
    learning_rate = row[3].select_slider(
        "Learning rate", RATES, style.LEARNING_RATE, key="style_lr", help="Adam's step on pixel values in [0, 1]."
    )
    with row[4]:
        st.write("")  # aligns the toggle with the inputs' boxes
        balance = st.toggle(
            "Balance terms",
            True,
            key="style_balance",
            help="Divide α by J_content(C, 0) and each λ by J_style(C, S) at that layer, so "
            "the weights mean the same whatever the network's activation scale.",
        )
    return style.StyleSettings(
        content_layer, layer_weights, alpha, beta, gamma, side, int(steps), learning_rate, start_from, balance
    )


def loss_charts(snapshot: jobs.Snapshot, key: str) -> None:
    """Content, style and TV losses, each on its own chart (their scales differ by orders of magnitude)."""
    titles = {"content": "Content J_content", "style": "Style Σ λ·J_style", "tv": "Total variation"}
    cols = st.columns(3)
    for col, (metric, title) in zip(cols, titles.items()):
        if metric in snapshot.series:
            col.plotly_chart(
                plots.curves({metric: snapshot.series[metric]}, title=title, x_title="step", height=230),
                key=f"{key}_{metric}",
                config={"displayModeBar": False},
            )


def live_view(snapshot: jobs.Snapshot) -> None:
    meta = st.session_state.get(META_KEY) or {}
    left, middle, right = st.columns([1, 2, 1])
    if "content" in meta:
        left.image(meta["content"], caption=f"Content: {meta['content_name']}", width="stretch")
        left.image(meta["style"], caption=f"Style: {meta['style_name']}", width="stretch")
    if "result" in snapshot.images:
        middle.image(snapshot.images["result"], caption=f"Step {snapshot.step} of {snapshot.total}", width="stretch")
    losses = snapshot.info.get("losses")
    if losses:
        with right:
            st.metric("Total J", f"{losses['total']:.4g}")
            st.metric("Content J_content", f"{losses['content']:.4g}")
            st.metric("Style Σ λ·J_style", f"{losses['style']:.4g}")
            st.metric("Total variation", f"{losses['tv']:.4g}")
    loss_charts(snapshot, "style_live")


def gallery_item(result: dict, meta: dict) -> dict:
    """What the gallery keeps of a finished (or stopped) run."""
    return {
        "image": result["image"],
        "losses": result["losses"],
        "settings": result["settings"],
        "steps_done": result["steps_done"],
        "elapsed_s": result["elapsed_s"],
        "model": meta["model"],
        "content_name": meta["content_name"],
        "style_name": meta["style_name"],
        "style": meta["style"],
    }


def describe(item: dict) -> None:
    """The caption of a gallery item: what was stylised with what, and the settings."""
    st.markdown(
        f"**{item['content_name']}** in the style of **{item['style_name']}** · {item['model']} · "
        f"{item['steps_done']} steps in {item['elapsed_s']:.0f} s{' (stopped)' if item['stopped'] else ''}"
    )
    st.caption(settings_text(item))


def tex_number(value: float) -> str:
    """4 significant digits, powers of ten written as ×10ⁿ for LaTeX."""
    mantissa, _, exponent = f"{value:.4g}".partition("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}" if exponent else mantissa


def settings_text(item: dict) -> str:
    """One line with the weights, layers and optimiser settings of a gallery item."""
    s = item["settings"]
    layers = ", ".join(f"{n.replace('_conv', '')}×{w:g}" for n, w in s["style_layers"].items())
    return (
        f"α {s['content_weight']:g}, β {s['style_weight']:g}, γ {s['tv_weight']:g}"
        f"{' (balanced)' if s['balance'] else ''} · content {s['content_layer']} · style {layers} · "
        f"lr {s['learning_rate']:g} · from {s['start_from']}"
    )


# --- page ------------------------------------------------------------------------------
ui.keep_keras_session()  # Streamlit's per-run clear_session would slow the background job ~15x
ui.page_header(
    "Neural style transfer",
    "Gatys et al.'s idea: keep what a CNN's deep layers say about *what* is in a photo, and copy *how* "
    "another image looks — its textures, measured by Gram matrices of the layers' activations. "
    "The picture itself is the thing being trained: each step nudges its pixels down the gradient of "
    "content loss + style loss + smoothness.",
    f"Feature network: the project's offline backbone ({shipped_models.SHIPPED['backbone'].file}, rebuilt by "
    f"{shipped_models.SHIPPED['backbone'].script}) by default; for painterly results pick VGG19, whose ImageNet weights "
    f"keras.applications downloads once (~{style.VGG19_DOWNLOAD_MB} MB). Styles: four procedural paintings "
    "(scripts/make_style_images.py), scikit-image photos, or your own.",
)
st.latex(
    r"J(G) = \alpha\, J_\text{content}(C, G) + \beta \sum_l \lambda_l\, J^{[l]}_\text{style}(S, G)"
    r" + \gamma\, \mathrm{TV}(G)"
)
st.caption(
    "Fast mode (a feed-forward arbitrary-style network such as Magenta's) needs a model download this "
    "project cannot ship offline, so every result here is optimised step by step."
)

stylise_tab, gallery_tab, understand_tab = st.tabs(["Stylise", "Gallery", "Understand the losses"])

with stylise_tab:
    pick_left, pick_right = st.columns(2)
    with pick_left:
        content = ui.image_picker("style_content", "Content image", default="chelsea (cat)")
        content_preview = st.empty()
    with pick_right:
        style_pick = pick_style()
        style_preview = st.empty()
    net, _ = ui.model_choice(
        "style_net", "Feature network", NETWORKS, load_net, BACKBONE, shipped_models.ModelUnavailable
    )
    settings = settings_controls(net)
    ready = images_ready = False
    with ui.guard("Preparing the images"):
        content_small, style_small, notes = prepared(content.rgb, style_pick.rgb, settings.image_side)
        images_ready = True
        content_preview.image(content_small, caption=f"{content.name} as it will be stylised", width=260)
        style_preview.image(style_small, caption=f"{style_pick.name} as the style", width=260)
        for note in notes:
            st.caption(f":material/info: {note}")
        style.check_settings(settings, net)
        ready = True
    if ready:
        shape = content_small.shape[:2]
        rate, basis = GALLERY.speed(net.name)
        seconds = style.estimate_seconds(net.name, shape, settings.steps, rate)
        cols = st.columns([1, 3])
        start = cols[0].button("Stylise", type="primary", icon=":material/brush:", key="style_start_button")
        cols[1].caption(
            f"{settings.steps} steps at {shape[1]}x{shape[0]} px with the {net.name}: about "
            f"**{seconds:.0f} s** (estimate from {basis}); you can stop at any time and keep the image."
        )
        if start:
            job = ui.start_job(JOB_KEY, style.run_job, net, content_small, style_small, settings, name="style")
            st.session_state[META_KEY] = {
                "job_id": job.id,
                "model": net.name,
                "content": content_small,
                "style": style_small,
                "content_name": content.name,
                "style_name": style_pick.name,
            }
    snapshot = ui.job_panel(JOB_KEY, extra=live_view, x_title="step", pausable=True, run_every_s=0.7)
    if GALLERY.keep(snapshot, st.session_state.get(META_KEY), gallery_item):
        GALLERY.offer_download(snapshot, "Download the result (PNG)")
    st.info(
        "**Try this:** run the defaults (cat + waves). Then set α to 0 and start from noise: pure texture "
        "synthesis. Keep only block1 as style layer (colour and grain) vs only block4 (larger motifs). Raise γ "
        "to 1 to see the smoothness term fight the style. Turn off *Balance terms* and notice how differently "
        "sized the raw losses are.",
        icon=":material/lightbulb:",
    )

with gallery_tab:
    GALLERY.show(describe, "Results of this session appear here with the settings that made them.")

with understand_tab:
    latest = (GALLERY.items or [None])[0]
    live = st.session_state.get(JOB_KEY)
    live_snapshot = live.snapshot() if live is not None else None
    losses = (live_snapshot.info.get("losses") if live_snapshot and not live_snapshot.finished else None) or (
        latest["losses"] if latest else None
    )

    def value(name: str) -> str:
        return rf"= {tex_number(losses[name])}" if losses and name in losses else ""

    st.markdown("#### The three terms, with the values of your latest run")
    if not losses:
        st.info("Run a stylisation to see the live values next to each formula.", icon=":material/play_circle:")
    st.markdown("**Content**: compare the activations $a$ of one deep layer, position by position.")
    st.latex(
        r"J_\text{content}(C,G) = \frac{1}{4\, n_H n_W n_C} \sum_{i,j,k}"
        r"\big(a^{(C)}_{ijk} - a^{(G)}_{ijk}\big)^2 " + value("content")
    )
    st.markdown("**Style**: compare Gram matrices — which channels fire *together*, wherever they fire.")
    st.latex(
        r"G^{[l]}_{kk'} = \sum_{i,j} a^{[l]}_{ijk}\, a^{[l]}_{ijk'} \qquad "
        r"J^{[l]}_\text{style}(S,G) = \frac{1}{(2\, n_H n_W n_C)^2} \sum_{k,k'}"
        r"\big(G^{[l](S)}_{kk'} - G^{[l](G)}_{kk'}\big)^2"
    )
    if losses:
        per_layer = {k.split(":", 1)[1]: v for k, v in losses.items() if k.startswith("style:")}
        cells = " & ".join(
            rf"J^{{[\text{{{n.replace('_conv', '')}}}]}}_\text{{style}} = {tex_number(v)}" for n, v in per_layer.items()
        )
        st.latex(r"\begin{array}{" + "c" * len(per_layer) + "}" + cells + r"\end{array}")
    st.latex(r"\sum_l \lambda_l J^{[l]}_\text{style} " + value("style"))
    st.markdown("**Total variation**: how much neighbouring pixels differ (penalises speckle).")
    st.latex(
        r"\mathrm{TV}(G) = \frac{1}{HW}\sum_{i,j,c} \big(|G_{i+1,j,c} - G_{ijc}| + |G_{i,j+1,c} - G_{ijc}|\big) "
        + value("tv")
    )
    st.latex(
        r"J = \alpha J_\text{content} + \beta \textstyle\sum_l \lambda_l J^{[l]}_\text{style} "
        r"+ \gamma\,\mathrm{TV} " + value("total")
    )
    st.caption(
        "With *Balance terms* on, α and each λ are first divided by that term's natural size (see the "
        "toggle's help), so the total uses those effective weights; the raw J values above are the "
        "course's formulas."
    )

    st.markdown("#### Gram matrix of a style layer")
    st.markdown(
        "Each cell is how strongly channel *k* and channel *k'* fire together across the whole image "
        "(divided by the number of positions). Matching these — and not *where* things are — is what "
        "makes the result take on the style's textures."
    )
    if not images_ready:
        st.caption("Choose two different images in the **Stylise** tab to see their Gram matrices.")
    else:
        with ui.guard("The Gram matrix"):
            cols = st.columns([1, 1, 2])
            layer = cols[0].selectbox(
                "Layer", net.layers, index=min(1, len(net.layers) - 1), key=f"style_gram_layer_{net.name}"
            )
            channels = cols[1].slider("Channels shown", 4, 64, 24, 4, key="style_gram_channels")
            matrices = {f"Style: {style_pick.name}": gram(net.name, style_small, layer)[:channels, :channels]}
            if latest is not None:
                matrices[f"Latest result (#{latest['job_id']})"] = gram(net.name, latest["image"], layer)[
                    :channels, :channels
                ]
            matrices[f"Content: {content.name}"] = gram(net.name, content_small, layer)[:channels, :channels]
            st.plotly_chart(
                style_plots.gram_heatmaps(matrices), key="style_gram_figure", config={"displayModeBar": False}
            )
            st.caption(
                f"{net.name}, layer {layer}: first {channels} channels, same colour scale for all. "
                "Compare the result's pattern with the style's rather than the content's."
            )
