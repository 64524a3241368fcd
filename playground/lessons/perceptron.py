"""The artificial neuron, the perceptron rule and backpropagation, as the course teaches them.

Plain NumPy, written to be read beside the slides (SuperDataScience *Computer Vision
Masterclass*):

- :func:`neuron_output` — weighted sum and activation of one neuron
  (35 * 0.8 + 25 * 0.1 = 30.5 ≥ 1 → 1).
- :func:`train_perceptron` — the perceptron rule ``w += lr * x * error`` on AND / OR / XOR,
  one row at a time, with every step recorded.
- :func:`mlp_backprop_epoch` — one full-batch epoch of backpropagation on the course's
  2-3-1 sigmoid network without bias; :func:`train_mlp_by_hand` repeats it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# The course's truth tables: inputs (4, 2) and classes (4,).
LOGIC_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
LOGIC_GATES = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "XOR": np.array([0, 1, 1, 0]),
}

# The course's neuron example: inputs 35 and 25, weights 0.8 and 0.1, step threshold 1.
COURSE_NEURON_INPUTS = (35.0, 25.0)
COURSE_NEURON_WEIGHTS = (0.8, 0.1)
STEP_THRESHOLD = 1.0

# The course's 2-3-1 XOR network (no bias): input->hidden (2, 3), hidden->output (3, 1).
COURSE_XOR_W_HIDDEN = np.array([[-0.424, -0.740, -0.961], [0.358, -0.577, -0.469]])
COURSE_XOR_W_OUTPUT = np.array([[-0.017], [-0.893], [0.148]])
COURSE_XOR_LEARNING_RATE = 0.3

ACTIVATIONS = ("step", "sigmoid", "tanh", "relu")
# Sums this close to the threshold count as reaching it: 0.1 added five times is
# 0.5000000000000001 in floating point, and the slides' AND example relies on 0.5 + 0.5 >= 1.
_THRESHOLD_TOLERANCE = 1e-9


def sigmoid(s: np.ndarray) -> np.ndarray:
    """Logistic function 1 / (1 + e^-s), computed without overflow for large |s|."""
    s = np.asarray(s, dtype=float)
    return np.exp(-np.logaddexp(0.0, -s))


def activate(s: np.ndarray, activation: str, threshold: float = STEP_THRESHOLD) -> np.ndarray:
    """Apply a named activation (``step`` fires when ``s >= threshold``, as in the course)."""
    s = np.asarray(s, dtype=float)
    if activation == "step":
        return (s >= threshold - _THRESHOLD_TOLERANCE).astype(float)
    if activation == "sigmoid":
        return sigmoid(s)
    if activation == "tanh":
        return np.tanh(s)
    if activation == "relu":
        return np.maximum(s, 0.0)
    raise ValueError(f"Unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}.")


def neuron_output(
    inputs, weights, activation: str = "step", threshold: float = STEP_THRESHOLD, bias: float = 0.0
) -> tuple[float, float]:
    """Weighted sum ``sum(x_i * w_i) + bias`` and the activation's output, as two floats."""
    inputs = np.asarray(inputs, dtype=float)
    weights = np.asarray(weights, dtype=float)
    if inputs.shape != weights.shape:
        raise ValueError(f"{inputs.size} inputs but {weights.size} weights: give one weight per input.")
    total = float(inputs @ weights + bias)
    return total, float(activate(total, activation, threshold))


@dataclass
class PerceptronStep:
    """One row seen by the perceptron rule: the numbers a slide shows for it."""

    epoch: int
    row: int
    inputs: np.ndarray
    target: int
    weighted_sum: float
    prediction: int
    error: int
    weights_before: np.ndarray
    weights_after: np.ndarray


@dataclass
class PerceptronResult:
    """Outcome of :func:`train_perceptron`.

    weights : final weights (n_features,); epochs : epochs run; converged : the last
    epoch made no error; history : every row step in order; accuracy : accuracy per
    epoch, measured on the row predictions made during that epoch (as the slides do).
    """

    weights: np.ndarray
    epochs: int
    converged: bool
    history: list[PerceptronStep] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)


def _check_learning_rate(learning_rate: float) -> float:
    learning_rate = float(learning_rate)
    if not np.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(
            f"The learning rate must be a positive number, got {learning_rate:g}: "
            "with it the weights would never change."
        )
    return learning_rate


def train_perceptron(
    X, y, weights, learning_rate: float, threshold: float = STEP_THRESHOLD, max_epochs: int = 100
) -> PerceptronResult:
    """Train a single step-activation neuron with the perceptron rule, one row at a time.

    For each row: ``sum = x @ w``, ``prediction = sum >= threshold``,
    ``error = target - prediction`` and ``w += learning_rate * x * error``. Epochs repeat
    until one passes with no error (converged) or ``max_epochs`` is reached.

    Parameters
    ----------
    X : (N, F) inputs; y : (N,) classes 0/1; weights : (F,) initial weights.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).astype(int)
    weights = np.array(weights, dtype=float)
    learning_rate = _check_learning_rate(learning_rate)
    if X.ndim != 2 or len(X) != len(y) or X.shape[1] != weights.size:
        raise ValueError(f"Shapes do not match: inputs {X.shape}, classes {y.shape}, weights {weights.shape}.")
    if max_epochs < 1:
        raise ValueError(f"max_epochs must be at least 1, got {max_epochs}.")
    history: list[PerceptronStep] = []
    accuracy: list[float] = []
    converged = False
    epoch = 0
    for epoch in range(1, max_epochs + 1):
        errors = 0
        for row, (inputs, target) in enumerate(zip(X, y)):
            total, prediction = neuron_output(inputs, weights, "step", threshold)
            error = int(target) - int(prediction)
            before = weights.copy()
            weights = weights + learning_rate * inputs * error
            errors += error != 0
            history.append(
                PerceptronStep(
                    epoch, row, inputs.copy(), int(target), total, int(prediction), error, before, weights.copy()
                )
            )
        accuracy.append(1.0 - errors / len(X))
        if errors == 0:
            converged = True
            break
    return PerceptronResult(weights=weights, epochs=epoch, converged=converged, history=history, accuracy=accuracy)


@dataclass
class BackpropEpoch:
    """Every intermediate of one full-batch backpropagation epoch (course notation).

    Shapes for N rows, F inputs, H hidden neurons, O outputs: hidden_sum and hidden
    (N, H); output_sum, output, error, delta_output (N, O); delta_hidden (N, H);
    gradient_output = hidden.T @ delta_output (H, O); gradient_hidden = X.T @
    delta_hidden (F, H); w_hidden (F, H) and w_output (H, O) are the UPDATED weights.
    """

    hidden_sum: np.ndarray
    hidden: np.ndarray
    output_sum: np.ndarray
    output: np.ndarray
    error: np.ndarray
    delta_output: np.ndarray
    delta_hidden: np.ndarray
    gradient_output: np.ndarray
    gradient_hidden: np.ndarray
    w_hidden: np.ndarray
    w_output: np.ndarray

    @property
    def mse(self) -> float:
        """Mean squared error of the outputs before the update."""
        return float(np.mean(self.error**2))

    @property
    def rmse(self) -> float:
        return float(np.sqrt(self.mse))

    @property
    def mean_absolute_error(self) -> float:
        """The slides' first loss: the average of |error| (0.499 on the course's XOR)."""
        return float(np.mean(np.abs(self.error)))


def _with_bias_input(a: np.ndarray) -> np.ndarray:
    """Append a constant-1 column: a bias is a weight on an input that is always 1."""
    return np.hstack([a, np.ones((len(a), 1))])


def mlp_backprop_epoch(X, y, w_hidden, w_output, learning_rate: float, bias: bool = False) -> BackpropEpoch:
    """One epoch of the course's backpropagation on a sigmoid MLP, full batch.

    Forward: ``hidden = sigmoid(X @ w_hidden)``, ``output = sigmoid(hidden @ w_output)``.
    Backward: ``error = y - output``, ``delta_output = error * output * (1 - output)``,
    ``delta_hidden = hidden * (1 - hidden) * (delta_output @ w_output.T)``.
    Update: ``w_output += lr * hidden.T @ delta_output``, ``w_hidden += lr * X.T @ delta_hidden``
    (gradient descent on half the summed squared error).

    Parameters
    ----------
    X : (N, F) inputs; y : (N,) or (N, O) targets; w_hidden : (F, H); w_output : (H,) or (H, O).
    bias : the course's network has none (False). With True, X and hidden get a constant-1
        column, so w_hidden is (F + 1, H) and w_output (H + 1, O), the last row being the biases.
    """
    X = np.asarray(X, dtype=float)
    w_hidden = np.asarray(w_hidden, dtype=float)
    w_output = np.asarray(w_output, dtype=float)
    if w_output.ndim == 1:
        w_output = w_output[:, None]
    y = np.asarray(y, dtype=float).reshape(len(X), -1)
    learning_rate = _check_learning_rate(learning_rate)
    layer_input = _with_bias_input(X) if bias else X
    if (
        w_hidden.ndim != 2
        or layer_input.shape[1] != w_hidden.shape[0]
        or w_hidden.shape[1] + bias != w_output.shape[0]
        or y.shape[1] != w_output.shape[1]
    ):
        raise ValueError(
            f"Shapes do not match: inputs {X.shape}, input->hidden weights {w_hidden.shape}, "
            f"hidden->output weights {w_output.shape}, targets {y.shape}, bias {bias}."
        )
    if not all(np.all(np.isfinite(a)) for a in (X, y, w_hidden, w_output)):
        raise ValueError("Inputs, targets and weights must all be finite numbers (found NaN or infinity).")
    hidden_sum = layer_input @ w_hidden
    hidden = sigmoid(hidden_sum)
    hidden_out = _with_bias_input(hidden) if bias else hidden
    output_sum = hidden_out @ w_output
    output = sigmoid(output_sum)
    error = y - output
    delta_output = error * output * (1 - output)
    # The output bias has no input weight to pass the delta back through.
    delta_hidden = hidden * (1 - hidden) * (delta_output @ w_output[: hidden.shape[1]].T)
    gradient_output = hidden_out.T @ delta_output
    gradient_hidden = layer_input.T @ delta_hidden
    return BackpropEpoch(
        hidden_sum,
        hidden,
        output_sum,
        output,
        error,
        delta_output,
        delta_hidden,
        gradient_output,
        gradient_hidden,
        w_hidden=w_hidden + learning_rate * gradient_hidden,
        w_output=w_output + learning_rate * gradient_output,
    )


@dataclass
class HandTrainingResult:
    """Weights after :func:`train_mlp_by_hand` and the MSE before each epoch (epochs,)."""

    w_hidden: np.ndarray
    w_output: np.ndarray
    mse: np.ndarray


def train_mlp_by_hand(
    X, y, w_hidden, w_output, learning_rate: float, epochs: int, bias: bool = False
) -> HandTrainingResult:
    """Repeat :func:`mlp_backprop_epoch` ``epochs`` times (the sigmoid keeps every number finite)."""
    if epochs < 1:
        raise ValueError(f"Train for at least one epoch, got {epochs}.")
    mse = np.empty(int(epochs))
    for epoch in range(int(epochs)):
        step = mlp_backprop_epoch(X, y, w_hidden, w_output, learning_rate, bias)
        mse[epoch] = step.mse
        w_hidden, w_output = step.w_hidden, step.w_output
    return HandTrainingResult(np.asarray(w_hidden, float), np.asarray(w_output, float), mse)


def predict_mlp_by_hand(X, w_hidden, w_output, bias: bool = False) -> np.ndarray:
    """Output (N,) of the sigmoid MLP of :func:`mlp_backprop_epoch` for inputs X (N, F)."""
    X = np.asarray(X, float)
    hidden = sigmoid((_with_bias_input(X) if bias else X) @ np.asarray(w_hidden, float))
    hidden = _with_bias_input(hidden) if bias else hidden
    return sigmoid(hidden @ np.asarray(w_output, float).reshape(hidden.shape[1], -1))[:, 0]


def mlp_output_map(
    w_hidden, w_output, bias: bool = False, extent: tuple[float, float] = (-0.5, 1.5), resolution: int = 81
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 2-input MLP's output over a square grid around the unit square: ``(xx, yy, output)``,
    each (resolution, resolution), for a decision map."""
    axis = np.linspace(*extent, resolution)
    xx, yy = np.meshgrid(axis, axis)
    output = predict_mlp_by_hand(np.column_stack([xx.ravel(), yy.ravel()]), w_hidden, w_output, bias)
    return xx, yy, output.reshape(xx.shape)


def add_zero_biases(w_hidden, w_output) -> tuple[np.ndarray, np.ndarray]:
    """The same network with bias rows of zeros appended: (F + 1, H) and (H + 1, O)."""
    w_hidden, w_output = np.asarray(w_hidden, float), np.asarray(w_output, float).reshape(len(w_hidden[0]), -1)
    return (
        np.vstack([w_hidden, np.zeros((1, w_hidden.shape[1]))]),
        np.vstack([w_output, np.zeros((1, w_output.shape[1]))]),
    )
