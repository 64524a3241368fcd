"""Frame time of one live playground update for the default network (Perceptron & MLP page).

A frame = ``mlp.EPOCHS_PER_FRAME`` epochs of mini-batch training (as the page does per
tick) + every neuron's map + the decision map + the network diagram and decision-map
figures serialised to JSON (what Streamlit sends).
Target: under ~100 ms. Prints the median wall time over a few dozen frames, the median
CPU time (robust when other processes share the cores), and the share spent on the
network arithmetic, as a baseline measured in the same run.
"""

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.figures import perceptron_plots as pp
from playground.figures import plots
from playground.lessons import mlp

PLAYGROUND_GRID, NEURON_GRID, FRAMES = 60, 24, 30


def frame(trainer: mlp.Trainer) -> tuple[float, float, float]:
    """Return (wall seconds, CPU seconds, wall seconds spent training and evaluating the network)."""
    start, start_cpu = time.perf_counter(), time.process_time()
    steps_per_epoch = int(np.ceil(len(trainer.x_train) / trainer.config.batch_size))
    trainer.train_steps(mlp.EPOCHS_PER_FRAME * steps_per_epoch)
    neurons = mlp.grid_outputs(trainer, NEURON_GRID)
    grid = mlp.grid_outputs(trainer, PLAYGROUND_GRID)
    numeric = time.perf_counter() - start
    data = trainer.data
    figures = [
        pp.network_diagram(neurons, trainer.network.weights, trainer.config.features, trainer.config.activation),
        plots.decision_boundary(
            grid.xx, grid.yy, grid.probabilities, data.x_train, data.y_train, data.x_test, data.y_test, height=360
        ),
        plots.curves(
            {
                "train loss": (trainer.history.epoch, trainer.history.train_loss),
                "test loss": (trainer.history.epoch, trainer.history.test_loss),
            },
            height=220,
        ),
    ]
    for figure in figures:
        figure.to_json()
    return time.perf_counter() - start, time.process_time() - start_cpu, numeric


def main() -> None:
    trainer = mlp.Trainer(mlp.make_dataset("Circle", 300, 0.05, 0.3), mlp.NetworkConfig())
    frame(trainer)  # warm-up (imports, plotly validators)
    totals, cpus, numerics = zip(*(frame(trainer) for _ in range(FRAMES)))
    total, cpu, numeric = (statistics.median(values) * 1000 for values in (totals, cpus, numerics))
    print(
        f"decision-boundary frame (default network {trainer.network.layer_sizes}, circle, 300 points): "
        f"{total:.1f} ms median over {FRAMES} frames (target < 100 ms); CPU time {cpu:.1f} ms"
    )
    print(
        f"  of which training {mlp.EPOCHS_PER_FRAME} epochs + grid evaluation: {numeric:.1f} ms; "
        f"figure building + JSON: {total - numeric:.1f} ms ({total / numeric:.1f}x the arithmetic)"
    )
    print(f"frame_ms={total:.1f} cpu_ms={cpu:.1f} arithmetic_ms={numeric:.1f} target_ms=100")


if __name__ == "__main__":
    main()
