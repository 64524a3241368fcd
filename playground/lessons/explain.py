"""Look inside an image classifier: filters, activation maps, saliency and Grad-CAM.

Works for any Keras model with one image input and one probability output (the CNN
trainer's models, shipped models, transfer-learning heads on a pretrained base).
Images are float32 (H, W, C) in the model's own input scale; maps come back as
float32 arrays at the input resolution, normalised to [0, 1] where said so.
"""

from __future__ import annotations

import numpy as np

from playground.core import images


def spatial_layers(model) -> list[str]:
    """Names of layers whose output is an image-shaped map (batch, H, W, C), input order.

    Layers nested in a sub-model (a pretrained base) are not listed; pass the base
    model itself to look inside it.
    """
    names = []
    for layer in model.layers:
        try:
            shape = layer.output.shape
        except (AttributeError, ValueError):  # layers never called symbolically
            continue
        if len(shape) == 4 and not layer.name.startswith("aug_") and layer.__class__.__name__ != "InputLayer":
            names.append(layer.name)
    return names


def first_conv_filters(model) -> np.ndarray:
    """Kernel of the first Conv2D layer, (k, k, in_channels, filters)."""
    for layer in model.layers:
        if layer.__class__.__name__ == "Conv2D":
            return np.asarray(layer.get_weights()[0])
    raise ValueError(
        "This model has no convolution layer, so it has no filters to show "
        "(logistic regression and MLPs look at all pixels at once)."
    )


def filters_as_images(kernel: np.ndarray) -> list[np.ndarray]:
    """Each filter of a first-layer kernel (k, k, C, F) scaled to [0, 1] for display:
    RGB when C == 3, else the channel mean; one image per filter, (k, k) or (k, k, 3)."""
    pictures = []
    for index in range(kernel.shape[-1]):
        weights = kernel[..., index]
        weights = weights if weights.shape[-1] == 3 else weights.mean(axis=-1)
        low, high = float(weights.min()), float(weights.max())
        pictures.append(((weights - low) / (high - low) if high > low else np.zeros_like(weights)).astype(np.float32))
    return pictures


def activation_maps(model, image: np.ndarray, layer_name: str) -> np.ndarray:
    """Output of ``layer_name`` for one image, (h, w, channels)."""
    import keras

    if layer_name not in spatial_layers(model):
        raise ValueError(f"'{layer_name}' does not output feature maps; pick a convolution or pooling layer.")
    extractor = keras.Model(model.inputs[0], model.get_layer(layer_name).output)
    maps = extractor(image[None].astype(np.float32), training=False)
    return keras.ops.convert_to_numpy(maps)[0]


def class_logits(model):
    """The symbolic scores (batch, K) that the model's final softmax turns into probabilities.

    A float32 softmax rounds the top probability to exactly 1.0 once its logit leads by more
    than ~16, and every gradient through it is then zero, so explanations start from the
    logits: the input of an ``Activation("softmax")``/``Softmax`` output layer, or, for an
    output layer with a softmax activation (``Dense(K, activation="softmax")``), a copy of
    that layer with a linear activation and the same weights. Any other output is taken to
    be probabilities, and log p (logits up to a shared shift, saturating like p) is returned.
    """
    import keras

    output = model.outputs[0]
    layer = next((layer for layer in reversed(model.layers) if layer.output is output), None)
    if isinstance(layer, keras.layers.Softmax) or (
        isinstance(layer, keras.layers.Activation) and layer.activation is keras.activations.softmax
    ):
        return layer.input
    if getattr(layer, "activation", None) is keras.activations.softmax:
        linear = layer.__class__.from_config(
            {**layer.get_config(), "activation": "linear", "name": f"{layer.name}_logits"}
        )
        logits = linear(layer.input)
        linear.set_weights(layer.get_weights())
        return logits
    return keras.ops.log(output + 1e-12)


def class_log_odds(logits, index: int):
    """log(p_c / (1 - p_c)) = z_c - logsumexp of the other z_j, for logits z (K,) and c = ``index``.

    Its gradient is that of p_c divided by p_c (1 - p_c), and that of log p_c divided by
    (1 - p_c): the same direction, so the same normalised maps, but it does not vanish when
    p_c rounds to 1.0 (or when the other p_j underflow to 0).
    """
    import tensorflow as tf

    logits = tf.cast(logits, tf.float32)  # float16 logits (mixed precision) would saturate at a lead of ~8
    others = tf.concat([logits[:index], logits[index + 1 :]], axis=0)
    return logits[index] - tf.reduce_logsumexp(others)


def saliency(model, image: np.ndarray, class_index: int | None = None) -> tuple[np.ndarray, int]:
    """Vanilla gradient saliency (Simonyan et al. 2014).

    The largest absolute gradient of the class probability p_c over the colour channels,
    scaled to [0, 1], shape (H, W); and the class used (the top class by default). The
    gradient is taken of the class log-odds (:func:`class_log_odds`), parallel to p_c's at
    every pixel, so a saturated softmax still gives a map.
    """
    import keras
    import tensorflow as tf

    logits_model = keras.Model(model.inputs[0], class_logits(model))
    x = tf.convert_to_tensor(image[None].astype(np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = logits_model(x, training=False)
        index = int(tf.argmax(logits[0])) if class_index is None else int(class_index)
        score = class_log_odds(logits[0], index)
    gradient = tape.gradient(score, x)[0].numpy()
    return normalise(np.abs(gradient).max(axis=-1)), index


def last_conv_layer(model) -> str:
    """Name of the last layer with a spatial output before the classifier (Grad-CAM's default)."""
    names = spatial_layers(model)
    if not names:
        raise ValueError(
            "This model has no convolution layers, so Grad-CAM has nothing to look at; use the saliency map instead."
        )
    return names[-1]


def grad_cam(
    model, image: np.ndarray, class_index: int | None = None, layer_name: str | None = None
) -> tuple[np.ndarray, int]:
    """Grad-CAM (Selvaraju et al. 2017) at the input resolution, in [0, 1], shape (H, W).

    Channel weights are the spatially averaged gradients of the class score log p_c with
    respect to ``layer_name``'s maps (default: the last spatial layer); the map is
    ReLU(sum of weighted maps), upsampled bilinearly. Returns the map and the class used
    (top class by default). The gradients are taken of the class log-odds
    (:func:`class_log_odds`), which differ from log p_c's by the factor 1 / (1 - p_c) only,
    so the normalised map is log p_c's and a saturated softmax still gives one.
    """
    import cv2
    import keras
    import tensorflow as tf

    layer_name = layer_name or last_conv_layer(model)
    if layer_name not in spatial_layers(model):
        raise ValueError(f"'{layer_name}' does not output feature maps; Grad-CAM needs a convolution layer.")
    extractor = keras.Model(model.inputs[0], [model.get_layer(layer_name).output, class_logits(model)])
    x = tf.convert_to_tensor(image[None].astype(np.float32))
    with tf.GradientTape() as tape:
        maps, logits = extractor(x, training=False)
        index = int(tf.argmax(logits[0])) if class_index is None else int(class_index)
        # log p_c = z_c - logsumexp(z) rather than z_c: the map is about "this class rather
        # than the others", not evidence every class shares.
        score = class_log_odds(logits[0], index)
    gradients = tape.gradient(score, maps)[0].numpy()
    maps = maps[0].numpy()
    weights = gradients.mean(axis=(0, 1))
    cam = np.maximum((maps * weights).sum(axis=-1), 0)
    height, width = image.shape[:2]
    cam = cv2.resize(cam.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    return normalise(cam), index


def overlay(image: np.ndarray, heat: np.ndarray, alpha: float = 0.45) -> np.ndarray:
    """Blend a [0, 1] heat map (H, W) over an image (H, W, C) in [0, 1] with the 'jet' colour
    map; returns RGB uint8 (H, W, 3)."""
    import cv2

    base = image if image.shape[-1] == 3 else np.repeat(image[..., :1], 3, axis=-1)
    base = images.to_uint8(base)
    colour = cv2.cvtColor(cv2.applyColorMap(images.to_uint8(heat), cv2.COLORMAP_JET), cv2.COLOR_BGR2RGB)
    return cv2.addWeighted(base, 1 - alpha, colour, alpha, 0)


def normalise(values: np.ndarray) -> np.ndarray:
    values = values.astype(np.float32)
    low, high = float(values.min()), float(values.max())
    return (values - low) / (high - low) if high > low else np.zeros_like(values)


def prepare_drawing(rgba: np.ndarray, input_shape: tuple[int, int, int], invert: bool = False) -> np.ndarray:
    """Turn a canvas drawing (H, W, 4) uint8 into one model input (h, w, c) float32 in [0, 1].

    Like MNIST preprocessing: crop to the ink's bounding box, fit it in 20/28 of the
    side keeping its aspect ratio, centre it by its centre of mass. ``invert`` for
    datasets with dark objects on light backgrounds.
    """
    import cv2

    rgb = rgba[..., :3].astype(np.float32) / 255.0
    alpha = rgba[..., 3].astype(np.float32) / 255.0 if rgba.shape[-1] == 4 else np.ones(rgba.shape[:2], np.float32)
    ink = rgb.mean(axis=-1) * alpha  # the canvas background is transparent: ink = bright, opaque strokes
    height, width, channels = input_shape
    if ink.max() <= 0.05:
        raise ValueError("The canvas is empty: draw something first.")
    rows, cols = np.nonzero(ink > 0.05)
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    box = max(1, int(round(min(height, width) * 20 / 28)))
    scale = box / max(crop.shape)
    resized = cv2.resize(
        crop, (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale))), interpolation=cv2.INTER_AREA
    )
    canvas = np.zeros((height, width), np.float32)
    total = resized.sum()
    cy, cx = (
        ((np.indices(resized.shape) * resized).reshape(2, -1).sum(1) / total)
        if total > 0
        else (np.array(resized.shape) / 2)
    )
    top = int(np.clip(round(height / 2 - cy), 0, height - resized.shape[0]))
    left = int(np.clip(round(width / 2 - cx), 0, width - resized.shape[1]))
    canvas[top : top + resized.shape[0], left : left + resized.shape[1]] = resized
    canvas = np.clip(canvas, 0, 1)
    if invert:
        canvas = 1 - canvas
    return np.repeat(canvas[..., None], channels, axis=-1)


def prepare_photo(rgb: np.ndarray, input_shape: tuple[int, int, int], invert: bool = False) -> np.ndarray:
    """An uploaded/camera RGB uint8 photo (H, W, 3) as one model input (h, w, c) float32 in [0, 1]:
    centre-cropped to the input's aspect ratio, resized, converted to gray for 1-channel models."""
    height, width, channels = input_shape
    h, w = rgb.shape[:2]
    target = width / height
    if w / h > target:
        new_w = int(round(h * target))
        rgb = rgb[:, (w - new_w) // 2 : (w - new_w) // 2 + new_w]
    else:
        new_h = int(round(w / target))
        rgb = rgb[(h - new_h) // 2 : (h - new_h) // 2 + new_h]
    small = images.resize_to(rgb, (height, width))
    if channels == 1:
        small = images.to_gray(small)[..., None]
    out = small.astype(np.float32) / 255.0
    return 1 - out if invert else out
