"""Pictures for the convolution page: small number grids (HTML) and feature maps (Plotly).

Big maps are colour-mapped on the server and sent as PNG images (a 512x512 heatmap as
JSON would be megabytes per redraw); small matrices are HTML tables with the numbers in
the cells, so the step-through re-renders instantly.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from playground.core.images import png_data_uri
from playground.lessons.convolution import format_number, product_terms

WINDOW_COLOR = "#f59e0b"  # amber: the kernel's current window
OUTPUT_COLOR = "#e11d48"  # rose: the output cell being computed
PAD_COLOR = "#e2e8f0"  # slate: zeros added by padding


# --- colour mapping -----------------------------------------------------------------


def colour_scale(zmin: float, zmax: float) -> str:
    """Grey for non-negative data, a diverging red-white-blue when negatives appear."""
    return "Greys_r" if zmin >= 0 else "RdBu_r"


def symmetric_range(*arrays: np.ndarray, percentile: float = 100.0) -> tuple[float, float]:
    """(zmin, zmax) covering all ``arrays``; symmetric around 0 when any value is negative.

    ``percentile`` < 100 ignores the most extreme values, so a few strong edges do not wash
    out the rest of a map (values beyond the range are drawn in the end colours)."""
    values = np.concatenate([np.ravel(a) for a in arrays])
    low = float(np.percentile(values, 100 - percentile))
    high = float(np.percentile(values, percentile))
    if low < 0:
        bound = max(-low, high) or 1.0
        return -bound, bound
    return low, high if high > low else low + 1.0


@functools.lru_cache(maxsize=8)
def _lookup_table(scale: str) -> np.ndarray:
    """(256, 3) uint8 colours sampled from a named Plotly scale."""
    return np.array(
        [
            [round(float(c)) for c in colour.removeprefix("rgb(").removesuffix(")").split(",")]
            for colour in sample_colorscale(scale, np.linspace(0, 1, 256))
        ],
        dtype=np.uint8,
    )


def colorize(values: np.ndarray, zmin: float, zmax: float, scale: str) -> np.ndarray:
    """Map a 2-D float array to RGB uint8 (H, W, 3) through a 256-colour Plotly scale."""
    lut = _lookup_table(scale)
    scaled = (np.asarray(values, dtype=np.float64) - zmin) / ((zmax - zmin) or 1.0)
    return lut[np.clip(np.nan_to_num(scaled) * 255 + 0.5, 0, 255).astype(np.intp)]


@dataclass(frozen=True)
class Box:
    """A rectangle on one panel, in that panel's pixel coordinates (y, x = top-left)."""

    panel: int
    y: int
    x: int
    height: int
    width: int
    color: str = WINDOW_COLOR


def maps_figure(
    panels: Sequence[tuple[str, np.ndarray]],
    zmin: float | None = None,
    zmax: float | None = None,
    boxes: Sequence[Box] = (),
    height: int = 300,
    click_panel: int | None = None,
    click_points: int = 40,
    own_scale: Sequence[int] = (),
    display_px: int = 400,
) -> go.Figure:
    """Side-by-side 2-D maps sharing one colour scale (with a colour bar).

    Parameters
    ----------
    panels : (title, array (H, W)) pairs; sizes may differ (each panel fills its cell).
    zmin, zmax : shared colour range; by default it covers every shared panel.
    boxes : rectangles to draw (the input window, the output pixel).
    click_panel : panel that gets an invisible grid of ``click_points``² clickable markers,
        so a click reports (row, col) through Streamlit's point selection (heatmaps and
        images send no selection events).
    own_scale : panels drawn in grey on their own range instead (e.g. the input photo).
    display_px : larger maps are downscaled to this many pixels per side for the browser.
    """
    shared = [a for i, (_, a) in enumerate(panels) if i not in own_scale]
    if zmin is None or zmax is None:
        zmin, zmax = symmetric_range(*shared, percentile=99.5) if shared else (0.0, 1.0)
    scale = colour_scale(zmin, zmax)
    # Built as plain dicts and validated once: make_subplots + update_* calls cost ~100 ms a redraw.
    n = len(panels)
    right_edge = 0.94 if shared else 1.0
    gap = 0.02
    width = (right_edge - gap * (n - 1)) / n
    data, annotations, layout = [], [], {}
    for i, (title, values) in enumerate(panels):
        suffix = "" if i == 0 else str(i + 1)
        h, w = values.shape
        if i in own_scale:
            low, high = float(values.min()), float(values.max())
            rgb = colorize(values, low, high if high > low else low + 1.0, "Greys_r")
        else:
            rgb = colorize(values, zmin, zmax, scale)
        # Panels are a few hundred pixels wide on screen: send at most display_px per side
        # (area-averaged) and stretch it back to the map's own pixel coordinates.
        shown = (
            rgb
            if max(h, w) <= display_px
            else cv2.resize(
                rgb,
                (max(1, round(w * display_px / max(h, w))), max(1, round(h * display_px / max(h, w)))),
                interpolation=cv2.INTER_AREA,
            )
        )
        dx, dy = w / shown.shape[1], h / shown.shape[0]
        data.append(
            dict(
                type="image",
                source=png_data_uri(shown),
                x0=(dx - 1) / 2,
                dx=dx,
                y0=(dy - 1) / 2,
                dy=dy,
                hoverinfo="skip",
                xaxis=f"x{suffix}",
                yaxis=f"y{suffix}",
            )
        )
        left = i * (width + gap)
        layout[f"xaxis{suffix}"] = dict(
            domain=[left, left + width], range=[-0.5, w - 0.5], visible=False, anchor=f"y{suffix}"
        )
        # Squeezed panels hug the titles (top) instead of floating in the middle.
        layout[f"yaxis{suffix}"] = dict(
            domain=[0, 0.93],
            range=[h - 0.5, -0.5],
            visible=False,
            anchor=f"x{suffix}",
            scaleanchor=f"x{suffix}",
            constrain="domain",
            constraintoward="top",
        )
        annotations.append(
            dict(
                text=title,
                x=left + width / 2,
                y=1.0,
                xref="paper",
                yref="paper",
                xanchor="center",
                yanchor="bottom",
                showarrow=False,
                font=dict(size=13),
            )
        )
    if click_panel is not None:
        suffix = "" if click_panel == 0 else str(click_panel + 1)
        h, w = panels[click_panel][1].shape
        rows = np.unique(np.linspace(0, h - 1, min(h, click_points)).round().astype(int))
        cols = np.unique(np.linspace(0, w - 1, min(w, click_points)).round().astype(int))
        yy, xx = np.meshgrid(rows, cols, indexing="ij")
        data.append(
            dict(
                type="scatter",
                x=xx.ravel(),
                y=yy.ravel(),
                mode="markers",
                showlegend=False,
                marker=dict(size=max(4, 360 // len(cols)), opacity=0.01, color="white"),
                hovertemplate="click to inspect row %{y}, col %{x}<extra></extra>",
                xaxis=f"x{suffix}",
                yaxis=f"y{suffix}",
            )
        )
    shapes = []
    for box in boxes:
        suffix = "" if box.panel == 0 else str(box.panel + 1)
        # A 3-pixel window on a 512-pixel map would be invisible: draw at least 1/40 of the map.
        grow = max(0.0, max(panels[box.panel][1].shape) / 40 - max(box.height, box.width)) / 2
        shapes.append(
            dict(
                type="rect",
                xref=f"x{suffix}",
                yref=f"y{suffix}",
                x0=box.x - 0.5 - grow,
                x1=box.x + box.width - 0.5 + grow,
                y0=box.y - 0.5 - grow,
                y1=box.y + box.height - 0.5 + grow,
                line=dict(color=box.color, width=2.5),
            )
        )
    if shared:
        # An invisible heatmap carries the shared colour bar.
        data.append(
            dict(
                type="heatmap",
                z=[[zmin, zmax]],
                colorscale=scale,
                zmin=zmin,
                zmax=zmax,
                opacity=0,
                hoverinfo="skip",
                showscale=True,
                colorbar=dict(thickness=12, len=0.8, x=1.0),
                xaxis="x",
                yaxis="y",
            )
        )
    layout.update(
        height=height,
        margin=dict(l=0, r=0, t=28, b=0),
        template="plotly_white",
        dragmode=False,
        clickmode="event+select",
        annotations=annotations,
        shapes=shapes,
        showlegend=False,
    )
    return go.Figure(data=data, layout=layout)


def kernel_images(kernels: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Each 2-D kernel as an RGB uint8 picture on its own symmetric red-white-blue scale."""
    result = []
    for kernel in kernels:
        bound = float(np.abs(kernel).max()) or 1.0
        result.append(colorize(kernel, -bound, bound, "RdBu_r"))
    return result


def filter_pictures(kernels: np.ndarray) -> list[np.ndarray]:
    """Learned filters (kh, kw, C, K) as K pictures: red/blue for C = 1, RGB scaled to each
    filter's own range for C = 3 (the way CNN visualisers show first-layer filters)."""
    if kernels.shape[2] == 1:
        return kernel_images([kernels[:, :, 0, k] for k in range(kernels.shape[3])])
    pictures = []
    for k in range(kernels.shape[3]):
        kernel = kernels[:, :, :3, k]
        low, high = float(kernel.min()), float(kernel.max())
        pictures.append(((kernel - low) / ((high - low) or 1.0) * 255).astype(np.uint8))
    return pictures


# --- HTML number grids ----------------------------------------------------------------


def _cell_style(background: str, border: str = "#cbd5e1", bold: bool = False, size: int = 30) -> str:
    return (
        f"width:{size}px;height:{size}px;min-width:{size}px;text-align:center;vertical-align:middle;"
        f"background:{background};border:1px solid {border};font-size:{min(14, size // 2 - 1)}px;"
        f"font-family:ui-monospace,monospace;padding:0;{'font-weight:700;' if bold else ''}"
    )


def _value_background(value: float, low: float, high: float) -> str:
    """Light-to-dark indigo for non-negative values, rose for negatives; text stays readable."""
    if np.isnan(value):
        return "#ffffff"
    bound = max(abs(low), abs(high)) or 1.0
    strength = min(abs(value) / bound, 1.0)
    base = (79, 70, 229) if value >= 0 else (225, 29, 72)
    rgb = [round(255 - (255 - c) * strength * 0.55) for c in base]
    return f"rgb({rgb[0]},{rgb[1]},{rgb[2]})"


def grid_html(
    matrix: np.ndarray,
    title: str,
    window: tuple[int, int, int, int] | None = None,
    window_step: int = 1,
    current: tuple[int, int] | None = None,
    padding: int = 0,
    colour_values: bool = True,
    size: int = 30,
) -> str:
    """A small matrix as an HTML table with its numbers.

    Parameters
    ----------
    matrix : (R, C) array; NaN cells are drawn empty (not computed yet).
    window : (top, left, height, width) cells highlighted in amber (the kernel's window);
        with ``window_step`` d > 1 only every d-th cell in it is highlighted (dilation).
    current : (row, col) outlined in rose (the output being computed).
    padding : width of the zero border drawn in grey (padding added around the image).
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    texts = [format_number(round(float(v), 2)) for v in matrix[np.isfinite(matrix)]]
    size = max(size, 8 * max(map(len, texts), default=1) + 12)  # cells grow to fit "-0.06"
    finite = matrix[np.isfinite(matrix)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    rows = []
    for r in range(matrix.shape[0]):
        cells = []
        for c in range(matrix.shape[1]):
            value = matrix[r, c]
            inside = (
                window is not None
                and window[0] <= r < window[0] + window[2]
                and window[1] <= c < window[1] + window[3]
                and (r - window[0]) % window_step == 0
                and (c - window[1]) % window_step == 0
            )
            is_pad = padding and (
                r < padding or c < padding or r >= matrix.shape[0] - padding or c >= matrix.shape[1] - padding
            )
            if inside:
                background = WINDOW_COLOR
            elif is_pad:
                background = PAD_COLOR
            elif colour_values:
                background = _value_background(value, low, high)
            else:
                background = "#ffffff"
            border = OUTPUT_COLOR if current == (r, c) else "#cbd5e1"
            style = _cell_style(background, border, bold=inside or current == (r, c), size=size)
            if current == (r, c):
                style += f"outline:3px solid {OUTPUT_COLOR};outline-offset:-3px;"
            text = "" if np.isnan(value) else html.escape(format_number(round(float(value), 2)))
            cells.append(f'<td style="{style}">{text}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    table = '<table style="border-collapse:collapse;margin:0;">' + "".join(rows) + "</table>"
    return (
        f'<div style="display:flex;flex-direction:column;align-items:center;gap:4px;">'
        f'<div style="font-size:13px;color:#475569;font-weight:600;white-space:nowrap;">{html.escape(title)}</div>'
        f"{table}</div>"
    )


def operator_html(symbol: str, caption: str = "") -> str:
    """A big operator sign (×, =, →) between grids, with an optional caption under it."""
    return (
        f'<div style="display:flex;flex-direction:column;align-items:center;justify-content:center;'
        f'padding:0 2px;"><div style="font-size:26px;color:#334155;">{html.escape(symbol)}</div>'
        f'<div style="font-size:11px;color:#64748b;white-space:nowrap;">{html.escape(caption)}</div></div>'
    )


def row_html(parts: Sequence[str]) -> str:
    """Lay grids and operators out in one wrapping row."""
    return (
        '<div style="display:flex;flex-wrap:wrap;align-items:center;gap:10px;row-gap:18px;">'
        + "".join(parts)
        + "</div>"
    )


def products_html(window: np.ndarray, kernel: np.ndarray, size: int = 30, total: float | None = None) -> str:
    """Window ⊙ kernel = products → sum, as grids (for one output value).

    ``total`` is the exact sum when the grids show rounded numbers."""
    products = np.asarray(window) * np.asarray(kernel)
    total = float(products.sum()) if total is None else total
    return row_html(
        [
            grid_html(window, "window", colour_values=False, size=size),
            operator_html("⊙", "element-wise"),
            grid_html(kernel, "kernel", colour_values=False, size=size),
            operator_html("="),
            grid_html(products, "products", size=size),
            operator_html("→"),
            grid_html(np.array([[total]]), "Σ = output", size=max(size, 44)),
        ]
    )


def note_html(title: str, body: str, formula: str = "") -> str:
    """A boxed explanation next to the grids: bold title, a sentence and a monospace formula."""
    formula_part = (
        (
            f'<div style="font-family:ui-monospace,monospace;font-size:14px;margin-top:8px;'
            f'line-height:1.7;word-break:break-word;">{formula}</div>'
        )
        if formula
        else ""
    )
    return (
        f'<div style="flex:1 1 280px;min-width:260px;max-width:520px;border-left:4px solid {WINDOW_COLOR};'
        f'background:#fffbeb;padding:10px 14px;border-radius:6px;font-size:14px;color:#1e293b;">'
        f'<div style="font-weight:700;margin-bottom:4px;">{html.escape(title)}</div>'
        f"<div>{html.escape(body)}</div>{formula_part}</div>"
    )


def products_formula_html(window: np.ndarray, kernel: np.ndarray) -> str:
    """'0·1 + 1·0 + … = 1' with the terms that contribute (non-zero products) highlighted."""
    products = np.ravel(window) * np.ravel(kernel)
    terms = [
        f'<span style="background:{WINDOW_COLOR};border-radius:3px;padding:0 2px;">{html.escape(term)}</span>'
        if product != 0
        else html.escape(term)
        for term, product in zip(product_terms(window, kernel, "·"), products)
    ]
    return " + ".join(terms) + f' = <b style="font-size:17px;color:{OUTPUT_COLOR};">{format_number(products.sum())}</b>'
