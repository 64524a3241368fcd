"""GAN networks with TensorFlow: shapes, value ranges, one training step, the shipped generator."""

import numpy as np
import pytest

from playground.core import datasets, jobs
from playground.lessons import gan

pytestmark = pytest.mark.tf


@pytest.mark.parametrize("image_shape, classes", [((28, 28, 1), 10), ((8, 8, 1), 0), ((32, 32, 3), 4)])
def test_builders_shapes_and_value_ranges(image_shape, classes):
    generator = gan.build_generator(8, image_shape, classes, "tiny")
    discriminator = gan.build_discriminator(image_shape, classes, "tiny")
    labels = np.arange(5) % classes if classes else None
    images = gan.sample(generator, 5, seed=0, labels=labels)
    assert images.shape == (5,) + image_shape and images.dtype == np.float32
    assert images.min() >= 0 and images.max() <= 1
    scores = gan.discriminator_scores(discriminator, images, labels)
    assert scores.shape == (5,) and ((scores > 0) & (scores < 1)).all()


def test_sample_matches_a_direct_keras_call_and_is_reproducible():
    generator = gan.build_generator(6, (8, 8, 1), 3, "tiny")
    labels = np.array([0, 1, 2, 1])
    images = gan.sample(generator, 4, seed=5, labels=labels)
    z = np.random.default_rng(5).standard_normal((4, 6)).astype(np.float32)
    direct = generator([z, np.eye(3, dtype=np.float32)[labels]], training=False).numpy()
    np.testing.assert_allclose(images, (direct + 1) / 2, atol=1e-5)
    np.testing.assert_array_equal(images, gan.sample(generator, 4, seed=5, labels=labels))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: gan.build_generator(500), "Latent size 500 is out of range"),
        (lambda: gan.build_generator(8, (30, 30, 1)), "Image size 30x30"),
        (lambda: gan.build_discriminator(preset="huge"), "Unknown architecture preset 'huge'"),
        (lambda: gan.training_dataset(np.zeros((300, 8, 8, 1)), np.zeros(300), batch_size=4), "Batch size 4"),
        (lambda: gan.training_dataset(np.zeros((100, 8, 8, 1)), np.zeros(100), batch_size=64), "Only 100"),
    ],
)
def test_bad_input_messages(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_one_training_step_changes_both_networks():
    generator = gan.build_generator(8, (8, 8, 1), 2, "tiny")
    discriminator = gan.build_discriminator((8, 8, 1), 2, "tiny")
    model = gan.make_gan(generator, discriminator, d_steps=2, label_smoothing=0.1)
    before_g = [w.copy() for w in generator.get_weights()]
    before_d = [w.copy() for w in discriminator.get_weights()]
    rng = np.random.default_rng(0)
    images = rng.random((16, 8, 8, 1)).astype(np.float32) * 2 - 1
    logs = model.train_on_batch(images, rng.integers(0, 2, 16), return_dict=True)
    assert set(logs) == {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    assert all(np.isfinite(v) for v in logs.values())
    assert 0 <= logs["d_acc_real"] <= 1 and 0 <= logs["d_acc_fake"] <= 1

    def changed(model, before):
        return any(not np.array_equal(a, b) for a, b in zip(model.get_weights(), before))

    assert changed(generator, before_g) and changed(discriminator, before_d)
    # The generator step leaves D alone: its kernels moved only in D's own steps.
    assert model.d_optimizer.iterations.numpy() == 2 and model.g_optimizer.iterations.numpy() == 1


def test_evaluate_pair_losses_follow_the_scores():
    generator = gan.build_generator(8, (8, 8, 1), 0, "tiny")
    discriminator = gan.build_discriminator((8, 8, 1), 0, "tiny")
    real = np.random.default_rng(1).random((32, 8, 8, 1)).astype(np.float32)
    pair = gan.evaluate_pair(generator, discriminator, real)
    expected_d = -(np.log(pair.scores_real).mean() + np.log(1 - pair.scores_fake).mean()) / 2
    assert pair.d_loss == pytest.approx(expected_d, rel=1e-4)
    assert pair.g_loss == pytest.approx(-np.log(pair.scores_fake).mean(), rel=1e-4)
    assert pair.d_acc_real == pytest.approx((pair.scores_real > 0.5).mean())


def test_background_training_job_reports_and_keeps_the_generator():
    data = datasets.make_shapes(n_per_class=80, size=8)
    settings = gan.TrainSettings(latent_dim=8, preset="tiny", batch_size=32, epochs=1)
    job = jobs.submit(gan.train, data.x_train, data.y_train, data.num_classes, settings, name="gan-test")
    snapshot = job.wait(120)
    assert snapshot.state == jobs.DONE, snapshot.error
    assert {"batch_d_loss", "batch_g_loss", "batch_d_acc_real", "batch_d_acc_fake", "diversity"} <= set(snapshot.series)
    assert snapshot.images["grid"].ndim == 3 and len(snapshot.info["scores_real"]) == len(snapshot.info["scores_fake"])
    assert gan.sample(snapshot.result["generator"], 3, 0, 1).shape == (3, 8, 8, 1)


def test_shipped_generator_is_recognised_by_the_shipped_classifier(shipped_model):
    """The shipped conditional generator's samples, classified by the shipped Fashion-MNIST CNN,
    land in the class asked for far above chance (10%)."""
    generator = shipped_model("fashion_gan_generator")
    classifier = shipped_model("fashion_cnn")
    labels = np.repeat(np.arange(10), 30)
    fakes = gan.sample(generator, len(labels), seed=123, labels=labels)
    assert fakes.shape == (300, 28, 28, 1) and fakes.min() >= 0 and fakes.max() <= 1
    recognised = (classifier(fakes, training=False).numpy().argmax(1) == labels).mean()
    assert recognised > 0.6, recognised
