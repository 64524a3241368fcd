"""Neural style transfer (Gatys et al.): optimise an image so that a CNN sees the content
of one picture and the textures (Gram matrices) of another.

In the style of the keras-io example (fchollet), with the course's (Coursera week 4)
normalisations:

- :func:`gram_matrix` — ``G = Fᵀ F`` over all positions of a layer's activations.
- :func:`content_loss` — ``1/(4 nH nW nC) Σ (a_C − a_G)²``.
- :func:`style_loss` — ``1/(2 nH nW nC)² Σ (G_S − G_G)²`` for one layer.
- :func:`total_variation_loss` — mean absolute difference between neighbouring pixels.
- :func:`make_style_step` — the ``tf.function`` that takes one optimiser step.
- :func:`stylise` — a generator that runs the steps and yields :class:`StyleUpdate`.
- :func:`run_job` — :func:`stylise` as a :mod:`playground.core.jobs` work function.

Images travel as RGB float32 in [0, 1] (H, W, 3); each :class:`FeatureNet` maps that to
its own input. TensorFlow is imported inside the functions that need it, so this module
imports cheaply. Runs on a GPU when TensorFlow sees one, without changes.

Example
-------
>>> net = load_backbone()                                       # doctest: +SKIP
>>> settings = StyleSettings(steps=50)                          # doctest: +SKIP
>>> for update in stylise(net, content_rgb, style_rgb, settings):  # doctest: +SKIP
...     print(update.step, update.losses["total"])
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

import numpy as np

from playground.core import device, images, shipped_models
from playground.core.paths import ASSETS_DIR

# Procedural style images, rendered by scripts/make_style_images.py.
STYLES_DIR = ASSETS_DIR / "styles"

# --- tunables (the page's defaults) ------------------------------------------------
IMAGE_SIDE = 256  # longer side of the stylised image (pixels)
MAX_SIDE = 512  # hard cap: beyond this a CPU needs minutes per hundred steps
MIN_SIDE = 32  # below this the deepest layers have no spatial extent left
STEPS = 100  # optimiser steps
LEARNING_RATE = 0.03  # Adam step on the [0, 1] image: at most ~0.03 per pixel per step
CONTENT_WEIGHT = 0.2  # α (relative, see balance_scales: 1 = as much as the content activations)
STYLE_WEIGHT = 1.0  # β (relative: each balanced style layer starts at its layer weight)
TV_WEIGHT = 0.1  # γ, smoothness (mean absolute neighbour difference, image in [0, 1])
REPORT_EVERY = 5  # steps between progress updates (each copies the image off the device)
IDENTICAL_TOLERANCE = 2.0  # mean absolute difference (0-255) below which two images count as the same

VGG19_DOWNLOAD_MB = 80
VGG19_DOWNLOAD = f"VGG19 ImageNet weights without the classifier head (about {VGG19_DOWNLOAD_MB} MB, once)"
VGG19_LAYERS = [f"block{b}_conv{i}" for b in range(1, 6) for i in range(1, 5 if b > 2 else 3)]
VGG19_CONTENT = "block5_conv2"  # keras-io's choice
VGG19_STYLE = {f"block{b}_conv1": 1.0 for b in range(1, 6)}
BACKBONE_LAYERS = [f"block{b}_conv" for b in range(1, 6)]
BACKBONE_CONTENT = "block4_conv"
BACKBONE_STYLE = {f"block{b}_conv": 1.0 for b in range(1, 6)}
# Seconds per step per megapixel on an idle 2-core CPU (bench/style_transfer.py), for the
# estimate the page shows before starting; the page refines it with the session's own runs.
SECONDS_PER_MEGAPIXEL_STEP = {"Offline backbone": 1.5, "VGG19": 40.0}
SETUP_SECONDS = 6.0  # building the extractor, style targets and tracing the step (backbone, 2 busy cores)


@dataclass
class FeatureNet:
    """A CNN prepared for style transfer.

    ``model`` maps an image batch (N, H, W, 3) in its own input range to anything;
    ``preprocess`` maps RGB in [0, 1] (a tensor) to that input; ``layers`` are the
    names offered to the user.
    """

    name: str
    model: object
    preprocess: Callable
    layers: list[str]
    default_content: str
    default_style: dict[str, float]
    source: str

    def extractor(self, layer_names: tuple[str, ...]):
        """A Keras model mapping a [0, 1] RGB batch to ``{layer name: activation}``."""
        import keras

        unknown = [n for n in layer_names if n not in self.layers]
        if unknown:
            raise ValueError(
                f"{self.name} has no layer {', '.join(map(repr, unknown))}; choose from {', '.join(self.layers)}."
            )
        features = keras.Model(self.model.inputs[0], {n: self.model.get_layer(n).output for n in layer_names})
        rgb = keras.Input((None, None, 3), name="rgb_0_1")
        return keras.Model(rgb, features(self.preprocess(rgb)))


def load_vgg19() -> FeatureNet:
    """VGG19 with ImageNet weights (see :func:`~playground.core.shipped_models.imagenet_features`)."""
    model = shipped_models.imagenet_features("VGG19", VGG19_DOWNLOAD)
    return vgg19_from_model(model, "VGG19 (ImageNet weights from keras.applications)")


def vgg19_from_model(model, source: str) -> FeatureNet:
    """Wrap a VGG19 ``include_top=False`` model (any weights) for style transfer."""
    import keras

    def preprocess(rgb):
        # Caffe convention of keras.applications.vgg19: BGR, 0-255, ImageNet mean removed.
        return keras.applications.vgg19.preprocess_input(rgb * 255.0)

    return FeatureNet("VGG19", model, preprocess, list(VGG19_LAYERS), VGG19_CONTENT, dict(VGG19_STYLE), source)


def load_backbone() -> FeatureNet:
    """The project's offline RGB backbone (``assets/models/backbone.keras``)."""
    return backbone_from_model(
        shipped_models.shared("backbone"), f"offline backbone ({shipped_models.SHIPPED['backbone'].file})"
    )


def backbone_from_model(model, source: str) -> FeatureNet:
    """Wrap a model with RGB 0-255 input and layers ``block1_conv`` … ``block5_conv``."""
    layers = [n for n in BACKBONE_LAYERS if n in {layer.name for layer in model.layers}]
    style = {n: w for n, w in BACKBONE_STYLE.items() if n in layers}
    content = BACKBONE_CONTENT if BACKBONE_CONTENT in layers else layers[-1]
    return FeatureNet("Offline backbone", model, lambda rgb: rgb * 255.0, layers, content, style, source)


def painted_style_names() -> list[str]:
    """Names of the shipped procedural style images ("bold strokes", "mosaic", …)."""
    return sorted(path.stem.replace("_", " ") for path in STYLES_DIR.glob("*.png"))


def painted_style(name: str) -> np.ndarray:
    """One shipped procedural style image as RGB uint8 (H, W, 3)."""
    path = STYLES_DIR / f"{name.replace(' ', '_')}.png"
    if not path.exists():
        raise ValueError(
            f"No style image '{name}'; choose one of {', '.join(painted_style_names())} "
            "(rebuild them with `python scripts/make_style_images.py`)."
        )
    return images.decode_image(path.read_bytes(), path.name)


# --- the losses (TensorFlow tensors in, scalar tensor out) -----------------------------
def gram_matrix(features):
    """Gram matrix ``G[k, k'] = Σ_ij a[i, j, k] a[i, j, k']`` of one image's activations.

    Parameters
    ----------
    features : tensor, shape (H, W, C) or (1, H, W, C)

    Returns
    -------
    tensor, shape (C, C)
    """
    import tensorflow as tf

    channels = tf.shape(features)[-1]
    flat = tf.reshape(features, (-1, channels))
    return tf.matmul(flat, flat, transpose_a=True)


def _size(features):
    """(nH·nW, nC) of an activation tensor, as float32 tensors."""
    import tensorflow as tf

    shape = tf.shape(features)
    return tf.cast(shape[-3] * shape[-2], tf.float32), tf.cast(shape[-1], tf.float32)


def content_loss(content_features, generated_features):
    """``1/(4 nH nW nC) Σ (a_C − a_G)²`` for activations of shape (H, W, C) or (1, H, W, C)."""
    import tensorflow as tf

    positions, channels = _size(generated_features)
    return tf.reduce_sum(tf.square(content_features - generated_features)) / (4.0 * positions * channels)


def style_loss(style_gram, generated_features, positions=None):
    """``1/(2 nH nW nC)² Σ (G_S − G_G)²`` for one layer.

    ``style_gram`` is the style image's (C, C) Gram matrix at this layer;
    ``generated_features`` (H, W, C) or (1, H, W, C). The style image may have a
    different size: its Gram matrix is rescaled to the generated image's number of
    positions (``positions`` = the style image's nH·nW; default: the same).
    """
    import tensorflow as tf

    generated_positions, channels = _size(generated_features)
    if positions is not None:
        style_gram = style_gram * (generated_positions / tf.cast(positions, tf.float32))
    difference = style_gram - gram_matrix(generated_features)
    return tf.reduce_sum(tf.square(difference)) / tf.square(2.0 * generated_positions * channels)


def total_variation_loss(image):
    """Mean over pixels of ``|x[i+1, j] − x[i, j]| + |x[i, j+1] − x[i, j]|`` (summed over channels).

    ``image`` (H, W, C) or (1, H, W, C) → scalar; equals ``tf.image.total_variation / (H W)``.
    """
    import tensorflow as tf

    if image.shape.rank == 3:
        image = image[None]
    shape = tf.shape(image)
    down = tf.reduce_sum(tf.abs(image[:, 1:, :, :] - image[:, :-1, :, :]))
    right = tf.reduce_sum(tf.abs(image[:, :, 1:, :] - image[:, :, :-1, :]))
    return (down + right) / tf.cast(shape[1] * shape[2], tf.float32)


# --- settings, checks and the optimisation loop -------------------------------------
@dataclass
class StyleSettings:
    """Everything that defines one run; ``asdict`` of it is shown in the gallery."""

    content_layer: str = BACKBONE_CONTENT
    style_layers: dict[str, float] = field(default_factory=lambda: dict(BACKBONE_STYLE))
    content_weight: float = CONTENT_WEIGHT
    style_weight: float = STYLE_WEIGHT
    tv_weight: float = TV_WEIGHT
    image_side: int = IMAGE_SIDE
    steps: int = STEPS
    learning_rate: float = LEARNING_RATE
    start_from: str = "content"  # "content" or "noise" (gray 0.5 plus Gaussian noise, σ 0.1)
    balance: bool = True  # measure each term relative to its value between content and style image
    seed: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class StyleUpdate:
    """Progress after ``step`` optimiser steps: the image (uint8) and the losses.

    ``losses`` holds the raw terms ``content``, ``style`` (the weighted sum over style
    layers), ``tv``, each ``style:<layer>``, and ``total`` = α·content + β·style + γ·tv.
    """

    step: int
    total_steps: int
    image: np.ndarray
    losses: dict[str, float]
    elapsed_s: float
    weights: dict[str, float] = field(default_factory=dict)


def check_settings(settings: StyleSettings, net: FeatureNet) -> None:
    """Raise ``ValueError`` (message echoing the bad value) for settings that cannot run."""
    weights = {"content": settings.content_weight, "style": settings.style_weight, "TV": settings.tv_weight}
    negative = {k: v for k, v in weights.items() if v < 0}
    if negative:
        raise ValueError(f"Loss weights must be zero or positive; got {negative}.")
    if not any(weights.values()):
        raise ValueError(
            "All three loss weights are zero (content 0, style 0, TV 0), so there is "
            "nothing to optimise: raise the content and style weights."
        )
    layer_weights = settings.style_layers
    if settings.style_weight > 0 and not any(w > 0 for w in layer_weights.values()):
        raise ValueError(
            f"The style weight is {settings.style_weight:g} but every style layer has weight 0 "
            f"({layer_weights or 'no layer chosen'}): give at least one style layer a weight."
        )
    if any(w < 0 for w in layer_weights.values()):
        raise ValueError(f"Style layer weights must be zero or positive; got {layer_weights}.")
    unknown = [n for n in [settings.content_layer, *layer_weights] if n not in net.layers]
    if unknown:
        raise ValueError(
            f"{net.name} has no layer {', '.join(map(repr, unknown))}; choose from {', '.join(net.layers)}."
        )
    if not MIN_SIDE <= settings.image_side <= MAX_SIDE:
        raise ValueError(f"Image size {settings.image_side} px is outside {MIN_SIDE}-{MAX_SIDE} px.")
    if settings.steps < 1:
        raise ValueError(f"Steps must be at least 1; got {settings.steps}.")
    if not settings.learning_rate > 0:
        raise ValueError(f"The learning rate must be positive; got {settings.learning_rate:g}.")
    if settings.start_from not in ("content", "noise"):
        raise ValueError(f"Start from 'content' or 'noise', not {settings.start_from!r}.")


def prepare_images(content: np.ndarray, style: np.ndarray, side: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Resize both images for a run and check they make sense together.

    The content image is scaled so its longer side is ``side``; the style image is
    scaled to cover the same area (its own aspect ratio kept: Gram matrices do not care
    about shape). Returns ``(content, style, notes)`` as RGB uint8 plus notes for the user
    (resizing, grayscale style). Raises ``ValueError`` when content and style are the
    same picture.
    """
    for name, image in (("content", content), ("style", style)):
        if image.ndim != 3 or image.shape[2] != 3 or min(image.shape[:2]) < 8:
            raise ValueError(f"The {name} image must be RGB and at least 8x8 pixels; got shape {image.shape}.")
    notes = []
    content_small = images.resize_to(content, _fit(content.shape[:2], side))
    height, width = content_small.shape[:2]
    if abs(style.shape[1] / style.shape[0] - width / height) < 0.02 * width / height:
        style_size = (height, width)  # same shape up to rounding: make it exact
    else:
        style_scale = np.sqrt(height * width / (style.shape[0] * style.shape[1]))
        style_size = tuple(max(MIN_SIDE, round(d * style_scale)) for d in style.shape[:2])
    style_small = images.resize_to(style, style_size)
    if style.shape[:2] != content.shape[:2]:
        notes.append(
            f"Content {content.shape[1]}x{content.shape[0]} → {width}x{height} px; style "
            f"{style.shape[1]}x{style.shape[0]} → {style_small.shape[1]}x{style_small.shape[0]} px "
            "(same area; the Gram matrix ignores where things are, so the shapes need not match)."
        )
    style_as_content = images.resize_to(style, (height, width))
    difference = np.abs(content_small.astype(np.float32) - style_as_content.astype(np.float32)).mean()
    if difference < IDENTICAL_TOLERANCE:
        raise ValueError(
            f"Content and style are the same picture (mean pixel difference {difference:.2f} of 255); "
            "the result would just be the content again. Pick a different style image."
        )
    if _is_gray(style_small):
        notes.append(
            "The style image is grayscale: its Gram matrices carry no colour, so the result "
            "drifts towards gray. Pick a coloured style to paint with colour."
        )
    return content_small, style_small, notes


def _fit(shape: tuple[int, int], side: int) -> tuple[int, int]:
    """(height, width) with the longer side ``side`` and the aspect ratio of ``shape``."""
    height, width = shape
    scale = side / max(height, width)
    return max(MIN_SIDE, round(height * scale)), max(MIN_SIDE, round(width * scale))


def _is_gray(image: np.ndarray) -> bool:
    channels = image.astype(np.int16)
    return bool(
        np.abs(channels[..., 0] - channels[..., 1]).max() <= 2
        and np.abs(channels[..., 1] - channels[..., 2]).max() <= 2
    )


def style_targets(extractor, style_rgb: np.ndarray, style_layers: tuple[str, ...]) -> dict[str, tuple]:
    """``{layer: (Gram matrix (C, C), nH·nW)}`` of the style image (uint8 RGB)."""
    import tensorflow as tf

    batch = tf.constant(style_rgb[None].astype(np.float32) / 255.0)
    features = extractor(batch)
    return {n: (gram_matrix(features[n]), int(features[n].shape[1] * features[n].shape[2])) for n in style_layers}


def balance_scales(content_features, content_layer: str, style_layers: tuple[str, ...], style_grams, style_positions):
    """Natural sizes of the terms: ``(J_content(C, 0), [J_style^l(C, S) per style layer])``.

    Dividing α and the layer weights by these puts every term on the same footing,
    whatever the network's activation scale at each depth: a style term starts near
    its layer weight when starting from the content image, and the content term
    reaches α when the result's activations differ from the content's by as much as
    the content's activations themselves.
    """
    import tensorflow as tf

    target = content_features[content_layer]
    content_scale = content_loss(target, tf.zeros_like(target))
    scales = [style_loss(style_grams[i], content_features[n], style_positions[i]) for i, n in enumerate(style_layers)]
    return tf.maximum(content_scale, 1e-12), tf.maximum(tf.stack(scales or [1.0]), 1e-12)


def make_style_step(extractor, content_layer: str, style_layers: tuple[str, ...], optimizer):
    """Build the ``tf.function`` taking one optimiser step on the image variable.

    The returned ``step(image, content_target, style_grams, style_positions,
    layer_weights, loss_weights)`` updates ``image`` (a ``tf.Variable`` (1, H, W, 3)
    in [0, 1]) in place and returns the dict of loss terms. Weights are tensors, so
    changing them never retraces.
    """
    import tensorflow as tf

    # autograph=False: no conversion needed; see dream.make_gradient_ascent_step for why it matters.
    @tf.function(autograph=False)
    def step(image, content_target, style_grams, style_positions, layer_weights, loss_weights):
        with tf.GradientTape() as tape:
            losses = compute_losses(
                extractor(image),
                image,
                content_layer,
                style_layers,
                content_target,
                style_grams,
                style_positions,
                layer_weights,
                loss_weights,
            )
        gradient = tape.gradient(losses["total"], image)
        optimizer.apply_gradients([(gradient, image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        return losses

    return step


def compute_losses(
    features,
    image,
    content_layer,
    style_layers,
    content_target,
    style_grams,
    style_positions,
    layer_weights,
    loss_weights,
) -> dict:
    """All loss terms for one image: ``content``, ``style``, ``tv``, ``style:<layer>``, ``total``.

    ``layer_weights`` (L,) weight the style layers; ``loss_weights`` (3,) are α, β, γ.
    """
    losses = {"content": content_loss(content_target, features[content_layer])}
    style = 0.0
    for i, name in enumerate(style_layers):
        losses[f"style:{name}"] = style_loss(style_grams[i], features[name], style_positions[i])
        style += layer_weights[i] * losses[f"style:{name}"]
    losses["style"] = style
    losses["tv"] = total_variation_loss(image)
    losses["total"] = (
        loss_weights[0] * losses["content"] + loss_weights[1] * losses["style"] + loss_weights[2] * losses["tv"]
    )
    return losses


def stylise(
    net: FeatureNet,
    content_rgb: np.ndarray,
    style_rgb: np.ndarray,
    settings: StyleSettings,
    report_every: int = REPORT_EVERY,
) -> Iterator[StyleUpdate]:
    """Run style transfer, yielding a :class:`StyleUpdate` after step 0 and every ``report_every`` steps.

    ``content_rgb`` and ``style_rgb`` are RGB uint8, already prepared with
    :func:`prepare_images`. The consumer may stop early simply by not asking for more.
    """
    import keras
    import tensorflow as tf

    check_settings(settings, net)
    style_layers = tuple(n for n, w in settings.style_layers.items() if w > 0)
    layers = tuple(dict.fromkeys((settings.content_layer, *style_layers)))
    extractor = net.extractor(layers)
    content = tf.constant(content_rgb[None].astype(np.float32) / 255.0)
    content_features = extractor(content)
    content_target = content_features[settings.content_layer]
    targets = style_targets(extractor, style_rgb, style_layers)
    style_grams = [targets[n][0] for n in style_layers]
    style_positions = tf.constant([targets[n][1] for n in style_layers] or [1], tf.int32)
    layer_weights = tf.constant([settings.style_layers[n] for n in style_layers] or [0.0], tf.float32)
    loss_weights = tf.constant([settings.content_weight, settings.style_weight, settings.tv_weight], tf.float32)
    if settings.balance:
        content_scale, style_scales = balance_scales(
            content_features, settings.content_layer, style_layers, style_grams, style_positions
        )
        loss_weights = loss_weights / tf.stack([content_scale, 1.0, 1.0])
        layer_weights = layer_weights / style_scales
    weights = {
        "alpha": float(loss_weights[0]),
        "beta": float(loss_weights[1]),
        "gamma": float(loss_weights[2]),
        **{f"lambda:{n}": float(layer_weights[i]) for i, n in enumerate(style_layers)},
    }
    if settings.start_from == "noise":
        rng = np.random.default_rng(settings.seed)
        start = np.clip(rng.normal(0.5, 0.1, content.shape), 0, 1).astype(np.float32)
    else:
        start = content.numpy()
    image = tf.Variable(start, trainable=True)
    optimizer = keras.optimizers.Adam(settings.learning_rate, beta_1=0.99, epsilon=1e-8)
    step = make_style_step(extractor, settings.content_layer, style_layers, optimizer)
    started = time.perf_counter()

    def update(done: int, losses: dict) -> StyleUpdate:
        values = {k: float(v) for k, v in losses.items()}
        picture = images.to_uint8(image.numpy()[0])
        return StyleUpdate(done, settings.steps, picture, values, time.perf_counter() - started, weights)

    features = extractor(image)
    yield update(
        0,
        compute_losses(
            features,
            image,
            settings.content_layer,
            style_layers,
            content_target,
            style_grams,
            style_positions,
            layer_weights,
            loss_weights,
        ),
    )
    for done in range(1, settings.steps + 1):
        losses = step(image, content_target, style_grams, style_positions, layer_weights, loss_weights)
        if done % report_every == 0 or done == settings.steps:
            yield update(done, losses)


def layer_gram(net: FeatureNet, rgb: np.ndarray, layer: str) -> np.ndarray:
    """Normalised Gram matrix ``G / (nH nW)`` (C, C) of an RGB uint8 image at ``layer``."""
    import tensorflow as tf

    features = net.extractor((layer,))(tf.constant(rgb[None].astype(np.float32) / 255.0))[layer]
    positions = features.shape[1] * features.shape[2]
    return gram_matrix(features).numpy() / positions


def estimate_seconds(
    net_name: str, shape: tuple[int, int], steps: int, seconds_per_megapixel_step: float | None = None
) -> float:
    """Rough run time: set-up plus steps × megapixels × the network's cost (measured or from the benchmark)."""
    rate = seconds_per_megapixel_step or SECONDS_PER_MEGAPIXEL_STEP.get(net_name, 5.0)
    return SETUP_SECONDS + steps * shape[0] * shape[1] / 1e6 * rate


@device.forget_traced_gradients()
def run_job(progress, net: FeatureNet, content_rgb: np.ndarray, style_rgb: np.ndarray, settings: StyleSettings) -> dict:
    """:func:`stylise` as a :mod:`playground.core.jobs` work function.

    Reports the image as ``images["result"]`` and the terms as metrics ``content``,
    ``style``, ``tv`` (raw) and ``total``; honours stop and pause between steps. Returns
    ``{"image", "losses", "settings", "elapsed_s", "steps_done", "seconds_per_megapixel_step"}``
    (also after a stop, with the image so far).
    """
    from playground.core.jobs import JobStopped

    last = None
    progress.report(step=0, total=settings.steps, message="Building the feature extractor…")
    try:
        for last in stylise(net, content_rgb, style_rgb, settings):
            progress.report(
                step=last.step,
                metrics={k: last.losses[k] for k in ("content", "style", "tv", "total")},
                images={"result": last.image},
                losses=last.losses,
                message=f"step {last.step}/{settings.steps}",
            )
            progress.check()
    except JobStopped:
        pass  # keep the image made so far; the job records the stop itself
    if last is None:
        return {}
    pixels = last.image.shape[0] * last.image.shape[1]
    rate = last.elapsed_s / max(last.step, 1) / (pixels / 1e6) if last.step else None
    return {
        "image": last.image,
        "losses": last.losses,
        "settings": settings.to_dict(),
        "elapsed_s": last.elapsed_s,
        "steps_done": last.step,
        "seconds_per_megapixel_step": rate,
    }
