"""Plotly builders for the style-transfer page: arrays in, ``Figure`` out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots


def gram_heatmaps(matrices: dict[str, np.ndarray], height: int = 380) -> go.Figure:
    """Side-by-side heatmaps of (C, C) Gram matrices on one shared colour scale.

    The scale tops out at the largest 99th percentile, so a few huge diagonal entries do
    not wash out the pattern of the rest.
    """
    titles = list(matrices)
    top = max(float(np.percentile(m, 99)) for m in matrices.values()) or 1.0
    fig = make_subplots(rows=1, cols=len(titles), subplot_titles=titles, horizontal_spacing=0.04)
    for i, matrix in enumerate(matrices.values(), start=1):
        fig.add_trace(
            go.Heatmap(
                z=matrix,
                coloraxis="coloraxis",
                xgap=1,
                ygap=1,
                hovertemplate="channels %{y} & %{x}: %{z:.4g}<extra></extra>",
            ),
            row=1,
            col=i,
        )
        edge = [-0.5, matrix.shape[0] - 0.5]
        fig.update_xaxes(range=edge, constrain="domain", row=1, col=i)
        fig.update_yaxes(range=edge[::-1], scaleanchor=f"x{i if i > 1 else ''}", constrain="domain", row=1, col=i)
    fig.update_layout(
        coloraxis=dict(colorscale="Viridis", cmin=0.0, cmax=top),
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        template="plotly_white",
    )
    return fig
