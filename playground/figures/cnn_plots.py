"""Plotly builders for the CNN trainer: several runs on one chart, a clickable confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.figures.plots import PALETTE, apply_layout


def runs_figure(
    runs: Sequence[tuple[str, dict[str, tuple[Sequence[float], Sequence[float]]]]],
    metric: str,
    title: str,
    height: int = 340,
    x_max: float | None = None,
) -> go.Figure:
    """One colour per run: the training ``metric`` solid, ``val_<metric>`` dashed and the
    live per-batch ``batch_<metric>`` thin and faint (x = epochs, fractional for batches).

    runs : [(label, {series name: (xs, ys)}), ...] oldest first
    x_max : fix the epoch axis to [0, x_max] (a live run's planned epochs) instead of autoscaling
    """
    fig = go.Figure()
    for i, (label, series) in enumerate(runs):
        colour = PALETTE[i % len(PALETTE)]
        styles = (
            (f"batch_{metric}", dict(width=1), 0.35, "batches"),
            (metric, dict(width=2.5), 1.0, "train"),
            (f"val_{metric}", dict(width=2.5, dash="dash"), 1.0, "validation"),
        )
        for name, line, opacity, kind in styles:
            if name not in series or not len(series[name][0]):
                continue
            xs, ys = series[name]
            fig.add_trace(
                go.Scatter(
                    x=list(xs),
                    y=list(ys),
                    name=f"{label} · {kind}",
                    legendgroup=label,
                    opacity=opacity,
                    mode="lines+markers" if kind != "batches" and len(xs) < 30 else "lines",
                    line=dict(color=colour, **line),
                    hovertemplate=f"{label} {kind}<br>epoch %{{x:.2f}}: %{{y:.4f}}<extra></extra>",
                )
            )
    fig.update_xaxes(title="epoch", **({"range": [0, x_max * 1.02]} if x_max else {"rangemode": "tozero"}))
    fig.update_yaxes(title=metric, **({"range": [0, 1.01]} if metric == "accuracy" else {"rangemode": "tozero"}))
    fig.update_layout(legend=dict(orientation="h", y=-0.28, font_size=11))
    return apply_layout(fig, title, height)


def confusion_figure(
    matrix: np.ndarray,
    class_names: Sequence[str],
    title: str | None = None,
    selected: tuple[int, int] | None = None,
    cell_px: int | None = None,
) -> go.Figure:
    """Confusion matrix (rows = true, columns = predicted) drawn as square markers so a
    click selects a cell (Plotly heatmaps emit no selection events); the diagonal is
    green, mistakes red, colour strength the share of the true class.

    The figure has a fixed pixel size (show it with ``width="content"``) so that each
    marker exactly fills its ``cell_px`` cell and a click lands on the cell under the pointer.
    """
    matrix = np.asarray(matrix)
    k = len(class_names)
    cell_px = cell_px or int(np.clip(440 // max(k, 1), 24, 56))
    totals = np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    share = (matrix / totals).ravel()
    true_idx, pred_idx = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    correct = (true_idx == pred_idx).ravel()
    colours = [
        f"rgba(5,150,105,{0.12 + 0.88 * s:.3f})"
        if ok
        else (f"rgba(225,29,72,{0.10 + 0.9 * min(1.0, s * 4):.3f})" if s > 0 else "rgba(241,245,249,1)")
        for ok, s in zip(correct, share)
    ]
    fig = go.Figure(
        go.Scatter(
            x=pred_idx.ravel(),
            y=true_idx.ravel(),
            mode="markers+text",
            text=[str(v) for v in matrix.ravel()],
            textfont=dict(
                size=11 if cell_px >= 32 else 9,
                color=["white" if ok and s > 0.5 else "#0f172a" for ok, s in zip(correct, share)],
            ),
            marker=dict(symbol="square", size=cell_px - 2, color=colours, line=dict(width=0)),
            customdata=np.stack([true_idx.ravel(), pred_idx.ravel()], axis=1),
            hovertemplate="true %{y}, predicted %{x}: %{text} images<extra></extra>",
        )
    )
    if selected is not None:
        fig.add_shape(
            type="rect",
            x0=selected[1] - 0.5,
            x1=selected[1] + 0.5,
            y0=selected[0] - 0.5,
            y1=selected[0] + 0.5,
            line=dict(color="#f59e0b", width=3),
        )
    ticks = dict(
        tickmode="array",
        tickvals=list(range(k)),
        ticktext=list(class_names),
        showgrid=False,
        zeroline=False,
        fixedrange=True,
    )
    fig.update_xaxes(title="predicted class", side="top", range=[-0.5, k - 0.5], tickangle=-45, **ticks)
    fig.update_yaxes(title="true class", range=[k - 0.5, -0.5], **ticks)
    fig.update_layout(clickmode="event+select", dragmode=False, showlegend=False)
    label_px = 7 * max((len(name) for name in class_names), default=1) + 40
    # the top labels lean right (-45°), so the last one needs room beyond the plot
    margin = dict(l=label_px, r=label_px // 2, t=label_px + (30 if title else 0), b=10)
    apply_layout(fig, title, margin["t"] + margin["b"] + k * cell_px)
    fig.update_layout(width=margin["l"] + margin["r"] + k * cell_px, margin=margin)
    return fig
