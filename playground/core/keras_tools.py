"""Keras helpers that several lessons share: optimizers by name, batched class probabilities,
a model as ``.keras`` bytes and back (safely), and the callback that feeds ``fit`` into a
background job. Keras is imported inside each function."""

from __future__ import annotations

import io
import math
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from playground.core import datasets, errors
from playground.core.jobs import JobStopped, Progress

OPTIMIZERS = ["Adam", "SGD", "SGD + momentum", "RMSprop"]


def make_optimizer(name: str, learning_rate: float):
    """A Keras optimizer by display name (see :data:`OPTIMIZERS`)."""
    import keras

    if not (learning_rate > 0 and math.isfinite(learning_rate)):
        raise ValueError(f"The learning rate must be a positive number, got {learning_rate}.")
    if name == "Adam":
        return keras.optimizers.Adam(learning_rate)
    if name == "SGD":
        return keras.optimizers.SGD(learning_rate)
    if name == "SGD + momentum":
        return keras.optimizers.SGD(learning_rate, momentum=0.9)
    if name == "RMSprop":
        return keras.optimizers.RMSprop(learning_rate)
    raise ValueError(f"Unknown optimizer '{name}'; choose one of {', '.join(OPTIMIZERS)}.")


def predict_probabilities(model, images: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Class probabilities (N, K) for float32 images (N, H, W, C), in batches without ``predict``'s overhead."""
    import keras

    outputs = [
        keras.ops.convert_to_numpy(model(images[i : i + batch_size], training=False))
        for i in range(0, len(images), batch_size)
    ]
    return np.concatenate(outputs).astype(np.float32) if outputs else np.zeros((0, model.output_shape[-1]), np.float32)


def model_bytes(model) -> bytes:
    """The model as a ``.keras`` file's bytes (for a download button)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()


# Largest .keras upload accepted (a playground model is a few MB).
MAX_MODEL_BYTES = 100 * 2**20


def load_uploaded_model(data: bytes, file_name: str = "model.keras"):
    """Load a ``.keras`` file in safe mode (no custom code, no Lambda layers).

    Refuses anything that is not a Keras v3 archive with a message saying why.
    """
    if len(data) > MAX_MODEL_BYTES:
        raise ValueError(f"'{file_name}' is {len(data) / 2**20:.0f} MB; the limit is {MAX_MODEL_BYTES / 2**20:.0f} MB.")
    if data[:8] == b"\x89HDF\r\n\x1a\n":
        raise ValueError(
            f"'{file_name}' is a legacy HDF5 (.h5) model; only .keras files load here "
            "(in Python: keras.models.load_model('old.h5').save('model.keras'))."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            try:
                datasets.check_zip(archive, MAX_MODEL_BYTES * 4)
            except ValueError as exc:
                raise ValueError(f"'{file_name}': {exc}") from None
    except zipfile.BadZipFile:
        raise ValueError(f"'{file_name}' is not a .keras model file (a .keras file is a zip archive).") from None
    if "config.json" not in names:
        raise ValueError(f"'{file_name}' is a zip but not a Keras model (no config.json inside).")
    import keras

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "uploaded.keras"
        path.write_bytes(data)
        try:
            model = keras.models.load_model(path, compile=False, safe_mode=True)
        except Exception as exc:  # Keras raises many types for bad archives/custom layers
            # Keras' first sentence says what it met; its advice (safe_mode=False) is not for this app.
            detail = errors.first_line(exc, limit=1000).split(". ")[0].rstrip(".")
            kind = " (a Lambda layer, which holds Python code)" if "Lambda" in detail else ""
            raise ValueError(
                f"'{file_name}' contains code or layers that are not standard Keras{kind}, so it was not "
                f"loaded: this page loads models made of standard Keras layers only. (Keras: {detail[:300]}.)"
            ) from None
    shape = model.input_shape
    if isinstance(shape, list) or len(shape) != 4 or len(model.output_shape) != 2:
        raise ValueError(
            f"'{file_name}' is not an image classifier (input {shape}, output {model.output_shape}); "
            "this page needs one image in, class probabilities out."
        )
    return model


def keras_callback(progress: Progress, report_every_s: float = 0.25):
    """A Keras callback feeding ``model.fit`` into ``progress``.

    Reports batch loss/metrics at most every ``report_every_s`` seconds (so the cost
    per batch is one clock read), epoch metrics (incl. validation) at each epoch end
    at x = epochs completed, honours stop and pause between batches, and applies a
    ``learning_rate`` request sent with :meth:`Job.send`.
    """
    import keras

    class ProgressCallback(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            params = self.params or {}
            self._epochs = params.get("epochs") or 1
            self._steps = params.get("steps") or 1
            self._epoch = 0
            self._last_report = 0.0
            progress.report(step=0, total=self._epochs * self._steps)

        def on_epoch_begin(self, epoch, logs=None):
            self._epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            now = time.monotonic()
            if progress.stop_requested:
                self.model.stop_training = True
                return
            if now - self._last_report < report_every_s:
                return
            self._last_report = now
            try:
                progress.check()
            except JobStopped:
                self.model.stop_training = True
                return
            requests = progress.take_requests()
            if "learning_rate" in requests:
                self.model.optimizer.learning_rate.assign(float(requests["learning_rate"]))
            step = self._epoch * self._steps + batch + 1
            x = self._epoch + (batch + 1) / self._steps
            batch_metrics = {f"batch_{k}": float(v) for k, v in (logs or {}).items()}
            progress.report(
                step=step,
                metrics=batch_metrics,
                x=x,
                learning_rate=float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)),
            )

        def on_epoch_end(self, epoch, logs=None):
            progress.report(
                step=(epoch + 1) * self._steps,
                metrics={k: float(v) for k, v in (logs or {}).items()},
                x=epoch + 1,
                epoch=epoch + 1,
            )

    return ProgressCallback()
