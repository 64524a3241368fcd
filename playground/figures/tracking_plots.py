"""Plotly builders for the object-tracking page: IoU against the truth frame by frame, and the
OTB success plot."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures.plots import apply_layout
from playground.lessons.tracking import COLOURS_HEX, SUCCESS_THRESHOLDS, KcfStep, success_auc, success_curve


def _hidden_spans(hidden: Sequence[int]) -> list[tuple[int, int]]:
    """Runs of consecutive frame numbers as (first, last)."""
    spans: list[tuple[int, int]] = []
    for frame in hidden:
        if spans and frame == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], frame)
        else:
            spans.append((frame, frame))
    return spans


def iou_figure(overlaps: dict[str, np.ndarray], hidden: Sequence[int] = (), height: int = 300) -> go.Figure:
    """Each tracker's IoU with the true box per frame; grey where the target is fully hidden."""
    fig = go.Figure()
    for method, values in overlaps.items():
        fig.add_trace(go.Scatter(y=values, name=method, mode="lines", line=dict(color=COLOURS_HEX[method], width=2)))
    for first, last in _hidden_spans(hidden):
        fig.add_vrect(x0=first - 0.5, x1=last + 0.5, fillcolor="#94a3b8", opacity=0.3, line_width=0)
    if hidden:
        fig.add_annotation(x=hidden[0], y=1.02, text="hidden", showarrow=False, yanchor="bottom", font_size=11)
    fig.update_xaxes(title="frame")
    fig.update_yaxes(title="IoU with the truth", range=[0, 1.08])
    fig.update_layout(legend=dict(orientation="h", y=-0.3))
    return apply_layout(fig, "IoU with the truth, per frame", height)


def success_figure(overlaps: dict[str, np.ndarray], height: int = 300) -> go.Figure:
    """OTB's success plot: the share of frames whose IoU beats each threshold; AUC in the legend."""
    fig = go.Figure()
    for method, values in overlaps.items():
        fig.add_trace(
            go.Scatter(
                x=SUCCESS_THRESHOLDS,
                y=success_curve(values, SUCCESS_THRESHOLDS),
                name=f"{method} (AUC {success_auc(values):.2f})",
                mode="lines+markers",
                line=dict(color=COLOURS_HEX[method], width=2),
            )
        )
    fig.update_xaxes(title="IoU threshold", range=[0, 1])
    fig.update_yaxes(title="frames above it", range=[0, 1.02], tickformat=".0%")
    fig.update_layout(legend=dict(orientation="h", y=-0.3))
    return apply_layout(fig, "Success plot", height)


def kcf_figure(step: KcfStep, true_shift: tuple[float, float] | None = None, height: int = 300) -> go.Figure:
    """The search patch, the learned dual coefficients alpha and the response on the next frame,
    with the response's peak (and the target's true move) marked."""
    fig = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=["Patch x (gray, cosine window)", "Learned α (dual coefficients)", "Response f(z), next frame"],
        horizontal_spacing=0.04,
    )
    limit = float(np.abs(step.alpha).max()) or 1.0
    fig.add_trace(go.Heatmap(z=step.patch, colorscale="gray", showscale=False, hoverinfo="skip"), 1, 1)
    fig.add_trace(go.Heatmap(z=step.alpha, colorscale="RdBu", zmid=0, zmin=-limit, zmax=limit, showscale=False), 1, 2)
    fig.add_trace(go.Heatmap(z=step.response, colorscale="Viridis", showscale=False), 1, 3)
    centre_row, centre_col = (n // 2 for n in step.response.shape)
    peak = (centre_col + step.shift[1], centre_row + step.shift[0])
    fig.add_trace(
        go.Scatter(
            x=[peak[0]], y=[peak[1]], mode="markers", marker=dict(symbol="x", size=12, color="#e11d48"), name="peak"
        ),
        1,
        3,
    )
    if true_shift is not None:
        fig.add_trace(
            go.Scatter(
                x=[centre_col + true_shift[1]],
                y=[centre_row + true_shift[0]],
                mode="markers",
                marker=dict(symbol="circle-open", size=18, color="#f59e0b", line=dict(width=3)),
                name="true move",
            ),
            1,
            3,
        )
    for column in (1, 2, 3):
        fig.update_xaxes(showticklabels=False, row=1, col=column)
        fig.update_yaxes(
            showticklabels=False,
            autorange="reversed",
            scaleanchor=f"x{'' if column == 1 else column}",
            row=1,
            col=column,
        )
    fig.update_layout(legend=dict(orientation="h", y=-0.08))
    return apply_layout(fig, None, height)
