"""CNN trainer engine against Keras/TensorFlow/SciPy references with tiny models."""

import io
import zipfile

import numpy as np
import pytest
from scipy.signal import correlate

from playground.core import datasets, jobs, keras_tools
from playground.lessons import cnn_training, explain, layer_table
from playground.lessons.layer_table import LayerSpec

pytestmark = pytest.mark.tf
keras = pytest.importorskip("keras")

AUG = layer_table.Augmentation(flip=True, shift=0.1, rotate=0.05, zoom=0.1)


@pytest.mark.parametrize("name", list(layer_table.PRESETS))
def test_summary_matches_keras_shapes_and_params(name):
    shape = (20, 20, 3)
    layers = layer_table.preset(name, shape)
    summary = layer_table.summarize(layers, shape, 7)
    model = layer_table.build_model(layers, shape, 7, augmentation=AUG)
    assert summary.total_params == model.count_params()
    for row in summary.rows:
        assert tuple(model.get_layer(row.name).output.shape[1:]) == row.output_shape, row.name


def test_generated_code_rebuilds_the_same_model():
    layers = layer_table.preset("Tiny ResNet", (16, 16, 1))[:3] + [
        LayerSpec("Conv2D", 8, 3, 2, "valid", "elu", True, 0.2),
        LayerSpec("Flatten"),
        LayerSpec("Dense", 12, batch_norm=True),
    ]
    code = layer_table.keras_code(
        layers,
        (16, 16, 1),
        3,
        "SGD + momentum",
        0.01,
        32,
        1,
        "small_normal",
        AUG,
    )
    namespace = {"__name__": "generated"}  # defines build_model() and the rest; main() stays unrun
    exec(compile(code, "generated", "exec"), namespace)
    ours = layer_table.build_model(layers, (16, 16, 1), 3, augmentation=AUG)
    theirs = namespace["build_model"]()
    assert [layer.name for layer in theirs.layers] == [layer.name for layer in ours.layers]
    assert theirs.count_params() == ours.count_params()
    assert theirs.get_layer("conv1").output.shape == ours.get_layer("conv1").output.shape


def test_activation_map_of_conv1_equals_scipy_correlation(rng):
    model = layer_table.build_model([LayerSpec("Conv2D", 4, 3, 1, "valid", "relu")], (9, 9, 2), 3)
    image = rng.random((9, 9, 2), dtype=np.float32)
    kernel, bias = model.get_layer("conv1").get_weights()
    maps = explain.activation_maps(model, image, "conv1")
    for f in range(4):
        expected = correlate(image, kernel[..., f], mode="valid")[..., 0] + bias[f]
        np.testing.assert_allclose(maps[..., f], np.maximum(expected, 0), atol=1e-5)
    with pytest.raises(ValueError, match="feature maps"):
        explain.activation_maps(model, image, "predictions")


def test_saliency_is_the_input_gradient(rng):
    keras.utils.set_random_seed(1)
    model = layer_table.build_model([LayerSpec("Conv2D", 3, 3, activation="tanh"), LayerSpec("Flatten")], (6, 6, 1), 3)
    image = rng.random((6, 6, 1), dtype=np.float32)
    heat, index = explain.saliency(model, image, class_index=2)
    assert index == 2
    # central finite differences of p_2 (float64 to make them accurate)
    base = image.astype(np.float64)
    grad = np.zeros((6, 6))
    step = 1e-3
    for r in range(6):
        for c in range(6):
            up, down = base.copy(), base.copy()
            up[r, c, 0] += step
            down[r, c, 0] -= step
            p = model(np.stack([up, down]).astype(np.float32), training=False).numpy()[:, 2]
            grad[r, c] = (p[0] - p[1]) / (2 * step)
    expected = np.abs(grad)
    expected = (expected - expected.min()) / (expected.max() - expected.min())
    np.testing.assert_allclose(heat, expected, atol=0.05)


def test_grad_cam_reduces_to_cam_on_a_global_average_pooling_net(rng):
    # For conv -> GAP -> dense, d log p_c / d A_k is the same at every pixel, so Grad-CAM's weights are
    # (W[k, c] - sum_j p_j W[k, j]) / (H*W): CAM (Zhou et al. 2016) with the softmax-centred dense weights.
    keras.utils.set_random_seed(2)
    model = layer_table.build_model(
        [LayerSpec("Conv2D", 5, 3, activation="relu"), LayerSpec("GlobalAvgPool")], (8, 8, 1), 4
    )
    image = rng.random((8, 8, 1), dtype=np.float32)
    cam, _index = explain.grad_cam(model, image, class_index=1, layer_name="conv1")
    maps = explain.activation_maps(model, image, "conv1")
    dense = model.get_layer("predictions").get_weights()[0]  # (5, 4)
    p = model(image[None]).numpy()[0]
    weights = dense[:, 1] - dense @ p
    expected = np.maximum((maps * weights).sum(-1), 0)
    expected = (expected - expected.min()) / (expected.max() - expected.min())
    np.testing.assert_allclose(cam, expected, atol=1e-4)  # 8x8 maps -> 8x8 input: no resampling


def saturated_model(image, num_classes, gap):
    """conv1 -> flatten -> dense softmax whose dense weights are scaled so that on ``image`` the
    top logit leads the runner-up by ``gap`` (the float32 softmax of the top class is then 1.0)."""
    keras.utils.set_random_seed(4)
    model = layer_table.build_model([LayerSpec("Conv2D", 4, 3, activation="tanh")], (8, 8, 1), num_classes)
    dense = model.get_layer("predictions")
    kernel, bias = dense.get_weights()
    features = keras.Model(model.inputs[0], dense.input)(image[None]).numpy()[0]
    runner_up, top = np.sort(features @ kernel + bias)[-2:]
    scale = gap / (top - runner_up)
    dense.set_weights([kernel * scale, bias * scale])
    return model


def reference_map(model, image, index, method, score_of_logits):
    """Grad-CAM on conv1 or saliency straight from TensorFlow: the same network with a linear last
    layer gives the logits z (K,), and ``score_of_logits(z, index)`` is differentiated."""
    import tensorflow as tf

    dense = model.get_layer("predictions")
    linear = keras.layers.Dense(dense.units, name="linear_logits")
    twin = keras.Model(model.inputs[0], [model.get_layer("conv1").output, linear(dense.input)])
    linear.set_weights(dense.get_weights())
    x = tf.constant(image[None])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        maps, logits = twin(x, training=False)
        score = score_of_logits(logits[0], index)
    if method == "saliency":
        heat = np.abs(tape.gradient(score, x)[0].numpy()).max(axis=-1)
    else:
        weights = tape.gradient(score, maps)[0].numpy().mean(axis=(0, 1))
        heat = np.maximum((maps[0].numpy() * weights).sum(-1), 0)
    return (heat - heat.min()) / (heat.max() - heat.min())


def log_probability_float64(logits, index):
    import tensorflow as tf

    return tf.nn.log_softmax(tf.cast(logits, tf.float64))[index]  # saturates only past a gap of ~36


def logit_difference(logits, index):
    return logits[index] - logits[1 - index]  # log(p_c / (1 - p_c)) of a two-class softmax


@pytest.mark.parametrize("method", ["grad_cam", "saliency"])
@pytest.mark.parametrize(
    "num_classes, gap, score_of_logits", [(4, 25.0, log_probability_float64), (2, 1000.0, logit_difference)]
)
def test_maps_of_a_saturated_softmax_are_not_blank(rng, method, num_classes, gap, score_of_logits):
    image = rng.random((8, 8, 1), dtype=np.float32)
    model = saturated_model(image, num_classes, gap)
    probabilities = model(image[None]).numpy()[0]
    top = int(probabilities.argmax())
    assert probabilities[top] == 1.0  # float32 softmax saturated: d p / d anything is exactly 0
    heat, index = getattr(explain, method)(model, image)
    assert index == top and heat.max() == 1.0
    # 8x8 maps -> 8x8 input: no resampling in Grad-CAM
    np.testing.assert_allclose(heat, reference_map(model, image, top, method, score_of_logits), atol=1e-4)


@pytest.mark.parametrize("method", ["grad_cam", "saliency"])
def test_maps_of_a_model_whose_output_is_not_its_softmax_layer_are_those_of_log_p(rng, method):
    image = rng.random((8, 8, 1), dtype=np.float32)
    model = saturated_model(image, 4, gap=5.0)  # not saturated
    wrapped = keras.Model(model.inputs[0], keras.layers.Identity()(model.outputs[0]))
    heat, index = getattr(explain, method)(wrapped, image)
    expected = reference_map(model, image, index, method, log_probability_float64)
    np.testing.assert_allclose(heat, expected, atol=1e-4)


def test_flip_augmentation_shows_originals_or_mirrors(rng):
    images = rng.random((3, 6, 6, 1), dtype=np.float32)
    out = layer_table.augment_examples(images, layer_table.Augmentation(flip=True), copies=6)
    assert out.shape == (3, 6, 6, 6, 1)
    for original, copies in zip(images, out):
        for copy in copies:
            assert np.allclose(copy, original) or np.allclose(copy, original[:, ::-1])


def test_training_job_reports_live_curves_applies_lr_and_evaluates():
    data = datasets.make_shapes(n_per_class=30, size=16)
    layers = layer_table.preset("Fast CNN (default)", data.input_shape)
    config = cnn_training.TrainConfig(epochs=3, batch_size=16, augmentation=layer_table.Augmentation(shift=0.05))
    job = jobs.submit(
        cnn_training.train, layers, data.x_train, data.y_train, data.x_test, data.y_test, data.num_classes, config
    )
    job.send(learning_rate=0.005)
    snapshot = job.wait(120)
    assert snapshot.state == jobs.DONE, snapshot.error
    result = snapshot.result
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(snapshot.series)
    assert snapshot.series["val_loss"][0] == [1.0, 2.0, 3.0]
    assert float(result.model.optimizer.learning_rate.numpy()) == pytest.approx(0.005)
    keras_accuracy = result.model.evaluate(data.x_test, data.y_test, verbose=0)[1]
    assert result.test_accuracy == pytest.approx(keras_accuracy, abs=1e-6)
    assert result.test_probabilities.shape == (len(data.y_test), data.num_classes)


def test_exploding_learning_rate_stops_with_a_message():
    data = datasets.make_shapes(n_per_class=30, size=16)
    config = cnn_training.TrainConfig(optimizer="Adam", learning_rate=10.0, epochs=5, batch_size=8)
    snapshot = jobs.submit(
        cnn_training.train,
        layer_table.preset("Fast CNN (default)", data.input_shape),
        data.x_train,
        data.y_train,
        data.x_test,
        data.y_test,
        data.num_classes,
        config,
    ).wait(120)
    result = snapshot.result
    assert result.model is None and result.epochs_done == 1
    assert "learning rate 10" in result.diverged and "Lower the learning rate" in result.diverged


def test_load_uploaded_model_round_trip_and_refusals(tmp_path):
    model = layer_table.build_model(layer_table.preset("LeNet-5", (28, 28, 1)), (28, 28, 1), 10)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras_tools.load_uploaded_model(path.read_bytes(), "m.keras")
    assert loaded.count_params() == model.count_params()
    x = np.random.default_rng(0).random((2, 28, 28, 1), dtype=np.float32)
    np.testing.assert_allclose(loaded(x).numpy(), model(x).numpy(), atol=1e-6)

    with pytest.raises(ValueError, match="not a .keras model file"):
        keras_tools.load_uploaded_model(b"hello", "notes.txt")
    with pytest.raises(ValueError, match="legacy HDF5"):
        keras_tools.load_uploaded_model(b"\x89HDF\r\n\x1a\n" + b"0" * 100, "old.h5")
    empty_zip = io.BytesIO()
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("cats/a.txt", "x")
    with pytest.raises(ValueError, match="no config.json"):
        keras_tools.load_uploaded_model(empty_zip.getvalue(), "cats.zip")
    # A Lambda layer carries Python code: safe mode must refuse it.
    inputs = keras.Input((4, 4, 1))
    lam = keras.Model(
        inputs,
        keras.layers.Dense(2, activation="softmax")(
            keras.layers.Flatten()(keras.layers.Lambda(lambda t: t * 2)(inputs))
        ),
    )
    lam_path = tmp_path / "lambda.keras"
    lam.save(lam_path)
    with pytest.raises(ValueError, match="not standard Keras .a Lambda layer") as refused:
        keras_tools.load_uploaded_model(lam_path.read_bytes(), "lambda.keras")
    assert "safe_mode" not in str(refused.value)  # Keras' advice cannot be followed here
