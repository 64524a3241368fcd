"""Generative adversarial networks: a (class-conditional) DCGAN, sampling, latent walks.

The course (part 13) describes the loop: the discriminator (the detective) learns to
say 1 for real images and 0 for fakes; then the generator (the counterfeiter) is updated
through the frozen discriminator so that its fakes are labelled 1. :class:`GAN` is that
loop as a ``keras.Model`` with its own ``train_step`` (keras-io style), so ``fit``,
callbacks and ``tf.distribute`` strategies work unchanged.

Images live in [0, 1] outside this module and in [-1, 1] (tanh) inside the networks.
Conditional models take the class as a one-hot vector, so classes can be blended too.
TensorFlow and Keras are imported lazily: importing this module is cheap.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from playground.core import device, keras_tools
from playground.core.images import tile

# --- tunables ------------------------------------------------------------------------
LATENT_RANGE = (2, 256)  # latent sizes the builders accept
BATCH_RANGE = (8, 512)  # batch sizes the trainer accepts
MIN_TRAIN_IMAGES = 256  # fewer images than this cannot train a GAN meaningfully
# Architecture presets: base number of filters (generator's first block, discriminator's last).
PRESETS = {"tiny": 32, "small": 64, "medium": 128}
# Diagnosis thresholds on the live curves (see :func:`diagnose`).
COLLAPSE_DIVERSITY = 0.45  # fakes' pairwise distance / reals' below this: mode collapse
D_WINS_ACCURACY = 0.95  # D right on >95 % of real and fake images ...
D_WINS_G_LOSS = 3.0  # ... while the generator's loss is this high: divergence
G_FOOLS_ACCURACY = 0.05  # D calls <5 % of fakes fake: D has stopped learning
SUSTAINED_REPORTS = 4  # a condition must hold for this many reports in a row
GRID_COLS = 8  # live sample grid: 8 columns (one row per class if conditional)


# --- builders ------------------------------------------------------------------------


def _check_shape(image_shape: tuple[int, int, int]) -> None:
    height, width, channels = image_shape
    if height % 4 or width % 4 or height < 8 or width < 8:
        raise ValueError(
            f"Image size {height}x{width} must be at least 8x8 and divisible by 4 "
            "(the generator doubles the resolution twice)."
        )
    if channels not in (1, 3):
        raise ValueError(f"Images need 1 or 3 channels, got {channels}.")


def _check_latent(latent_dim: int) -> None:
    if not LATENT_RANGE[0] <= latent_dim <= LATENT_RANGE[1]:
        raise ValueError(f"Latent size {latent_dim} is out of range; use {LATENT_RANGE[0]}-{LATENT_RANGE[1]}.")


# Every layer is named explicitly: Keras' automatic names come from per-thread counters,
# which can repeat inside one model when it is built in a background job's thread.


def build_generator(
    latent_dim: int = 64, image_shape: tuple[int, int, int] = (28, 28, 1), num_classes: int = 0, preset: str = "small"
):
    """DCGAN generator: z (latent_dim,) [+ one-hot class (num_classes,)] -> image in [-1, 1].

    Dense to an (H/4, W/4, 2f) map, then two stride-2 transposed convolutions
    (batch norm + LeakyReLU), tanh output; ``f`` is the preset's base width.
    """
    import keras
    from keras import layers

    _check_latent(latent_dim)
    _check_shape(image_shape)
    width = _preset_width(preset)
    height4, width4 = image_shape[0] // 4, image_shape[1] // 4
    z = keras.Input((latent_dim,), name="z")
    inputs = [z]
    x = z
    if num_classes:
        label = keras.Input((num_classes,), name="label")
        inputs.append(label)
        x = layers.Concatenate(name="z_and_label")([z, label])
    x = layers.Dense(height4 * width4 * 2 * width, use_bias=False, name="project")(x)
    x = layers.BatchNormalization(name="project_bn")(x)
    x = layers.LeakyReLU(0.2, name="project_act")(x)
    x = layers.Reshape((height4, width4, 2 * width), name="to_map")(x)
    x = layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False, name="up1")(x)
    x = layers.BatchNormalization(name="up1_bn")(x)
    x = layers.LeakyReLU(0.2, name="up1_act")(x)
    image = layers.Conv2DTranspose(image_shape[2], 4, strides=2, padding="same", activation="tanh", name="image")(x)
    return keras.Model(inputs if num_classes else z, image, name="generator")


def build_discriminator(image_shape: tuple[int, int, int] = (28, 28, 1), num_classes: int = 0, preset: str = "small"):
    """DCGAN discriminator: image in [-1, 1] [+ one-hot class] -> one logit (real > 0).

    The class is broadcast to extra image channels (as in keras-io's conditional GAN),
    then two stride-2 convolutions with LeakyReLU, dropout and a dense logit.
    """
    import keras
    from keras import layers

    _check_shape(image_shape)
    width = _preset_width(preset)
    image = keras.Input(image_shape, name="image")
    inputs = [image]
    x = image
    if num_classes:
        label = keras.Input((num_classes,), name="label")
        inputs.append(label)
        planes = layers.Reshape((1, 1, num_classes), name="label_pixel")(label)
        planes = layers.UpSampling2D(size=image_shape[:2], name="label_planes")(planes)
        x = layers.Concatenate(name="image_and_label")([image, planes])
    x = layers.Conv2D(width, 4, strides=2, padding="same", name="down1")(x)
    x = layers.LeakyReLU(0.2, name="down1_act")(x)
    x = layers.Conv2D(2 * width, 4, strides=2, padding="same", name="down2")(x)
    x = layers.LeakyReLU(0.2, name="down2_act")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(0.3, name="dropout")(x)
    logit = layers.Dense(1, name="logit")(x)
    return keras.Model(inputs if num_classes else image, logit, name="discriminator")


def _preset_width(preset: str) -> int:
    if preset not in PRESETS:
        raise ValueError(f"Unknown architecture preset '{preset}'; choose one of {', '.join(PRESETS)}.")
    return PRESETS[preset]


def latent_dim_of(generator) -> int:
    """Length of the generator's latent vector."""
    return int(generator.inputs[0].shape[-1])


def num_classes_of(generator) -> int:
    """Number of classes of a conditional generator (0 if unconditional)."""
    return int(generator.inputs[1].shape[-1]) if len(generator.inputs) > 1 else 0


# --- the adversarial model -----------------------------------------------------------


def _gan_class():
    """The :class:`GAN` class, defined on first use so importing this module skips Keras."""
    global _GAN
    if _GAN is not None:
        return _GAN
    import keras
    import tensorflow as tf

    class GAN(keras.Model):
        """Generator and discriminator trained in turns (keras-io's ``train_step`` style).

        Each step: ``d_steps`` discriminator updates on a real batch (target 1 - smoothing)
        and fresh fakes (target 0), then one generator update through the frozen
        discriminator with target 1. Logs per-batch losses and the discriminator's
        accuracy on real and on fake images.
        """

        def __init__(self, generator, discriminator, d_steps: int = 1, label_smoothing: float = 0.0, **kwargs):
            super().__init__(**kwargs)
            if not 1 <= int(d_steps) <= 5:
                raise ValueError(f"Discriminator steps per generator step must be 1-5, got {d_steps}.")
            if not 0.0 <= float(label_smoothing) < 0.5:
                raise ValueError(f"Label smoothing must be in [0, 0.5), got {label_smoothing}.")
            self.generator = generator
            self.discriminator = discriminator
            self.latent_dim = latent_dim_of(generator)
            self.num_classes = num_classes_of(generator)
            self.d_steps = int(d_steps)
            self.label_smoothing = float(label_smoothing)

        def compile(self, d_optimizer, g_optimizer, **kwargs):
            super().compile(**kwargs)
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

        def call(self, inputs, training=False):
            return self.generator(inputs, training=training)

        def _inputs(self, batch, images=None, onehot=None):
            """Generator / discriminator inputs with the class attached when conditional."""
            if self.num_classes:
                return [batch, onehot] if images is None else [images, onehot]
            return batch if images is None else images

        def discriminator_step(self, real, onehot=None):
            """One discriminator update: real -> target 1 - smoothing, fresh fakes -> 0.
            Returns (loss, real logits, fake logits)."""
            batch = tf.shape(real)[0]
            z = tf.random.normal((batch, self.latent_dim))
            fake = self.generator(self._inputs(z, onehot=onehot), training=True)
            with tf.GradientTape() as tape:
                real_logits = self.discriminator(self._inputs(None, real, onehot), training=True)
                fake_logits = self.discriminator(self._inputs(None, fake, onehot), training=True)
                d_loss = (
                    self.loss_fn(tf.fill((batch, 1), 1.0 - self.label_smoothing), real_logits)
                    + self.loss_fn(tf.zeros((batch, 1)), fake_logits)
                ) / 2
            grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
            return d_loss, real_logits, fake_logits

        def generator_step(self, batch, onehot=None):
            """One generator update through the frozen discriminator (read, never updated),
            with target 1 for its fakes. Returns the loss."""
            z = tf.random.normal((batch, self.latent_dim))
            with tf.GradientTape() as tape:
                fake = self.generator(self._inputs(z, onehot=onehot), training=True)
                fooled_logits = self.discriminator(self._inputs(None, fake, onehot), training=True)
                g_loss = self.loss_fn(tf.ones((batch, 1)), fooled_logits)
            grads = tape.gradient(g_loss, self.generator.trainable_weights)
            self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
            return g_loss

        def train_step(self, data):
            real, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
            onehot = tf.one_hot(labels, self.num_classes) if self.num_classes else None
            for _ in range(self.d_steps):
                d_loss, real_logits, fake_logits = self.discriminator_step(real, onehot)
            g_loss = self.generator_step(tf.shape(real)[0], onehot)
            return {
                "d_loss": d_loss,
                "g_loss": g_loss,
                "d_acc_real": tf.reduce_mean(tf.cast(real_logits > 0, tf.float32)),
                "d_acc_fake": tf.reduce_mean(tf.cast(fake_logits < 0, tf.float32)),
            }

    _GAN = GAN
    return GAN


_GAN = None


def make_gan(
    generator,
    discriminator,
    g_learning_rate: float = 2e-4,
    d_learning_rate: float = 2e-4,
    d_steps: int = 1,
    label_smoothing: float = 0.0,
):
    """A compiled :class:`GAN` with Adam(beta_1=0.5) for both players (the DCGAN recipe)."""
    import keras

    for name, rate in (("generator", g_learning_rate), ("discriminator", d_learning_rate)):
        if not 1e-6 <= rate <= 1e-1:
            raise ValueError(f"The {name} learning rate {rate:g} is out of range; use 1e-6 to 0.1.")
    gan = _gan_class()(generator, discriminator, d_steps=d_steps, label_smoothing=label_smoothing)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(d_learning_rate, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(g_learning_rate, beta_1=0.5),
    )
    return gan


# --- sampling ------------------------------------------------------------------------

_fast_calls: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _fast_call(model) -> Callable:
    """``model(inputs, training=False)`` as a ``tf.function`` traced once per model.

    ``model.predict`` costs tens of ms per call; a traced call of a small model costs a few.
    """
    import tensorflow as tf

    call = _fast_calls.get(model)
    if call is None:
        signature = [tf.TensorSpec((None,) + tuple(t.shape[1:]), tf.float32) for t in model.inputs]

        # autograph=False: no conversion needed; see dream.make_gradient_ascent_step for why it matters.
        @tf.function(input_signature=signature, autograph=False)
        def call(*inputs):
            return model(list(inputs) if len(inputs) > 1 else inputs[0], training=False)

        _fast_calls[model] = call
    return call


def latents(n: int, latent_dim: int, seed: int) -> np.ndarray:
    """``n`` latent vectors drawn from N(0, 1), shape (n, latent_dim), float32; same seed, same vectors."""
    if n < 1:
        raise ValueError(f"Number of samples must be at least 1, got {n}.")
    _check_latent(latent_dim)
    return np.random.default_rng(seed).standard_normal((n, latent_dim)).astype(np.float32)


def one_hot(labels, num_classes: int) -> np.ndarray:
    """Class indices (n,) -> one-hot float32 (n, num_classes); rows that are already
    vectors (blends of classes) pass through."""
    labels = np.asarray(labels)
    if labels.ndim == 2:
        return labels.astype(np.float32)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"Class {int(labels.max() if labels.max() >= num_classes else labels.min())} "
            f"does not exist; this model has classes 0-{num_classes - 1}."
        )
    return np.eye(num_classes, dtype=np.float32)[labels.astype(int)]


def generate(generator, z: np.ndarray, labels=None) -> np.ndarray:
    """Images for latent vectors ``z`` (n, latent_dim) and, for a conditional generator,
    ``labels`` (n,) class indices or (n, num_classes) class weights.

    Returns float32 (n, H, W, C) in [0, 1].
    """
    z = np.asarray(z, np.float32)
    if z.ndim != 2 or z.shape[1] != latent_dim_of(generator):
        raise ValueError(f"Latent vectors must have shape (n, {latent_dim_of(generator)}), got {z.shape}.")
    classes = num_classes_of(generator)
    inputs = [z]
    if classes:
        if labels is None:
            labels = np.arange(len(z)) % classes
        onehot = one_hot(labels, classes)
        if onehot.shape != (len(z), classes):
            raise ValueError(f"Need one class per latent vector: got {onehot.shape[0]} for {len(z)}.")
        inputs.append(onehot)
    images = _fast_call(generator)(*inputs).numpy()
    return (images + 1.0) / 2.0


def sample(generator, n: int, seed: int = 0, labels=None) -> np.ndarray:
    """``n`` images from seed ``seed``: float32 (n, H, W, C) in [0, 1].

    For a conditional generator, ``labels`` is a class index, (n,) indices, or None
    (classes 0, 1, 2, ... in turn).
    """
    z = latents(n, latent_dim_of(generator), seed)
    if labels is not None and np.ndim(labels) == 0:
        labels = np.full(n, int(labels))
    return generate(generator, z, labels)


def discriminator_scores(discriminator, images: np.ndarray, labels=None) -> np.ndarray:
    """D's probability that each image (n, H, W, C) in [0, 1] is real, shape (n,)."""
    inputs = [np.asarray(images, np.float32) * 2.0 - 1.0]
    if len(discriminator.inputs) > 1:
        inputs.append(one_hot(labels, int(discriminator.inputs[1].shape[-1])))
    logits = _fast_call(discriminator)(*inputs).numpy()[:, 0]
    return 1.0 / (1.0 + np.exp(-logits))


# --- latent walks --------------------------------------------------------------------


def interpolate(z0: np.ndarray, z1: np.ndarray, steps: int = 8, method: str = "linear") -> np.ndarray:
    """Points from ``z0`` to ``z1`` (both (d,)), endpoints included: shape (steps, d).

    ``linear``: (1 - t) z0 + t z1, whose norm sags in the middle (a point no Gaussian
    sample is likely to be). ``spherical`` (slerp): follows the great circle, keeping
    the norm near that of typical samples; falls back to linear for parallel vectors.
    """
    z0, z1 = np.asarray(z0, np.float64), np.asarray(z1, np.float64)
    if z0.shape != z1.shape or z0.ndim != 1:
        raise ValueError(f"Both endpoints must be vectors of the same length, got {z0.shape} and {z1.shape}.")
    if steps < 2:
        raise ValueError(f"An interpolation needs at least 2 steps, got {steps}.")
    t = np.linspace(0.0, 1.0, steps)[:, None]
    if method == "linear":
        return ((1 - t) * z0 + t * z1).astype(np.float32)
    if method != "spherical":
        raise ValueError(f"Unknown interpolation method '{method}'; use 'linear' or 'spherical'.")
    norms = np.linalg.norm(z0) * np.linalg.norm(z1)
    cos_omega = np.clip(z0 @ z1 / norms, -1.0, 1.0) if norms else 1.0
    omega = np.arccos(cos_omega)
    if np.sin(omega) < 1e-6:
        return ((1 - t) * z0 + t * z1).astype(np.float32)
    path = (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)
    return path.astype(np.float32)


# --- training data and live monitoring -----------------------------------------------


def training_dataset(images: np.ndarray, labels: np.ndarray, batch_size: int, seed: int = 0):
    """A shuffled, batched ``tf.data`` pipeline of (images in [-1, 1], labels); drops the last
    partial batch so every step sees ``batch_size`` images."""
    import tensorflow as tf

    if not BATCH_RANGE[0] <= batch_size <= BATCH_RANGE[1]:
        raise ValueError(f"Batch size {batch_size} is out of range; use {BATCH_RANGE[0]}-{BATCH_RANGE[1]}.")
    if len(images) < 2 * batch_size:
        raise ValueError(f"Only {len(images)} training images: need at least two batches of {batch_size}.")
    data = tf.data.Dataset.from_tensor_slices((np.asarray(images, np.float32) * 2 - 1, np.asarray(labels, np.int32)))
    return data.shuffle(min(len(images), 20_000), seed=seed).batch(batch_size, drop_remainder=True).prefetch(2)


def diversity(images: np.ndarray) -> float:
    """Mean pairwise Euclidean distance between images (n, ...): small when samples look alike."""
    from scipy.spatial.distance import pdist

    flat = np.asarray(images, np.float64).reshape(len(images), -1)
    return float(pdist(flat).mean()) if len(flat) > 1 else 0.0


@dataclass(frozen=True)
class PairReport:
    """How the two players do on one batch: losses as in training (no smoothing),
    the discriminator's accuracy, and its scores (probability of 'real') per image."""

    d_loss: float
    g_loss: float
    d_acc_real: float
    d_acc_fake: float
    scores_real: np.ndarray
    scores_fake: np.ndarray
    fakes: np.ndarray


def evaluate_pair(
    generator, discriminator, real: np.ndarray, labels: np.ndarray | None = None, seed: int = 0
) -> PairReport:
    """Play one round without learning: D judges ``real`` (n, H, W, C) in [0, 1] and as many
    fakes made with the same classes (conditional models) from ``seed``."""
    classes = num_classes_of(generator)
    fake_labels = labels if classes else None
    fakes = sample(generator, len(real), seed, fake_labels)
    scores_real = discriminator_scores(discriminator, real, labels if classes else None)
    scores_fake = discriminator_scores(discriminator, fakes, fake_labels)
    eps = 1e-7
    d_loss = -(np.log(scores_real + eps).mean() + np.log(1 - scores_fake + eps).mean()) / 2
    g_loss = -np.log(scores_fake + eps).mean()
    return PairReport(
        float(d_loss),
        float(g_loss),
        float((scores_real > 0.5).mean()),
        float((scores_fake < 0.5).mean()),
        scores_real,
        scores_fake,
        fakes,
    )


def monitor_callback(
    progress,
    real: np.ndarray,
    labels: np.ndarray,
    grid_z: np.ndarray,
    grid_labels: np.ndarray | None,
    every_s: float = 2.0,
):
    """A Keras callback that, every ``every_s`` seconds, draws the fixed sample grid
    (same latent vectors each time, so you watch the same fakes evolve), measures sample
    diversity against the real batch and reports D's scores on real vs fake.

    Reports into a :class:`playground.core.jobs.Progress`: image ``grid``, metric
    ``diversity`` (fakes' pairwise distance / reals'), info ``scores_real``/``scores_fake``.
    Loss and accuracy curves come from :func:`playground.core.keras_tools.keras_callback`.
    """
    import time

    import keras

    real_diversity = diversity(real) or 1.0

    class GanMonitor(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self._steps = (self.params or {}).get("steps") or 1
            self._epoch = 0
            self._last = -every_s
            self._report(0.0)

        def on_epoch_begin(self, epoch, logs=None):
            self._epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if time.monotonic() - self._last >= every_s:
                self._report(self._epoch + (batch + 1) / self._steps)

        def on_train_end(self, logs=None):
            self._report(self._epoch + 1)

        def _report(self, x: float) -> None:
            self._last = time.monotonic()
            gan = self.model
            grid = generate(gan.generator, grid_z, grid_labels)
            pair = evaluate_pair(
                gan.generator, gan.discriminator, real, labels if gan.num_classes else None, seed=int(x * 1000)
            )
            progress.report(
                images={"grid": tile(grid, cols=GRID_COLS, scale=2)},
                metrics={"diversity": diversity(pair.fakes) / real_diversity},
                x=x,
                **({"message": f"training · epoch {x:.2f}"} if x > 0 else {}),
                scores_real=pair.scores_real,
                scores_fake=pair.scores_fake,
            )

    return GanMonitor()


@dataclass(frozen=True)
class TrainSettings:
    """What the Train tab asks for; validated by :func:`train`."""

    latent_dim: int = 64
    preset: str = "small"
    conditional: bool = True
    g_learning_rate: float = 2e-4
    d_learning_rate: float = 2e-4
    batch_size: int = 64
    d_steps: int = 1
    label_smoothing: float = 0.0
    epochs: int = 3
    seed: int = 0


def check_settings(settings: TrainSettings, n_images: int) -> None:
    """Raise ``ValueError`` (echoing the bad value) for settings that cannot train."""
    _check_latent(settings.latent_dim)
    _preset_width(settings.preset)
    if not BATCH_RANGE[0] <= settings.batch_size <= BATCH_RANGE[1]:
        raise ValueError(f"Batch size {settings.batch_size} is out of range; use {BATCH_RANGE[0]}-{BATCH_RANGE[1]}.")
    needed = max(MIN_TRAIN_IMAGES, 2 * settings.batch_size)
    if n_images < needed:
        raise ValueError(
            f"Only {n_images} training images: a GAN needs at least {needed} here "
            f"({MIN_TRAIN_IMAGES} images and two batches of {settings.batch_size})."
        )
    if not 1 <= settings.epochs <= 100:
        raise ValueError(f"Epochs must be 1-100, got {settings.epochs}.")


@device.forget_traced_gradients()
def train(progress, images: np.ndarray, labels: np.ndarray, num_classes: int, settings: TrainSettings) -> dict:
    """Background-job work: build and train a GAN on ``images`` (N, H, W, C) in [0, 1].

    Returns ``{"generator", "discriminator", "settings"}``; training stopped early still
    returns the networks as they are (so a stopped run keeps its generator).
    """
    import keras

    check_settings(settings, len(images))
    progress.report(message="building the two networks")
    keras.utils.set_random_seed(settings.seed)
    classes = num_classes if settings.conditional else 0
    dataset = training_dataset(images, labels, settings.batch_size, settings.seed)
    with device.strategy().scope():
        generator = build_generator(settings.latent_dim, images.shape[1:], classes, settings.preset)
        discriminator = build_discriminator(images.shape[1:], classes, settings.preset)
        gan = make_gan(
            generator,
            discriminator,
            settings.g_learning_rate,
            settings.d_learning_rate,
            settings.d_steps,
            settings.label_smoothing,
        )
    rng = np.random.default_rng(settings.seed)
    probe = rng.choice(len(images), size=min(256, len(images)), replace=False)
    grid_n = 64 if not classes else classes * GRID_COLS
    grid_labels = np.repeat(np.arange(classes), GRID_COLS) if classes else None
    monitor = monitor_callback(
        progress, images[probe], labels[probe], latents(grid_n, settings.latent_dim, settings.seed), grid_labels
    )
    progress.report(message="tracing the training step (the first batch takes a few seconds)")
    gan.fit(
        dataset,
        epochs=settings.epochs,
        verbose=0,
        shuffle=False,  # tf.data shuffles already
        callbacks=[keras_tools.keras_callback(progress), monitor],
    )
    return {"generator": generator, "discriminator": discriminator, "settings": settings}


# --- reading the curves --------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """A moment in training worth pointing out: where (x, in epochs), what, and advice."""

    x: float
    kind: str
    message: str


def _sustained_start(xs, flags) -> float | None:
    """x where the first run of ``SUSTAINED_REPORTS`` consecutive true flags began."""
    run = 0
    for i, flag in enumerate(flags):
        run = run + 1 if flag else 0
        if run == SUSTAINED_REPORTS:
            return float(xs[i - SUSTAINED_REPORTS + 1])
    return None


def diagnose(series: dict[str, tuple[list[float], list[float]]]) -> list[Event]:
    """Point out mode collapse and divergence in live training curves.

    ``series`` maps metric names to (xs, values) as in a job snapshot: ``batch_d_loss``,
    ``batch_g_loss``, ``batch_d_acc_real``, ``batch_d_acc_fake``, ``diversity``.
    A condition counts once it holds for ``SUSTAINED_REPORTS`` reports in a row.
    """
    events = []
    xs_div, div = series.get("diversity", ([], []))
    # An untrained generator's outputs all look alike too: count only a fall after the
    # samples first became varied.
    varied = np.cumsum(np.asarray(div) >= COLLAPSE_DIVERSITY) > 0
    start = _sustained_start(xs_div, [bool(was) and v < COLLAPSE_DIVERSITY for v, was in zip(div, varied)])
    if start is not None:
        events.append(
            Event(
                start,
                "mode collapse",
                f"Mode collapse: the fixed-grid fakes are only {min(div):.0%} as varied as real "
                "images — the generator found a few outputs that fool the discriminator. "
                "Try label smoothing, a lower generator learning rate, or restart with another seed.",
            )
        )
    names = ("batch_d_acc_real", "batch_d_acc_fake", "batch_g_loss")
    if all(name in series for name in names):
        xs = series["batch_d_acc_real"][0]
        acc_real, acc_fake, g_loss = (series[name][1] for name in names)
        n = min(len(acc_real), len(acc_fake), len(g_loss))
        wins = [
            acc_real[i] > D_WINS_ACCURACY and acc_fake[i] > D_WINS_ACCURACY and g_loss[i] > D_WINS_G_LOSS
            for i in range(n)
        ]
        start = _sustained_start(xs, wins)
        if start is not None:
            events.append(
                Event(
                    start,
                    "divergence",
                    "Divergence: the discriminator spots every fake and the generator's loss keeps "
                    "climbing, so its gradients vanish. Lower the discriminator's learning rate, use "
                    "1 discriminator step, or add label smoothing.",
                )
            )
        fooled = [acc_fake[i] < G_FOOLS_ACCURACY for i in range(n)]
        start = _sustained_start(xs, fooled)
        if start is not None:
            events.append(
                Event(
                    start,
                    "discriminator fooled",
                    "The discriminator calls almost every fake real: it has stopped learning, and the "
                    "generator gets no useful signal (often followed by collapse). Raise the "
                    "discriminator's learning rate or its steps per generator step.",
                )
            )
    return sorted(events, key=lambda event: event.x)
