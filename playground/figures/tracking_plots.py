"""Plotly builders for the object-tracking page: IoU against the truth frame by frame, and the
OTB success plot."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.figures.plots import apply_layout
from playground.lessons.tracking import COLOURS_HEX, SUCCESS_THRESHOLDS, success_auc, success_curve


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
