"""HOG & LBP explorer: gradients, cell histograms, blocks and glyphs; LBP codes, images, LBPH
grids and texture comparison; then HOG next to a CNN's learned first layer.

NumPy/OpenCV/scikit-image only, except the "Classic vs learned" tab, which imports TensorFlow
when it is opened.
"""

import numpy as np
import pandas as pd
import streamlit as st

from playground import ui
from playground.core import images
from playground.figures import convolution_plots as cplots
from playground.figures import hog_lbp_plots as fplots
from playground.figures import plots
from playground.lessons import hog_lbp

ui.page_header(
    "HOG & LBP",
    "Before deep learning, people designed features by hand: **HOG** describes shape by histogramming gradient "
    "directions in small cells, **LBP** describes texture by comparing each pixel with its neighbours. Work "
    "through the course's examples number by number, then move the knobs on real photos.",
    source="Course examples: SuperDataScience slides (learnopencv's 8x8 HOG cell; the 3x3 LBP patch → 226). "
    "Photos and textures: scikit-image samples or your upload. Learned filters: the shipped Fashion-MNIST "
    "CNN (`python scripts/train_fashion_cnn.py` rebuilds it).",
)

TABS = [
    "1 · Gradients & one cell",
    "2 · Blocks & the full HOG",
    "3 · LBP codes",
    "4 · LBPH & textures",
    "5 · Classic vs learned",
]
tabs = st.tabs(TABS, key="hog_tab", on_change="rerun")
TEXTURES = ["brick", "grass", "gravel"]
COURSE_PIXELS = {
    "θ 80°, |g| 2 (on a centre)": (0, 0),
    "θ 10°, |g| 4 (halfway)": (0, 3),
    "θ 165°, |g| 85 (wraps to 0°)": (6, 5),
}
CELL = 8  # the course's cell size in tab 1


@st.cache_data(show_spinner=False, max_entries=8)
def cached_gradients(gray: np.ndarray, ksize: int) -> hog_lbp.Gradients:
    return hog_lbp.gradients(gray, ksize)


@st.cache_data(show_spinner="Computing LBP codes…", max_entries=16)
def cached_lbp(gray: np.ndarray, radius: float, neighbours: int, method: str) -> np.ndarray:
    return hog_lbp.lbp_image(gray, radius, neighbours, method)


@st.cache_data(show_spinner="Computing LBPH histograms…", max_entries=16)
def cached_lbph(gray: np.ndarray, grid_x: int, grid_y: int, method: str) -> tuple[np.ndarray, np.ndarray]:
    return hog_lbp.lbph_descriptor(gray, 1, 8, grid_x, grid_y, method)


@st.cache_data(show_spinner="Drawing the HOG glyphs…", max_entries=8)
def cached_glyphs(cells: np.ndarray, cell_size: int) -> np.ndarray:
    return hog_lbp.hog_glyphs(cells, cell_size, scale=max(1, 16 // cell_size))


@st.cache_data(show_spinner="Comparing texture patches…", max_entries=16)
def cached_textures(radius: float, neighbours: int, method: str, patch: int, descriptor: str):
    textures = {name: images.to_gray(images.sample_image(name)) for name in TEXTURES}
    return hog_lbp.compare_textures(textures, patch, radius, neighbours, method, descriptor)


def clamp_state(key: str, high: int, default: int) -> None:
    st.session_state[key] = int(min(max(st.session_state.get(key, default), 0), high))


# --- 1. gradients & one cell -------------------------------------------------------------


def vote_latex(direction: float, magnitude: float, bins: int) -> str:
    width = 180 / bins
    lower, upper, share = (v.item() for v in hog_lbp.orientation_votes(np.array(direction), bins))
    low_c, up_c = lower * width, (lower * width + width)
    offset = direction % 180 - low_c
    up_name = f"{up_c:g}°" + (r"\,(=0°)" if upper == 0 and up_c == 180 else "")
    return (
        rf"\begin{{aligned}}\theta = {direction:g}°,\ |g| = {magnitude:g}:\quad "
        rf"\text{{bin }}{low_c:g}° &\mathrel{{+}}= {magnitude:g}\cdot\frac{{{width:g} - {offset:g}}}{{{width:g}}}"
        rf" = {magnitude * share:.2f}\\ \text{{bin }}{up_name} &\mathrel{{+}}= {magnitude:g}\cdot"
        rf"\frac{{{offset:g}}}{{{width:g}}} = {magnitude * (1 - share):.2f}\end{{aligned}}"
    )


def jump_to_course_pixel() -> None:
    choice = st.session_state.get("hog_course_pixel")
    if choice in COURSE_PIXELS:
        st.session_state["hog_px_row"], st.session_state["hog_px_col"] = COURSE_PIXELS[choice]


def gradients_tab() -> None:
    st.latex(
        r"g_x = I * [-1,\,0,\,1],\quad g_y = I * [-1,\,0,\,1]^\top,\quad |g| = \sqrt{g_x^2 + g_y^2},"
        r"\quad \theta = \operatorname{atan2}(g_y, g_x) \bmod 180°"
    )
    maps_slot = st.container()  # full width above the controls: the five maps need the room
    left, right = st.columns([1, 2.7], gap="large")
    with left:
        source = st.radio(
            "Cell from",
            ["The course's 8x8 cell", "A photo"],
            key="hog_cell_from",
            help="The course's numbers come from learnopencv's HOG tutorial.",
        )
        bins = st.slider(
            "Orientation bins",
            3,
            18,
            9,
            key="hog_cell_bins",
            help="Centres at 0, 180/bins, …; 9 bins = 0°, 20°, …, 160°.",
        )
        if source == "A photo":
            picked = ui.image_picker("hog_cell", default="astronaut", max_side=512)
            ksize = st.radio(
                "Gradient kernel",
                [1, 3],
                key="hog_cell_ksize",
                horizontal=True,
                format_func=lambda k: "[-1, 0, 1] (course)" if k == 1 else "3x3 Sobel",
                help="OpenCV's Sobel with ksize=1 is exactly the centred difference the course uses.",
            )
    with right:
        if source == "A photo":
            gray = images.to_gray(picked.rgb)
            grads = cached_gradients(gray, ksize)
            rows, cols = gray.shape[0] // CELL, gray.shape[1] // CELL
            if rows == 0 or cols == 0:
                raise ValueError(f"The image ({gray.shape[1]}x{gray.shape[0]}) is smaller than one 8x8 cell.")
            click = ui.clicked_point("hog_grad_maps")
            if click is not None:
                st.session_state["hog_cell_row"], st.session_state["hog_cell_col"] = click[0] // CELL, click[1] // CELL
            clamp_state("hog_cell_row", rows - 1, rows // 3)
            clamp_state("hog_cell_col", cols - 1, cols // 2)
            row, col = st.session_state["hog_cell_row"], st.session_state["hog_cell_col"]
            boxes = [cplots.Box(p, row * CELL, col * CELL, CELL, CELL) for p in range(5)]
            fig = cplots.maps_figure(
                [
                    ("photo", gray.astype(float)),
                    ("gx", grads.gx),
                    ("gy", grads.gy),
                    ("magnitude |g|", grads.magnitude),
                    ("direction θ (0–180°)", grads.direction),
                ],
                boxes=boxes,
                own_scale=(0, 3, 4),
                click_panel=0,
                height=300,
            )
            maps_slot.plotly_chart(
                fig, key="hog_grad_maps", on_select="rerun", selection_mode="points", config={"displayModeBar": False}
            )
            c1, c2 = st.columns(2)
            c1.number_input("cell row", 0, rows - 1, key="hog_cell_row")
            c2.number_input("cell column", 0, cols - 1, key="hog_cell_col")
            st.caption(
                "Click the photo (or set the numbers) to pick an 8x8 cell (amber box). gx, gy: red +, "
                "blue −; bright magnitude = strong edge; direction is gray from 0° (black) to 180° (white)."
            )
            window = (slice(row * CELL, (row + 1) * CELL), slice(col * CELL, (col + 1) * CELL))
            # Whole numbers, as on the slides: the histogram below is computed from exactly what is shown.
            magnitude, direction = np.round(grads.magnitude[window]), np.round(grads.direction[window]) % 180
        else:
            magnitude, direction = hog_lbp.COURSE_HOG_MAGNITUDE, hog_lbp.COURSE_HOG_DIRECTION
            st.caption(
                "The slides' cell (learnopencv). Note: the slides print the magnitude table twice; the second "
                "copy has 2 instead of 23 in row 4 — the first copy and learnopencv's figure read 23."
            )

        st.markdown("**Pick a pixel of the cell** — its vote is split between the two nearest bin centres.")
        if source != "A photo":
            st.segmented_control(
                "The course's examples", list(COURSE_PIXELS), key="hog_course_pixel", on_change=jump_to_course_pixel
            )
        p1, p2, _ = st.columns([1, 1, 3])
        clamp_state("hog_px_row", CELL - 1, 6)
        clamp_state("hog_px_col", CELL - 1, 5)
        p1.number_input("pixel row", 0, CELL - 1, key="hog_px_row")
        p2.number_input("pixel column", 0, CELL - 1, key="hog_px_col")
        pr, pc = st.session_state["hog_px_row"], st.session_state["hog_px_col"]
        st.html(
            cplots.row_html(
                [
                    cplots.grid_html(magnitude, "Gradient magnitude", current=(pr, pc)),
                    cplots.grid_html(direction, "Gradient direction (°)", current=(pr, pc)),
                ]
            )
        )
        m, d = float(magnitude[pr, pc]), float(direction[pr, pc])
        st.latex(vote_latex(d, m, bins))
        histogram = hog_lbp.hog_cell_histogram(magnitude, direction, bins)
        lower, upper, share = (v.item() for v in hog_lbp.orientation_votes(np.array(d), bins))
        votes = {lower: m * share}
        votes[upper] = votes.get(upper, 0.0) + m * (1 - share)
        st.plotly_chart(
            fplots.cell_histogram_figure(
                histogram, votes, title=f"The cell's {bins}-bin histogram (total = Σ|g| = {histogram.sum():.1f})"
            ),
            key="hog_cell_hist",
            config={"displayModeBar": False},
        )
    st.info(
        "**Try this** · Click the three course examples and check the split by hand. · On a photo, pick a "
        "cell on a straight edge: one bin dominates; on fur or grass the votes spread out. · Switch to 18 bins "
        "and watch votes split between narrower bins.",
        icon=":material/lightbulb:",
    )


# --- 2. blocks & full HOG ----------------------------------------------------------------


def block_picker(shape: tuple[int, ...]) -> tuple[int, int]:
    clamp_state("hog_block_row", shape[0] - 1, shape[0] // 3)
    clamp_state("hog_block_col", shape[1] - 1, shape[1] // 2)
    return st.session_state["hog_block_row"], st.session_state["hog_block_col"]


def full_hog_tab() -> None:
    st.latex(
        r"\text{L2: } v \leftarrow \frac{v}{\sqrt{\lVert v\rVert_2^2 + \varepsilon^2}}\qquad"
        r"\text{L2-Hys: L2, then } \min(v, 0.2)\text{, then L2 again}"
    )
    left, right = st.columns([1, 2.7], gap="large")
    with left:
        picked = ui.image_picker("hog_full", default="astronaut", max_side=512)
        cell_size = st.select_slider("Cell size (pixels)", [4, 6, 8, 10, 12, 16, 24, 32], 8, key="hog_full_cell")
        block_size = st.slider("Block size (cells)", 1, 4, 2, key="hog_full_block")
        bins = st.slider("Orientations (bins)", 3, 18, 9, key="hog_full_bins")
        norm = st.selectbox("Block normalisation", hog_lbp.BLOCK_NORMS, index=1, key="hog_full_norm")
        vote = st.radio(
            "Votes",
            ["split", "hard"],
            key="hog_full_vote",
            horizontal=True,
            format_func=lambda v: "split (course)" if v == "split" else "hard (scikit-image)",
            help="Split: between the two nearest centres 0°, 20°, …  Hard: all in the 20°-wide bin "
            "[k·20°, (k+1)·20°), as skimage.feature.hog does.",
        )
    gray = images.to_gray(picked.rgb)
    grads = cached_gradients(gray, 1)
    cells = hog_lbp.hog_cells(grads, cell_size, bins, vote)
    blocks = hog_lbp.hog_blocks(cells, block_size, norm)
    info = hog_lbp.descriptor_length(*gray.shape, cell_size, block_size, bins)
    with right:
        a, b = st.columns(2)
        a.image(gray, caption=f"{picked.name}, {gray.shape[1]}x{gray.shape[0]} gray", width="stretch")
        br, bc = block_picker(blocks.shape)
        glyphs = cached_glyphs(cells, cell_size)
        b.image(
            fplots.glyphs_with_block(glyphs, br, bc, block_size, glyphs.shape[0] // cells.shape[0]),
            width="stretch",
            caption=f"HOG glyphs: per {cell_size}x{cell_size} cell, one line per bin along the edge, "
            "brightness = the bin's (unnormalised) vote",
        )
        st.latex(
            rf"\underbrace{{{info['block_rows']}\times{info['block_cols']}}}_{{\text{{blocks}}}}\times"
            rf"\underbrace{{{block_size}\times{block_size}}}_{{\text{{cells/block}}}}\times"
            rf"\underbrace{{{bins}}}_{{\text{{bins}}}} = {info['length']:,}\ \text{{numbers}}".replace(",", r"{,}")
        )
        st.caption(
            f"{gray.shape[1]}x{gray.shape[0]} pixels → {info['cell_cols']}x{info['cell_rows']} cells of "
            f"{cell_size} px → blocks of {block_size}x{block_size} cells sliding one cell at a time → "
            f"{info['block_cols']}x{info['block_rows']} blocks. Each cell appears in up to "
            f"{block_size**2} blocks, normalised differently each time."
        )
        if vote == "hard" and norm != "none":  # scikit-image has no "none"
            from skimage.feature import hog

            reference = hog(gray, bins, (cell_size, cell_size), (block_size, block_size), norm)
            st.success(
                f"Check: `skimage.feature.hog` gives the same {reference.size:,} numbers — largest "
                f"difference {np.abs(reference - blocks.ravel()).max():.1e}.",
                icon=":material/check_circle:",
            )
        st.markdown("**Look inside one block** (amber square on the glyphs)")
        r1, r2, _ = st.columns([1, 1, 3])
        r1.number_input("block row", 0, blocks.shape[0] - 1, key="hog_block_row")
        r2.number_input("block column", 0, blocks.shape[1] - 1, key="hog_block_col")
        raw = cells[br : br + block_size, bc : bc + block_size]
        st.plotly_chart(
            fplots.block_figure(raw, blocks[br, bc], norm), key="hog_block_fig", config={"displayModeBar": False}
        )
    st.info(
        "**Try this** · Make the cells 16 or 32 px: the glyphs show the coarse shape (the astronaut's "
        "outline) and the descriptor shrinks. · Compare L2 and L2-Hys on a block with one very strong edge: "
        "Hys caps it at 0.2 so weaker edges still count. · Switch to hard votes to see the scikit-image "
        "convention reproduce `skimage.feature.hog` exactly.",
        icon=":material/lightbulb:",
    )


# --- 3. LBP codes ------------------------------------------------------------------------


def patch_editor() -> np.ndarray:
    frame = pd.DataFrame(hog_lbp.COURSE_LBP_PATCH, columns=["left", "middle", "right"])
    edited = st.data_editor(frame, key="lbp_patch_editor", hide_index=True, num_rows="fixed", width="stretch")
    values = edited.to_numpy()
    if pd.isna(values).any():
        raise ValueError("Every cell of the 3x3 patch needs a number.")
    return values.astype(float)


def lbp_steps_html(patch: np.ndarray) -> str:
    bits = hog_lbp.lbp_bits(patch)
    bit_grid = np.full((3, 3), np.nan)
    order = np.full((3, 3), np.nan)
    for k, (dr, dc) in enumerate(hog_lbp.CLOCKWISE_OFFSETS):
        bit_grid[1 + dr, 1 + dc] = bits[k]
        order[1 + dr, 1 + dc] = 7 - k
    return cplots.row_html(
        [
            cplots.grid_html(patch, "3x3 patch", current=(1, 1)),
            cplots.operator_html("→", f"≥ {patch[1, 1]:g} ?"),
            cplots.grid_html(bit_grid, "1 if ≥ centre", colour_values=False),
            cplots.operator_html("×", "bit weight"),
            cplots.grid_html(np.where(np.isnan(order), np.nan, 2**order), "2^(7−k), clockwise", colour_values=False),
        ]
    )


def lbp_tab() -> None:
    st.latex(
        r"\text{LBP}_{P,R}(x_c) = \sum_{p=0}^{P-1} s(g_p - g_c)\,2^{p},\qquad s(u) = \begin{cases}1 & u \ge 0"
        r"\\ 0 & u < 0\end{cases}"
    )
    st.markdown("#### The course's example")
    left, right = st.columns([1.3, 3], gap="large")
    with left:
        st.caption("Edit the patch (it starts as the slides' example):")
        patch = patch_editor()
    with right:
        st.html(lbp_steps_html(patch))
        bits = hog_lbp.lbp_bits(patch)
        ones = [7 - k for k, b in enumerate(bits) if b]
        powers = " + ".join(f"2^{p}" for p in ones) or "0"
        values = " + ".join(str(2**p) for p in ones) or "0"
        st.latex(
            rf"\text{{binary}} = {''.join(map(str, bits))}_2 = {powers} = {values} = "
            rf"\mathbf{{{hog_lbp.lbp_code(patch)}}}"
        )
        st.caption(
            "Read clockwise from the top-left neighbour, most significant bit first (the course's order; "
            "scikit-image and OpenCV number the P points counter-clockwise from the right instead, which "
            "permutes the bits but describes the same pattern)."
        )
    st.divider()
    st.markdown("#### Any pixel, any image")
    left, right = st.columns([1, 2.7], gap="large")
    with left:
        picked = ui.image_picker("lbp", default="brick", max_side=384)
        radius = st.slider("Radius R", 1, 5, 1, key="lbp_radius")
        neighbours = st.select_slider("Neighbours P", [4, 8, 12, 16, 24], 8, key="lbp_neighbours")
        method = st.selectbox(
            "Method",
            list(hog_lbp.LBP_METHODS),
            key="lbp_method",
            format_func=lambda m: f"{m}: {hog_lbp.LBP_METHODS[m]}",
        )
    gray = images.to_gray(picked.rgb)
    if min(gray.shape) < 3:
        raise ValueError(f"The image is {gray.shape[1]}x{gray.shape[0]} pixels; LBP needs at least 3x3.")
    codes = cached_lbp(gray, radius, neighbours, method)
    n_codes = hog_lbp.lbp_n_codes(neighbours, method)
    with right:
        click = ui.clicked_point("lbp_maps")
        if click is not None:
            st.session_state["lbp_row"], st.session_state["lbp_col"] = click
        clamp_state("lbp_row", gray.shape[0] - 2, gray.shape[0] // 2)
        clamp_state("lbp_col", gray.shape[1] - 2, gray.shape[1] // 2)
        st.session_state["lbp_row"] = max(1, st.session_state["lbp_row"])
        st.session_state["lbp_col"] = max(1, st.session_state["lbp_col"])
        row, col = st.session_state["lbp_row"], st.session_state["lbp_col"]
        boxes = [cplots.Box(p, row - 1, col - 1, 3, 3) for p in range(2)]
        fig = cplots.maps_figure(
            [
                ("image (click a pixel)", gray.astype(float)),
                (f"LBP codes, P={neighbours}, R={radius}, {method}", codes),
            ],
            boxes=boxes,
            own_scale=(0, 1),
            click_panel=0,
            height=330,
        )
        st.plotly_chart(
            fig, key="lbp_maps", on_select="rerun", selection_mode="points", config={"displayModeBar": False}
        )
        c1, c2, _ = st.columns([1, 1, 3])
        c1.number_input("row", 1, gray.shape[0] - 2, key="lbp_row")
        c2.number_input("column", 1, gray.shape[1] - 2, key="lbp_col")
        neighbourhood = gray[row - 1 : row + 2, col - 1 : col + 2]
        st.html(lbp_steps_html(neighbourhood.astype(float)))
        st.caption(
            f"Course 3x3 code at ({row}, {col}): **{hog_lbp.lbp_code(neighbourhood)}** · circular "
            f"P={neighbours}, R={radius} {method} code (bilinear samples on the circle): "
            f"**{codes[row, col]:.0f}**."
        )
        counts = np.bincount(codes.astype(int).ravel(), minlength=n_codes) / codes.size
        st.plotly_chart(
            fplots.code_histogram_figure(counts, title=f"Histogram of the {n_codes} possible codes"),
            key="lbp_hist",
            config={"displayModeBar": False},
        )
    st.info(
        "**Try this** · Make every neighbour equal to the centre in the editor: 11111111 = 255 (ties count "
        "as 1). · On brick, the uniform method piles most pixels into a few codes: edges, corners and flat "
        "spots. · Raise R to 3: the codes describe coarser texture.",
        icon=":material/lightbulb:",
    )


# --- 4. LBPH & textures ------------------------------------------------------------------


def lbph_tab() -> None:
    st.latex(
        r"H = \big[\,h_{1,1} \,\|\, h_{1,2} \,\|\, \dots \,\|\, h_{g_y,g_x}\big],\qquad "
        r"d_{\chi^2}(H, H') = \sum_i \frac{2\,(H_i - H'_i)^2}{H_i + H'_i}"
    )
    st.markdown("#### The LBPH grid")
    left, right = st.columns([1, 2.7], gap="large")
    with left:
        picked = ui.image_picker("lbph", default="astronaut", max_side=256)
        grid_x = st.slider("grid_x", 1, 16, 8, key="lbph_grid_x")
        grid_y = st.slider("grid_y", 1, 16, 8, key="lbph_grid_y")
        method = st.radio(
            "Codes",
            ["default", "uniform"],
            key="lbph_method",
            horizontal=True,
            help="OpenCV's LBPH uses all 2^P codes (default); uniform keeps P+2.",
        )
    gray = images.to_gray(picked.rgb)
    codes, grid = cached_lbph(gray, grid_x, grid_y, method)
    n_codes = grid.shape[2]
    with right:
        clamp_state("lbph_cell_row", grid_y - 1, grid_y // 2)
        clamp_state("lbph_cell_col", grid_x - 1, grid_x // 2)
        a, b = st.columns([1, 1.3])
        cell_r, cell_c = st.session_state["lbph_cell_row"], st.session_state["lbph_cell_col"]
        a.image(
            fplots.grid_overlay(fplots.codes_to_uint8(codes, n_codes), grid_x, grid_y, cell=(cell_r, cell_c)),
            width="stretch",
            caption=f"LBP codes (P=8, R=1, {method}) cut into {grid_x}x{grid_y} cells; with 'default' "
            "codes the histograms are exactly those OpenCV's LBPH recogniser stores",
        )
        with b:
            c1, c2 = st.columns(2)
            c1.number_input("cell row", 0, grid_y - 1, key="lbph_cell_row")
            c2.number_input("cell column", 0, grid_x - 1, key="lbph_cell_col")
            st.plotly_chart(
                fplots.code_histogram_figure(
                    grid[cell_r, cell_c], height=240, title=f"Cell ({cell_r}, {cell_c}): its code histogram"
                ),
                key="lbph_cell_fig",
                config={"displayModeBar": False},
            )
        st.latex(
            rf"{grid_x}\times{grid_y}\ \text{{cells}}\times{n_codes}\ \text{{codes}} = "
            rf"{grid.size:,}".replace(",", "{,}")
            + r"\ \text{numbers in the face's descriptor}"
        )
        st.plotly_chart(
            fplots.code_histogram_figure(
                grid.ravel(), title="Concatenated LBPH descriptor", separators=n_codes, height=220
            ),
            key="lbph_concat",
            config={"displayModeBar": False},
        )
    st.divider()
    st.markdown("#### Telling textures apart")
    st.markdown(
        "Each texture photo is cut into patches. The left-half patches give each texture a reference "
        "histogram; every right-half patch goes to the nearest reference by χ² distance. Gray-level "
        "histograms are the baseline: they see brightness, not texture."
    )
    c = st.columns(4)
    radius = c[0].slider("Radius R", 1, 4, 1, key="tex_radius")
    neighbours = c[1].select_slider("Neighbours P", [4, 8, 12, 16], 8, key="tex_neighbours")
    tex_method = c[2].selectbox("Method", list(hog_lbp.LBP_METHODS), index=2, key="tex_method")
    patch = c[3].select_slider("Patch size", [32, 64, 128], 64, key="tex_patch")
    result = cached_textures(radius, neighbours, tex_method, patch, "lbp")
    baseline = cached_textures(radius, neighbours, tex_method, patch, "intensity")
    m1, m2 = st.columns(2)
    m1.metric(
        "LBP histograms: patches right",
        f"{result.accuracy:.0%}",
        f"{result.accuracy - baseline.accuracy:+.0%} vs gray levels",
    )
    m2.metric("Gray-level histograms: patches right", f"{baseline.accuracy:.0%}")
    means = np.array([result.distances[result.truth == k].mean(axis=0) for k in range(len(result.names))])
    a, b = st.columns([1, 1.4])
    a.plotly_chart(
        fplots.distance_matrix_figure(
            means,
            [f"{n} patches" for n in result.names],
            result.names,
            title="Mean χ² distance to each reference (red: nearest)",
        ),
        key="tex_dist",
        config={"displayModeBar": False},
    )
    wrong = np.flatnonzero(result.predicted != result.truth)
    shown = (
        list(wrong[:8])
        + [i for i in range(0, len(result.patches), max(1, len(result.patches) // 8)) if i not in wrong][
            : max(0, 8 - len(wrong[:8]))
        ]
    )
    b.plotly_chart(
        plots.image_grid(
            [result.patches[i] for i in shown],
            cols=4,
            cell_px=120,
            titles=[
                ("✓ " if result.predicted[i] == result.truth[i] else "✗ ")
                + f"{result.names[result.truth[i]]}→{result.names[result.predicted[i]]}"
                for i in shown
            ],
            title="Test patches: true → predicted",
        ),
        key="tex_patches",
        config={"displayModeBar": False},
    )
    st.info(
        "**Try this** · Shrink the patches to 32 px: fewer pixels per histogram, more mistakes. · Set the "
        "LBPH grid to 1x1: one histogram for the whole face loses *where* each pattern is. · Compare the "
        "'default' and 'uniform' codes on textures: uniform has 10 codes instead of 256 and does as well.",
        icon=":material/lightbulb:",
    )


# --- 5. classic vs learned ---------------------------------------------------------------


def learned_tab() -> None:
    st.markdown(
        "**What changed with deep learning.** Before it, each task needed *handcrafted* intermediate "
        "representations — HOG for shape, LBP for texture, SIFT for keypoints — designed by experts and carrying "
        "little meaning. A CNN *learns* its representations from data, layer by layer: low-level features (edges, "
        "blobs) first, then mid- and high-level ones, with one general method for every field. The first layer "
        "below was never told about gradients, yet it learned edge detectors much like the ones HOG is built on."
    )
    left, right = st.columns([1, 2.7], gap="large")
    with left:
        picked = ui.image_picker("learned", default="astronaut", max_side=384)
    gray = images.to_gray(picked.rgb)
    try:
        model = ui.shipped_model("fashion_cnn")
    except FileNotFoundError as exc:
        st.warning(str(exc), icon=":material/model_training:")
        return
    maps, kernels = hog_lbp.learned_first_layer_maps(gray, model, max_side=192)
    small = images.resize_max(gray, 192)
    cells = hog_lbp.hog_cells(hog_lbp.gradients(small), 8, 9)
    with right:
        a, b = st.columns(2)
        a.image(small, caption="input (gray, 192 px)", width="stretch")
        b.image(cached_glyphs(cells, 8), caption="HOG: 9 fixed orientations per 8x8 cell (designed)", width="stretch")
        n = kernels.shape[-1]
        st.plotly_chart(
            plots.image_grid(
                cplots.filter_pictures(kernels[:, :, None, :]),
                titles=[f"filter {k}" for k in range(n)],
                cols=8,
                cell_px=80,
                title=f"Learned: the {n} {kernels.shape[0]}x{kernels.shape[1]} filters of "
                "'conv1' (red +, blue −), trained on Fashion-MNIST",
            ),
            key="learned_filters",
            config={"displayModeBar": False},
        )
        tops = np.percentile(maps.reshape(-1, n), 99.5, axis=0) + 1e-9
        st.plotly_chart(
            plots.image_grid(
                [maps[..., k] / tops[k] for k in range(n)],
                titles=[f"map {k}" for k in range(n)],
                cols=8,
                cell_px=130,
                title="Their responses on the input (ReLU; each map on its own scale, bright = strong)",
            ),
            key="learned_maps",
            config={"displayModeBar": False},
        )
    st.info(
        "**Try this** · Find the learned filters that respond like HOG's horizontal and vertical bins (a "
        "red band next to a blue one). · Try the chessboard sample: edges in two directions light up two "
        "groups of maps, as two HOG bins would.",
        icon=":material/lightbulb:",
    )


for tab, label, draw in zip(tabs, TABS, [gradients_tab, full_hog_tab, lbp_tab, lbph_tab, learned_tab]):
    # Only the open tab runs, and TensorFlow is imported only when "Classic vs learned" is opened.
    if tab.open:
        with tab, ui.guard(label):
            draw()
