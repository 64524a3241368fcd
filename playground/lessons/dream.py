"""Deep dream: gradient ascent on an image so that chosen layers of a CNN fire harder.

In the style of the keras-io example (fchollet): a feature extractor returns the chosen
layers' activations, :func:`compute_loss` turns them into one number,
:func:`make_gradient_ascent_step` builds the ``tf.function`` that nudges the image up
that number's gradient, and :func:`run_octaves` repeats it from a small copy of the image
up to full size ("octaves"), re-injecting the detail lost by shrinking, and yields its
progress after every step.

Images travel through this module as float32 in [-1, 1] (H, W, 3) — "dream space";
each :class:`DreamModel` knows how to map that to its own input range.

Example
-------
>>> model = load_backbone()                                        # doctest: +SKIP
>>> settings = DreamSettings({"block3_conv": 1.0, "block4_conv": 1.5})   # doctest: +SKIP
>>> for update in run_octaves(model, rgb_uint8, settings):          # doctest: +SKIP
...     print(update.octave, update.step, update.loss)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

import numpy as np

from playground.core import images, shipped_models
from playground.core.jobs import JobStopped, Progress

# --- tunables (the page's defaults) ------------------------------------------------
OCTAVES = 3  # number of scales, smallest first
OCTAVE_SCALE = 1.4  # size ratio between successive octaves
STEPS = 20  # gradient ascent steps per octave
STEP_SIZE = 0.01  # change per step, in units of the [-1, 1] image range (gradient normalised)
MAX_LOSS = 0.0  # stop an octave early once the loss exceeds this (0 = never)
MAX_SIDE = 384  # longest side of the dreamed image (pixels) by default
MAX_SIDE_LIMIT = 1024  # hard cap: beyond this a CPU needs minutes per octave
MAX_OCTAVES = 6
JITTER = 16  # random shift (pixels) before each step, so no grid artefacts build up
TV_WEIGHT = 0.0  # weight of the total-variation penalty (smoothness)
BORDER = 2  # activations this close to the edge are ignored (padding artefacts)

INCEPTION_DOWNLOAD = "InceptionV3 ImageNet weights without the classifier head (about 84 MB, once)"
INCEPTION_LAYERS = [f"mixed{i}" for i in range(11)]
INCEPTION_DEFAULT = {"mixed4": 1.0, "mixed5": 1.5, "mixed6": 2.0, "mixed7": 2.5}  # keras-io's choice
BACKBONE_LAYERS = [f"block{i}_conv" for i in range(1, 6)]
BACKBONE_DEFAULT = {"block3_conv": 1.0, "block4_conv": 1.5}
CLASS_LAYER = "class scores"  # pseudo-layer: the backbone's pre-softmax class scores


@dataclass
class DreamModel:
    """A network prepared for dreaming.

    ``model`` maps an image batch (N, H, W, 3) in its own input range to anything;
    ``input_scale``/``input_offset`` map dream space [-1, 1] to that range;
    ``layers`` are the names offered to the user (``outputs[name]`` is the tensor);
    ``class_names`` is set when :data:`CLASS_LAYER` is available.
    """

    name: str
    model: object
    outputs: dict
    layers: list[str]
    default_weights: dict[str, float]
    input_scale: float
    input_offset: float
    min_side: int
    source: str
    class_names: list[str] = field(default_factory=list)

    def extractor(self, layer_names: tuple[str, ...]):
        """A Keras model returning ``{name: activation}`` for the given layers."""
        import keras

        unknown = [n for n in layer_names if n not in self.outputs]
        if unknown:
            raise ValueError(
                f"{self.name} has no layer {', '.join(map(repr, unknown))}; choose from {', '.join(self.layers)}."
            )
        return keras.Model(self.model.inputs[0], {n: self.outputs[n] for n in layer_names})


def load_inception() -> DreamModel:
    """InceptionV3 with ImageNet weights (see :func:`~playground.core.shipped_models.imagenet_features`)."""
    model = shipped_models.imagenet_features("InceptionV3", INCEPTION_DOWNLOAD)
    return inception_from_model(model, "InceptionV3 (ImageNet weights from keras.applications)")


def inception_from_model(model, source: str) -> DreamModel:
    """Wrap an InceptionV3 ``include_top=False`` model (any weights) for dreaming."""
    outputs = {name: model.get_layer(name).output for name in INCEPTION_LAYERS}
    # keras.applications.inception_v3.preprocess_input maps [0, 255] to [-1, 1]: dream space already.
    return DreamModel(
        "InceptionV3", model, outputs, list(INCEPTION_LAYERS), dict(INCEPTION_DEFAULT), 1.0, 0.0, 75, source
    )


def load_backbone() -> DreamModel:
    """The project's offline RGB backbone (``assets/models/backbone.keras``)."""
    return backbone_from_model(
        shipped_models.shared("backbone"), f"offline backbone ({shipped_models.SHIPPED['backbone'].file})"
    )


def backbone_from_model(model, source: str, class_names: list[str] | None = None) -> DreamModel:
    """Wrap the backbone (input RGB 0-255, layers ``blockN_conv``, softmax ``predictions``)."""
    from playground.lessons import explain

    outputs = {name: model.get_layer(name).output for name in BACKBONE_LAYERS}
    # Dream on the score before the softmax: the probability saturates and its gradient vanishes.
    outputs[CLASS_LAYER] = explain.class_logits(model)
    if class_names is None:
        class_names = backbone_class_names(model.get_layer("predictions").units)
    return DreamModel(
        "Offline backbone",
        model,
        outputs,
        list(BACKBONE_LAYERS),
        dict(BACKBONE_DEFAULT),
        127.5,
        127.5,
        16,
        source,
        class_names,
    )


def backbone_class_names(count: int) -> list[str]:
    """The backbone's class names (``backbone.classes.json``, written by its training script)."""
    import json

    path = shipped_models.SHIPPED["backbone"].path.with_suffix(".classes.json")
    try:
        names = json.loads(path.read_text())
    except (OSError, ValueError):
        names = []
    return names if len(names) == count else [f"class {i}" for i in range(count)]


# --- settings ------------------------------------------------------------------------


@dataclass(frozen=True)
class DreamSettings:
    """Everything that defines a dream (stored with each result so it can be reproduced).

    ``layer_weights`` maps layer name → weight; ``channel`` (with exactly one layer)
    restricts the objective to one channel, or to one class for :data:`CLASS_LAYER`.
    """

    layer_weights: dict[str, float]
    channel: int | None = None
    octaves: int = OCTAVES
    octave_scale: float = OCTAVE_SCALE
    steps: int = STEPS
    step_size: float = STEP_SIZE
    max_loss: float = MAX_LOSS
    max_side: int = MAX_SIDE
    jitter: int = JITTER
    tv_weight: float = TV_WEIGHT
    seed: int = 0

    def active_layers(self) -> dict[str, float]:
        """Layers with a non-zero weight, in the given order."""
        return {name: float(w) for name, w in self.layer_weights.items() if w != 0}

    def as_dict(self) -> dict:
        return asdict(self)


def validate(settings: DreamSettings, image_shape: tuple[int, ...], model: DreamModel) -> list[tuple[int, int]]:
    """Check the settings against an image and model; return the octave shapes (H, W), smallest first.

    Raises ``ValueError`` with a message that names the bad value.
    """
    if not settings.layer_weights:
        raise ValueError("No layer selected: pick at least one layer to dream on.")
    if not settings.active_layers():
        raise ValueError(
            "Every selected layer has weight 0, so there is nothing to amplify: raise at least one weight."
        )
    if settings.channel is not None and len(settings.active_layers()) != 1:
        raise ValueError(
            f"Channel {settings.channel} needs exactly one layer; "
            f"{len(settings.active_layers())} have a non-zero weight."
        )
    if settings.steps < 1:
        raise ValueError(f"Steps per octave is {settings.steps}; it must be at least 1.")
    if not 1 <= settings.octaves <= MAX_OCTAVES:
        raise ValueError(f"Octaves is {settings.octaves}; it must be between 1 and {MAX_OCTAVES}.")
    if not settings.octave_scale >= 1.0:
        raise ValueError(f"Octave scale is {settings.octave_scale}; it must be at least 1.")
    if not settings.step_size > 0:
        raise ValueError(f"Step size is {settings.step_size}; it must be positive.")
    if not 16 <= settings.max_side <= MAX_SIDE_LIMIT:
        raise ValueError(f"Resolution {settings.max_side} px is outside 16-{MAX_SIDE_LIMIT} px.")
    if len(image_shape) != 3 or image_shape[2] != 3:
        raise ValueError(f"Expected an RGB image (H, W, 3), got shape {tuple(image_shape)}.")
    height, width = image_shape[:2]
    factor = min(1.0, settings.max_side / max(height, width))
    full = (max(1, round(height * factor)), max(1, round(width * factor)))
    shapes = octave_shapes(full, settings.octaves, settings.octave_scale)
    smallest = min(shapes[0])
    if smallest < model.min_side:
        raise ValueError(
            f"The smallest octave would be {shapes[0][1]}x{shapes[0][0]} px, but {model.name} needs at "
            f"least {model.min_side} px per side: use fewer octaves, a smaller octave scale, or a larger "
            f"image/resolution (the image is {width}x{height})."
        )
    if settings.channel is not None:
        layer = next(iter(settings.active_layers()))
        channels = channel_count(model, layer)
        if not 0 <= settings.channel < channels:
            raise ValueError(f"Channel {settings.channel} does not exist in {layer} (0-{channels - 1}).")
    return shapes


def octave_shapes(full_shape: tuple[int, int], octaves: int, octave_scale: float) -> list[tuple[int, int]]:
    """(H, W) per octave, smallest first, the last equal to ``full_shape``."""
    height, width = full_shape
    return [
        (max(1, round(height / octave_scale**i)), max(1, round(width / octave_scale**i)))
        for i in reversed(range(octaves))
    ]


def channel_count(model: DreamModel, layer: str) -> int:
    """Number of channels (or classes) of a layer's output."""
    return int(model.outputs[layer].shape[-1])


def estimate_seconds(shapes: list[tuple[int, int]], steps: int, seconds_per_megapixel_step: float) -> float:
    """Rough run time: a step costs about ``seconds_per_megapixel_step`` per million pixels."""
    return sum(h * w for h, w in shapes) / 1e6 * steps * seconds_per_megapixel_step


# --- the math ------------------------------------------------------------------------


def compute_loss(activations: dict, layer_weights: dict[str, float], channel: int | None = None):
    """Weighted sum of each layer's mean squared activation (the dream objective).

    Parameters
    ----------
    activations : dict of name → tensor (N, H, W, C) or (N, K)
        Layer outputs, e.g. from :meth:`DreamModel.extractor`.
    layer_weights : dict of name → float
    channel : int or None
        Only this channel (class) counts.

    Returns
    -------
    total : scalar tensor
        ``sum_l w_l * term_l``.
    terms : dict of name → scalar tensor
        Spatial layers: mean of a² over positions at least :data:`BORDER` pixels from
        the edge (all positions when the map is too small) and channels. Class scores
        (N, K): the mean score itself (it may be negative, so it is not squared).
    """
    import tensorflow as tf

    terms = {}
    for name, _weight in layer_weights.items():
        activation = activations[name]
        if channel is not None:
            activation = activation[..., channel : channel + 1]
        if activation.shape.rank == 4:
            # Dynamic shapes (one trace for all octaves), so the border is chosen in the graph.
            height, width = tf.shape(activation)[1], tf.shape(activation)[2]
            border = tf.where(tf.minimum(height, width) > 2 * BORDER + 1, BORDER, 0)
            activation = activation[:, border : height - border, border : width - border, :]
            terms[name] = tf.reduce_mean(tf.square(tf.cast(activation, tf.float32)))
        else:
            terms[name] = tf.reduce_mean(tf.cast(activation, tf.float32))
    total = tf.add_n([weight * terms[name] for name, weight in layer_weights.items()])
    return total, terms


def total_variation(image):
    """Mean absolute difference between neighbouring pixels of (N, H, W, C) images (smoothness)."""
    import tensorflow as tf

    dy = tf.reduce_mean(tf.abs(image[:, 1:] - image[:, :-1]))
    dx = tf.reduce_mean(tf.abs(image[:, :, 1:] - image[:, :, :-1]))
    return dx + dy


def make_gradient_ascent_step(model: DreamModel, layer_names: tuple[str, ...], channel: int | None = None) -> Callable:
    """Build ``step(image, weights, step_size, tv_weight, shift) -> (image, loss, tv)`` as a ``tf.function``.

    ``image`` is (1, H, W, 3) in [-1, 1]; ``weights`` a float32 vector, one per layer
    name; ``shift`` (dy, dx) int32 jitter. The gradient is divided by its mean absolute
    value, so ``step_size`` is the average change per pixel whatever the layer's scale.
    """
    import tensorflow as tf

    extractor = model.extractor(tuple(layer_names))
    scale, offset = float(model.input_scale), float(model.input_offset)

    # One trace for every image size (octaves change the shape at each scale).
    # autograph=False: nothing needs converting, and its source parsing in a job thread can collide
    # with another thread's ast.parse on Python 3.11 (docs/decisions.md).
    @tf.function(
        input_signature=[
            tf.TensorSpec([1, None, None, 3], tf.float32),
            tf.TensorSpec([len(layer_names)], tf.float32),
            tf.TensorSpec([], tf.float32),
            tf.TensorSpec([], tf.float32),
            tf.TensorSpec([2], tf.int32),
        ],
        autograph=False,
    )
    def gradient_ascent_step(image, weights, step_size, tv_weight, shift):
        shifted = tf.roll(image, shift, axis=[1, 2])
        with tf.GradientTape() as tape:
            tape.watch(shifted)
            activations = extractor(shifted * scale + offset, training=False)
            weighted = {name: weights[i] for i, name in enumerate(layer_names)}
            loss, _ = compute_loss(activations, weighted, channel)
            smoothness = total_variation(shifted)
            objective = loss - tv_weight * smoothness
        gradient = tape.gradient(objective, shifted)
        gradient /= tf.maximum(tf.reduce_mean(tf.abs(gradient)), 1e-8)
        gradient = tf.roll(gradient, -shift, axis=[1, 2])
        image = tf.clip_by_value(image + step_size * gradient, -1.0, 1.0)
        return image, loss, smoothness

    return gradient_ascent_step


def tf_image(image: np.ndarray):
    """(H, W, 3) float array → (1, H, W, 3) float32 tensor."""
    import tensorflow as tf

    return tf.convert_to_tensor(np.asarray(image, np.float32)[None])


def to_dream_space(rgb: np.ndarray) -> np.ndarray:
    """RGB uint8 (H, W, 3) → float32 in [-1, 1]."""
    return rgb.astype(np.float32) / 127.5 - 1.0


def from_dream_space(image) -> np.ndarray:
    """(1, H, W, 3) or (H, W, 3) in [-1, 1] → RGB uint8 (H, W, 3)."""
    array = np.asarray(image)
    if array.ndim == 4:
        array = array[0]
    return images.to_uint8((array + 1.0) / 2.0)


def _step_arguments(model: DreamModel, settings: DreamSettings, layers: tuple[str, ...], jitter: tuple[int, int]):
    import tensorflow as tf

    weights = tf.constant([settings.layer_weights[name] for name in layers], tf.float32)
    return (
        weights,
        tf.constant(settings.step_size, tf.float32),
        tf.constant(settings.tv_weight, tf.float32),
        tf.constant(jitter, tf.int32),
    )


@dataclass
class DreamUpdate:
    """Progress after one step: where we are, the objective, and the current image (uint8)."""

    octave: int  # 0-based, smallest first
    step: int  # 0-based within the octave
    done_steps: int  # steps taken so far over all octaves
    total_steps: int  # octaves * steps (fewer are taken if max_loss stops octaves early)
    loss: float
    tv: float
    shape: tuple[int, int]
    image: np.ndarray | None


def run_octaves(
    model: DreamModel, rgb: np.ndarray, settings: DreamSettings, step_fn: Callable | None = None, image_every: int = 1
) -> Iterator[DreamUpdate]:
    """Dream on ``rgb`` (uint8 (H, W, 3)) octave by octave, yielding a :class:`DreamUpdate` per step.

    The final update's image has the input's size (downscaled to ``settings.max_side``
    if larger). Stop early by simply not asking for more updates.
    ``image_every`` converts the image to uint8 only every that many steps (and at
    each octave's end); other updates carry ``image=None``.
    """
    import tensorflow as tf

    shapes = validate(settings, rgb.shape, model)
    layers = tuple(settings.active_layers())
    step_fn = step_fn or make_gradient_ascent_step(model, layers, settings.channel)
    rng = np.random.default_rng(settings.seed)
    full = tf_image(to_dream_space(rgb))
    original = tf.image.resize(full, shapes[-1], method="area")
    shrunk_original = tf.image.resize(original, shapes[0], method="area")
    image = shrunk_original
    total_steps = settings.octaves * settings.steps
    done = 0
    for octave, shape in enumerate(shapes):
        if octave > 0:
            # Upscale the dream, then add back the detail that shrinking the photo threw away.
            image = tf.image.resize(image, shape, method="bilinear")
            upscaled_shrunk = tf.image.resize(shrunk_original, shape, method="bilinear")
            same_size_original = tf.image.resize(original, shape, method="area")
            image = tf.clip_by_value(image + same_size_original - upscaled_shrunk, -1.0, 1.0)
            shrunk_original = same_size_original
        for step in range(settings.steps):
            shift = (
                tuple(int(v) for v in rng.integers(-settings.jitter, settings.jitter + 1, 2))
                if settings.jitter > 0
                else (0, 0)
            )
            image, loss, tv = step_fn(image, *_step_arguments(model, settings, layers, shift))
            done += 1
            loss = float(loss)
            last_of_octave = step == settings.steps - 1 or (settings.max_loss > 0 and loss > settings.max_loss)
            show = last_of_octave or step % max(1, image_every) == 0
            yield DreamUpdate(
                octave, step, done, total_steps, loss, float(tv), shape, from_dream_space(image) if show else None
            )
            if last_of_octave:
                break


def dream_job(
    progress: Progress,
    model: DreamModel,
    rgb: np.ndarray,
    settings: DreamSettings,
    step_fn: Callable | None = None,
    image_every_s: float = 0.3,
) -> dict:
    """Background-job wrapper around :func:`run_octaves` (see :mod:`playground.core.jobs`).

    Reports the loss per octave (series ``"octave k"`` against the step within the
    octave), the current image as ``"dream"`` at most every ``image_every_s`` seconds,
    and returns ``{"image", "settings", "losses", "seconds", "seconds_per_megapixel_step"}``. The partial result is
    kept when stopped: the job ends as ``"stopped"`` with the dream so far as its result.
    """
    started = time.perf_counter()
    last_image_at = 0.0
    losses: list[tuple[int, int, float]] = []
    image = None
    shapes_done: list[tuple[int, int]] = []
    updates = run_octaves(model, rgb, settings, step_fn=step_fn)
    for update in updates:
        try:
            progress.check()
        except JobStopped:  # keep what was dreamed so far: the job ends as "stopped" with this result
            updates.close()
            break
        losses.append((update.octave, update.step, update.loss))
        shapes_done.append(update.shape)
        report = dict(
            step=update.done_steps,
            total=update.total_steps,
            metrics={f"octave {update.octave + 1}": update.loss},
            x=update.step + 1,
            message=f"octave {update.octave + 1}/{settings.octaves} at "
            f"{update.shape[1]}x{update.shape[0]} px, step {update.step + 1}",
        )
        now = time.perf_counter()
        if update.image is not None:
            image = update.image
            if now - last_image_at >= image_every_s or update.step == settings.steps - 1:
                report["images"] = {"dream": update.image}
                last_image_at = now
        progress.report(**report)
    final_shape = validate(settings, rgb.shape, model)[-1]
    if image is not None and image.shape[:2] != final_shape:  # stopped in an early octave
        from playground.core.images import resize_to

        image = resize_to(image, final_shape)
    progress.report(images={"dream": image}, step=len(losses))
    seconds = time.perf_counter() - started
    megapixel_steps = sum(h * w for h, w in shapes_done) / 1e6
    return {
        "image": image,
        "settings": settings.as_dict(),
        "losses": losses,
        "seconds": seconds,
        "seconds_per_megapixel_step": seconds / megapixel_steps if megapixel_steps else None,
    }


def layer_preview(
    model: DreamModel, layer: str, side: int = 112, steps: int = 40, seed: int = 0, channel: int | None = None
) -> np.ndarray:
    """What a layer responds to: dream on it alone from faint grey noise. RGB uint8 (side, side, 3)."""
    rng = np.random.default_rng(seed)
    start = np.clip(128 + rng.normal(0, 12, (side, side, 3)), 0, 255).astype(np.uint8)
    settings = DreamSettings(
        {layer: 1.0},
        channel=channel,
        octaves=2,
        octave_scale=1.3,
        steps=steps // 2,
        step_size=0.03,
        max_side=side,
        jitter=8,
        seed=seed,
    )
    image = start
    for update in run_octaves(model, start, settings):
        if update.image is not None:
            image = update.image
    return image
