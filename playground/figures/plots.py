"""Pure Plotly figure builders: arrays in, ``plotly.graph_objects.Figure`` out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.core.images import as_rgb_uint8, hex_to_rgb, tile

PALETTE = ["#4f46e5", "#e11d48", "#059669", "#d97706", "#0891b2", "#7c3aed", "#db2777", "#65a30d", "#475569", "#ea580c"]
_MARGIN = dict(l=10, r=10, t=40, b=10)


def apply_layout(fig: go.Figure, title: str | None, height: int | None) -> go.Figure:
    """The app's common look: white template, tight margins, optional title and height (px)."""
    fig.update_layout(title=title, margin=_MARGIN, template="plotly_white", **({"height": height} if height else {}))
    return fig


def matrix_heatmap(
    matrix: np.ndarray,
    title: str | None = None,
    show_values: bool = True,
    decimals: int = 2,
    colorscale: str = "RdBu",
    zmid: float | None = 0.0,
    zmin: float | None = None,
    zmax: float | None = None,
    x_labels: Sequence[str] | None = None,
    y_labels: Sequence[str] | None = None,
    highlight: tuple[int, int, int, int] | None = None,
    height: int | None = None,
) -> go.Figure:
    """Heatmap of a 2-D matrix (rows top to bottom) with the numbers written in the cells.

    ``highlight`` = (row, col, n_rows, n_cols) draws a box around a window.
    """
    matrix = np.asarray(matrix, dtype=float)
    text = None
    if show_values and matrix.size <= 900:
        text = np.vectorize(lambda v: f"{v:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{v:.0f}")(matrix)
    fig = go.Figure(
        go.Heatmap(
            z=matrix,
            x=list(x_labels) if x_labels is not None else None,
            y=list(y_labels) if y_labels is not None else None,
            text=text,
            texttemplate="%{text}" if text is not None else None,
            colorscale=colorscale,
            zmid=zmid if zmin is None and zmax is None else None,
            zmin=zmin,
            zmax=zmax,
            hovertemplate="row %{y}, col %{x}: %{z}<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    fig.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain")
    fig.update_xaxes(side="top", constrain="domain")
    if highlight is not None:
        row, col, n_rows, n_cols = highlight
        fig.add_shape(
            type="rect",
            x0=col - 0.5,
            x1=col + n_cols - 0.5,
            y0=row - 0.5,
            y1=row + n_rows - 0.5,
            line=dict(color="#f59e0b", width=4),
        )
    return apply_layout(fig, title, height)


def image_figure(image: np.ndarray, title: str | None = None, height: int | None = None) -> go.Figure:
    """An RGB uint8 (H, W, 3) or grayscale (H, W) image with pixel coordinates on hover."""
    if image.ndim == 2:
        fig = go.Figure(
            go.Heatmap(z=image, colorscale="gray", showscale=False, hovertemplate="x %{x}, y %{y}: %{z}<extra></extra>")
        )
        fig.update_yaxes(autorange="reversed", scaleanchor="x")
    else:
        fig = go.Figure(go.Image(z=image))
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    return apply_layout(fig, title, height)


def image_grid(
    images: Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    cols: int = 8,
    title: str | None = None,
    cell_px: int = 90,
) -> go.Figure:
    """A grid of equal-sized small images (each (H, W), (H, W, 1) or (H, W, 3); floats in [0, 1] or
    uint8) drawn as one image, ``titles`` above their cells; each cell about ``cell_px`` tall."""
    n = len(images)
    cols = max(1, min(cols, n))
    rows = max(1, -(-n // cols))
    height, width = np.shape(images[0])[:2]
    # A title row above each image row, as tall as a line of 11 px text at this zoom.
    title_px = int(np.ceil(16 * height / cell_px)) if titles else 0
    cells = [np.pad(as_rgb_uint8(image), ((title_px, 0), (0, 0), (0, 0)), constant_values=255) for image in images]
    gap = max(1, width // 16)
    fig = go.Figure(go.Image(z=tile(cells, cols, pad=gap), hoverinfo="skip"))
    for i, text in enumerate(titles or []):
        row, col = divmod(i, cols)
        fig.add_annotation(
            x=col * (width + gap) + width / 2,
            y=row * (height + title_px + gap) + title_px / 2,
            text=text,
            showarrow=False,
            font_size=11,
        )
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False)
    return apply_layout(fig, title, rows * (cell_px + (16 if titles else 0)) + (40 if title else 10))


def curves(
    series: dict[str, tuple[Sequence[float], Sequence[float]]],
    title: str | None = None,
    x_title: str = "step",
    y_title: str | None = None,
    log_y: bool = False,
    height: int = 320,
    vlines: dict[str, float] | None = None,
) -> go.Figure:
    """Line chart of named series, each ``(xs, ys)``; ``vlines`` marks events (e.g. a phase change)."""
    fig = go.Figure()
    for i, (name, (xs, ys)) in enumerate(series.items()):
        dashed = name.startswith(("val", "test"))
        fig.add_trace(
            go.Scatter(
                x=list(xs),
                y=list(ys),
                name=name,
                mode="lines+markers" if len(xs) < 30 else "lines",
                line=dict(color=PALETTE[i % len(PALETTE)], dash="dash" if dashed else "solid"),
            )
        )
    for label, x in (vlines or {}).items():
        fig.add_vline(x=x, line_dash="dot", line_color="#64748b", annotation_text=label)
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=y_title, type="log" if log_y else "linear")
    fig.update_layout(legend=dict(orientation="h", y=-0.25))
    return apply_layout(fig, title, height)


def histogram(
    values: dict[str, np.ndarray],
    bins: int = 30,
    title: str | None = None,
    x_title: str | None = None,
    height: int = 300,
) -> go.Figure:
    """Overlaid histograms of named 1-D arrays."""
    fig = go.Figure()
    for i, (name, data) in enumerate(values.items()):
        fig.add_trace(
            go.Histogram(x=np.ravel(data), name=name, nbinsx=bins, opacity=0.65, marker_color=PALETTE[i % len(PALETTE)])
        )
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title=x_title)
    return apply_layout(fig, title, height)


def bars(
    labels: Sequence[str],
    values: Sequence[float],
    title: str | None = None,
    horizontal: bool = True,
    value_format: str = ".0%",
    height: int | None = None,
    highlight: int | None = None,
) -> go.Figure:
    """Bar chart (e.g. class probabilities) with values written on the bars."""
    colors = [PALETTE[0] if i != highlight else PALETTE[1] for i in range(len(labels))]
    if horizontal:
        trace = go.Bar(
            x=list(values),
            y=list(labels),
            orientation="h",
            marker_color=colors,
            texttemplate=f"%{{x:{value_format}}}",
            textposition="auto",
        )
    else:
        trace = go.Bar(
            x=list(labels),
            y=list(values),
            marker_color=colors,
            texttemplate=f"%{{y:{value_format}}}",
            textposition="auto",
        )
    fig = go.Figure(trace)
    if horizontal:
        fig.update_yaxes(autorange="reversed")
    return apply_layout(fig, title, height or max(200, 28 * len(labels) + 60))


def decision_boundary(
    xx: np.ndarray,
    yy: np.ndarray,
    probabilities: np.ndarray,
    points: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    test_points: np.ndarray | None = None,
    test_labels: np.ndarray | None = None,
    title: str | None = None,
    height: int = 420,
    show_axes: bool = True,
) -> go.Figure:
    """Decision map of a 2-D classifier.

    xx, yy : (G, G) grid coordinates; probabilities : (G, G, K) class probabilities
    (K = 1 or 2 for binary: probability of class 1). Colour shows the winning class,
    its intensity the confidence; points (N, 2) with integer labels are drawn on top,
    test points hollow.
    """
    probabilities = np.asarray(probabilities)
    if probabilities.ndim == 2:
        probabilities = probabilities[..., None]
    if probabilities.shape[-1] == 1:
        p1 = probabilities[..., 0]
        probabilities = np.stack([1 - p1, p1], axis=-1)
    winner = probabilities.argmax(-1)
    confidence = probabilities.max(-1)
    k = probabilities.shape[-1]
    colors = np.array([hex_to_rgb(PALETTE[i % len(PALETTE)]) for i in range(k)], float)
    # Blend each class colour towards white by (lack of) confidence: 1/K → white, 1 → full colour.
    strength = np.clip((confidence - 1.0 / k) / (1 - 1.0 / k), 0, 1)[..., None] * 0.75
    rgb = (255 * (1 - strength) + colors[winner] * strength).astype(np.uint8)
    fig = go.Figure(
        go.Image(
            z=rgb,
            x0=float(xx[0, 0]),
            dx=float(xx[0, 1] - xx[0, 0]),
            y0=float(yy[0, 0]),
            dy=float(yy[1, 0] - yy[0, 0]),
            hoverinfo="skip",
        )
    )
    for pts, lab, hollow in ((points, labels, False), (test_points, test_labels, True)):
        if pts is None or len(pts) == 0:
            continue
        for c in np.unique(lab):
            sel = lab == c
            fig.add_trace(
                go.Scatter(
                    x=pts[sel, 0],
                    y=pts[sel, 1],
                    mode="markers",
                    name=f"class {int(c)}" + (" (test)" if hollow else ""),
                    marker=dict(
                        size=7,
                        color="white" if hollow else PALETTE[int(c) % len(PALETTE)],
                        line=dict(color=PALETTE[int(c) % len(PALETTE)] if hollow else "white", width=1.5),
                    ),
                )
            )
    fig.update_yaxes(autorange=True, scaleanchor="x", visible=show_axes)
    fig.update_xaxes(visible=show_axes)
    fig.update_layout(showlegend=False)
    return apply_layout(fig, title, height)
