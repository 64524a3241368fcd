"""Convolution & pooling: what a conv layer computes, step by step, then on real images.

NumPy only, except the "Learned filters" tab, which imports TensorFlow when it is opened.
"""

import time

import numpy as np
import pandas as pd
import streamlit as st

from playground import ui
from playground.core import datasets, images
from playground.figures import convolution_plots as cplots
from playground.figures import plots
from playground.lessons import convolution as conv

ui.page_header(
    "Convolution & pooling",
    "A convolutional layer slides a small grid of weights — a *kernel* or *feature detector* — over the "
    "image and writes one number per position: the sum of the element-wise products. Watch it happen on the "
    "course's 7x7 example, then on real photos with edge, blur and sharpen kernels, colour volumes and the "
    "filters a trained network learned by itself.",
    source="Course examples: SuperDataScience (7x7 image, 3x3 feature detector) and Coursera (edge detection, "
    "padding, stride, volumes). Photos: scikit-image samples or your upload (downscaled to 512 px). "
    "Learned filters: the shipped Fashion-MNIST CNN (`python scripts/train_fashion_cnn.py` rebuilds it).",
)

formula, note = st.columns([3, 2], vertical_alignment="center")
formula.latex(
    r"\begin{aligned} Z[r, c] &= \sum_{i=0}^{f-1}\sum_{j=0}^{f-1} X[r\,s + i\,d,\; c\,s + j\,d]\,K[i, j]"
    r"\\ n_{\text{out}} &= \left\lfloor \frac{n + 2p - f}{s} \right\rfloor + 1 \end{aligned}"
)
note.caption(
    "X: the (padded) input · K: the f×f kernel · s: stride · p: padding · d: dilation (a dilated kernel "
    "spans d(f−1)+1 pixels). CNNs compute this **cross-correlation**; the mathematician's *convolution* "
    'first flips the kernel by 180°. Frameworks keep the name "convolution" because the network learns '
    "the weights anyway — a flipped kernel is just another kernel."
)

TABS = [
    "1 · Step through the course example",
    "2 · Explore a photo",
    "3 · Volumes (RGB) & filter banks",
    "4 · Learned filters",
]
tabs = st.tabs(TABS, key="conv_tab", on_change="rerun")

# --- 1. step-through -------------------------------------------------------------------

EXAMPLES = {
    "SuperDataScience: 7x7 image, 3x3 feature detector": (conv.COURSE_IMAGE, conv.COURSE_DETECTOR),
    "Coursera: vertical edge (bright | dark)": (conv.COURSERA_EDGE_IMAGE, conv.COURSERA_VERTICAL_EDGE),
    "Coursera: vertical edge on the 6x6 numbers": (conv.COURSERA_NUMBERS_IMAGE, conv.COURSERA_VERTICAL_EDGE),
}
STEP_KEY, PLAY_KEY, TICK_KEY = "conv_step", "conv_playing", "conv_last_tick"


def kernel_editor(kernel: np.ndarray, key: str) -> np.ndarray:
    """An editable grid of text cells, parsed into a kernel (bad cells raise ``ValueError``)."""
    frame = pd.DataFrame(
        [[conv.format_number(v) for v in row] for row in kernel],
        columns=[str(j + 1) for j in range(kernel.shape[1])],
        dtype="string",
    )
    edited = st.data_editor(frame, key=key, hide_index=True, num_rows="fixed", width="content")
    return conv.parse_kernel(edited.to_numpy(dtype=object).tolist())


def reset_steps() -> None:
    st.session_state[STEP_KEY] = 1
    st.session_state[PLAY_KEY] = False


def move_step(delta: int | None = None, to: int | None = None, total: int = 1) -> None:
    current = st.session_state.get(STEP_KEY, 1)
    st.session_state[STEP_KEY] = int(np.clip(to if to is not None else current + delta, 1, total))
    st.session_state[TICK_KEY] = time.monotonic()


def toggle_play(total: int) -> None:
    playing = not st.session_state.get(PLAY_KEY, False)
    if playing and st.session_state.get(STEP_KEY, 1) >= total:
        st.session_state[STEP_KEY] = 1  # play from the start again
    st.session_state[PLAY_KEY] = playing
    st.session_state[TICK_KEY] = time.monotonic()


def step_html(walk: conv.Walkthrough, t: int) -> str:
    """The four CNN steps at step ``t``: convolution on the first row with the explanation
    of the current step beside it, ReLU → pooling → flattening on the second row."""
    stage = walk.stage(t)
    f = walk.kernel.shape[0]
    feature, rectified, pooled, flat = walk.shown_at(t)

    window = current = pool_box = pool_current = None
    if stage == "conv":
        s = conv.step(walk.padded, walk.kernel, t - 1, walk.stride)
        window, current = (s.top, s.left, f, f), (s.row, s.col)
        note = cplots.note_html(
            f"Step {t} of {walk.total_steps} · 1. convolution at ({s.row}, {s.col})",
            "Multiply the amber window by the feature detector cell by cell, then add everything up:",
            cplots.products_formula_html(s.window, walk.kernel),
        )
    elif stage == "relu":
        negatives = int((walk.feature_map < 0).sum())
        note = cplots.note_html(
            f"Step {t} of {walk.total_steps} · 2. ReLU",
            "Every negative value becomes 0: max(0, x). "
            + (
                f"{negatives} value(s) were negative here."
                if negatives
                else "This feature map has no negatives, so nothing changes (try the Coursera numbers)."
            ),
        )
    elif stage == "pool":
        index = t - walk.n_conv - 2
        rows, cols = conv.pool_window(walk.rectified.shape, index, walk.pool_size, walk.pool_stride, walk.pool_padding)
        pool_box = (rows.start, cols.start, rows.stop - rows.start, cols.stop - cols.start)
        pool_current = divmod(index, walk.pooled.shape[1])
        values = ", ".join(conv.format_number(v) for v in walk.rectified[rows, cols].ravel())
        note = cplots.note_html(
            f"Step {t} of {walk.total_steps} · 3. max pooling {walk.pool_size}x{walk.pool_size}, "
            f"stride {walk.pool_stride}",
            "Keep the largest value of each window. "
            + (
                "Windows hanging over the border keep the cells that exist (Keras padding='same'): that is "
                f"how this {walk.rectified.shape[0]}x{walk.rectified.shape[1]} map becomes "
                f"{walk.pooled.shape[0]}x{walk.pooled.shape[1]}, like the course's 5x5 → 3x3."
                if walk.rectified.shape[0] % walk.pool_stride or walk.rectified.shape[1] % walk.pool_stride
                else "Here the windows tile the map exactly."
            ),
            f"max({values}) = <b>{conv.format_number(walk.pooled.flat[index])}</b>",
        )
    else:
        note = cplots.note_html(
            f"Step {t} of {walk.total_steps} · 4. flattening",
            f"The pooled map is read row by row into one vector of {walk.flat.size} numbers: "
            "the input layer of the dense network that follows.",
        )
    first = cplots.row_html(
        [
            cplots.grid_html(
                walk.padded,
                "Image" + (" (zero-padded)" if walk.padding else ""),
                window=window,
                padding=walk.padding,
                colour_values=False,
            ),
            cplots.operator_html("×"),
            cplots.grid_html(walk.kernel, "Feature detector", colour_values=False),
            cplots.operator_html("=", f"stride {walk.stride}"),
            cplots.grid_html(feature, "Feature map", current=current),
            note,
        ]
    )
    second = cplots.row_html(
        [
            cplots.operator_html("↳", "feature map"),
            cplots.operator_html("→", "ReLU"),
            cplots.grid_html(rectified, "After ReLU", window=pool_box),
            cplots.operator_html("→", f"{walk.pool_size}x{walk.pool_size} max pool"),
            cplots.grid_html(pooled, "Pooled", current=pool_current),
            cplots.operator_html("→", "flatten"),
            cplots.grid_html(flat, "Vector (input of the dense layers)"),
        ]
    )
    return first + '<div style="height:14px"></div>' + second


def step_through_tab() -> None:
    controls = st.columns([3, 1, 1, 1.3])
    name = controls[0].selectbox("Example", list(EXAMPLES), key="conv_example", on_change=reset_steps)
    stride = controls[1].selectbox("Stride s", [1, 2], key="conv_walk_stride", on_change=reset_steps)
    padding = controls[2].selectbox("Padding p", [0, 1, 2], key="conv_walk_padding", on_change=reset_steps)
    seconds = controls[3].select_slider("Seconds per step", [0.3, 0.5, 0.8, 1.2, 2.0], value=0.8, key="conv_walk_speed")
    image, course_kernel = EXAMPLES[name]
    player_slot = st.container()
    kernel = course_kernel
    with (
        st.expander("Edit the feature detector (type numbers; fractions like 1/9 work)"),
        ui.guard("Reading the kernel"),
    ):
        kernel = kernel_editor(course_kernel, key=f"conv_walk_kernel_{name}")
    with player_slot, ui.guard("The step-through"):
        walk = conv.walkthrough(image, kernel, stride, padding)
        step_player(walk, seconds)
        n, f = image.shape[0], kernel.shape[0]
        st.latex(
            rf"n_{{\text{{out}}}} = \left\lfloor \frac{{{n} + 2\cdot{padding} - {f}}}{{{stride}}}\right\rfloor + 1"
            rf" = {walk.feature_map.shape[0]}"
        )
    st.info(
        "**Try this** · Press play and follow the amber window: where the window matches the detector's "
        "pattern the feature map lights up (the 5 in the corner is a perfect match). · Set padding 1: the "
        'map keeps the image\'s 7x7 size ("same" convolution). · Stride 2 skips positions: 3x3 instead of '
        "5x5. · Pick the Coursera numbers to see ReLU remove negative responses.",
        icon=":material/lightbulb:",
    )


def step_player(walk: conv.Walkthrough, seconds: float) -> None:
    """Play / step / scrub through ``walk``; only this fragment reruns while playing."""
    total = walk.total_steps
    if st.session_state.get(STEP_KEY, 1) > total:
        st.session_state[STEP_KEY] = 1
    playing_when_defined = bool(st.session_state.get(PLAY_KEY, False))

    @st.fragment(run_every=seconds if playing_when_defined else None)
    def player() -> None:
        playing = bool(st.session_state.get(PLAY_KEY, False))
        # Timer runs come every `seconds`; a click resets the tick, so it does not also advance.
        if playing and time.monotonic() - st.session_state.get(TICK_KEY, 0.0) >= 0.5 * seconds:
            if st.session_state.get(STEP_KEY, 1) >= total:
                st.session_state[PLAY_KEY] = playing = False
            else:
                move_step(+1, total=total)
        if playing != playing_when_defined:
            st.rerun(scope="app")  # start or stop the timer
        buttons = st.columns([0.6, 0.6, 1.1, 0.6, 0.6, 6], vertical_alignment="center")
        buttons[0].button(
            "",
            icon=":material/first_page:",
            key="conv_first",
            on_click=move_step,
            kwargs=dict(to=1, total=total),
            width="stretch",
            help="First step",
        )
        buttons[1].button(
            "",
            icon=":material/chevron_left:",
            key="conv_back",
            on_click=move_step,
            kwargs=dict(delta=-1, total=total),
            width="stretch",
            help="Previous step",
        )
        buttons[2].button(
            "Pause" if playing else "Play",
            icon=":material/pause:" if playing else ":material/play_arrow:",
            key="conv_play",
            on_click=toggle_play,
            args=(total,),
            type="primary",
            width="stretch",
        )
        buttons[3].button(
            "",
            icon=":material/chevron_right:",
            key="conv_next",
            on_click=move_step,
            kwargs=dict(delta=+1, total=total),
            width="stretch",
            help="Next step",
        )
        buttons[4].button(
            "",
            icon=":material/last_page:",
            key="conv_last",
            on_click=move_step,
            kwargs=dict(to=total, total=total),
            width="stretch",
            help="Last step (flattened)",
        )
        t = buttons[5].slider("Step", 1, total, key=STEP_KEY, label_visibility="collapsed")
        with ui.guard("Drawing this step"):
            st.html(step_html(walk, t))

    player()


# --- 2. explore a photo ------------------------------------------------------------------

PRESET_NAMES = list(conv.KERNEL_PRESETS)
INSPECT_ROW, INSPECT_COL = "conv_inspect_row", "conv_inspect_col"


def kernel_controls(key: str, default: str = "Sobel x") -> np.ndarray:
    """Preset, size and optional custom edit; returns the kernel."""
    preset = st.selectbox("Kernel", PRESET_NAMES, index=PRESET_NAMES.index(default), key=f"{key}_preset")
    sizes = conv.KERNEL_PRESETS[preset].sizes
    size = st.select_slider(
        "Kernel size f", sizes, value=3 if 3 in sizes else sizes[0], key=f"{key}_size", disabled=len(sizes) == 1
    )
    st.caption(conv.KERNEL_PRESETS[preset].description)
    kernel = conv.kernel_preset(preset, size)
    if st.toggle("Edit the numbers", key=f"{key}_custom"):
        kernel = kernel_editor(np.round(kernel, 4), key=f"{key}_grid_{preset}_{size}")
    return kernel


def formula_latex(n: int, f: int, padding, stride: int, dilation: int, axis: str) -> str:
    before, after = conv.padding_amounts(n, f, padding, stride, dilation)
    span = conv.effective_kernel_size(f, dilation)
    pads = rf"2\cdot{before}" if before == after else f"{before} + {after}"
    f_text = f"{span}" if dilation == 1 else rf"\underbrace{{{span}}}_{{{dilation}({f}-1)+1}}"
    out = conv.output_size(n, f, padding, stride, dilation)
    return (
        rf"\text{{{axis}}}:\ \left\lfloor \frac{{{n} + {pads} - {f_text}}}{{{stride}}} \right\rfloor + 1"
        rf" = {out}"
    )


def explore_tab() -> None:
    left, right = st.columns([1, 2.8], gap="large")
    with left:
        picked = ui.image_picker("conv_explore", default="camera", max_side=512, camera=False)
        kernel = None
        with ui.guard("Reading the kernel"):
            kernel = kernel_controls("conv_explore")
        flipped = st.toggle(
            "Flip the kernel (true convolution)",
            key="conv_flip",
            help="Mathematical convolution rotates the kernel by 180° before sliding it.",
        )
        with st.container(border=True):
            pair = st.columns(2)
            stride = pair[0].slider("Stride s", 1, 4, 1, key="conv_stride")
            dilation = pair[1].slider("Dilation d", 1, 4, 1, key="conv_dilation")
            pad_mode = st.radio("Padding", ["valid", "same", "number"], index=1, horizontal=True, key="conv_pad_mode")
            padding = (
                st.number_input("p (zeros on each side)", 0, 20, 1, key="conv_pad")
                if pad_mode == "number"
                else pad_mode
            )
            use_relu = st.toggle("ReLU", value=False, key="conv_relu")
        with st.container(border=True):
            pool_mode = st.radio("Pooling", ["none", "max", "avg"], index=1, horizontal=True, key="conv_pool_mode")
            pair = st.columns(2)
            pool_size = pair[0].slider("Pool size", 2, 4, 2, key="conv_pool_size", disabled=pool_mode == "none")
            pool_stride = pair[1].slider("Pool stride", 1, 4, 2, key="conv_pool_stride", disabled=pool_mode == "none")
            pool_padding = st.radio(
                "Pool padding", ["valid", "same"], horizontal=True, key="conv_pool_pad", disabled=pool_mode == "none"
            )
        shared = st.toggle(
            "Input on the maps' colour scale too",
            value=False,
            key="conv_shared",
            help="The feature map and the pooled map always share one scale. Put the input on it "
            "too to compare magnitudes (a blur keeps them, an edge filter changes them).",
        )
    gray = images.to_float(images.to_gray(picked.rgb)).astype(np.float64)
    st.session_state["conv_explore_image"] = (picked.name, picked.rgb)  # uint8: for the learned-filters tab
    if kernel is None:
        return
    if flipped:
        kernel = conv.flip(kernel)
    with right, ui.guard("The convolution"):
        f = kernel.shape[0]
        feature = conv.conv2d(gray, kernel, stride, padding, dilation)
        if use_relu:
            feature = conv.relu(feature)
        panels = [
            (f"input {gray.shape[1]}×{gray.shape[0]} ({picked.name}, grey)", gray),
            (f"feature map {feature.shape[1]}×{feature.shape[0]}", feature),
        ]
        if pool_mode != "none":
            pooled = conv.pool2d(feature, pool_size, pool_stride, pool_mode, pool_padding)
            panels.append((f"{pool_mode} pooled {pooled.shape[1]}×{pooled.shape[0]}", pooled))
        st.latex(
            formula_latex(gray.shape[0], f, padding, stride, dilation, "height")
            + r"\qquad "
            + formula_latex(gray.shape[1], f, padding, stride, dilation, "width")
        )

        click = ui.clicked_point("conv_maps")
        out_h, out_w = feature.shape
        if click is not None:
            st.session_state[INSPECT_ROW], st.session_state[INSPECT_COL] = click
        st.session_state[INSPECT_ROW] = min(st.session_state.get(INSPECT_ROW, out_h // 2), out_h - 1)
        st.session_state[INSPECT_COL] = min(st.session_state.get(INSPECT_COL, out_w // 2), out_w - 1)
        row, col = st.session_state[INSPECT_ROW], st.session_state[INSPECT_COL]
        top, left_x, span = conv.input_window(row, col, f, padding, stride, dilation, gray.shape)
        boxes = [cplots.Box(0, top, left_x, span, span), cplots.Box(1, row, col, 1, 1, cplots.OUTPUT_COLOR)]
        fig = cplots.maps_figure(
            panels,
            boxes=boxes,
            click_panel=1,
            own_scale=() if shared else (0,),
            height=260 if len(panels) == 3 else 380,
        )
        st.plotly_chart(
            fig, key="conv_maps", on_select="rerun", selection_mode="points", config={"displayModeBar": False}
        )
        st.caption(
            "Click the feature map (or set the numbers below) to see which input window produced a pixel: "
            "amber box on the input, rose box on the feature map."
        )
        cols = st.columns([1, 1, 4])
        cols[0].number_input("output row", 0, out_h - 1, key=INSPECT_ROW)
        cols[1].number_input("output column", 0, out_w - 1, key=INSPECT_COL)
        if f <= 7:
            s = conv.step(gray, kernel, row * out_w + col, stride, padding, dilation)
            value = s.value if not use_relu else max(s.value, 0.0)
            cols[2].markdown(
                f"Input rows {top}…{top + span - 1}, columns {left_x}…{left_x + span - 1} "
                f"(negative = padding) → **{conv.format_number(round(value, 4))}**"
                + (" after ReLU" if use_relu else "")
            )
            st.html(cplots.products_html(np.round(s.window, 2), np.round(kernel, 3), total=s.value))
        else:
            cols[2].caption("Kernels larger than 7x7 are not written out cell by cell.")
    right.info(
        "**Try this** · *Sobel x* on *brick*: only the vertical joints light up; switch to *Sobel y*. · "
        "*Flip the kernel*: edges swap colour (red ↔ blue), blur does not change — symmetric kernels are "
        "their own flip. · Stride 2 or max pooling halves the size; watch the formula. · Dilation 3 with "
        "*Box blur*: a 3x3 kernel that sees 7x7. · *Padding valid* shrinks the map by f−1.",
        icon=":material/lightbulb:",
    )


# --- 3. volumes --------------------------------------------------------------------------

CHANNEL_CHOICES = ["Zero"] + [n for n, p in conv.KERNEL_PRESETS.items() if 3 in p.sizes]
VOLUME_SIDE = 256  # volume demos work on a smaller copy so several maps stay fast


def volumes_tab() -> None:
    intro, source = st.columns([3, 2], gap="large")
    intro.markdown(
        "A colour image is a **volume** H×W×3. A filter is then a volume too, f×f×3: each of its "
        "three slices slides over its own channel and the three results are **added** into *one* "
        "feature map. A layer stacks K such filters, so its output is H'×W'×K."
    )
    intro.latex(r"Z[r,c] = \sum_{ch\in\{R,G,B\}} \sum_{i,j} X_{ch}[r+i, c+j]\,K_{ch}[i,j] \;+\; b")
    with source:
        picked = ui.image_picker("conv_volume", default="coffee", max_side=VOLUME_SIDE, camera=False)
    rgb = images.to_float(picked.rgb).astype(np.float64)
    st.subheader("One 3×3×3 filter → one map")
    picture, settings = st.columns([1, 3], gap="large")
    picture.image(picked.rgb, caption=f"{picked.name}: {rgb.shape[1]}×{rgb.shape[0]}×3", width="stretch")
    with settings:
        cols = st.columns(3)
        defaults = ["Vertical edge", "Zero", "Zero"]
        slices = []
        for column, channel, default in zip(cols, "RGB", defaults):
            choice = column.selectbox(
                f"{channel} slice", CHANNEL_CHOICES, index=CHANNEL_CHOICES.index(default), key=f"conv_volume_{channel}"
            )
            slices.append(np.zeros((3, 3)) if choice == "Zero" else conv.kernel_preset(choice, 3))
        kernel = np.stack(slices, axis=-1)
        st.html(cplots.row_html([cplots.grid_html(kernel[..., c], f"K_{ch}", size=34) for c, ch in enumerate("RGB")]))
    with ui.guard("The volume convolution"):
        parts = [conv.conv2d(rgb[..., c], kernel[..., c], padding="valid") for c in range(3)]
        total = conv.conv2d(rgb, kernel, padding="valid")
        h, w = rgb.shape[:2]
        st.markdown(
            f"**Shapes:** ({h}×{w}×3) ⋆ (3×3×3) → ({total.shape[0]}×{total.shape[1]}) — "
            "the three channel results are summed, so one filter always gives one 2-D map."
        )
        panels = [(f"{ch} ⋆ K_{ch}", part) for ch, part in zip("RGB", parts)] + [("sum = feature map", total)]
        st.plotly_chart(
            cplots.maps_figure(panels, height=250), key="conv_volume_maps", config={"displayModeBar": False}
        )
    st.subheader("A bank of filters → a stack of maps")
    cols = st.columns([2, 1, 1, 1])
    names = cols[0].multiselect(
        "Filters (each applied to R, G and B with weight 1/3)",
        CHANNEL_CHOICES[1:],
        default=["Vertical edge", "Horizontal edge", "Laplacian", "Sharpen"],
        key="conv_bank",
    )
    bias = cols[1].slider("Bias b (all filters)", -1.0, 1.0, 0.0, 0.05, key="conv_bank_bias")
    use_relu = cols[2].toggle("ReLU", value=True, key="conv_bank_relu")
    stride = cols[3].selectbox("Stride", [1, 2], key="conv_bank_stride")
    if not names:
        st.warning("Pick at least one filter for the bank.", icon=":material/info:")
        return
    bank = np.stack([np.repeat(conv.kernel_preset(n, 3)[..., None] / 3, 3, axis=2) for n in names], axis=-1)
    maps = conv.conv_layer(rgb, bank, np.full(len(names), bias), stride=stride, padding="same", relu=use_relu)
    zmin, zmax = cplots.symmetric_range(maps, percentile=99.5)
    scale = cplots.colour_scale(zmin, zmax)
    st.plotly_chart(
        plots.image_grid(
            [cplots.colorize(maps[..., k], zmin, zmax, scale) for k in range(len(names))],
            titles=names,
            cols=min(len(names), 6),
            cell_px=200,
        ),
        key="conv_bank_maps",
        config={"displayModeBar": False},
    )
    k = len(names)
    params = conv.conv_layer_parameters(3, 3, k)
    st.markdown(
        f"**Output volume:** {maps.shape[0]}×{maps.shape[1]}×{k} — one channel per filter, "
        "ready to be the input of the next layer."
    )
    st.latex(
        rf"\text{{parameters}} = (f\cdot f\cdot C_{{\text{{in}}}} + 1)\cdot K = (3\cdot3\cdot3 + 1)\cdot{k}"
        rf" = {params}"
    )
    st.caption(
        'Coursera\'s "one layer of a CNN" question: 10 filters of 3×3×3 have (27 + 1)·10 = '
        f"{conv.conv_layer_parameters(3, 3, 10)} parameters — whether the image is 64×64 or 1000×1000. "
        "That sharing of weights across positions is why convolutions beat dense layers on images."
    )
    st.info(
        "**Try this** · Move the *Vertical edge* from the R slice to the G slice: the map changes with the "
        "colour of the edges (the red cup stands out in one, not the other). · Set all three slices to "
        "*Vertical edge*: now any brightness edge counts. · Lower the bias with ReLU on: weak responses "
        "vanish — that is how a layer learns thresholds.",
        icon=":material/lightbulb:",
    )


# --- 4. learned filters (imports TensorFlow, only when this tab is open) -----------------

HAND_MADE = ["Sobel x", "Sobel y", "Laplacian", "Gaussian blur"]
MAX_SHOWN_FILTERS = 32


def fashion_test_images(n: int = 100) -> tuple[np.ndarray, np.ndarray, list[str]]:
    with st.spinner("Reading Fashion-MNIST…"):
        data = datasets.load_fashion_mnist(limit_train=1, limit_test=n)
    return data.x_test[..., 0], data.y_test, data.class_names


SHIPPED_CHOICE = "Shipped Fashion-MNIST CNN"


def trainer_models() -> dict[str, object]:
    """Models trained on the CNN trainer page in this session, by run label (newest first)."""
    trained = st.session_state.get("cnn_runs")
    return {f"CNN trainer: {run.label}": run.model for run in trained.with_models()} if trained else {}


def learned_input(channels: int) -> tuple[np.ndarray, str]:
    """The picture to apply learned filters to, as (H, W, channels) floats in [0, 1], and its caption."""
    if channels not in (1, 3):
        raise ValueError(
            f"This model's first layer expects {channels} channels; only 1 (grey) or 3 (RGB) can be shown here."
        )
    source = st.radio(
        "Apply them to",
        ["A Fashion-MNIST test image", "The photo from tab 2"],
        horizontal=True,
        key="conv_learned_source",
    )
    if source.startswith("A Fashion"):
        x, y, class_names = fashion_test_images()
        index = st.slider("Test image", 0, len(x) - 1, 0, key="conv_learned_index")
        image, label = x[index].astype(np.float64), f"Fashion-MNIST #{index}: {class_names[int(y[index])]}"
        image = np.repeat(image[..., None], channels, axis=2)
    else:
        name, rgb = st.session_state.get("conv_explore_image") or (
            "camera",
            images.resize_max(images.sample_image("camera"), 256),
        )
        label = f"{name} ({rgb.shape[1]}×{rgb.shape[0]})"
        image = images.to_float(rgb if channels == 3 else images.to_gray(rgb)[..., None])
    return image.astype(np.float64), label


def learned_tab() -> None:
    st.markdown(
        "Nobody hand-designed these: the first convolutional layer of a trained CNN learned its filters "
        'by gradient descent — "in addition to adjusting the weights, the feature detector is also '
        'changed". Below, they are applied with the same NumPy `conv2d` as everywhere on this page, '
        "next to hand-made kernels."
    )
    trained = trainer_models()
    choice = st.radio("Model", [SHIPPED_CHOICE] + list(trained), horizontal=True, key="conv_learned_model")
    if not trained:
        st.caption("Train a network on the **CNN trainer** page and its first layer shows up here too.")
    try:
        model = ui.shipped_model("fashion_cnn") if choice == SHIPPED_CHOICE else trained[choice]
    except FileNotFoundError as exc:
        st.warning(str(exc), icon=":material/model_training:")
        return
    layer = conv.first_conv_layer(model)
    f, _, channels, n_filters = layer.kernels.shape
    try:
        image, label = learned_input(channels)
    except datasets.DatasetUnavailable as exc:
        st.warning(str(exc), icon=":material/cloud_off:")
        return
    maps = conv.conv_layer(
        image, layer.kernels, layer.biases, layer.stride, layer.padding, layer.dilation, relu=layer.relu
    )
    shown = min(n_filters, MAX_SHOWN_FILTERS)
    cols = st.columns([1, 3])
    cols[0].image(images.to_uint8(image if channels == 3 else image[..., 0]), caption=label, width="stretch")
    with cols[1]:
        st.plotly_chart(
            plots.image_grid(
                cplots.filter_pictures(layer.kernels[..., :shown]),
                titles=[f"filter {k}" for k in range(shown)],
                cols=8,
                cell_px=95,
                title=f"Layer '{layer.name}': {n_filters} learned {f}×{f}×{channels} "
                "filters" + (" (red +, blue −)" if channels == 1 else " (each scaled to its own range)"),
            ),
            key="conv_learned_filters",
            config={"displayModeBar": False},
        )
    top = float(np.abs(maps).max()) or 1.0
    st.plotly_chart(
        plots.image_grid(
            [np.abs(m) / top for m in np.moveaxis(maps[..., :shown], -1, 0)],
            titles=[f"map {k}" for k in range(shown)],
            cols=8,
            cell_px=150,
            title="Their feature maps (+ bias"
            + (", ReLU" if layer.relu else ", absolute value")
            + ") — bright = strong response",
        ),
        key="conv_learned_maps",
        config={"displayModeBar": False},
    )
    if n_filters > shown:
        st.caption(f"Showing the first {shown} of {n_filters} filters.")
    gray = image.mean(axis=2)
    hand = [conv.kernel_preset(n, f) for n in HAND_MADE]
    hand_maps = [np.abs(conv.conv2d(gray, k, padding="same")) for k in hand]
    cols = st.columns([1, 2])
    with cols[0]:
        st.plotly_chart(
            plots.image_grid(
                cplots.kernel_images(hand),
                titles=HAND_MADE,
                cols=4,
                cell_px=95,
                title=f"Hand-made {hand[0].shape[0]}×{hand[0].shape[0]} kernels",
            ),
            key="conv_hand_filters",
            config={"displayModeBar": False},
        )
    with cols[1]:
        st.plotly_chart(
            plots.image_grid(
                [m / (m.max() or 1.0) for m in hand_maps],
                titles=HAND_MADE,
                cols=4,
                cell_px=150,
                title="Their maps (absolute value)",
            ),
            key="conv_hand_maps",
            config={"displayModeBar": False},
        )
    if choice == SHIPPED_CHOICE and image.shape[:2] == (28, 28):
        import keras

        probe = keras.Model(model.inputs[0], model.get_layer(layer.name).output)
        reference = np.asarray(probe(image[None].astype(np.float32)))[0]
        st.success(
            f"Check: Keras' own `{layer.name}` layer gives the same {n_filters} maps — largest difference "
            f"{np.abs(reference - maps).max():.1e}.",
            icon=":material/check_circle:",
        )
    st.info(
        "**Try this** · Find the learned filters that look like the hand-made edge kernels (a red band next "
        "to a blue band). · Compare which maps light up for a shoe and for a shirt. · Apply them to a photo: "
        "filters trained on 28×28 clothes still find edges in any picture.",
        icon=":material/lightbulb:",
    )


for tab, label, draw in zip(tabs, TABS, [step_through_tab, explore_tab, volumes_tab, learned_tab]):
    # Only the open tab runs: moving a control redraws one tab, and TensorFlow is imported
    # only when "Learned filters" is opened.
    if tab.open:
        with tab, ui.guard(label):
            draw()
