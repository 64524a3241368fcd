"""Pictures for the GAN page: the adversarial loop as a Graphviz diagram with live numbers."""

from __future__ import annotations


def loop_diagram(
    d_loss: float | None = None,
    g_loss: float | None = None,
    acc_real: float | None = None,
    acc_fake: float | None = None,
) -> str:
    """Graphviz DOT source of the adversarial loop, with the current numbers on its edges."""

    def fmt(value, pattern):
        return pattern.format(value) if value is not None else "–"

    return f"""digraph gan {{
  rankdir=TB; bgcolor="transparent"; nodesep=0.5; ranksep=0.45;
  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=14, color="#94a3b8"];
  edge [fontname="Helvetica", fontsize=12, color="#475569"];
  z [label="noise z ~ N(0, I) (+ class)", fillcolor="#f1f5f9"];
  G [label="Generator G (counterfeiter)", fillcolor="#e0e7ff"];
  fake [label="fakes G(z)\ntarget 0 for D, 1 for G", fillcolor="#ffe4e6"];
  real [label="real images\ntarget 1", fillcolor="#dcfce7"];
  D [label="Discriminator D (detective)", fillcolor="#fef3c7"];
  out [label="D(x) = P(real)\nright on real: {fmt(acc_real, "{:.0%}")} · on fake: {fmt(acc_fake, "{:.0%}")}",
       shape=ellipse, fillcolor="#ffffff"];
  z -> G; G -> fake; fake -> D; real -> D; D -> out;
  {{rank=same; fake; real}}
  out:e -> D:e [label=" D step: loss {fmt(d_loss, "{:.3f}")}\n update D only", color="#d97706", fontcolor="#d97706",
            style=dashed];
  out -> G [label=" G step: loss {fmt(g_loss, "{:.3f}")}\n through frozen D,\n update G only", color="#4f46e5",
            fontcolor="#4f46e5", style=dashed, constraint=false];
}}"""
