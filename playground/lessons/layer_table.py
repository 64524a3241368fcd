"""Image classifiers described as a table of layers: presets, summary, Keras builder, code export.

A network is a list of :class:`LayerSpec` rows (what the page's layer table edits).
:func:`summarize` walks the rows in pure Python and gives every row its output shape,
parameter count and FLOPs, or raises ``ValueError`` naming the row and the reason;
:func:`build_model` turns the same rows into a Keras functional model and
:func:`keras_code` writes the equivalent Python. A classification head
(``Dense(num_classes, softmax)``, with a Flatten first if the last row outputs an image)
is always added, so every table is a complete classifier.

FLOPs count a multiply-add as two operations (forward pass, one image).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

LAYER_TYPES = ["Conv2D", "MaxPool", "AvgPool", "ResBlock", "Flatten", "GlobalAvgPool", "Dense", "Dropout"]
ACTIVATIONS = ["relu", "leaky_relu", "elu", "gelu", "tanh", "sigmoid", "linear"]
PADDINGS = ["same", "valid"]
# Name prefix of each row type's main Keras layer; "conv1" is the first convolution
# (other pages show its filters).
_PREFIX = {
    "Conv2D": "conv",
    "MaxPool": "pool",
    "AvgPool": "pool",
    "ResBlock": "res",
    "Flatten": "flatten",
    "GlobalAvgPool": "gap",
    "Dense": "dense",
    "Dropout": "dropout",
}
# Refuse networks beyond this size: they would not train in a playground session.
MAX_PARAMS = 20_000_000
AUGMENTATIONS = ("flip", "shift", "rotate", "zoom")


@dataclass(frozen=True)
class LayerSpec:
    """One row of the layer table.

    ``size`` is filters (Conv2D, ResBlock), units (Dense) or ignored; ``kernel`` and
    ``stride`` apply to Conv2D, ResBlock and pooling; ``dropout`` is a rate in [0, 1)
    applied after the row (the whole row for type Dropout); ``batch_norm`` adds a
    BatchNormalization before the activation (ResBlock always has it).
    """

    type: str
    size: int = 0
    kernel: int = 3
    stride: int = 1
    padding: str = "same"
    activation: str = "relu"
    batch_norm: bool = False
    dropout: float = 0.0

    def describe(self) -> str:
        """Short human description, e.g. 'Conv2D 32 3x3 /1 same relu'."""
        if self.type in ("Conv2D", "ResBlock"):
            return (
                f"{self.type} {self.size} {self.kernel}x{self.kernel}"
                f"{f' /{self.stride}' if self.stride != 1 else ''} {self.padding}"
                f"{' +BN' if self.batch_norm or self.type == 'ResBlock' else ''} {self.activation}"
            )
        if self.type in ("MaxPool", "AvgPool"):
            return f"{self.type} {self.kernel}x{self.kernel} /{self.stride}"
        if self.type == "Dense":
            return f"Dense {self.size}{' +BN' if self.batch_norm else ''} {self.activation}"
        if self.type == "Dropout":
            return f"Dropout {self.dropout:g}"
        return self.type


@dataclass(frozen=True)
class SummaryRow:
    """Output of one table row (or of the automatic head): shape without batch, params, FLOPs."""

    index: int  # 1-based row number; 0 for the automatic head rows
    name: str
    description: str
    output_shape: tuple[int, ...]
    params: int
    flops: int


@dataclass(frozen=True)
class Summary:
    rows: list[SummaryRow]

    @property
    def total_params(self) -> int:
        return sum(row.params for row in self.rows)

    @property
    def total_flops(self) -> int:
        return sum(row.flops for row in self.rows)

    def table(self) -> list[dict]:
        """Rows as dicts for display (shape written as 28x28x16)."""
        return [
            {
                "#": str(row.index or "head"),
                "layer": row.name,
                "what": row.description,
                "output shape": "x".join(str(d) for d in row.output_shape),
                "params": row.params,
                "FLOPs": row.flops,
            }
            for row in self.rows
        ]


# --- presets ---------------------------------------------------------------------------


def _conv(filters, kernel=3, stride=1, padding="same", activation="relu", batch_norm=False, dropout=0.0):
    return LayerSpec("Conv2D", filters, kernel, stride, padding, activation, batch_norm, dropout)


def _pool(kind="MaxPool", size=2):
    return LayerSpec(kind, 0, size, size)


def _dense(units, activation="relu", dropout=0.0, batch_norm=False):
    return LayerSpec("Dense", units, activation=activation, dropout=dropout, batch_norm=batch_norm)


FLATTEN = LayerSpec("Flatten")

PRESETS: dict[str, list[LayerSpec]] = {
    # Default: the fastest net found that reaches 90% on Fashion-MNIST in under a minute on 2 cores.
    "Fast CNN (default)": [
        _conv(16, 5),
        _pool(),
        _conv(32, 3),
        _pool(),
        FLATTEN,
        LayerSpec("Dropout", dropout=0.3),
        _dense(128),
    ],
    "Logistic regression": [FLATTEN],
    "MLP": [FLATTEN, _dense(256, dropout=0.2), _dense(128)],
    # LeNet-5 (LeCun 1998) as in the Coursera notes: 28x28 inputs are padded ('same') like
    # LeNet's 32x32 MNIST, so the parameter counts match the classic table.
    "LeNet-5": [
        _conv(6, 5, activation="tanh"),
        _pool("AvgPool"),
        _conv(16, 5, padding="valid", activation="tanh"),
        _pool("AvgPool"),
        FLATTEN,
        _dense(120, "tanh"),
        _dense(84, "tanh"),
    ],
    "Small VGG": [
        _conv(32, batch_norm=True),
        _conv(32, batch_norm=True),
        _pool(),
        _conv(64, batch_norm=True),
        _conv(64, batch_norm=True),
        _pool(),
        FLATTEN,
        LayerSpec("Dropout", dropout=0.4),
        _dense(128),
    ],
    "Tiny ResNet": [
        _conv(16, batch_norm=True),
        LayerSpec("ResBlock", 16),
        LayerSpec("ResBlock", 32, stride=2),
        LayerSpec("ResBlock", 64, stride=2),
        LayerSpec("GlobalAvgPool"),
    ],
}
DEFAULT_PRESET = "Fast CNN (default)"


def preset(name: str, input_shape: tuple[int, int, int] | None = None) -> list[LayerSpec]:
    """A preset's rows, adapted to small inputs: pooling that would shrink the image
    below 2 pixels is dropped and 'valid' convolutions that would not fit become 'same'."""
    if name not in PRESETS:
        raise ValueError(f"Unknown preset '{name}'; choose one of {', '.join(PRESETS)}.")
    layers = list(PRESETS[name])
    if input_shape is None:
        return layers
    adapted, side = [], min(input_shape[:2])
    for layer in layers:
        shrinks = layer.type in ("MaxPool", "AvgPool") or (layer.type in ("Conv2D", "ResBlock") and layer.stride > 1)
        if shrinks and side // layer.stride < 2:
            if layer.type in ("MaxPool", "AvgPool"):
                continue
            layer = replace(layer, stride=1)
        if layer.type == "Conv2D" and layer.padding == "valid" and side - layer.kernel + 1 < 2:
            layer = replace(layer, padding="same")
        if layer.type in ("Conv2D", "ResBlock", "MaxPool", "AvgPool"):
            side = _spatial_out(
                side,
                layer.kernel,
                layer.stride,
                layer.padding if layer.type == "Conv2D" else "same" if layer.type == "ResBlock" else "valid",
            )
        adapted.append(layer)
    return adapted


# --- table <-> rows --------------------------------------------------------------------

TABLE_COLUMNS = list(LayerSpec.__dataclass_fields__)


# Table cells that mean something for each layer type; the others are shown empty.
RELEVANT_FIELDS = {
    "Conv2D": {"size", "kernel", "stride", "padding", "activation", "batch_norm", "dropout"},
    "ResBlock": {"size", "kernel", "stride", "activation", "dropout"},
    "MaxPool": {"kernel", "stride"},
    "AvgPool": {"kernel", "stride"},
    "Dense": {"size", "activation", "batch_norm", "dropout"},
    "Flatten": {"dropout"},
    "GlobalAvgPool": {"dropout"},
    "Dropout": {"dropout"},
}


def to_table(layers: list[LayerSpec]) -> list[dict]:
    """Rows as plain dicts (for ``st.data_editor``), cells that do not apply to a type left empty (None)."""
    return [
        {
            name: value if name == "type" or name in RELEVANT_FIELDS[layer.type] else None
            for name, value in asdict(layer).items()
        }
        for layer in layers
    ]


def from_table(records: list[dict]) -> list[LayerSpec]:
    """Parse edited table rows, checking every value; the message names the row.

    Empty cells take the defaults; rows whose type is empty are ignored.
    """
    layers = []
    defaults = LayerSpec("Dense")
    for number, record in enumerate(records, start=1):
        layer_type = _blank_to_none(record.get("type"))
        if layer_type is None:
            continue
        where = f"Row {number} ({layer_type})"
        if layer_type not in LAYER_TYPES:
            raise ValueError(f"{where}: unknown layer type '{layer_type}'; use one of {', '.join(LAYER_TYPES)}.")
        values = {}
        for field_name in ("size", "kernel", "stride"):
            raw = _blank_to_none(record.get(field_name))
            default = getattr(defaults, field_name)
            try:
                values[field_name] = default if raw is None else int(float(raw))
            except (TypeError, ValueError):
                raise ValueError(f"{where}: {field_name} must be a whole number, not '{raw}'.") from None
            if raw is not None and float(raw) != int(float(raw)):
                raise ValueError(f"{where}: {field_name} must be a whole number, not {raw}.")
        raw_dropout = _blank_to_none(record.get("dropout"))
        try:
            values["dropout"] = 0.0 if raw_dropout is None else float(raw_dropout)
        except (TypeError, ValueError):
            raise ValueError(f"{where}: dropout must be a number in [0, 1), not '{raw_dropout}'.") from None
        values["padding"] = _blank_to_none(record.get("padding")) or "same"
        values["activation"] = _blank_to_none(record.get("activation")) or "relu"
        values["batch_norm"] = bool(_blank_to_none(record.get("batch_norm")) or False)
        layers.append(LayerSpec(layer_type, **values))
    return layers


def _blank_to_none(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


# --- shapes, parameters, FLOPs --------------------------------------------------------


def _spatial_out(size: int, kernel: int, stride: int, padding: str) -> int:
    """Output side of a convolution/pooling: ceil(n/s) for 'same', floor((n-k)/s)+1 for 'valid'."""
    if padding == "same":
        return -(-size // stride)
    return (size - kernel) // stride + 1


def _check_values(where: str, layer: LayerSpec) -> None:
    if layer.type in ("Conv2D", "ResBlock", "Dense") and layer.size < 1:
        what = "units" if layer.type == "Dense" else "filters"
        raise ValueError(f"{where}: needs at least 1 {what} (size), got {layer.size}.")
    if layer.type in ("Conv2D", "ResBlock", "Dense") and layer.size > 4096:
        raise ValueError(f"{where}: size {layer.size} is too large for this playground (at most 4096).")
    if layer.type in ("Conv2D", "ResBlock", "MaxPool", "AvgPool"):
        if not 1 <= layer.kernel <= 15:
            raise ValueError(f"{where}: kernel must be between 1 and 15, got {layer.kernel}.")
        if not 1 <= layer.stride <= 8:
            raise ValueError(f"{where}: stride must be between 1 and 8, got {layer.stride}.")
    if layer.padding not in PADDINGS:
        raise ValueError(f"{where}: padding must be 'same' or 'valid', not '{layer.padding}'.")
    if layer.activation not in ACTIVATIONS:
        raise ValueError(f"{where}: unknown activation '{layer.activation}'; use one of {', '.join(ACTIVATIONS)}.")
    if not 0.0 <= layer.dropout < 1.0:
        raise ValueError(f"{where}: dropout is a rate in [0, 1), got {layer.dropout}.")


def _names(layers: list[LayerSpec]) -> list[str]:
    """Keras name of each row's main layer: conv1, pool1, conv2, …"""
    counts: dict[str, int] = {}
    names = []
    for layer in layers:
        prefix = _PREFIX[layer.type]
        counts[prefix] = counts.get(prefix, 0) + 1
        names.append(f"{prefix}{counts[prefix]}")
    return names


def summarize(layers: list[LayerSpec], input_shape: tuple[int, int, int], num_classes: int) -> Summary:
    """Output shape, parameter count and FLOPs of every row, plus the head.

    Parameters
    ----------
    layers : rows of the layer table
    input_shape : (height, width, channels) of one image
    num_classes : size of the softmax output

    Raises
    ------
    ValueError
        Naming the row and why it does not fit (e.g. a 5x5 'valid' kernel on a 3x3 map,
        a convolution after Flatten, a network over ``MAX_PARAMS``).
    """
    if num_classes < 2:
        raise ValueError(f"A classifier needs at least 2 classes, got {num_classes}.")
    shape: tuple[int, ...] = tuple(int(d) for d in input_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"Images must be (height, width, channels), got {input_shape}.")
    rows = []
    for number, (layer, name) in enumerate(zip(layers, _names(layers)), start=1):
        where = f"Row {number} ({layer.describe()})"
        _check_values(where, layer)
        shape, params, flops = _row_output(where, layer, shape)
        rows.append(SummaryRow(number, name, layer.describe(), shape, params, flops))
    if len(shape) == 3:
        rows.append(SummaryRow(0, "flatten_head", "Flatten (added before the output)", (math.prod(shape),), 0, 0))
        shape = (math.prod(shape),)
    units = shape[0]
    rows.append(
        SummaryRow(
            0,
            "predictions",
            f"Dense {num_classes} softmax (output)",
            (num_classes,),
            units * num_classes + num_classes,
            2 * units * num_classes + 5 * num_classes,
        )
    )
    summary = Summary(rows)
    if summary.total_params > MAX_PARAMS:
        biggest = max(rows, key=lambda row: row.params)
        raise ValueError(
            f"This network has {summary.total_params:,} parameters (limit {MAX_PARAMS:,}); most are in "
            f"'{biggest.name}' ({biggest.params:,}). Add pooling or strides before it, or use fewer units."
        )
    return summary


def _row_output(where: str, layer: LayerSpec, shape: tuple[int, ...]) -> tuple[tuple[int, ...], int, int]:
    """(output shape, params, FLOPs) of one row given its input shape."""
    kind = layer.type
    if kind in ("Conv2D", "ResBlock", "MaxPool", "AvgPool", "GlobalAvgPool") and len(shape) != 3:
        raise ValueError(
            f"{where}: needs an image-shaped input (height x width x channels) but gets a flat "
            f"vector of {shape[0]}; move it before the Flatten/GlobalAvgPool/Dense rows."
        )
    if kind == "Dense" and len(shape) == 3:
        raise ValueError(
            f"{where}: gets a {'x'.join(map(str, shape))} feature map; add a Flatten or GlobalAvgPool row before it."
        )
    if kind == "Flatten":
        return (math.prod(shape),), 0, 0
    if kind == "GlobalAvgPool":
        return (shape[2],), 0, shape[0] * shape[1] * shape[2]
    if kind == "Dropout":
        return shape, 0, 0
    if kind == "Dense":
        units, fan_in = layer.size, shape[0]
        params = fan_in * units + (units if not layer.batch_norm else 0) + (4 * units if layer.batch_norm else 0)
        return (units,), params, 2 * fan_in * units + units * (5 if layer.batch_norm else 1)
    height, width, channels = shape
    if kind in ("MaxPool", "AvgPool"):
        if layer.kernel > min(height, width):
            raise ValueError(
                f"{where}: the {layer.kernel}x{layer.kernel} window is larger than its "
                f"{height}x{width} input; remove this pooling or pool less before it."
            )
        out_h = _spatial_out(height, layer.kernel, layer.stride, "valid")
        out_w = _spatial_out(width, layer.kernel, layer.stride, "valid")
        return (out_h, out_w, channels), 0, out_h * out_w * channels * layer.kernel**2
    filters, kernel, stride = layer.size, layer.kernel, layer.stride
    if kind == "Conv2D":
        if layer.padding == "valid" and kernel > min(height, width):
            raise ValueError(
                f"{where}: its {kernel}x{kernel} kernel is larger than its {height}x{width} input; "
                "use padding 'same', a smaller kernel, or less pooling before it."
            )
        out_h = _spatial_out(height, kernel, stride, layer.padding)
        out_w = _spatial_out(width, kernel, stride, layer.padding)
        weights = kernel * kernel * channels * filters
        params = weights + (4 * filters if layer.batch_norm else filters)
        flops = out_h * out_w * filters * (2 * kernel * kernel * channels + (5 if layer.batch_norm else 1))
        return (out_h, out_w, filters), params, flops
    # ResBlock: conv(k, stride)-BN-act-conv(k)-BN + shortcut (1x1 conv-BN if the shape changes), then act.
    out_h, out_w = _spatial_out(height, kernel, stride, "same"), _spatial_out(width, kernel, stride, "same")
    conv_a = kernel * kernel * channels * filters
    conv_b = kernel * kernel * filters * filters
    projection = stride != 1 or channels != filters
    shortcut = channels * filters + 4 * filters if projection else 0
    params = conv_a + conv_b + 8 * filters + shortcut
    pixels = out_h * out_w
    flops = pixels * (
        2 * conv_a + 2 * conv_b + 10 * filters + filters + ((2 * channels * filters + 5 * filters) if projection else 0)
    )
    return (out_h, out_w, filters), params, flops


# --- Keras -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Augmentation:
    """Random transforms applied to training images only (Keras preprocessing layers).

    shift and zoom are fractions of the image size; rotate is a fraction of a full turn.
    """

    flip: bool = False
    shift: float = 0.0
    rotate: float = 0.0
    zoom: float = 0.0

    @property
    def active(self) -> bool:
        return self.flip or self.shift > 0 or self.rotate > 0 or self.zoom > 0


def augmentation_layers(augmentation: Augmentation, seed: int = 0) -> list:
    """The Keras layers for ``augmentation`` (empty when it does nothing)."""
    import keras

    layers = []
    if augmentation.flip:
        layers.append(keras.layers.RandomFlip("horizontal", seed=seed, name="aug_flip"))
    if augmentation.shift > 0:
        layers.append(
            keras.layers.RandomTranslation(
                augmentation.shift, augmentation.shift, fill_mode="constant", seed=seed, name="aug_shift"
            )
        )
    if augmentation.rotate > 0:
        layers.append(
            keras.layers.RandomRotation(augmentation.rotate, fill_mode="constant", seed=seed, name="aug_rotate")
        )
    if augmentation.zoom > 0:
        layers.append(keras.layers.RandomZoom(augmentation.zoom, fill_mode="constant", seed=seed, name="aug_zoom"))
    return layers


def augment_examples(images, augmentation: Augmentation, copies: int = 4, seed: int = 0):
    """``copies`` random augmentations of each image, as training would see them.

    images : float32 (N, H, W, C) -> float32 (N, copies, H, W, C)
    """
    import keras
    import numpy as np

    steps = augmentation_layers(augmentation, seed)
    out = []
    for _copy in range(copies):
        batch = keras.ops.convert_to_tensor(images)
        for layer in steps:
            batch = layer(batch, training=True)
        out.append(keras.ops.convert_to_numpy(batch))
    return np.stack(out, axis=1)


INITIALIZERS = {
    "Glorot/Xavier uniform": "glorot_uniform",
    "He normal": "he_normal",
    "LeCun normal": "lecun_normal",
    "Small random normal (σ=0.01)": "small_normal",
    "Zeros (symmetry trap)": "zeros",
}


def _initializer(key: str, seed: int):
    import keras

    if key == "small_normal":
        return keras.initializers.RandomNormal(stddev=0.01, seed=seed)
    if key == "zeros":
        return keras.initializers.Zeros()
    return keras.initializers.get({"class_name": key, "config": {"seed": seed}})


def build_model(
    layers: list[LayerSpec],
    input_shape: tuple[int, int, int],
    num_classes: int,
    initializer: str = "glorot_uniform",
    augmentation: Augmentation | None = None,
    seed: int = 0,
    name: str = "cnn",
):
    """The Keras functional model for the rows (checked with :func:`summarize` first).

    Build it inside ``device.strategy().scope()`` to train on GPUs / several devices.
    ``initializer`` is a value of :data:`INITIALIZERS` (kernel initialiser of every
    convolution and dense layer).
    """
    import keras

    summarize(layers, input_shape, num_classes)

    def kernel_init(offset: int):
        return _initializer(initializer, seed + offset)  # distinct seeds per layer

    inputs = keras.Input(tuple(input_shape), name="image")
    x = inputs
    for layer in augmentation_layers(augmentation or Augmentation(), seed):
        x = layer(x)
    for offset, (spec, name_) in enumerate(zip(layers, _names(layers))):
        x = _apply_row(keras, spec, name_, x, lambda offset=offset: kernel_init(offset))
    if len(x.shape) == 4:
        x = keras.layers.Flatten(name="flatten_head")(x)
    outputs = keras.layers.Dense(
        num_classes,
        activation="softmax",
        kernel_initializer=kernel_init(len(layers)),
        name="predictions",
        dtype="float32",
    )(x)
    return keras.Model(inputs, outputs, name=name)


def _normalised(L, spec: LayerSpec, name: str, x):
    """After a bias-free linear layer with ``batch_norm``: BatchNorm, then the row's activation."""
    if not spec.batch_norm:
        return x
    x = L.BatchNormalization(name=f"{name}_bn")(x)
    return L.Activation(spec.activation, name=f"{name}_{spec.activation}")(x)


def _apply_row(keras, spec: LayerSpec, name: str, x, init):
    L = keras.layers
    if spec.type == "Conv2D":
        x = L.Conv2D(
            spec.size,
            spec.kernel,
            strides=spec.stride,
            padding=spec.padding,
            kernel_initializer=init(),
            use_bias=not spec.batch_norm,
            activation=None if spec.batch_norm else spec.activation,
            name=name,
        )(x)
        x = _normalised(L, spec, name, x)
    elif spec.type == "Dense":
        x = L.Dense(
            spec.size,
            kernel_initializer=init(),
            use_bias=not spec.batch_norm,
            activation=None if spec.batch_norm else spec.activation,
            name=name,
        )(x)
        x = _normalised(L, spec, name, x)
    elif spec.type == "MaxPool":
        x = L.MaxPooling2D(spec.kernel, spec.stride, name=name)(x)
    elif spec.type == "AvgPool":
        x = L.AveragePooling2D(spec.kernel, spec.stride, name=name)(x)
    elif spec.type == "Flatten":
        x = L.Flatten(name=name)(x)
    elif spec.type == "GlobalAvgPool":
        x = L.GlobalAveragePooling2D(name=name)(x)
    elif spec.type == "Dropout":
        return L.Dropout(spec.dropout, name=name)(x)
    elif spec.type == "ResBlock":
        shortcut = x
        y = L.Conv2D(
            spec.size,
            spec.kernel,
            strides=spec.stride,
            padding="same",
            use_bias=False,
            kernel_initializer=init(),
            name=f"{name}_conv_a",
        )(x)
        y = L.BatchNormalization(name=f"{name}_bn_a")(y)
        y = L.Activation(spec.activation, name=f"{name}_{spec.activation}_a")(y)
        y = L.Conv2D(
            spec.size, spec.kernel, padding="same", use_bias=False, kernel_initializer=init(), name=f"{name}_conv_b"
        )(y)
        y = L.BatchNormalization(name=f"{name}_bn_b")(y)
        if spec.stride != 1 or x.shape[-1] != spec.size:
            shortcut = L.Conv2D(
                spec.size, 1, strides=spec.stride, use_bias=False, kernel_initializer=init(), name=f"{name}_shortcut"
            )(x)
            shortcut = L.BatchNormalization(name=f"{name}_shortcut_bn")(shortcut)
        x = L.Add(name=f"{name}_add")([y, shortcut])
        x = L.Activation(spec.activation, name=name)(x)
    if spec.dropout > 0:
        x = L.Dropout(spec.dropout, name=f"{name}_dropout")(x)
    return x


# How the downloaded script gets each dataset: the body of its load_data(source) function.
_LOADERS_CODE = {
    "fashion_mnist": """\
    folder = Path(source or "/usr/share/datasets/fashion-mnist")  # Debian's dataset-fashion-mnist
    stems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    if all((folder / f"{stem}.gz").exists() for stem in stems):
        x_train, y_train, x_test, y_test = (
            np.frombuffer(gzip.open(folder / f"{stem}.gz").read(), np.uint8, offset=16 if "images" in stem else 8)
            for stem in stems
        )
        x_train, x_test = x_train.reshape(-1, 28, 28), x_test.reshape(-1, 28, 28)
    else:  # downloads 30 MB once into ~/.keras/datasets
        (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    return scaled(x_train, y_train), scaled(x_test, y_test)
""",
    "mnist": """\
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()  # 11 MB, cached in ~/.keras
    return scaled(x_train, y_train), scaled(x_test, y_test)
""",
    "cifar10": """\
    (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()  # 163 MB, cached in ~/.keras
    return scaled(x_train, y_train), scaled(x_test, y_test)
""",
    "digits": """\
    from sklearn.datasets import load_digits

    digits = load_digits()  # bundled with scikit-learn
    return split(digits.images / 16.0, digits.target, test_fraction=0.2)
""",
    "faces": """\
    import skimage.data

    patches = skimage.data.lfw_subset().astype("float32")  # 100 faces, then 100 non-faces
    patches = patches / 255.0 if patches.max() > 1.0 else patches
    return split(patches, np.array([1] * 100 + [0] * 100), test_fraction=0.25)
""",
    "class_folders": """\
    if source is None:
        raise SystemExit("Give the folder or .zip with one sub-folder of images per class to train on "
                         "(the CNN trainer's Data tab downloads its dataset as such a zip).")
    from PIL import Image

    height, width, channels = INPUT_SHAPE
    if zipfile.is_zipfile(source):
        archive = zipfile.ZipFile(source)
        files = [(Path(name).parent.name, archive.read(name)) for name in sorted(archive.namelist())
                 if not name.endswith("/")]
    else:
        files = [(path.parent.name, path.read_bytes()) for path in sorted(Path(source).glob("*/*")) if path.is_file()]
    found = sorted({class_name for class_name, _ in files})
    names = CLASS_NAMES if set(found) <= set(CLASS_NAMES) else found
    images, labels = [], []
    for class_name, data in files:
        try:
            image = Image.open(io.BytesIO(data)).convert("L" if channels == 1 else "RGB")
        except OSError:
            continue  # not an image
        images.append(np.asarray(image.resize((width, height)), np.float32) / 255.0)
        labels.append(names.index(class_name))
    return split(np.stack(images), np.array(labels), test_fraction=0.2)
""",
}

# Shared by the loaders above.
_SCRIPT_HELPERS = '''

def scaled(x, y):
    """uint8 images (N, H, W[, C]) and labels as float32 (N, H, W, C) in [0, 1] and int64 (N,)."""
    x = x.astype("float32") / 255.0
    return (x[..., None] if x.ndim == 3 else x), np.asarray(y, np.int64).ravel()


def split(x, y, test_fraction):
    """A shuffled train/test split that keeps each class's share of the images."""
    rng = np.random.default_rng(SEED)
    test = np.concatenate([
        members[: int(round(len(members) * test_fraction))]
        for members in (rng.permutation(np.flatnonzero(y == label)) for label in np.unique(y))
    ])
    is_test = np.isin(np.arange(len(y)), test)
    x = np.asarray(x, np.float32)
    x = x[..., None] if x.ndim == 3 else x
    return (x[~is_test], y[~is_test]), (x[is_test], y[is_test])
'''

# What the script's docstring says about where its data comes from.
_SCRIPT_SOURCES = {
    "fashion_mnist": "Fashion-MNIST from Debian's package, else downloaded by Keras (DATA: a folder of its .gz files)",
    "mnist": "MNIST, downloaded by Keras once",
    "cifar10": "CIFAR-10, downloaded by Keras once",
    "digits": "scikit-learn's bundled 8x8 digits",
    "faces": "scikit-image's bundled LFW patches",
}


# Datasets the downloaded script loads by itself; for the others it reads a folder or zip of class folders.
SCRIPT_DATASETS = frozenset(_SCRIPT_SOURCES)


def keras_code(
    layers: list[LayerSpec],
    input_shape: tuple[int, int, int],
    num_classes: int,
    optimizer: str = "adam",
    learning_rate: float = 1e-3,
    batch_size: int = 128,
    epochs: int = 5,
    initializer: str = "glorot_uniform",
    augmentation: Augmentation | None = None,
    dataset: str = "user",
    class_names: list[str] | None = None,
    seed: int = 0,
) -> str:
    """A standalone training script that loads ``dataset`` (a :class:`Dataset` name; any other reads
    a folder or zip of class folders given as its argument), rebuilds the same model (same layer
    names), trains, evaluates on the test images and saves ``model.keras``."""
    summary = summarize(layers, input_shape, num_classes)
    init = _initializer_code(initializer)
    source = _SCRIPT_SOURCES.get(dataset, "DATA, a folder or .zip with one sub-folder of images per class")
    loader = _LOADERS_CODE.get(dataset, _LOADERS_CODE["class_folders"])
    imports = ["import argparse"] + [f"import {m}" for m in ("gzip", "io", "zipfile") if f"{m}." in loader]
    imports += ["from pathlib import Path"] if "Path(" in loader else []
    head = [
        '"""Generated by Vision Playground (CNN trainer): rebuild and train the same network.',
        "",
        f"Data: {source}.",
        "    python train_cnn.py [DATA]                           # train as the playground did",
        "    python train_cnn.py [DATA] --epochs 1 --limit 2000   # a quick try",
        '"""',
        "",
        *imports,
        "",
        "import keras",
        "import numpy as np",
        "from keras import layers",
        "",
        f"INPUT_SHAPE = {tuple(input_shape)}",
        f"CLASS_NAMES = {list(class_names or [str(k) for k in range(num_classes)])!r}",
        f"SEED = {seed}",
        "",
        "",
        "def load_data(source=None):",
        '    """((x_train, y_train), (x_test, y_test)): float32 (N, H, W, C) in [0, 1] and int64 labels."""',
        loader.rstrip(),
        _SCRIPT_HELPERS.rstrip(),
        "",
        "",
        "def build_model():",
    ]
    body = ["inputs = keras.Input(INPUT_SHAPE, name='image')", "x = inputs"]
    augmentation = augmentation or Augmentation()
    if augmentation.flip:
        body.append(f"x = layers.RandomFlip('horizontal', seed={seed}, name='aug_flip')(x)")
    if augmentation.shift > 0:
        body.append(
            f"x = layers.RandomTranslation({augmentation.shift}, {augmentation.shift}, fill_mode='constant', "
            f"seed={seed}, name='aug_shift')(x)"
        )
    if augmentation.rotate > 0:
        body.append(
            f"x = layers.RandomRotation({augmentation.rotate}, fill_mode='constant', seed={seed}, name='aug_rotate')(x)"
        )
    if augmentation.zoom > 0:
        body.append(
            f"x = layers.RandomZoom({augmentation.zoom}, fill_mode='constant', seed={seed}, name='aug_zoom')(x)"
        )
    for spec, name in zip(layers, _names(layers)):
        body.extend(_row_code(spec, name, init))
    if summary.rows[-2].name == "flatten_head":
        body.append("x = layers.Flatten(name='flatten_head')(x)")
    body += [
        f"outputs = layers.Dense({num_classes}, activation='softmax', kernel_initializer={init}, "
        "name='predictions')(x)",
        "return keras.Model(inputs, outputs)",
    ]
    tail = [
        "",
        "",
        "def main():",
        "    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])",
        "    parser.add_argument('data', nargs='?', help='where the images are (see above)')",
        f"    parser.add_argument('--epochs', type=int, default={epochs})",
        "    parser.add_argument('--limit', type=int, default=None, help='train on the first LIMIT images only')",
        "    args = parser.parse_args()",
        "    keras.utils.set_random_seed(SEED)",
        "    (x_train, y_train), (x_test, y_test) = load_data(args.data)",
        "    x_train, y_train = x_train[: args.limit], y_train[: args.limit]",
        "    model = build_model()",
        "    model.summary()",
        f"    model.compile(optimizer={_optimizer_code(optimizer, learning_rate)},",
        "                  loss='sparse_categorical_crossentropy', metrics=['accuracy'])",
        f"    model.fit(x_train, y_train, batch_size={batch_size}, epochs=args.epochs, validation_split=0.1)",
        "    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)",
        "    print(f'test accuracy: {accuracy:.4f} (loss {loss:.4f}) on {len(y_test)} images')",
        "    model.save('model.keras')",
        "",
        "",
        "if __name__ == '__main__':",
        "    main()",
    ]
    return "\n".join(head + ["    " + line for line in body] + tail) + "\n"


def _initializer_code(key: str) -> str:
    if key == "small_normal":
        return "keras.initializers.RandomNormal(stddev=0.01)"
    return repr(key)


def _row_code(spec: LayerSpec, name: str, init: str) -> list[str]:
    act = repr(spec.activation)
    out = []
    if spec.type in ("Conv2D", "Dense"):
        head = (
            f"layers.Conv2D({spec.size}, {spec.kernel}, strides={spec.stride}, padding={spec.padding!r}, "
            if spec.type == "Conv2D"
            else f"layers.Dense({spec.size}, "
        )
        if spec.batch_norm:
            out += [
                f"x = {head}use_bias=False, kernel_initializer={init}, name={name!r})(x)",
                f"x = layers.BatchNormalization(name='{name}_bn')(x)",
                f"x = layers.Activation({act}, name='{name}_{spec.activation}')(x)",
            ]
        else:
            out.append(f"x = {head}activation={act}, kernel_initializer={init}, name={name!r})(x)")
    elif spec.type in ("MaxPool", "AvgPool"):
        keras_name = "MaxPooling2D" if spec.type == "MaxPool" else "AveragePooling2D"
        out.append(f"x = layers.{keras_name}({spec.kernel}, {spec.stride}, name={name!r})(x)")
    elif spec.type == "Flatten":
        out.append(f"x = layers.Flatten(name={name!r})(x)")
    elif spec.type == "GlobalAvgPool":
        out.append(f"x = layers.GlobalAveragePooling2D(name={name!r})(x)")
    elif spec.type == "Dropout":
        return [f"x = layers.Dropout({spec.dropout}, name={name!r})(x)"]
    elif spec.type == "ResBlock":
        conv = f"layers.Conv2D({spec.size}, {spec.kernel}, padding='same', use_bias=False, kernel_initializer={init}"
        out += [
            f"# residual block {name}: two convolutions plus a skip connection",
            "shortcut = x",
            f"y = {conv}, strides={spec.stride}, name='{name}_conv_a')(x)",
            f"y = layers.BatchNormalization(name='{name}_bn_a')(y)",
            f"y = layers.Activation({act}, name='{name}_{spec.activation}_a')(y)",
            f"y = {conv}, name='{name}_conv_b')(y)",
            f"y = layers.BatchNormalization(name='{name}_bn_b')(y)",
            f"if {spec.stride} != 1 or x.shape[-1] != {spec.size}:",
            f"    shortcut = layers.Conv2D({spec.size}, 1, strides={spec.stride}, use_bias=False, "
            f"kernel_initializer={init}, name='{name}_shortcut')(x)",
            f"    shortcut = layers.BatchNormalization(name='{name}_shortcut_bn')(shortcut)",
            f"x = layers.Add(name='{name}_add')([y, shortcut])",
            f"x = layers.Activation({act}, name={name!r})(x)",
        ]
    if spec.dropout > 0:
        out.append(f"x = layers.Dropout({spec.dropout}, name='{name}_dropout')(x)")
    return out


def _optimizer_code(name: str, learning_rate: float) -> str:
    return {
        "Adam": f"keras.optimizers.Adam({learning_rate})",
        "SGD": f"keras.optimizers.SGD({learning_rate})",
        "SGD + momentum": f"keras.optimizers.SGD({learning_rate}, momentum=0.9)",
        "RMSprop": f"keras.optimizers.RMSprop({learning_rate})",
    }[name]
