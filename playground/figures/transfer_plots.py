"""Plotly builders for the transfer-learning page: arrays in, ``Figure`` out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.figures.plots import PALETTE


def embedding_figure(
    points: np.ndarray,
    labels: np.ndarray,
    class_names: list[str],
    is_test: np.ndarray | None = None,
    title: str | None = None,
    height: int = 360,
):
    """Scatter of 2-D points coloured by class; test images drawn as open circles."""
    fig = go.Figure()
    is_test = np.zeros(len(labels), bool) if is_test is None else is_test
    for k, name in enumerate(class_names):
        for subset, symbol, suffix in ((~is_test, "circle", ""), (is_test, "circle-open", " (test)")):
            chosen = (labels == k) & subset
            if chosen.any():
                fig.add_trace(
                    go.Scatter(
                        x=points[chosen, 0],
                        y=points[chosen, 1],
                        mode="markers",
                        name=name + suffix,
                        legendgroup=name,
                        showlegend=not suffix,
                        marker=dict(color=PALETTE[k % len(PALETTE)], symbol=symbol, size=8),
                    )
                )
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    fig.update_layout(
        title=title,
        height=height,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        legend=dict(orientation="h", y=-0.05),
    )
    return fig
