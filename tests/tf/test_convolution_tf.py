"""NumPy conv2d / pool2d against TensorFlow for every setting the page offers, on random inputs."""

import numpy as np
import pytest

from playground.lessons import convolution as conv

pytestmark = pytest.mark.tf

tf = pytest.importorskip("tensorflow")

# What the page offers: stride 1-4, padding valid/same/0-20 (sampled), dilation 1-4, f in the presets' sizes.
STRIDES = [1, 2, 3, 4]
DILATIONS = [1, 2, 3, 4]
PADDINGS = ["valid", "same", 0, 1, 2, 5]
KERNEL_SIZES = [1, 3, 5, 7]


def tf_conv(image: np.ndarray, kernel: np.ndarray, stride: int, padding, dilation: int) -> np.ndarray:
    """tf.nn.conv2d on one (H, W[, C]) image and one (f, f[, C]) kernel → (H', W')."""
    x = image if image.ndim == 3 else image[..., None]
    k = kernel if kernel.ndim == 3 else kernel[..., None]
    if isinstance(padding, int):
        tf_padding = [[0, 0], [padding, padding], [padding, padding], [0, 0]]  # explicit padding
    else:
        tf_padding = padding.upper()
    out = tf.nn.conv2d(
        x[None].astype(np.float64),
        k[..., None].astype(np.float64),
        strides=stride,
        padding=tf_padding,
        dilations=dilation,
    )
    return out.numpy()[0, ..., 0]


def cases():
    rng = np.random.default_rng(7)
    for f in KERNEL_SIZES:
        for stride in STRIDES:
            for dilation in DILATIONS:
                # TensorFlow on CPU refuses stride > 1 together with dilation > 1.
                if stride > 1 and dilation > 1:
                    continue
                for padding in PADDINGS:
                    yield f, stride, dilation, padding, int(rng.integers(0, 10_000))


@pytest.mark.parametrize("f,stride,dilation,padding,seed", list(cases()))
def test_conv2d_matches_tf(f, stride, dilation, padding, seed):
    rng = np.random.default_rng(seed)
    height, width = rng.integers(24, 40, size=2)
    image = rng.normal(size=(height, width))
    kernel = rng.normal(size=(f, f))
    ours = conv.conv2d(image, kernel, stride=stride, padding=padding, dilation=dilation)
    np.testing.assert_allclose(ours, tf_conv(image, kernel, stride, padding, dilation), atol=1e-9)


@pytest.mark.parametrize("stride,dilation", [(2, 2), (3, 2), (2, 4)])
@pytest.mark.parametrize("padding", ["valid", "same", 2])
def test_strided_dilated_matches_tf_via_dilated_kernel(stride, dilation, padding):
    """Stride and dilation together (the page allows it): TF with the holes written into the kernel."""
    rng = np.random.default_rng(stride * 10 + dilation)
    image = rng.normal(size=(31, 27))
    kernel = rng.normal(size=(3, 3))
    holes = np.zeros(((3 - 1) * dilation + 1,) * 2)
    holes[::dilation, ::dilation] = kernel
    ours = conv.conv2d(image, kernel, stride=stride, padding=padding, dilation=dilation)
    np.testing.assert_allclose(ours, tf_conv(image, holes, stride, padding, 1), atol=1e-9)


@pytest.mark.parametrize("padding", ["valid", "same", 1])
@pytest.mark.parametrize("stride", [1, 2])
def test_rgb_volume_and_layer_match_tf(padding, stride):
    rng = np.random.default_rng(3)
    image = rng.random((33, 29, 3))
    bank = rng.normal(size=(3, 3, 3, 4))
    biases = rng.normal(size=4)
    np.testing.assert_allclose(
        conv.conv2d(image, bank[..., 0], stride, padding), tf_conv(image, bank[..., 0], stride, padding, 1), atol=1e-9
    )
    if isinstance(padding, str):
        layer = tf.keras.layers.Conv2D(4, 3, strides=stride, padding=padding, activation="relu", dtype="float64")
        layer.build((None, 33, 29, 3))
        layer.set_weights([bank, biases])
        expected = layer(image[None]).numpy()[0]
        np.testing.assert_allclose(conv.conv_layer(image, bank, biases, stride, padding), expected, atol=1e-9)


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("size", [2, 3, 4])
@pytest.mark.parametrize("stride", [1, 2, 3, 4])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_pool2d_matches_tf(mode, size, stride, padding):
    rng = np.random.default_rng(size * 100 + stride)
    x = rng.normal(size=(23, 30))
    pool = tf.nn.max_pool2d if mode == "max" else tf.nn.avg_pool2d
    expected = pool(x[None, ..., None], ksize=size, strides=stride, padding=padding.upper()).numpy()[0, ..., 0]
    np.testing.assert_allclose(conv.pool2d(x, size, stride, mode, padding), expected, atol=1e-12)


def test_course_pooling_is_keras_same_max_pooling():
    pooled = tf.keras.layers.MaxPooling2D(2, 2, padding="same")(conv.COURSE_FEATURE_MAP[None, ..., None])
    np.testing.assert_array_equal(pooled.numpy()[0, ..., 0], conv.COURSE_POOLED)


def test_shipped_cnn_first_layer_matches_numpy(shipped_model):
    model = shipped_model("fashion_cnn")
    layer = conv.first_conv_layer(model)
    assert (layer.name, layer.kernels.shape, layer.padding, layer.relu) == ("conv1", (5, 5, 1, 16), "same", True)
    image = np.random.default_rng(0).random((28, 28, 1)).astype(np.float32)
    probe = tf.keras.Model(model.inputs[0], model.get_layer("conv1").output)
    expected = probe(image[None]).numpy()[0]
    ours = conv.conv_layer(
        image, layer.kernels, layer.biases, layer.stride, layer.padding, layer.dilation, relu=layer.relu
    )
    np.testing.assert_allclose(ours, expected, atol=1e-5)


@pytest.mark.parametrize(
    "strides,padding,dilation,activation", [(2, "valid", 1, None), (1, "same", 2, "relu"), (3, "same", 1, "relu")]
)
def test_first_conv_layer_settings_reproduce_keras(strides, padding, dilation, activation):
    inner = tf.keras.Sequential(
        [
            tf.keras.Input((21, 19, 3)),
            tf.keras.layers.Conv2D(
                5, 3, strides=strides, padding=padding, dilation_rate=dilation, activation=activation
            ),
        ]
    )
    model = tf.keras.Sequential([tf.keras.Input((21, 19, 3)), tf.keras.layers.Rescaling(1.0), inner])
    layer = conv.first_conv_layer(model)
    image = np.random.default_rng(strides).random((21, 19, 3)).astype(np.float32)
    ours = conv.conv_layer(
        image, layer.kernels, layer.biases, layer.stride, layer.padding, layer.dilation, relu=layer.relu
    )
    np.testing.assert_allclose(ours, inner(image[None]).numpy()[0], atol=1e-5)


def test_model_without_conv_layer_is_explained():
    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2)], name="dense_only")
    with pytest.raises(ValueError, match="'dense_only' has no Conv2D layer"):
        conv.first_conv_layer(model)
