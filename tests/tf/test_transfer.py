"""Transfer learning with Keras: offline transfer beats scratch, Grad-CAM follows the object,
ImageNet structure/freezing with weights=None, download failure falls back."""

import cv2
import numpy as np
import pytest

from playground.core import datasets, jobs
from playground.lessons import explain, transfer

pytestmark = pytest.mark.tf


@pytest.fixture(scope="module")
def offline():
    return transfer.load_backbone(transfer.OFFLINE)


def fashion_task(fashion, per_class_train=16, per_class_test=60, size=64, seed=0):
    """Few-shot task from ``fashion`` (Fashion-MNIST; the page's example classes) as RGB [0, 255] at ``size``."""
    rng = np.random.default_rng(seed)
    parts = {"train": ([], []), "test": ([], [])}
    for label, name in enumerate(transfer.EXAMPLE_CLASSES):
        idx = rng.permutation(np.flatnonzero(fashion.y_test == datasets.FASHION_CLASSES.index(name)))
        for part, chosen in (("train", idx[:per_class_train]), ("test", idx[per_class_train:][:per_class_test])):
            for i in chosen:
                gray = cv2.resize(fashion.x_test[i, ..., 0], (size, size)) * 255.0
                parts[part][0].append(np.repeat(gray[..., None], 3, axis=-1))
                parts[part][1].append(label)
    (xtr, ytr), (xte, yte) = ((np.array(x, np.float32), np.array(y)) for x, y in parts.values())
    return datasets.Dataset("fewshot", xtr, ytr, xte, yte, list(transfer.EXAMPLE_CLASSES), "test")


def test_feature_extraction_beats_scratch_and_fine_tuning_continues_the_curve(offline, fashion_mnist):
    data = fashion_task(fashion_mnist)
    before = [w.copy() for w in offline.features.get_weights()]
    config = transfer.TransferConfig(
        head_epochs=5, head_learning_rate=3e-3, fine_tune_epochs=1, fine_tune_layers=1, batch_size=16
    )
    snapshot = jobs.submit(transfer.train_transfer, offline, data, config).wait(600)
    assert snapshot.state == "done", snapshot.error
    result = snapshot.result
    # At equal epochs: mean held-out accuracy over the head's 5 epochs vs the same epochs of the
    # network trained from random weights (the mean over the curve, not one noisy end point:
    # 24 test images per class move a final accuracy by several points between runs).
    transfer_curve = snapshot.series["val_accuracy"][1][: config.head_epochs]
    scratch_curve = snapshot.series["scratch_val_accuracy"][1][: config.head_epochs]
    assert np.mean(transfer_curve) > np.mean(scratch_curve) + 0.1, (transfer_curve, scratch_curve)
    assert transfer_curve[0] > scratch_curve[0] + 0.2  # the head starts from useful features
    assert result.fine_tuned_accuracy is not None and result.unfrozen == ["block5_conv"]
    steps, _ = snapshot.series["val_accuracy"]
    assert steps == list(range(1, 7))  # phase 2 continues at epoch 6
    assert snapshot.series["scratch_val_accuracy"][0] == list(range(1, 7))
    for old, new in zip(before, offline.features.get_weights()):  # the shared cached backbone is untouched
        np.testing.assert_array_equal(old, new)
    assert not np.allclose(result.features_before, result.features_after)  # fine-tuning moved the features
    # The classifier's pooled features equal the cached features of the backbone (independent Keras path).
    import keras

    pooled = keras.Model(offline.features.inputs[0], keras.layers.GlobalAveragePooling2D()(offline.features.output))
    np.testing.assert_allclose(result.features_before[:5], pooled(data.x_train[:5]).numpy(), rtol=1e-4, atol=1e-4)


def disc_image(centre, present=True, size=64, seed=0):
    """Grey noise with (or without) a red disc at ``centre`` (x, y), RGB [0, 255]."""
    rng = np.random.default_rng(seed)
    image = rng.uniform(90, 150, (size, size, 3)).astype(np.float32)
    if present:
        cv2.circle(image, centre, 9, (230, 30, 30), -1)
    return image


def test_grad_cam_has_the_image_size_and_its_peak_follows_the_object(offline):
    rng = np.random.default_rng(1)
    x = [disc_image(tuple(int(v) for v in rng.integers(12, 52, 2)), i % 2 == 0, seed=i) for i in range(40)]
    y = np.arange(40) % 2  # 0: a disc somewhere, 1: background only
    data = datasets.Dataset("discs", np.array(x), y, np.array(x[:6]), y[:6], ["disc", "none"], "")
    config = transfer.TransferConfig(
        head_epochs=20, head_learning_rate=1e-2, fine_tune_epochs=0, scratch_baseline=False
    )
    result = jobs.submit(transfer.train_transfer, offline, data, config).wait(300).result
    assert result.head_accuracy == 1.0
    for centre in ((12, 12), (51, 51), (12, 51), (51, 12)):
        heat, index = explain.grad_cam(result.model, disc_image(centre, seed=99), 0)
        assert heat.shape == (64, 64) and index == 0
        peak_row, peak_col = np.unravel_index(np.argmax(heat), heat.shape)
        # The peak sits in the disc's quadrant of the image.
        assert (peak_col < 32) == (centre[0] < 32) and (peak_row < 32) == (centre[1] < 32), (centre, peak_col, peak_row)


def test_grad_cam_of_an_over_confident_model_is_the_logit_difference_map(offline):
    import keras
    import tensorflow as tf

    classifier = transfer.build_classifier(offline, 2)
    dense = classifier.model.get_layer("logits")
    kernel, bias = dense.get_weights()
    dense.set_weights([kernel * 1e3, bias])  # softmax saturates at exactly 1.0
    image = disc_image((20, 40))
    probabilities = classifier.model(image[None]).numpy()[0]
    top = int(probabilities.argmax())
    assert probabilities[top] == 1.0
    heat, index = explain.grad_cam(classifier.model, image)
    # Reference straight from TensorFlow: Grad-CAM of z_c - z_other = log(p_c / (1 - p_c)) on the logits layer.
    layer = explain.last_conv_layer(classifier.model)
    twin = keras.Model(classifier.model.inputs[0], [classifier.model.get_layer(layer).output, dense.output])
    with tf.GradientTape() as tape:
        maps, logits = twin(image[None], training=False)
        score = logits[0, top] - logits[0, 1 - top]
    weights = tape.gradient(score, maps)[0].numpy().mean(axis=(0, 1))
    cam = cv2.resize(np.maximum((maps[0].numpy() * weights).sum(-1), 0), (64, 64), interpolation=cv2.INTER_LINEAR)
    assert index == top and heat.max() == 1.0
    np.testing.assert_allclose(heat, (cam - cam.min()) / (cam.max() - cam.min()), atol=1e-4)


@pytest.mark.parametrize(
    "label, module", [("MobileNetV2 (ImageNet)", "mobilenet_v2"), ("ResNet50 (ImageNet)", "resnet50")]
)
def test_preprocessing_layer_matches_keras_preprocess_input(label, module):
    import keras

    rgb = np.random.default_rng(0).uniform(0, 255, (2, 5, 7, 3)).astype(np.float32)
    layer = transfer._preprocess_layer(keras, transfer.BACKBONES[label])
    expected = getattr(keras.applications, module).preprocess_input(rgb.copy())
    np.testing.assert_allclose(layer(rgb).numpy(), expected, rtol=1e-5, atol=1e-3)


def test_mobilenet_structure_and_freezing_with_random_weights():
    import keras

    backbone = transfer.load_backbone("MobileNetV2 (ImageNet)", weights=None, image_size=96)
    reference = keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=(96, 96, 3))
    assert [layer.name for layer in backbone.base_layers] == [layer.name for layer in reference.layers[1:]]
    assert backbone.features.output.shape[1:] == reference.output.shape[1:] == (3, 3, 1280)
    classifier = transfer.build_classifier(backbone, num_classes=3)
    transfer.freeze_backbone(backbone)
    assert transfer.trainable_count(classifier.model) == 1280 * 3 + 3  # only the new softmax head
    opened = transfer.unfreeze_top(backbone, 10)
    last10 = backbone.base_layers[-10:]
    assert opened == [layer.name for layer in last10 if layer.__class__.__name__ != "BatchNormalization"]
    assert all(not layer.trainable for layer in backbone.base_layers[:-10])
    assert all(not layer.trainable for layer in last10 if layer.__class__.__name__ == "BatchNormalization")
    opened_params = sum(
        int(np.prod(w.shape)) for layer in last10 if layer.name in opened for w in layer.trainable_weights
    )
    assert transfer.trainable_count(classifier.model) == 1280 * 3 + 3 + opened_params
    probabilities = classifier.model(np.zeros((1, 96, 96, 3), np.float32)).numpy()
    np.testing.assert_allclose(probabilities.sum(), 1.0, rtol=1e-5)


def test_download_failure_says_so_and_falls_back_to_the_offline_backbone(monkeypatch):
    import keras

    real = keras.applications.MobileNetV2

    def offline_loader(*args, weights="imagenet", **kwargs):
        if weights == "imagenet":
            raise Exception(
                "URL fetch failure on https://storage.googleapis.com/...: None -- [Errno 101] Network is unreachable"
            )
        return real(*args, weights=weights, **kwargs)

    monkeypatch.setattr(keras.applications, "MobileNetV2", offline_loader)
    with pytest.raises(transfer.BackboneUnavailable, match="ImageNet weights of MobileNetV2.*Network is unreachable"):
        transfer.load_backbone("MobileNetV2 (ImageNet)", image_size=96)
    backbone, message = transfer.load_backbone_or_fallback("MobileNetV2 (ImageNet)", image_size=96)
    assert backbone.label == transfer.OFFLINE and backbone.features.get_layer("block5_conv")
    assert "9 MB download" in message and "Using the offline backbone instead" in message
