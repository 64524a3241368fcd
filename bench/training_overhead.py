"""Overhead of training through the app's job (live callback, stop/pause checks, a page
polling it) against a bare ``model.fit`` of the same model, data and batch size.

The job is polled every ``cnn_training.LIVE_REFRESH_S`` as the page's live fragment does: a snapshot, the two
live charts built and serialised to JSON. Runs come in pairs whose order alternates
(bare-job, job-bare, …) so a change in machine load hits both; the ratio is the median
of the pairs' ratios. On a shared machine wall-clock throughput swings with the load, so
the script also prints the same ratio in process CPU time per image (all threads,
including the poller), which the other processes cannot disturb.

Last line: ``ratio=0.97 job_samples_per_s=… bare_samples_per_s=…``
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.core import datasets, jobs
from playground.figures import cnn_plots
from playground.lessons import cnn_training, layer_table

TRAIN_IMAGES = 12_000  # a fifth of Fashion-MNIST keeps one run around 5 s on an idle machine
EPOCHS = 2
REPEATS = 5
POLL_EVERY_S = cnn_training.LIVE_REFRESH_S  # the page's live panel refresh


def bare_fit(layers, data, config) -> tuple[float, float]:
    """(samples per second, samples per CPU second) of model.fit on the same split and validation data."""
    model = cnn_training.compile_model(layers, data.input_shape, data.num_classes, config)
    fit_x, fit_y, val_x, val_y = cnn_training.split_validation(
        data.x_train, data.y_train, config.validation_fraction, config.seed
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    model.fit(
        fit_x, fit_y, batch_size=config.batch_size, epochs=config.epochs, verbose=0, validation_data=(val_x, val_y)
    )
    samples = len(fit_y) * config.epochs
    return samples / (time.perf_counter() - started), samples / (time.process_time() - cpu_started)


def job_fit(layers, data, config) -> tuple[float, float]:
    """(samples per second, samples per CPU second) of the app's training job while a 'browser'
    polls and draws it. CPU time covers the whole job (build, fit, evaluation, polling)."""
    cpu_started = time.process_time()
    job = jobs.submit(
        cnn_training.train,
        layers,
        data.x_train,
        data.y_train,
        data.x_test[:1000],
        data.y_test[:1000],
        data.num_classes,
        config,
        name="bench",
    )
    while not job.finished:
        snapshot = job.snapshot()
        for metric in ("loss", "accuracy"):
            cnn_plots.runs_figure([("live", snapshot.series)], metric, metric).to_json()
        time.sleep(POLL_EVERY_S)
    snapshot = job.snapshot()
    if snapshot.state != jobs.DONE:
        raise RuntimeError(f"job ended {snapshot.state}: {snapshot.error}")
    result = snapshot.result
    return result.samples_per_s, result.samples_per_s * result.train_seconds / (time.process_time() - cpu_started)


def main() -> None:
    data = datasets.load_fashion_mnist(limit_train=TRAIN_IMAGES, limit_test=1000)
    layers = layer_table.preset(layer_table.DEFAULT_PRESET, data.input_shape)
    config = cnn_training.TrainConfig(epochs=EPOCHS)
    print(
        f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
        f"{TRAIN_IMAGES:,} images, {EPOCHS} epochs, batch {config.batch_size}",
        flush=True,
    )
    bare_fit(layers, data, cnn_training.TrainConfig(epochs=1))  # warm-up: TensorFlow start-up, first tracing
    bare, job, ratios, cpu_ratios = [], [], [], []
    for repeat in range(REPEATS):
        if repeat % 2 == 0:
            b, j = bare_fit(layers, data, config), job_fit(layers, data, config)
        else:
            j, b = job_fit(layers, data, config), bare_fit(layers, data, config)
        bare.append(b[0])
        job.append(j[0])
        ratios.append(j[0] / b[0])
        cpu_ratios.append(j[1] / b[1])
        print(
            f"pair {repeat + 1}: bare {b[0]:.0f}/s ({b[1]:.0f}/CPU-s), job {j[0]:.0f}/s ({j[1]:.0f}/CPU-s), "
            f"load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    print(f"cpu_time_ratio={statistics.median(cpu_ratios):.2f} (images per CPU second, job / bare)")
    print(
        f"ratio={statistics.median(ratios):.2f} job_samples_per_s={statistics.median(job):.0f} "
        f"bare_samples_per_s={statistics.median(bare):.0f}"
    )


if __name__ == "__main__":
    main()
