"""Frame time of one live playground update for the default network (Perceptron & MLP page).

A frame = one epoch of mini-batch training + every neuron's map + the decision map + the
network diagram and decision-map figures serialised to JSON (what Streamlit sends).
Target: under ~100 ms. Prints the median over a few dozen frames, and the share of it
spent on the network arithmetic, as a baseline measured in the same run.
"""
import statistics
import time

import numpy as np

from playground import mlp, plots
from playground import perceptron_plots as pp

PLAYGROUND_GRID, NEURON_GRID, FRAMES = 60, 24, 30


def frame(trainer: mlp.Trainer) -> tuple[float, float]:
    """Return (total seconds, seconds spent training and evaluating the network)."""
    start = time.perf_counter()
    trainer.train_steps(int(np.ceil(len(trainer.x_train) / trainer.config.batch_size)))
    neurons = mlp.grid_outputs(trainer, NEURON_GRID)
    grid = mlp.grid_outputs(trainer, PLAYGROUND_GRID)
    numeric = time.perf_counter() - start
    data = trainer.data
    figures = [pp.network_diagram(neurons, trainer.network.weights, trainer.config.features, trainer.config.activation),
               plots.decision_boundary(grid.xx, grid.yy, grid.probabilities, data.x_train, data.y_train,
                                       data.x_test, data.y_test, height=360),
               plots.curves({"train loss": (trainer.history.epoch, trainer.history.train_loss),
                             "test loss": (trainer.history.epoch, trainer.history.test_loss)}, height=220)]
    for figure in figures:
        figure.to_json()
    return time.perf_counter() - start, numeric


def main() -> None:
    trainer = mlp.Trainer(mlp.make_dataset("Circle", 300, 0.05, 0.3), mlp.NetworkConfig())
    frame(trainer)  # warm-up (imports, plotly validators)
    totals, numerics = zip(*(frame(trainer) for _ in range(FRAMES)))
    total, numeric = statistics.median(totals) * 1000, statistics.median(numerics) * 1000
    print(f"decision-boundary frame (default network {trainer.network.layer_sizes}, circle, 300 points): "
          f"{total:.1f} ms median over {FRAMES} frames (target < 100 ms)")
    print(f"  of which training one epoch + grid evaluation: {numeric:.1f} ms; "
          f"figure building + JSON: {total - numeric:.1f} ms ({total / numeric:.1f}x the arithmetic)")


if __name__ == "__main__":
    main()
