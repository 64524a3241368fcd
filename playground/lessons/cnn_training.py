"""Train a layer-table classifier as a background job, and evaluate it.

:func:`train` is the job's work function (``ui.start_job(key, training.train, ...)``):
it builds the model inside the device strategy's scope, fits it with
:func:`playground.core.keras_tools.keras_callback` (live curves, stop/pause, learning-rate changes)
and stops with a clear message as soon as the loss becomes NaN or infinite.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.core import datasets, device, jobs, keras_tools
from playground.lessons import layer_table

# Training steps per call into TensorFlow: callbacks (live curves, stop, pause, NaN check)
# then run once per 8 batches instead of forcing a device sync after every batch.
STEPS_PER_EXECUTION = 8
# Seconds between refreshes of the page's live training panel: at least once a second as
# promised, and half the CPU of 2 Hz (each refresh builds two Plotly charts, ~20 ms each).
LIVE_REFRESH_S = 1.0
# A session keeps the models (and test predictions) of its last few runs to compare and
# inspect; older runs keep only their curves. The default Fashion-MNIST CNN (207k weights)
# holds 2.5 MB with its Adam state.
MAX_KEPT_MODELS = 4


@dataclass(frozen=True)
class TrainConfig:
    """Training hyper-parameters (what the page's controls set)."""

    optimizer: str = "Adam"
    learning_rate: float = 1e-3
    batch_size: int = 64
    epochs: int = 5
    initializer: str = "glorot_uniform"
    augmentation: layer_table.Augmentation = field(default_factory=layer_table.Augmentation)
    validation_fraction: float = 0.1
    seed: int = 0

    def check(self) -> None:
        """Raise ``ValueError`` for values that cannot train."""
        if not (self.learning_rate > 0 and math.isfinite(self.learning_rate)):
            raise ValueError(f"The learning rate must be a positive number, got {self.learning_rate}.")
        if not 1 <= self.batch_size <= 4096:
            raise ValueError(f"Batch size must be between 1 and 4096, got {self.batch_size}.")
        if not 1 <= self.epochs <= 200:
            raise ValueError(f"Epochs must be between 1 and 200, got {self.epochs}.")
        if not 0.0 <= self.validation_fraction < 0.5:
            raise ValueError(f"The validation fraction must be in [0, 0.5), got {self.validation_fraction}.")


@dataclass
class TrainResult:
    """What a finished run leaves behind.

    ``model`` is None when training diverged; ``test_probabilities`` is (N_test, K).
    """

    model: Any
    history: dict[str, list[float]]
    test_accuracy: float | None
    test_loss: float | None
    test_probabilities: np.ndarray | None
    train_seconds: float
    samples_per_s: float
    epochs_done: int
    diverged: str = ""


# A run counts as diverged once its loss exceeds this multiple of ln(K), the loss of a
# fresh K-class classifier that guesses uniformly; a healthy run only goes down from there.
DIVERGENCE_FACTOR = 50.0


def divergence_stop(progress: jobs.Progress | None = None):
    """A Keras callback that stops training as soon as the loss is NaN, infinite or over
    ``DIVERGENCE_FACTOR`` x ln(K); its ``message`` then says where and what to do."""
    import keras

    class DivergenceStop(keras.callbacks.Callback):
        message = ""

        def on_epoch_begin(self, epoch, logs=None):
            self._epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            loss = (logs or {}).get("loss")
            if loss is None:
                return
            loss = float(loss)
            limit = DIVERGENCE_FACTOR * math.log(max(2, self.model.output_shape[-1]))
            if math.isfinite(loss) and loss <= limit:
                return
            lr = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
            what = f"became {loss}" if not math.isfinite(loss) else f"exploded to {loss:.3g}"
            self.message = (
                f"The loss {what} at epoch {self._epoch + 1}, batch {batch + 1} with learning rate "
                f"{lr:g}: training diverged and was stopped. Lower the learning rate (try 10x smaller) "
                "or add batch normalisation, then train again."
            )
            if progress is not None:
                progress.report(message=self.message)
            self.model.stop_training = True

    return DivergenceStop()


def split_validation(x: np.ndarray, y: np.ndarray, fraction: float, seed: int = 0):
    """Hold out a stratified ``fraction`` of the training set for validation curves.

    Returns (x_train, y_train, x_val, y_val); with fraction 0 the validation arrays are empty.
    """
    fit, val = datasets.stratified_split(y, fraction, seed, min_per_class=1)
    return x[fit], y[fit], x[val], y[val]


def compile_model(layers: list[layer_table.LayerSpec], input_shape, num_classes: int, config: TrainConfig):
    """Build and compile inside the device strategy's scope (GPU / MirroredStrategy aware)."""
    with device.strategy().scope():
        model = layer_table.build_model(
            layers, input_shape, num_classes, config.initializer, config.augmentation, config.seed
        )
        model.compile(
            keras_tools.make_optimizer(config.optimizer, config.learning_rate),
            "sparse_categorical_crossentropy",
            metrics=["accuracy"],
            steps_per_execution=STEPS_PER_EXECUTION,
        )
    return model


@device.forget_traced_gradients()
def train(
    progress: jobs.Progress,
    layers: list[layer_table.LayerSpec],
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    num_classes: int,
    config: TrainConfig,
) -> TrainResult:
    """Job work: fit the table's network on (x_train, y_train), then evaluate on the test set.

    x_* : float32 (N, H, W, C) in [0, 1]; y_* : int (N,). Reports batch metrics about
    4x a second and epoch metrics (``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``).
    """
    import keras

    config.check()
    keras.utils.set_random_seed(config.seed)
    progress.report(message="Building the model…")
    model = compile_model(layers, x_train.shape[1:], num_classes, config)
    fit_x, fit_y, val_x, val_y = split_validation(x_train, y_train, config.validation_fraction, config.seed)
    stop_on_nan = divergence_stop(progress)
    progress.report(message=f"Training on {len(fit_y):,} images, validating on {len(val_y):,}.")
    started = time.perf_counter()
    history = model.fit(
        fit_x,
        fit_y,
        batch_size=config.batch_size,
        epochs=config.epochs,
        verbose=0,
        validation_data=(val_x, val_y) if len(val_y) else None,
        callbacks=[keras_tools.keras_callback(progress), stop_on_nan],
    )
    train_seconds = time.perf_counter() - started
    epochs_done = len(history.history.get("loss", []))
    samples = len(fit_y) * epochs_done
    result = TrainResult(
        None,
        {k: [float(v) for v in values] for k, values in history.history.items()},
        None,
        None,
        None,
        train_seconds,
        samples / train_seconds if train_seconds else 0.0,
        epochs_done,
        stop_on_nan.message,
    )
    if stop_on_nan.message:
        return result
    progress.report(message="Evaluating on the test set…")
    probabilities = keras_tools.predict_probabilities(model, x_test)
    result.model = model
    result.test_probabilities = probabilities
    result.test_accuracy = float(np.mean(probabilities.argmax(1) == y_test)) if len(y_test) else None
    result.test_loss = (
        float(-np.mean(np.log(np.clip(probabilities[np.arange(len(y_test)), y_test], 1e-7, 1))))
        if len(y_test)
        else None
    )
    progress.report(
        message=f"Test accuracy {result.test_accuracy:.1%}"
        if result.test_accuracy is not None
        else "Done (no test images)."
    )
    return result


# --- evaluation ------------------------------------------------------------------------


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts (K, K): row = true class, column = predicted class (scikit-learn's, with every class
    a row even when absent)."""
    from sklearn.metrics import confusion_matrix as counts

    return counts(y_true, y_pred, labels=np.arange(num_classes)).astype(np.int64)


def per_class_accuracy(matrix: np.ndarray) -> np.ndarray:
    """Recall of each class from a confusion matrix (NaN for classes with no examples)."""
    totals = matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(matrix) / totals, np.nan)


def cell_examples(
    y_true: np.ndarray, probabilities: np.ndarray, true_class: int, predicted_class: int, limit: int = 24
) -> np.ndarray:
    """Indices of test images of ``true_class`` predicted as ``predicted_class``, most confident first."""
    predicted = probabilities.argmax(1)
    idx = np.flatnonzero((y_true == true_class) & (predicted == predicted_class))
    return idx[np.argsort(-probabilities[idx, predicted_class], kind="stable")][:limit]


def most_confident_mistakes(y_true: np.ndarray, probabilities: np.ndarray, limit: int = 16) -> np.ndarray:
    """Indices of wrong predictions sorted by the confidence of the wrong class, highest first."""
    predicted = probabilities.argmax(1)
    wrong = np.flatnonzero(predicted != y_true)
    return wrong[np.argsort(-probabilities[wrong, predicted[wrong]], kind="stable")][:limit]
