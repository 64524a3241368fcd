"""A small NumPy multi-layer perceptron for the 2-D playground, and its datasets.

Everything the TensorFlow Playground offers, written as readable NumPy:

- :func:`make_dataset` — circle, XOR quadrants, Gaussians, spirals (2 or 3 classes) and the
  course's AND / OR / XOR points, with noise and a train/test split.
- :class:`Network` — dense layers with a chosen activation, a sigmoid output (2 classes)
  or a softmax output (3+ classes), cross-entropy loss, L1/L2 penalties, optional biases,
  and backpropagation (:meth:`Network.gradients`).
- :class:`Trainer` — mini-batch SGD / momentum / Adam steps with the Keras update rules, a
  loss history and a clean stop (:class:`TrainingDiverged`) when the loss becomes NaN.
- :func:`grid_outputs` — every neuron's output over a grid, for the decision map and the
  per-neuron maps.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from playground.lessons.perceptron import LOGIC_GATES, LOGIC_INPUTS, sigmoid

DATASETS = (
    "Circle",
    "XOR quadrants",
    "Two Gaussians",
    "Spiral",
    "Three Gaussians (3 classes)",
    "Spiral (3 classes)",
    "Course AND",
    "Course OR",
    "Course XOR",
)
HIDDEN_ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
OPTIMIZERS = ("SGD", "Momentum", "Adam")
MOMENTUM = 0.9  # Keras SGD(momentum=0.9)
ADAM_BETAS, ADAM_EPSILON = (0.9, 0.999), 1e-7  # keras.optimizers.Adam defaults
MAX_HIDDEN_LAYERS, MAX_NEURONS = 6, 16
EPOCHS_PER_FRAME = 5  # epochs trained per live-view frame while playing (about 1 ms of arithmetic each)
LOSS_GROWTH_WARNING = 2.0  # warn when the training loss exceeds this multiple of its starting value

# Input features, as in the TensorFlow Playground; each maps points (N, 2) to (N,).
FEATURES = {
    "x₁": lambda p: p[:, 0],
    "x₂": lambda p: p[:, 1],
    "x₁²": lambda p: p[:, 0] ** 2,
    "x₂²": lambda p: p[:, 1] ** 2,
    "x₁x₂": lambda p: p[:, 0] * p[:, 1],
    "sin(πx₁)": lambda p: np.sin(np.pi * p[:, 0]),
    "sin(πx₂)": lambda p: np.sin(np.pi * p[:, 1]),
}


class TrainingDiverged(ValueError):
    """The loss or the weights stopped being finite numbers; the message says what to change."""


@dataclass
class PlaneData:
    """Labelled 2-D points: x_* (N, 2) float, y_* (N,) int in [0, num_classes)."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    num_classes: int

    def extent(self, margin: float = 0.25) -> tuple[float, float, float, float]:
        """(x_min, x_max, y_min, y_max) around all points, square, with a margin."""
        points = np.concatenate([self.x_train, self.x_test])
        low, high = points.min(0) - margin, points.max(0) + margin
        centre, half = (low + high) / 2, (high - low).max() / 2
        return centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half


def _spiral(rng, n: int, classes: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    labels = np.arange(n) % classes
    radius = rng.uniform(0.05, 1.0, n)
    angle = 1.75 * 2 * np.pi * radius + 2 * np.pi * labels / classes
    points = np.stack([radius * np.sin(angle), radius * np.cos(angle)], 1)
    return points + rng.normal(0, noise, points.shape), labels


def _gaussians(rng, n: int, centres: np.ndarray, noise: float) -> tuple[np.ndarray, np.ndarray]:
    labels = np.arange(n) % len(centres)
    # Noise widens the clouds until they overlap, as in the TensorFlow Playground.
    return centres[labels] + rng.normal(0, 0.12 + noise, (n, 2)), labels


def make_dataset(
    name: str, n_points: int = 300, noise: float = 0.1, test_fraction: float = 0.3, seed: int = 0
) -> PlaneData:
    """Make a named 2-D dataset (see ``DATASETS``) in roughly [-1, 1]², noise in the same units.

    The course gates place their points at the four corners (0/1 inputs), jittered by the noise.
    """
    if name not in DATASETS:
        raise ValueError(f"Unknown dataset {name!r}; choose one of {', '.join(DATASETS)}.")
    if not 8 <= n_points <= 5000:
        raise ValueError(f"Use between 8 and 5000 points, got {n_points}.")
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"Noise must be between 0 and 1, got {noise:g}.")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"The test fraction must be strictly between 0 and 1, got {test_fraction:g}.")
    rng = np.random.default_rng(seed)
    if name == "Circle":
        labels = np.arange(n_points) % 2
        radius = np.where(labels == 0, rng.uniform(0, 0.45, n_points), rng.uniform(0.65, 1.0, n_points))
        angle = rng.uniform(0, 2 * np.pi, n_points)
        points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], 1) + rng.normal(0, noise, (n_points, 2))
    elif name == "XOR quadrants":
        points = rng.uniform(-1, 1, (n_points, 2))
        points += np.sign(points) * 0.05  # a small gap along the axes, as in the TF Playground
        labels = (points[:, 0] * points[:, 1] < 0).astype(int)
        points += rng.normal(0, noise, points.shape)
    elif name == "Two Gaussians":
        points, labels = _gaussians(rng, n_points, np.array([[-0.5, -0.5], [0.5, 0.5]]), noise)
    elif name == "Three Gaussians (3 classes)":
        angles = np.pi / 2 + 2 * np.pi * np.arange(3) / 3
        points, labels = _gaussians(rng, n_points, 0.55 * np.stack([np.cos(angles), np.sin(angles)], 1), noise)
    elif name.startswith("Spiral"):
        points, labels = _spiral(rng, n_points, 3 if "3 classes" in name else 2, noise)
    else:
        corner = np.arange(n_points) % 4
        points = LOGIC_INPUTS[corner] + rng.normal(0, noise, (n_points, 2))
        labels = LOGIC_GATES[name.split()[-1]][corner]
    order = rng.permutation(n_points)
    points, labels = points[order], labels[order].astype(np.int64)
    n_test = min(n_points - 2, max(1, int(round(test_fraction * n_points))))
    return PlaneData(
        name, points[n_test:], labels[n_test:], points[:n_test], labels[:n_test], num_classes=int(labels.max()) + 1
    )


def feature_matrix(points: np.ndarray, features: tuple[str, ...]) -> np.ndarray:
    """Stack the chosen input features of points (N, 2) into (N, len(features))."""
    if not features:
        raise ValueError("Pick at least one input feature.")
    unknown = [f for f in features if f not in FEATURES]
    if unknown:
        raise ValueError(f"Unknown feature(s) {unknown}; choose from {', '.join(FEATURES)}.")
    return np.stack([FEATURES[f](np.asarray(points, float)) for f in features], 1)


def _activate(s: np.ndarray, activation: str) -> np.ndarray:
    if activation == "tanh":
        return np.tanh(s)
    if activation == "relu":
        return np.maximum(s, 0.0)
    if activation == "sigmoid":
        return sigmoid(s)
    return s


def _activation_derivative(output: np.ndarray, activation: str) -> np.ndarray:
    """d activation / d sum, written with the activation's output (as the course does for sigmoid)."""
    if activation == "tanh":
        return 1 - output**2
    if activation == "relu":
        return (output > 0).astype(float)
    if activation == "sigmoid":
        return output * (1 - output)
    return np.ones_like(output)


def _softmax(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


@dataclass(frozen=True)
class NetworkConfig:
    """Architecture and training settings of the playground network."""

    hidden_layers: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    learning_rate: float = 0.1
    batch_size: int = 10
    l1: float = 0.0
    l2: float = 0.0
    use_bias: bool = True
    optimizer: str = "SGD"
    features: tuple[str, ...] = ("x₁", "x₂")
    seed: int = 0

    def validate(self) -> None:
        """Raise ValueError naming the first setting that cannot work."""
        if len(self.hidden_layers) > MAX_HIDDEN_LAYERS:
            raise ValueError(f"At most {MAX_HIDDEN_LAYERS} hidden layers, got {len(self.hidden_layers)}.")
        for i, width in enumerate(self.hidden_layers, 1):
            if not 1 <= width <= MAX_NEURONS:
                raise ValueError(
                    f"Hidden layer {i} has {width} neurons: give every hidden layer between 1 "
                    f"and {MAX_NEURONS} neurons (or remove the layer)."
                )
        if self.activation not in HIDDEN_ACTIVATIONS:
            raise ValueError(f"Unknown activation {self.activation!r}; choose one of {', '.join(HIDDEN_ACTIVATIONS)}.")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"Unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}.")
        if not np.isfinite(self.learning_rate) or self.learning_rate <= 0:
            raise ValueError(
                f"The learning rate must be positive, got {self.learning_rate:g}: with 0 the weights never change."
            )
        if self.batch_size < 1:
            raise ValueError(f"The batch size must be at least 1, got {self.batch_size}.")
        if self.l1 < 0 or self.l2 < 0:
            raise ValueError(f"Regularisation rates cannot be negative (L1 {self.l1:g}, L2 {self.l2:g}).")
        feature_matrix(np.zeros((1, 2)), self.features)


class Network:
    """Dense network: inputs -> hidden layers (``activation``) -> sigmoid (K=2) or softmax (K>2).

    ``weights[i]`` has shape (fan_in, fan_out) and ``biases[i]`` (fan_out,), as in Keras
    ``Dense``; weights start Glorot-uniform, biases at zero (and stay there without bias).
    """

    def __init__(
        self,
        n_inputs: int,
        hidden_layers: tuple[int, ...],
        num_classes: int,
        activation: str = "tanh",
        use_bias: bool = True,
        seed: int = 0,
    ):
        if num_classes < 2:
            raise ValueError(f"Need at least two classes, got {num_classes}.")
        self.activation = activation
        self.use_bias = use_bias
        self.num_classes = num_classes
        sizes = [n_inputs, *hidden_layers, 1 if num_classes == 2 else num_classes]
        rng = np.random.default_rng(seed)
        self.weights = [rng.uniform(-1, 1, (a, b)) * np.sqrt(6 / (a + b)) for a, b in itertools.pairwise(sizes)]
        self.biases = [np.zeros(b) for b in sizes[1:]]

    @property
    def layer_sizes(self) -> list[int]:
        return [self.weights[0].shape[0]] + [w.shape[1] for w in self.weights]

    def forward(self, X: np.ndarray) -> list[np.ndarray]:
        """Outputs of every layer for inputs X (N, F): [X, hidden_1, ..., probabilities].

        The last entry is (N, 1) = P(class 1) for two classes, else (N, K) softmax.
        """
        outputs = [np.asarray(X, float)]
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            s = outputs[-1] @ w + b
            if i < len(self.weights) - 1:
                outputs.append(_activate(s, self.activation))
            else:
                outputs.append(sigmoid(s) if self.num_classes == 2 else _softmax(s))
        return outputs

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (N, K) (K = 2 for a binary network)."""
        p = self.forward(X)[-1]
        return np.concatenate([1 - p, p], 1) if self.num_classes == 2 else p

    def data_loss(self, probabilities_out: np.ndarray, y: np.ndarray) -> float:
        """Mean cross-entropy of the last layer's output against integer labels y (N,)."""
        eps = 1e-12
        if self.num_classes == 2:
            p = probabilities_out[:, 0]
            return float(-np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)))
        return float(-np.mean(np.log(probabilities_out[np.arange(len(y)), y] + eps)))

    def penalty(self, l1: float, l2: float) -> float:
        """``l1 * sum|w| + l2 * sum w²`` over all weight matrices (Keras regularizer convention)."""
        return float(sum(l1 * np.abs(w).sum() + l2 * (w**2).sum() for w in self.weights))

    def gradients(self, X: np.ndarray, y: np.ndarray, l1: float = 0.0, l2: float = 0.0):
        """Backpropagation: gradients of ``mean cross-entropy + penalty`` and the data loss.

        For sigmoid + binary cross-entropy and for softmax + cross-entropy alike, the
        delta of the output sums is ``(p - target) / N``; each hidden delta is the next
        delta sent back through the weights times the activation's derivative.

        Returns (weight_gradients, bias_gradients, data_loss), gradients shaped like the parameters.
        """
        y = np.asarray(y).astype(int)
        outputs = self.forward(X)
        p = outputs[-1]
        target = y[:, None].astype(float) if self.num_classes == 2 else np.eye(self.num_classes)[y]
        delta = (p - target) / len(y)
        grads_w, grads_b = [None] * len(self.weights), [None] * len(self.weights)
        for i in range(len(self.weights) - 1, -1, -1):
            grads_w[i] = outputs[i].T @ delta + l1 * np.sign(self.weights[i]) + 2 * l2 * self.weights[i]
            grads_b[i] = delta.sum(0) if self.use_bias else np.zeros_like(self.biases[i])
            if i > 0:
                delta = (delta @ self.weights[i].T) * _activation_derivative(outputs[i], self.activation)
        return grads_w, grads_b, self.data_loss(p, y)

    def copy_parameters(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        return [w.copy() for w in self.weights], [b.copy() for b in self.biases]


class Optimizer:
    """SGD, SGD with momentum or Adam, with the update rules of ``keras.optimizers``."""

    def __init__(self, name: str, learning_rate: float):
        self.name, self.learning_rate = name, learning_rate
        self.iterations = 0
        self._slots: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def apply(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Update ``params`` in place from ``grads`` (same shapes)."""
        self.iterations += 1
        lr, t = self.learning_rate, self.iterations
        for i, (param, grad) in enumerate(zip(params, grads)):
            if self.name == "SGD":
                param -= lr * grad
            elif self.name == "Momentum":
                velocity, _ = self._slots.setdefault(i, (np.zeros_like(param), None))
                velocity *= MOMENTUM
                velocity -= lr * grad
                param += velocity
            else:
                m, v = self._slots.setdefault(i, (np.zeros_like(param), np.zeros_like(param)))
                beta1, beta2 = ADAM_BETAS
                m += (1 - beta1) * (grad - m)
                v += (1 - beta2) * (grad**2 - v)
                step = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
                param -= step * m / (np.sqrt(v) + ADAM_EPSILON)


@dataclass
class History:
    """Loss curves: epochs (fractional), train and test loss (data loss, without penalty)."""

    epoch: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)


class Trainer:
    """A network, its data and optimizer, trained a few mini-batch steps at a time."""

    def __init__(self, data: PlaneData, config: NetworkConfig):
        config.validate()
        self.data, self.config = data, config
        self.x_train = feature_matrix(data.x_train, config.features)
        self.x_test = feature_matrix(data.x_test, config.features)
        self.network = Network(
            self.x_train.shape[1],
            config.hidden_layers,
            data.num_classes,
            config.activation,
            config.use_bias,
            config.seed,
        )
        self.optimizer = Optimizer(config.optimizer, config.learning_rate)
        self.steps = 0
        self.examples_seen = 0
        self.history = History()
        self._rng = np.random.default_rng(config.seed + 1)
        self._order = self._rng.permutation(len(self.x_train))
        self._cursor = 0
        self.record()

    ARCHITECTURE_FIELDS = ("hidden_layers", "activation", "use_bias", "features", "seed")

    def update_settings(self, config: NetworkConfig) -> None:
        """Switch learning rate, batch size, L1/L2 or optimizer without losing the weights.

        Raises ValueError for an invalid config, or if it changes the architecture (which
        needs a new :class:`Trainer`).
        """
        config.validate()
        changed = [f for f in self.ARCHITECTURE_FIELDS if getattr(config, f) != getattr(self.config, f)]
        if changed:
            raise ValueError(f"Changing {', '.join(changed)} needs a new network; press Reset.")
        if config.optimizer != self.optimizer.name:
            self.optimizer = Optimizer(config.optimizer, config.learning_rate)
        self.optimizer.learning_rate = config.learning_rate
        self.config = config

    @property
    def epoch(self) -> float:
        """Epochs seen so far (fractional: examples seen / training examples)."""
        return self.examples_seen / len(self.x_train)

    def losses(self) -> tuple[float, float]:
        """Current (train, test) data loss."""
        net = self.network
        return (
            net.data_loss(net.forward(self.x_train)[-1], self.data.y_train),
            net.data_loss(net.forward(self.x_test)[-1], self.data.y_test),
        )

    def accuracies(self) -> tuple[float, float]:
        """Current (train, test) accuracy."""
        return tuple(
            float(np.mean(self.network.probabilities(x).argmax(1) == y))
            for x, y in ((self.x_train, self.data.y_train), (self.x_test, self.data.y_test))
        )

    def record(self) -> None:
        train, test = self.losses()
        self.history.epoch.append(self.epoch)
        self.history.train_loss.append(train)
        self.history.test_loss.append(test)

    def loss_warning(self) -> str | None:
        """A message when the training loss has grown well above its starting value (an
        overshooting learning rate: saturated neurons, confidently wrong), else None."""
        start, now = self.history.train_loss[0], self.history.train_loss[-1]
        if now > LOSS_GROWTH_WARNING * start:
            return (
                f"The training loss rose from {start:.3f} to {now:.3f}: learning rate "
                f"{self.config.learning_rate:g} is too large, each step overshoots. Lower it and press Reset."
            )
        return None

    def _next_batch(self) -> np.ndarray:
        size = min(self.config.batch_size, len(self.x_train))
        if self._cursor + size > len(self._order):
            self._order, self._cursor = self._rng.permutation(len(self.x_train)), 0
        batch = self._order[self._cursor : self._cursor + size]
        self._cursor += size
        return batch

    def train_steps(self, n_steps: int) -> None:
        """Run ``n_steps`` mini-batch updates, then record the losses once.

        Raises :class:`TrainingDiverged` when the loss or the weights overflow (e.g. with a
        huge learning rate); the network is then rolled back to where this call started.
        """
        config, net = self.config, self.network
        start, start_counts = net.copy_parameters(), (self.steps, self.examples_seen)
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(int(n_steps)):
                batch = self._next_batch()
                grads_w, grads_b, loss = net.gradients(
                    self.x_train[batch], self.data.y_train[batch], config.l1, config.l2
                )
                params = net.weights + (net.biases if config.use_bias else [])
                grads = grads_w + (grads_b if config.use_bias else [])
                self.optimizer.apply(params, grads)
                self.steps += 1
                self.examples_seen += len(batch)
                if not np.isfinite(loss) or not all(np.all(np.isfinite(p)) for p in params):
                    break
            losses = self.losses()
        if not np.all(np.isfinite(losses)) or not all(np.all(np.isfinite(p)) for p in net.weights + net.biases):
            error = self._diverged()
            net.weights, net.biases = start
            self.steps, self.examples_seen = start_counts
            raise error
        self.record()

    def _diverged(self) -> TrainingDiverged:
        return TrainingDiverged(
            f"Training diverged at step {self.steps} (the loss or weights became NaN/infinite) "
            f"with learning rate {self.config.learning_rate:g} and {self.config.optimizer}. "
            "Lower the learning rate and press Reset."
        )


def grid_points(extent: tuple[float, float, float, float], resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Meshgrid (G, G) arrays xx, yy over extent; row 0 is the lowest y."""
    x_min, x_max, y_min, y_max = extent
    return np.meshgrid(np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution))


@dataclass
class GridOutputs:
    """Every layer's output over a (G, G) grid: xx, yy (G, G); layers[i] (G, G, units_i);
    probabilities (G, G, K). layers[0] holds the input features."""

    xx: np.ndarray
    yy: np.ndarray
    layers: list[np.ndarray]
    probabilities: np.ndarray


def grid_outputs(trainer: Trainer, resolution: int = 60) -> GridOutputs:
    """Evaluate the trainer's network on a resolution x resolution grid over its data."""
    xx, yy = grid_points(trainer.data.extent(), resolution)
    points = np.stack([xx.ravel(), yy.ravel()], 1)
    with np.errstate(over="ignore", invalid="ignore"):
        outputs = trainer.network.forward(feature_matrix(points, trainer.config.features))
    # Huge weights can overflow far from the data: show those cells as undecided, not NaN.
    last = outputs[-1]
    undecided = 0.5 if last.shape[1] == 1 else 1.0 / last.shape[1]
    outputs = [np.nan_to_num(o, nan=0.0, posinf=0.0, neginf=0.0) for o in outputs[:-1]] + [
        np.where(np.isfinite(last), last, undecided)
    ]
    shape = (resolution, resolution)
    layers = [o.reshape(*shape, -1) for o in outputs]
    p = outputs[-1]
    probabilities = np.concatenate([1 - p, p], 1) if trainer.data.num_classes == 2 else p
    return GridOutputs(xx, yy, layers, probabilities.reshape(*shape, -1))
