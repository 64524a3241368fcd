"""Plotly figures and small pictures for the HOG & LBP and Faces pages (arrays in, figures out)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.core.images import outline
from playground.figures.plots import PALETTE, apply_layout


def bin_labels(bins: int) -> list[str]:
    """Bin centres as text, e.g. ['0°', '20°', …, '160°'] for 9 bins."""
    return [f"{k * 180 / bins:g}°" for k in range(bins)]


def cell_histogram_figure(
    histogram: np.ndarray, pixel_votes: dict[int, float] | None = None, title: str | None = None, height: int = 300
) -> go.Figure:
    """The cell's orientation histogram; ``pixel_votes`` (bin → vote) stacks one pixel's share on top."""
    labels = bin_labels(len(histogram))
    votes = np.zeros(len(histogram))
    for k, vote in (pixel_votes or {}).items():
        votes[k] = vote
    fig = go.Figure(
        [
            go.Bar(
                x=labels,
                y=histogram - votes,
                name="other pixels",
                marker_color=PALETTE[0],
                hovertemplate="%{x}: %{y:.2f}<extra>other pixels</extra>",
            ),
            go.Bar(
                x=labels,
                y=votes,
                name="selected pixel",
                marker_color="#f59e0b",
                hovertemplate="%{x}: %{y:.2f}<extra>selected pixel</extra>",
            ),
            go.Scatter(
                x=labels,
                y=histogram,
                mode="text",
                text=[f"{v:.1f}" for v in histogram],
                textposition="top center",
                showlegend=False,
                hoverinfo="skip",
            ),
        ]
    )
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=1.12, x=1, xanchor="right"))
    fig.update_xaxes(title="bin centre (unsigned gradient direction)")
    fig.update_yaxes(title="sum of magnitude votes", range=[0, float(histogram.max() or 1) * 1.18])
    return apply_layout(fig, title, height)


def block_figure(raw: np.ndarray, normalised: np.ndarray, method: str, height: int = 280) -> go.Figure:
    """One block's concatenated cell histograms before and after normalisation (two y axes)."""
    x = np.arange(raw.size)
    fig = go.Figure(
        [
            go.Bar(x=x, y=raw.ravel(), name="raw (sum of magnitudes)", marker_color="#cbd5e1", yaxis="y"),
            go.Scatter(
                x=x,
                y=normalised.ravel(),
                name=f"after {method}",
                mode="lines+markers",
                line=dict(color=PALETTE[1]),
                yaxis="y2",
            ),
        ]
    )
    cells, bins = raw.shape[0] * raw.shape[1], raw.shape[2]
    for k in range(1, cells):
        fig.add_vline(x=k * bins - 0.5, line_color="#94a3b8", line_dash="dot")
    fig.update_layout(
        yaxis=dict(title="raw"),
        yaxis2=dict(title="normalised", overlaying="y", side="right", rangemode="tozero"),
        legend=dict(orientation="h", y=1.15, x=1, xanchor="right"),
    )
    fig.update_xaxes(title=f"{cells} cells × {bins} bins, concatenated")
    return apply_layout(fig, None, height)


def code_histogram_figure(
    counts: np.ndarray, title: str | None = None, height: int = 260, separators: int = 0
) -> go.Figure:
    """Bars of a (possibly concatenated) code histogram; ``separators`` = codes per cell draws cell borders."""
    fig = go.Figure(
        go.Bar(
            x=np.arange(counts.size),
            y=counts,
            marker_color=PALETTE[0],
            marker_line_width=0,
            hovertemplate="code %{x}: %{y:.3f}<extra></extra>",
        )
    )
    if separators and counts.size // separators <= 64:
        for k in range(1, counts.size // separators):
            fig.add_vline(x=k * separators - 0.5, line_color="#e11d48", line_width=1, opacity=0.4)
    fig.update_layout(bargap=0)
    fig.update_xaxes(title="code" if not separators else "cell by cell, code by code")
    return apply_layout(fig, title, height)


def distance_matrix_figure(
    matrix: np.ndarray, rows: Sequence[str], cols: Sequence[str], title: str | None = None, height: int = 320
) -> go.Figure:
    """Heatmap of distances (small = similar) with the values written in, smallest per row outlined."""
    matrix = np.asarray(matrix, dtype=float)
    fig = go.Figure(
        go.Heatmap(
            z=matrix,
            x=list(cols),
            y=list(rows),
            colorscale="Blues_r",
            text=np.vectorize(lambda v: f"{v:.2f}")(matrix),
            texttemplate="%{text}",
            hovertemplate="%{y} vs %{x}: %{z:.3f}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    for r, c in enumerate(matrix.argmin(axis=1)):
        fig.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, line=dict(color="#e11d48", width=3))
    fig.update_yaxes(autorange="reversed")
    return apply_layout(fig, title, height)


def grid_overlay(
    image: np.ndarray, grid_x: int, grid_y: int, colour=(225, 29, 72), cell: tuple[int, int] | None = None
) -> np.ndarray:
    """RGB copy of a gray or RGB uint8 image with a grid_y x grid_x grid drawn on it (LBPH cells);
    ``cell`` = (row, col) is outlined in amber."""
    import cv2

    rgb = np.repeat(image[..., None], 3, axis=2) if image.ndim == 2 else image.copy()
    height, width = rgb.shape[:2]
    for k in range(1, grid_x):
        rgb[:, round(k * width / grid_x)] = colour
    for k in range(1, grid_y):
        rgb[round(k * height / grid_y), :] = colour
    if cell is not None:
        row, col = cell
        cv2.rectangle(
            rgb,
            (round(col * width / grid_x), round(row * height / grid_y)),
            (round((col + 1) * width / grid_x) - 1, round((row + 1) * height / grid_y) - 1),
            (245, 158, 11),
            max(2, width // 150),
        )
    return rgb


def codes_to_uint8(codes: np.ndarray, n_codes: int) -> np.ndarray:
    """LBP codes (0 … n_codes−1) stretched to 0–255 for display."""
    return (np.asarray(codes, dtype=np.float64) * (255.0 / max(1, n_codes - 1))).astype(np.uint8)


def glyphs_with_block(glyphs: np.ndarray, row: int, col: int, block_size: int, cell_px: int) -> np.ndarray:
    """The HOG glyph picture (H, W) uint8 as RGB with block (``row``, ``col``) of ``block_size``
    cells of ``cell_px`` pixels outlined in amber."""
    side = block_size * cell_px
    return outline(glyphs, row * cell_px, col * cell_px, side, side, (245, 158, 11), max(2, glyphs.shape[0] // 200))
