"""Plotly builders for the Perceptron & MLP page: activation curves, the perceptron's
decision line, and a TensorFlow-Playground-style network diagram whose every neuron
shows its own output map."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.core.images import pixelated, png_data_uri
from playground.figures import plots
from playground.lessons.mlp import GridOutputs
from playground.lessons.perceptron import activate

NEGATIVE_RGB = np.array(plots.hex_to_rgb(plots.PALETTE[0]), float)  # class 0 colour
POSITIVE_RGB = np.array(plots.hex_to_rgb(plots.PALETTE[1]), float)  # class 1 colour
NODE_PX = 64  # side of a neuron's output map in the diagram, in pixels
_WIDTH_BUCKETS = 4  # edges are grouped into this many widths per sign (one trace each)


def activation_curve(activation: str, weighted_sum: float, threshold: float = 1.0, height: int = 300) -> go.Figure:
    """The activation over a range that contains ``weighted_sum``, with that point marked."""
    reach = max(6.0, abs(weighted_sum) * 1.15)
    s = np.linspace(-reach, reach, 801)
    y = activate(s, activation, threshold)
    point = float(activate(weighted_sum, activation, threshold))
    fig = go.Figure(
        go.Scatter(
            x=s,
            y=y,
            mode="lines",
            line=dict(color=plots.PALETTE[0], width=3),
            line_shape="hv" if activation == "step" else "linear",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[weighted_sum],
            y=[point],
            mode="markers+text",
            marker=dict(size=14, color=plots.PALETTE[1]),
            text=[f"sum {weighted_sum:g} → {point:.3g}"],
            textposition="top left",
        )
    )
    fig.update_xaxes(title="weighted sum", zeroline=True)
    fig.update_yaxes(title="output", zeroline=True)
    fig.update_layout(showlegend=False)
    return plots.apply_layout(fig, f"{activation} activation", height)


def perceptron_plane(
    X: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray,
    threshold: float,
    highlight_row: int | None = None,
    resolution: int = 121,
    height: int = 380,
) -> go.Figure:
    """Regions where the step neuron fires (class 1 colour) and the line ``w·x = threshold``.

    X (4, 2) inputs, y (4,) classes, weights (2,); the row being trained is ringed.
    """
    xx, yy = np.meshgrid(np.linspace(-0.5, 1.5, resolution), np.linspace(-0.5, 1.5, resolution))
    fires = activate(xx * weights[0] + yy * weights[1], "step", threshold)
    # Slightly below 1 so a certain region reads as strong but not saturated colour.
    fig = plots.decision_boundary(
        xx,
        yy,
        0.1 + 0.8 * fires,
        X,
        np.asarray(y),
        height=height,
        title=f"Fires where {weights[0]:.2f}·x₁ + {weights[1]:.2f}·x₂ ≥ {threshold:g}",
    )
    w1, w2 = weights
    if abs(w2) > 1e-12:
        xs = np.array([-0.5, 1.5])
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=(threshold - w1 * xs) / w2,
                mode="lines",
                name="w·x = threshold",
                line=dict(color="#0f172a", width=2, dash="dash"),
            )
        )
    elif abs(w1) > 1e-12:
        fig.add_trace(
            go.Scatter(
                x=[threshold / w1] * 2, y=[-0.5, 1.5], mode="lines", line=dict(color="#0f172a", width=2, dash="dash")
            )
        )
    for _i, (point, label) in enumerate(zip(X, y)):
        fig.add_annotation(
            x=point[0],
            y=point[1],
            text=f"({point[0]:g},{point[1]:g}) → {label}",
            showarrow=False,
            yshift=18,
            font=dict(size=13, color="#0f172a"),
        )
    if highlight_row is not None:
        fig.add_trace(
            go.Scatter(
                x=[X[highlight_row, 0]],
                y=[X[highlight_row, 1]],
                mode="markers",
                marker=dict(size=22, color="rgba(0,0,0,0)", line=dict(color="#f59e0b", width=4)),
            )
        )
    fig.update_xaxes(range=[-0.5, 1.5], autorange=False, title="x₁")
    fig.update_yaxes(range=[-0.5, 1.5], autorange=False, title="x₂")
    return fig


def _signed_map_rgb(values: np.ndarray, centre: float = 0.0) -> np.ndarray:
    """(G, G) values -> (G, G, 3) uint8: class-0 colour below ``centre``, class-1 above,
    white at it, scaled by the map's own largest deviation. Row 0 of ``values`` is the
    lowest y, so the image is flipped to put high y on top."""
    deviation = values - centre
    scale = np.abs(deviation).max()
    t = deviation / scale if scale > 1e-12 else np.zeros_like(deviation)
    t = np.flipud(t)[..., None]
    colour = np.where(t > 0, POSITIVE_RGB, NEGATIVE_RGB)
    return (255 - (255 - colour) * np.abs(t) * 0.9).astype(np.uint8)


def _class_map_rgb(probabilities: np.ndarray) -> np.ndarray:
    """(G, G, K) class probabilities -> (G, G, 3) uint8 in the decision-map colours."""
    k = probabilities.shape[-1]
    colours = np.array([plots.hex_to_rgb(plots.PALETTE[i % len(plots.PALETTE)]) for i in range(k)], float)
    strength = np.clip((probabilities.max(-1) - 1 / k) / (1 - 1 / k), 0, 1)[..., None] * 0.85
    rgb = 255 * (1 - strength) + colours[probabilities.argmax(-1)] * strength
    return np.flipud(rgb).astype(np.uint8)


def network_diagram(
    grid: GridOutputs,
    weights: Sequence[np.ndarray],
    input_names: Sequence[str],
    activation: str,
    height: int | None = None,
) -> go.Figure:
    """The network drawn as columns of neurons, each showing its own output over the plane.

    grid : every layer's output on the grid (:func:`playground.lessons.mlp.grid_outputs`);
    weights : the (fan_in, fan_out) matrices; edges are drawn with width ∝ |w| and the
    colour of its sign (class-1 colour positive, class-0 colour negative).
    """
    sizes = [layer.shape[-1] for layer in grid.layers[:-1]] + [1]
    n_max = max(sizes)
    gap, column_gap, box = 1.35, 3.2, 1.0
    centres = [
        np.column_stack([np.full(n, c * column_gap), (np.arange(n) - (n - 1) / 2) * -gap]) for c, n in enumerate(sizes)
    ]
    all_weights = np.concatenate([np.abs(w).ravel() for w in weights])
    w_max = max(float(all_weights.max()), 1e-9)
    buckets: dict[tuple[bool, int], tuple[list, list, list]] = {}
    for c, w in enumerate(weights):
        targets = centres[c + 1] if c + 1 < len(sizes) - 1 else np.repeat(centres[-1], w.shape[1], 0)
        for i, source in enumerate(centres[c]):
            for j, target in enumerate(targets):
                value = float(w[i, j])
                bucket = min(_WIDTH_BUCKETS - 1, int(abs(value) / w_max * _WIDTH_BUCKETS))
                xs, ys, texts = buckets.setdefault((value > 0, bucket), ([], [], []))
                xs += [source[0] + box / 2, target[0] - box / 2, None]
                ys += [source[1], target[1], None]
                texts += [f"w = {value:.3f}"] * 2 + [None]
    traces = [
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            hoverinfo="text",
            hovertext=texts,
            line=dict(color=plots.PALETTE[1] if positive else plots.PALETTE[0], width=0.6 + 1.6 * bucket),
            opacity=0.35 + 0.15 * bucket,
        )
        for (positive, bucket), (xs, ys, texts) in sorted(buckets.items())
    ]
    centre_value = 0.5 if activation == "sigmoid" else 0.0
    maps = [
        (centres[c][n], _signed_map_rgb(layer[..., n], 0.0 if c == 0 else centre_value))
        for c, layer in enumerate(grid.layers[:-1])
        for n in range(layer.shape[-1])
    ]
    maps.append((centres[-1][0], _class_map_rgb(grid.probabilities)))
    # One layout dict instead of add_* calls: Plotly validates it once, which keeps a frame fast.
    images = [
        dict(
            source=png_data_uri(pixelated(rgb, NODE_PX)),
            x=x - box / 2,
            y=y + box / 2,
            sizex=box,
            sizey=box,
            xref="x",
            yref="y",
            sizing="stretch",
            layer="above",
        )
        for (x, y), rgb in maps
    ]
    shapes = [
        dict(
            type="rect",
            x0=x - box / 2,
            x1=x + box / 2,
            y0=y - box / 2,
            y1=y + box / 2,
            line=dict(color="#94a3b8", width=1),
        )
        for (x, y), _ in maps
    ]
    annotations = [
        dict(x=x - box / 2 - 0.1, y=y, text=name, showarrow=False, xanchor="right", font=dict(size=13))
        for name, (x, y) in zip(input_names, centres[0])
    ]
    titles = ["inputs"] + [f"hidden {c} · {n}" for c, n in enumerate(sizes[1:-1], 1)] + ["output"]
    top = (n_max - 1) / 2 * gap + box / 2 + 0.45
    annotations += [
        dict(x=c * column_gap, y=top, text=f"<b>{title}</b>", showarrow=False, font=dict(size=12))
        for c, title in enumerate(titles)
    ]
    return go.Figure(
        traces,
        layout=dict(
            images=images,
            shapes=shapes,
            annotations=annotations,
            showlegend=False,
            plot_bgcolor="white",
            margin=dict(l=0, r=0, t=10, b=0),
            height=height or int(min(640, max(300, 68 * n_max + 90))),
            xaxis=dict(visible=False, range=[-column_gap * 0.45, (len(sizes) - 1) * column_gap + box]),
            yaxis=dict(visible=False, range=[-top - 0.1, top + 0.25], scaleanchor="x"),
        ),
    )


def hand_network_diagram(
    w_hidden: np.ndarray, w_output: np.ndarray, input_names: Sequence[str] = ("x₁", "x₂"), height: int = 300
) -> go.Figure:
    """The course's small network with each weight written on its edge (biases as a '1' input)."""
    w_hidden, w_output = np.asarray(w_hidden), np.asarray(w_output).reshape(-1)
    n_in, n_hidden = w_hidden.shape
    has_bias = n_in == len(input_names) + 1
    names = list(input_names) + (["1 (bias)"] if has_bias else [])
    hidden_names = [f"h{j + 1}" for j in range(n_hidden)] + (["1 (bias)"] if len(w_output) > n_hidden else [])
    columns = [names, hidden_names, ["out"]]
    centres = [[(c * 2.0, (len(col) - 1) / 2 - k) for k in range(len(col))] for c, col in enumerate(columns)]
    fig = go.Figure()
    for c, w in enumerate((w_hidden, w_output[:, None])):
        for i, source in enumerate(centres[c]):
            for j in range(w.shape[1]):
                target = centres[c + 1][j]
                value = float(w[i, j])
                fig.add_trace(
                    go.Scatter(
                        x=[source[0], target[0]],
                        y=[source[1], target[1]],
                        mode="lines",
                        line=dict(
                            color=plots.PALETTE[1] if value > 0 else plots.PALETTE[0],
                            width=1 + 3 * min(1.0, abs(value)),
                        ),
                        hoverinfo="skip",
                    )
                )
                # Input->hidden edges cross mid-way: label them near their target, where they part.
                along = 0.72 if c == 0 else 0.5
                fig.add_annotation(
                    x=source[0] + along * (target[0] - source[0]),
                    y=source[1] + along * (target[1] - source[1]),
                    text=f"{value:.3f}",
                    showarrow=False,
                    font=dict(size=10),
                    bgcolor="rgba(255,255,255,0.85)",
                )
    for column in range(3):
        xs, ys = zip(*centres[column])
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="markers+text",
                text=columns[column],
                textposition="middle center",
                marker=dict(size=38, color="#eef2ff", line=dict(color=plots.PALETTE[0], width=2)),
                textfont=dict(size=11),
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(visible=False, range=[-0.5, 4.5])
    fig.update_yaxes(visible=False)
    fig.update_layout(showlegend=False, plot_bgcolor="white")
    return plots.apply_layout(fig, None, height)
