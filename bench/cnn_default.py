"""The CNN trainer's default: the default preset and training settings on full Fashion-MNIST,
trained through the app's job exactly as the Train button does.

Target: >= 90% test accuracy in under a minute of training on a 2-core CPU.
Last line: ``test_accuracy=0.91 train_seconds=48``
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.core import datasets, jobs
from playground.lessons import cnn_training, layer_table


def main() -> None:
    data = datasets.load_fashion_mnist()
    layers = layer_table.preset(layer_table.DEFAULT_PRESET, data.input_shape)
    config = cnn_training.TrainConfig()
    print(
        f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {layer_table.DEFAULT_PRESET}, "
        f"{config.optimizer} lr {config.learning_rate}, batch {config.batch_size}, {config.epochs} epochs",
        flush=True,
    )
    job = jobs.submit(
        cnn_training.train,
        layers,
        data.x_train,
        data.y_train,
        data.x_test,
        data.y_test,
        data.num_classes,
        config,
        name="bench",
    )
    while not job.finished:
        job.snapshot()  # keep it alive as a page would
        time.sleep(0.5)
    snapshot = job.snapshot()
    result = snapshot.result
    if result is None or result.test_accuracy is None:
        raise SystemExit(f"training failed: {snapshot.state} {snapshot.error or (result and result.diverged)}")
    print(
        f"load average after: {os.getloadavg()[0]:.2f}; val_accuracy per epoch: "
        + ", ".join(f"{v:.3f}" for v in result.history.get("val_accuracy", [])),
        flush=True,
    )
    print(f"test_accuracy={result.test_accuracy:.4f} train_seconds={result.train_seconds:.0f}")


if __name__ == "__main__":
    main()
