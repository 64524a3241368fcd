"""Transfer learning and fine-tuning: teach a pretrained network your own classes.

The classifier is ``backbone feature maps → global average pool → standardise → dropout → dense softmax``
in one flat Keras graph whose input is RGB in [0, 255] (so Grad-CAM from
:mod:`playground.lessons.explain` looks straight into the backbone). Training has the course's
two phases:

1. feature extraction — the backbone is frozen; its pooled features are computed once
   (and cached), and only the new head is trained on them, which takes seconds;
2. fine-tuning — the top ``N`` backbone layers are unfrozen (batch-norm layers stay
   frozen, as the Keras guide advises) and the whole model trains with a lower rate.

A from-scratch baseline trains the same architecture from random weights for the same
number of epochs, so the benefit of pretrained features is visible on one chart.

Backbones: MobileNetV2 / EfficientNetB0 / ResNet50 with ImageNet weights through
``keras.applications`` (downloaded once into ``~/.keras/models``), or the offline
backbone shipped in ``assets/models/backbone.keras``. When ImageNet weights cannot be
fetched, :func:`load_backbone_or_fallback` says so and uses the offline one.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from playground.core import datasets, device, errors, images, jobs, keras_tools, shipped_models
from playground.core.images import ImageError, decode_image, encode_png, resize_max

OFFLINE = "Offline backbone (ships with the app)"
MIN_CLASSES, MAX_CLASSES = 2, 10
STORED_MAX_SIDE = 256  # uploads are kept downscaled to this longer side (memory per session)
FEATURE_CACHE_ENTRIES = 8  # (backbone, image set) pairs whose pooled features stay in memory
EXAMPLE_CLASSES = ["Sandal", "Sneaker", "Ankle boot", "Bag"]
EXAMPLE_PER_CLASS = 24


@dataclass(frozen=True)
class BackboneInfo:
    """A backbone the page offers.

    ``application`` is the ``keras.applications`` constructor name (None for the shipped
    one); ``download_mb`` the size of its ImageNet weights without the top; ``image_size``
    the side images are resized to; ``preprocess`` maps RGB in [0, 255] to the network's
    expected input as ``(3x3 colour matrix, bias)`` applied per pixel (None: the model
    does it itself).
    """

    label: str
    application: str | None
    download_mb: float
    image_size: int
    preprocess: tuple[tuple[tuple[float, ...], ...], tuple[float, ...]] | None
    note: str


_IDENTITY = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
_RGB_TO_BGR = ((0.0, 0.0, 1.0), (0.0, 1.0, 0.0), (1.0, 0.0, 0.0))
BACKBONES = {
    OFFLINE: BackboneInfo(
        OFFLINE,
        None,
        0.0,
        64,
        None,
        "5 conv blocks, 0.76 M parameters, trained offline by scripts/train_backbone.py on crops of 19 bundled "
        "photos/textures and 5 patterns (78% on held-out crops, chance 4%).",
    ),
    "MobileNetV2 (ImageNet)": BackboneInfo(
        "MobileNetV2 (ImageNet)",
        "MobileNetV2",
        9.4,
        224,
        (tuple(tuple(v / 127.5 for v in row) for row in _IDENTITY), (-1.0, -1.0, -1.0)),
        "Inverted residual blocks, 2.3 M parameters (Sandler et al. 2018); inputs scaled to [-1, 1].",
    ),
    "EfficientNetB0 (ImageNet)": BackboneInfo(
        "EfficientNetB0 (ImageNet)",
        "EfficientNetB0",
        16.7,
        224,
        None,
        "Compound-scaled MBConv blocks, 4.0 M parameters (Tan & Le 2019); rescales inputs itself.",
    ),
    "ResNet50 (ImageNet)": BackboneInfo(
        "ResNet50 (ImageNet)",
        "ResNet50",
        94.7,
        224,
        (_RGB_TO_BGR, (-103.939, -116.779, -123.68)),
        "50-layer residual network, 23.6 M parameters (He et al. 2016); BGR minus the ImageNet mean.",
    ),
}


class BackboneUnavailable(ValueError):
    """The chosen backbone cannot be loaded here; the message says why, for the user."""


# --- classes of images (no TensorFlow) ---------------------------------------------------


@dataclass
class AddedImages:
    """Result of :func:`prepare_uploads`: PNG bytes of usable images (longer side at most
    ``STORED_MAX_SIDE``), messages for skipped files, how many were downscaled."""

    files: list[tuple[str, bytes]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    downscaled: int = 0


def prepare_uploads(files: list[tuple[str, bytes]], max_side: int = STORED_MAX_SIDE) -> AddedImages:
    """Decode uploads, skip (and report) non-images, downscale large ones, re-encode as PNG.

    Parameters
    ----------
    files : list of (file name, bytes)
    max_side : int
        Longer side kept, in pixels.
    """
    added = AddedImages()
    for name, data in files:
        try:
            rgb = decode_image(data, name)
        except ImageError as exc:
            added.skipped.append(str(exc))
            continue
        if max(rgb.shape[:2]) > max_side:
            rgb = resize_max(rgb, max_side)
            added.downscaled += 1
        added.files.append((name, encode_png(rgb)))
    return added


def contact_sheet(files: list[tuple[str, bytes]], side: int = 64, cols: int = 12, gap: int = 3) -> np.ndarray:
    """Thumbnails of image files in a grid, RGB uint8 (rows * (side + gap) - gap, cols * (side + gap) - gap, 3)
    on white; unreadable files are left blank (they were checked when added)."""
    blank = np.full((side, side, 3), 255, np.uint8)

    def thumbnail(name: str, data: bytes) -> np.ndarray:
        try:
            return images.resize_to(decode_image(data, name), (side, side))
        except ImageError:
            return blank

    return images.tile([thumbnail(name, data) for name, data in files] or [blank], cols, pad=gap)


def check_classes(classes: dict[str, list[tuple[str, bytes]]]) -> None:
    """Raise ``ValueError`` unless there are 2–10 uniquely named classes, each with an image."""
    names = [name.strip() for name in classes]
    if len(names) < MIN_CLASSES:
        raise ValueError(
            f"A classifier needs at least {MIN_CLASSES} classes; you have {len(names)}. Add another class."
        )
    if len(names) > MAX_CLASSES:
        raise ValueError(f"At most {MAX_CLASSES} classes, please; you have {len(names)}.")
    if any(not name for name in names):
        raise ValueError("Every class needs a name.")
    seen: dict[str, str] = {}
    for name in names:
        if name.lower() in seen:
            raise ValueError(f"Two classes are called '{name}'; give each class its own name.")
        seen[name.lower()] = name
    empty = [name for name, files in classes.items() if not files]
    if empty:
        raise ValueError(f"Class '{empty[0]}' has no images; add a few or remove the class.")


def example_task(per_class: int = EXAMPLE_PER_CLASS, seed: int = 0) -> dict[str, list[tuple[str, bytes]]]:
    """The built-in offline task: ``per_class`` Fashion-MNIST test images of each of
    ``EXAMPLE_CLASSES`` (footwear and bags), as PNG bytes per class name."""
    data = datasets.load_fashion_mnist()
    rng = np.random.default_rng(seed)
    classes = {}
    for name in EXAMPLE_CLASSES:
        label = datasets.FASHION_CLASSES.index(name)
        picks = rng.choice(np.flatnonzero(data.y_test == label), per_class, replace=False)
        classes[name] = [
            (
                f"{name.lower().replace(' ', '_')}_{i}.png",
                encode_png(images.to_uint8(data.x_test[i, ..., 0])),
            )
            for i in picks
        ]
    return classes


def build_dataset(
    classes: dict[str, list[tuple[str, bytes]]], image_size: int, test_fraction: float = 0.25, seed: int = 0
) -> datasets.Dataset:
    """Check the classes and turn them into a train/test :class:`~playground.core.datasets.Dataset`
    of RGB images in [0, 255], float32 (N, image_size, image_size, 3)."""
    check_classes(classes)
    data = datasets.from_class_files(
        {name.strip(): files for name, files in classes.items()},
        size=(image_size, image_size),
        test_fraction=test_fraction,
        seed=seed,
    )
    data.x_train = data.x_train * 255.0
    data.x_test = data.x_test * 255.0
    return data


def prepare_image(rgb: np.ndarray, image_size: int) -> np.ndarray:
    """A photo (H, W, 3) uint8 as one model input (image_size, image_size, 3) float32 in [0, 255]
    (centre crop to square, then resize)."""
    from playground.lessons import explain

    return explain.prepare_photo(rgb, (image_size, image_size, 3)) * 255.0


# --- backbones -------------------------------------------------------------------------


@dataclass
class Backbone:
    """A feature extractor ready for transfer.

    ``features`` maps RGB in [0, 255], (N, S, S, 3) to feature maps (N, h, w, C);
    ``base_layers`` are its layers in order (without input and preprocessing), the ones
    fine-tuning may unfreeze; ``label`` is what was loaded (after any fallback).
    """

    features: Any
    base_layers: list
    label: str
    image_size: int
    weights: str | None


def _preprocess_layer(keras, info: BackboneInfo):
    """A frozen 1x1 convolution applying ``info.preprocess`` (serialisable, unlike a Lambda)."""
    matrix, bias = info.preprocess
    layer = keras.layers.Conv2D(3, 1, name="preprocess", trainable=False)
    layer.build((None, None, None, 3))
    # kernel[0, 0, i, o] multiplies input channel i into output channel o.
    layer.set_weights([np.array(matrix, np.float32).T[None, None], np.array(bias, np.float32)])
    return layer


def load_backbone(label: str, weights: str | None = "imagenet", image_size: int | None = None) -> Backbone:
    """Build a backbone by its label in ``BACKBONES``.

    ImageNet models are built at ``image_size`` (default 224) on an RGB [0, 255] input with
    their preprocessing as a frozen layer; ``weights="imagenet"`` downloads them on first use
    (raises :class:`BackboneUnavailable` when that fails), ``None`` leaves them random.
    """
    import keras

    if label not in BACKBONES:
        raise ValueError(f"Unknown backbone '{label}'; choose one of {', '.join(BACKBONES)}.")
    info = BACKBONES[label]
    size = image_size or info.image_size
    if info.application is None:
        try:
            model = shipped_models.shared("backbone")
        except FileNotFoundError as exc:
            raise BackboneUnavailable(str(exc)) from None
        features = keras.Model(model.inputs[0], model.get_layer("block5_conv").output, name="offline_backbone")
        base = [layer for layer in features.layers if layer.weights]
        if weights is None:
            features = reinitialised(features)
            base = [layer for layer in features.layers if layer.weights]
        return Backbone(features, base, label, size, "offline" if weights else None)
    constructor = getattr(keras.applications, info.application)
    inputs = keras.Input((size, size, 3), name="rgb_0_255")
    x = _preprocess_layer(keras, info)(inputs) if info.preprocess else inputs
    flat = constructor(include_top=False, weights=None, input_tensor=x)
    features = keras.Model(inputs, flat.outputs[0], name=info.application.lower())
    base = [layer for layer in features.layers if layer.name not in ("rgb_0_255", "preprocess")]
    if weights == "imagenet":
        try:
            reference = constructor(include_top=False, weights="imagenet", input_shape=(size, size, 3))
        except Exception as exc:  # no internet, proxy, disk full: Keras raises plain Exception
            raise BackboneUnavailable(
                f"Could not get the ImageNet weights of {info.application} ({info.download_mb:.0f} MB download; "
                f"{errors.download_reason(exc)})."
            ) from None
        # Same constructor, same layer order: copy weights layer by layer.
        ours = [layer for layer in base if layer.weights]
        theirs = [layer for layer in reference.layers if layer.weights]
        for mine, source in zip(ours, theirs, strict=True):
            mine.set_weights(source.get_weights())
    elif weights is not None:
        raise ValueError(f"weights must be 'imagenet' or None, got {weights!r}.")
    return Backbone(features, base, label, size, weights)


def load_backbone_or_fallback(label: str, image_size: int | None = None) -> tuple[Backbone, str]:
    """:func:`load_backbone` with ImageNet weights; on failure the offline backbone and a
    message saying what happened (empty when the chosen one loaded)."""
    try:
        return load_backbone(label, "imagenet", image_size), ""
    except BackboneUnavailable as exc:
        if label == OFFLINE:
            raise
        return load_backbone(OFFLINE), (
            f"{exc} Using the offline backbone instead; with internet access the "
            "weights download once and are cached in ~/.keras/models."
        )


def reinitialised(model):
    """A copy of ``model`` with fresh random weights (the from-scratch baseline); frozen
    preprocessing layers keep their fixed weights."""
    import keras

    clone = keras.models.clone_model(model)
    for layer in clone.layers:
        if layer.name == "preprocess":
            layer.set_weights(model.get_layer("preprocess").get_weights())
    return clone


def copy_model(model):
    """An independent copy with the same weights (training it leaves ``model`` untouched)."""
    import keras

    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    return clone


# --- features ----------------------------------------------------------------------------

_feature_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()


def extract_features(
    features_model,
    images: np.ndarray,
    batch_size: int = 32,
    cache_key: str | None = None,
    progress: jobs.Progress | None = None,
) -> np.ndarray:
    """Globally average-pooled backbone features (N, C) of images (N, S, S, 3) in [0, 255].

    With ``cache_key`` (e.g. the backbone label), results are remembered per image set,
    so training again with other head settings skips this step.
    """
    import keras

    key = None
    if cache_key is not None:
        key = (cache_key, hashlib.sha1(np.ascontiguousarray(images, np.float32).tobytes()).hexdigest())
        if key in _feature_cache:
            _feature_cache.move_to_end(key)
            return _feature_cache[key]
    outputs = []
    for start in range(0, len(images), batch_size):
        if progress is not None:
            progress.check()
            progress.report(message=f"Extracting backbone features: {start}/{len(images)} images…")
        maps = features_model(images[start : start + batch_size].astype(np.float32), training=False)
        outputs.append(keras.ops.convert_to_numpy(keras.ops.mean(maps, axis=(1, 2))))
    pooled = np.concatenate(outputs).astype(np.float32)
    if key is not None:
        _feature_cache[key] = pooled
        while len(_feature_cache) > FEATURE_CACHE_ENTRIES:
            _feature_cache.popitem(last=False)
    return pooled


# --- models ------------------------------------------------------------------------------


@dataclass
class Classifier:
    """The flat classifier and its head.

    ``model``: RGB [0, 255] (N, S, S, 3) → probabilities (N, K). ``head``: pooled features
    (N, C) → probabilities, sharing its layers (and weights) with ``model``.
    """

    model: Any
    head: Any
    backbone: Backbone


def build_classifier(
    backbone: Backbone,
    num_classes: int,
    dropout: float = 0.2,
    seed: int = 0,
    feature_mean: np.ndarray | None = None,
    feature_variance: np.ndarray | None = None,
) -> Classifier:
    """Pool → standardise → dropout → dense softmax on top of ``backbone.features`` (used as is).

    ``feature_mean``/``feature_variance`` (C,) of the training images' pooled features make
    the head's inputs zero-mean, unit-variance (a logistic regression then trains in a few
    epochs at any backbone's feature scale); default: left as they are.
    """
    import keras

    channels = backbone.features.output.shape[-1]
    mean = np.zeros(channels, np.float32) if feature_mean is None else feature_mean
    variance = np.ones(channels, np.float32) if feature_variance is None else np.maximum(feature_variance, 1e-6)
    pool = keras.layers.GlobalAveragePooling2D(name="pool")
    standardise = keras.layers.Normalization(mean=mean.tolist(), variance=variance.tolist(), name="feature_norm")
    drop = keras.layers.Dropout(dropout, seed=seed, name="head_dropout")
    dense = keras.layers.Dense(num_classes, name="logits", kernel_initializer=keras.initializers.GlorotUniform(seed))
    softmax = keras.layers.Activation("softmax", name="predictions")
    model = keras.Model(
        backbone.features.inputs[0],
        softmax(dense(drop(standardise(pool(backbone.features.output))))),
        name="transfer_classifier",
    )
    feature_input = keras.Input((channels,), name="pooled_features")
    head = keras.Model(feature_input, softmax(dense(drop(standardise(feature_input)))), name="head")
    return Classifier(model, head, backbone)


def freeze_backbone(backbone: Backbone) -> None:
    for layer in backbone.base_layers:
        layer.trainable = False


def unfreeze_top(backbone: Backbone, n_layers: int) -> list[str]:
    """Make the last ``n_layers`` of the backbone trainable, batch-norm layers excepted
    (they stay in inference mode so their statistics are not wrecked by small batches).
    Returns the names of the layers now trainable."""
    if not 0 <= n_layers <= len(backbone.base_layers):
        raise ValueError(f"The backbone has {len(backbone.base_layers)} layers; cannot unfreeze {n_layers}.")
    freeze_backbone(backbone)
    opened = []
    for layer in backbone.base_layers[len(backbone.base_layers) - n_layers :]:
        if layer.__class__.__name__ != "BatchNormalization":
            layer.trainable = True
            opened.append(layer.name)
    return opened


def trainable_count(model) -> int:
    """Number of trainable parameters."""
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


# --- training job ------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferConfig:
    """Hyper-parameters of the two phases and the baseline."""

    head_epochs: int = 15
    head_learning_rate: float = 1e-3
    fine_tune_epochs: int = 5
    fine_tune_layers: int = 2
    fine_tune_learning_rate: float = 1e-4
    batch_size: int = 16
    dropout: float = 0.2
    scratch_baseline: bool = True
    seed: int = 0

    def check(self, backbone_layers: int) -> None:
        if not 1 <= self.head_epochs <= 200:
            raise ValueError(f"Feature-extraction epochs must be between 1 and 200, got {self.head_epochs}.")
        if not 0 <= self.fine_tune_epochs <= 100:
            raise ValueError(f"Fine-tuning epochs must be between 0 and 100, got {self.fine_tune_epochs}.")
        if not 0 <= self.fine_tune_layers <= backbone_layers:
            raise ValueError(f"The backbone has {backbone_layers} layers; cannot unfreeze {self.fine_tune_layers}.")
        for what, rate in (("head", self.head_learning_rate), ("fine-tuning", self.fine_tune_learning_rate)):
            if not (0 < rate < 10):
                raise ValueError(f"The {what} learning rate must be in (0, 10), got {rate}.")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"Dropout must be in [0, 1), got {self.dropout}.")


@dataclass
class TransferResult:
    """What a finished run leaves: the fine-tuned model, accuracies on the test images
    (None when there are none), pooled features before/after fine-tuning (N, C) for all
    images (train then test) with their labels, and the epoch where fine-tuning began."""

    model: Any
    class_names: list[str]
    image_size: int
    backbone_label: str
    head_accuracy: float | None
    fine_tuned_accuracy: float | None
    scratch_accuracy: float | None
    features_before: np.ndarray
    features_after: np.ndarray
    labels: np.ndarray
    is_test: np.ndarray
    phase_boundary: int
    seconds: dict[str, float]
    unfrozen: list[str]
    test_images: np.ndarray  # (N_test, S, S, 3) uint8, labels: labels[is_test]


class _Prefixed:
    """Progress seen through a prefix: the baseline's metrics land next to the main run's."""

    def __init__(self, progress: jobs.Progress, prefix: str, message: str):
        self._progress, self._prefix, self._message = progress, prefix, message

    @property
    def stop_requested(self) -> bool:
        return self._progress.stop_requested

    def check(self) -> None:
        self._progress.check()

    def take_requests(self) -> dict:
        return {}

    def report(self, step=None, total=None, metrics=None, x=None, **info) -> None:
        self._progress.report(
            metrics={f"{self._prefix}{k}": v for k, v in (metrics or {}).items()}, x=x, message=self._message
        )


def _accuracy(model, x: np.ndarray, y: np.ndarray) -> float | None:

    if not len(y):
        return None
    return float(np.mean(keras_tools.predict_probabilities(model, x, batch_size=64).argmax(1) == y))


@device.forget_traced_gradients()
def train_transfer(
    progress: jobs.Progress, backbone: Backbone, data: datasets.Dataset, config: TransferConfig
) -> TransferResult:
    """Job work: phase 1 (frozen backbone, head on cached features), phase 2 (top layers
    unfrozen, lower rate), then the from-scratch baseline at the same total epochs.

    ``backbone`` is not modified (a copy is trained). Data images are RGB [0, 255].
    Metrics: ``loss``/``accuracy``/``val_*`` over both phases (epochs continue across the
    boundary) and ``scratch_*`` for the baseline; validation = the test images.
    """
    import keras

    config.check(len(backbone.base_layers))
    keras.utils.set_random_seed(config.seed)
    seconds = {}
    progress.report(message="Copying the backbone…")
    own = Backbone(copy_model(backbone.features), [], backbone.label, backbone.image_size, backbone.weights)
    names = {layer.name for layer in backbone.base_layers}
    own.base_layers = [layer for layer in own.features.layers if layer.name in names]
    x_all = np.concatenate([data.x_train, data.x_test])
    started = time.perf_counter()
    pooled_all = extract_features(
        backbone.features, x_all, cache_key=backbone.label + str(backbone.weights), progress=progress
    )
    seconds["features"] = time.perf_counter() - started
    f_train, f_test = pooled_all[: len(data.y_train)], pooled_all[len(data.y_train) :]
    classifier = build_classifier(own, data.num_classes, config.dropout, config.seed, f_train.mean(0), f_train.var(0))
    freeze_backbone(own)
    validation = (f_test, data.y_test) if len(data.y_test) else None

    progress.report(message=f"Phase 1: training the head on cached features ({f_train.shape[1]} per image)…")
    started = time.perf_counter()
    classifier.head.compile(
        keras_tools.make_optimizer("Adam", config.head_learning_rate),
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    classifier.head.fit(
        f_train,
        data.y_train,
        batch_size=config.batch_size,
        epochs=config.head_epochs,
        verbose=0,
        validation_data=validation,
        callbacks=[keras_tools.keras_callback(progress)],
    )
    seconds["phase 1"] = time.perf_counter() - started
    head_accuracy = _accuracy(classifier.head, f_test, data.y_test)

    unfrozen: list[str] = []
    fine_tuned_accuracy = None
    if config.fine_tune_epochs and config.fine_tune_layers:
        unfrozen = unfreeze_top(own, config.fine_tune_layers)
        progress.report(
            message=f"Phase 2: fine-tuning {len(unfrozen)} layer(s) "
            f"({trainable_count(classifier.model):,} trainable parameters)…"
        )
        started = time.perf_counter()
        classifier.model.compile(
            keras_tools.make_optimizer("Adam", config.fine_tune_learning_rate),
            "sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        classifier.model.fit(
            data.x_train,
            data.y_train,
            batch_size=config.batch_size,
            epochs=config.head_epochs + config.fine_tune_epochs,
            initial_epoch=config.head_epochs,
            verbose=0,
            validation_data=(data.x_test, data.y_test) if len(data.y_test) else None,
            callbacks=[keras_tools.keras_callback(progress)],
        )
        seconds["phase 2"] = time.perf_counter() - started
        fine_tuned_accuracy = _accuracy(classifier.model, data.x_test, data.y_test)
        freeze_backbone(own)
    features_after = extract_features(own.features, x_all)

    scratch_accuracy = None
    if config.scratch_baseline:
        started = time.perf_counter()
        scratch_backbone = Backbone(reinitialised(backbone.features), [], backbone.label, backbone.image_size, None)
        # No feature statistics here: random features have tiny variances, and standardising
        # them makes the first epochs explode.
        scratch = build_classifier(scratch_backbone, data.num_classes, config.dropout, config.seed)
        scratch.model.compile(
            keras_tools.make_optimizer("Adam", config.head_learning_rate),
            "sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        epochs = config.head_epochs + config.fine_tune_epochs
        scratch.model.fit(
            data.x_train,
            data.y_train,
            batch_size=config.batch_size,
            epochs=epochs,
            verbose=0,
            validation_data=(data.x_test, data.y_test) if len(data.y_test) else None,
            callbacks=[
                keras_tools.keras_callback(
                    _Prefixed(progress, "scratch_", "Baseline: same network from random weights…")
                )
            ],
        )
        seconds["scratch"] = time.perf_counter() - started
        scratch_accuracy = _accuracy(scratch.model, data.x_test, data.y_test)

    labels = np.concatenate([data.y_train, data.y_test])
    is_test = np.arange(len(labels)) >= len(data.y_train)
    summary = [
        f"head only {head_accuracy:.0%}" if head_accuracy is not None else "",
        f"fine-tuned {fine_tuned_accuracy:.0%}" if fine_tuned_accuracy is not None else "",
        f"from scratch {scratch_accuracy:.0%}" if scratch_accuracy is not None else "",
    ]
    progress.report(message="Test accuracy: " + ", ".join(s for s in summary if s) if len(data.y_test) else "Done.")
    return TransferResult(
        classifier.model,
        data.class_names,
        backbone.image_size,
        backbone.label,
        head_accuracy,
        fine_tuned_accuracy,
        scratch_accuracy,
        pooled_all,
        features_after,
        labels,
        is_test,
        config.head_epochs,
        seconds,
        unfrozen,
        np.clip(data.x_test, 0, 255).astype(np.uint8),
    )


# --- using and explaining the result ---------------------------------------------------------


def predict(model, rgb: np.ndarray, image_size: int) -> np.ndarray:
    """Class probabilities (K,) for one photo (H, W, 3) uint8."""
    import keras

    x = prepare_image(rgb, image_size)[None]
    return keras.ops.convert_to_numpy(model(x, training=False))[0].astype(np.float64)


def embed_2d(features: np.ndarray, method: str = "PCA", seed: int = 0) -> np.ndarray:
    """Project features (N, C) to 2-D (N, 2) with PCA or t-SNE (perplexity scaled to N)."""
    if len(features) < 3:
        raise ValueError(f"Need at least 3 images for an embedding, got {len(features)}.")
    if method == "PCA":
        from sklearn.decomposition import PCA

        return PCA(2, random_state=seed).fit_transform(features)
    if method == "t-SNE":
        from sklearn.manifold import TSNE

        perplexity = float(min(30, max(2, (len(features) - 1) // 3)))
        return TSNE(2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(features)
    raise ValueError(f"Unknown embedding '{method}'; use PCA or t-SNE.")


def separation(points: np.ndarray, labels: np.ndarray) -> float:
    """Nearest-class-centre accuracy of 2-D points (a number for 'how well are classes apart')."""
    centres = np.stack([points[labels == k].mean(0) for k in np.unique(labels)])
    nearest = np.unique(labels)[np.argmin(((points[:, None] - centres[None]) ** 2).sum(-1), axis=1)]
    return float(np.mean(nearest == labels))
