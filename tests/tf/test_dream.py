"""Deep dream engine on a tiny random CNN (and the shipped backbone's wrapper)."""

import numpy as np
import pytest

pytestmark = pytest.mark.tf

from playground.core import jobs, shipped_models
from playground.lessons import dream
from tests.conftest import wait_until


@pytest.fixture(scope="module")
def tiny():
    """A 2-block ReLU CNN shaped like the backbone (input RGB 0-255, blockN_conv layers)."""
    import keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, None, 3))
    x = keras.layers.Rescaling(1 / 127.5, offset=-1.0)(inputs)
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="block1_conv")(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="block2_conv")(x)
    model = keras.Model(inputs, x)
    outputs = {name: model.get_layer(name).output for name in ("block1_conv", "block2_conv")}
    return dream.DreamModel("tiny", model, outputs, list(outputs), {"block2_conv": 1.0}, 127.5, 127.5, 8, "test")


@pytest.fixture
def photo(rng):
    return rng.integers(0, 256, (40, 52, 3), dtype=np.uint8)


def test_layer_loss_is_the_mean_squared_interior_activation(tiny, rng):
    import keras

    image = rng.uniform(-1, 1, (1, 30, 34, 3)).astype(np.float32)
    direct = keras.Model(tiny.model.inputs, tiny.model.get_layer("block1_conv").output)
    activation = np.asarray(direct(image * 127.5 + 127.5))  # independent forward pass, in NumPy
    b = dream.BORDER
    expected = np.mean(activation[:, b:-b, b:-b, :] ** 2)
    expected_channel = np.mean(activation[:, b:-b, b:-b, 3] ** 2)
    extractor = tiny.extractor(("block1_conv", "block2_conv"))
    activations = extractor(image * 127.5 + 127.5)
    total, terms = dream.compute_loss(activations, {"block1_conv": 2.0, "block2_conv": 0.5})
    np.testing.assert_allclose(float(terms["block1_conv"]), expected, rtol=1e-5)
    second = np.asarray(activations["block2_conv"])[:, b:-b, b:-b, :]
    np.testing.assert_allclose(float(total), 2.0 * expected + 0.5 * np.mean(second**2), rtol=1e-5)
    _, channel_terms = dream.compute_loss(activations, {"block1_conv": 1.0}, channel=3)
    np.testing.assert_allclose(float(channel_terms["block1_conv"]), expected_channel, rtol=1e-5)


def test_total_variation_matches_numpy(rng):
    image = rng.normal(size=(1, 9, 11, 3)).astype(np.float32)
    expected = np.abs(np.diff(image, axis=1)).mean() + np.abs(np.diff(image, axis=2)).mean()
    np.testing.assert_allclose(float(dream.total_variation(image)), expected, rtol=1e-5)


def test_loss_rises_and_output_keeps_size_and_range(tiny, photo):
    settings = dream.DreamSettings(
        {"block2_conv": 1.0}, octaves=2, octave_scale=1.3, steps=8, step_size=0.02, max_side=64, jitter=2
    )
    updates = list(dream.run_octaves(tiny, photo, settings))
    assert len(updates) == 16
    first_octave = [u.loss for u in updates if u.octave == 0]
    last_octave = [u.loss for u in updates if u.octave == 1]
    assert first_octave[-1] > 1.5 * first_octave[0]
    assert last_octave[-1] > last_octave[0]
    final = updates[-1].image
    assert final.shape == photo.shape and final.dtype == np.uint8
    assert updates[0].shape == (31, 40)  # 40/1.3, 52/1.3 rounded
    assert not np.array_equal(final, photo)


def test_max_loss_ends_each_octave_early(tiny, photo):
    settings = dream.DreamSettings(
        {"block2_conv": 1.0}, octaves=2, steps=30, step_size=0.05, max_side=64, max_loss=1e-9
    )
    updates = list(dream.run_octaves(tiny, photo, settings))
    assert [(u.octave, u.step) for u in updates] == [(0, 0), (1, 0)]
    assert updates[-1].image.shape == photo.shape


def test_large_images_are_capped_to_max_side(tiny, rng):
    big = rng.integers(0, 256, (90, 120, 3), dtype=np.uint8)
    settings = dream.DreamSettings({"block1_conv": 1.0}, octaves=1, steps=1, max_side=60)
    assert list(dream.run_octaves(tiny, big, settings))[-1].image.shape == (45, 60, 3)


@pytest.mark.parametrize(
    "settings, message",
    [
        (dream.DreamSettings({}), "No layer selected"),
        (dream.DreamSettings({"block1_conv": 0.0, "block2_conv": 0.0}), "weight 0"),
        (dream.DreamSettings({"block1_conv": 1.0}, steps=0), "Steps per octave is 0"),
        (dream.DreamSettings({"block1_conv": 1.0}, octaves=6, octave_scale=2.0, max_side=64), "smallest octave"),
        (dream.DreamSettings({"block1_conv": 1.0}, channel=99), "Channel 99"),
        (dream.DreamSettings({"block1_conv": 1.0, "block2_conv": 1.0}, channel=1), "exactly one layer"),
        (dream.DreamSettings({"nope": 1.0}), "no layer 'nope'"),
    ],
)
def test_bad_settings_get_clear_messages(tiny, photo, settings, message):
    with pytest.raises(ValueError, match=message):
        list(dream.run_octaves(tiny, photo, settings))


def test_tiny_image_is_refused(tiny):
    with pytest.raises(ValueError, match="needs at least 8 px"):
        list(dream.run_octaves(tiny, np.zeros((6, 6, 3), np.uint8), dream.DreamSettings({"block1_conv": 1.0})))


def test_stop_works_mid_run(tiny, photo):
    settings = dream.DreamSettings({"block2_conv": 1.0}, octaves=2, steps=2000, max_side=64)
    job = jobs.submit(dream.dream_job, tiny, photo, settings, name="dream-test")
    # The first step traces the graph: slow on a loaded machine.
    wait_until(lambda: job.snapshot().step >= 5, timeout=150, what="five dream steps")
    job.stop()
    snapshot = job.wait(30)
    assert snapshot.state == jobs.STOPPED
    assert 5 <= snapshot.step < 4000
    assert snapshot.result["image"].shape == photo.shape  # the partial dream is kept for the page
    assert len(snapshot.result["losses"]) == snapshot.step


def test_job_reports_per_octave_losses_and_result(tiny, photo):
    settings = dream.DreamSettings({"block2_conv": 1.0}, octaves=2, octave_scale=1.3, steps=3, max_side=64)
    snapshot = jobs.submit(dream.dream_job, tiny, photo, settings, name="dream-test").wait(60)
    assert snapshot.state == jobs.DONE
    assert set(snapshot.series) == {"octave 1", "octave 2"}
    assert snapshot.series["octave 2"][0] == [1.0, 2.0, 3.0]
    result = snapshot.result
    assert result["image"].shape == photo.shape
    assert result["settings"]["steps"] == 3 and len(result["losses"]) == 6


def test_backbone_wrapper_offers_named_layers_and_class_scores():
    import keras

    backbone = dream.load_backbone()
    assert backbone.layers == dream.BACKBONE_LAYERS
    assert len(backbone.class_names) == dream.channel_count(backbone, dream.CLASS_LAYER)
    assert "cat" in backbone.class_names
    image = np.random.default_rng(0).uniform(0, 255, (1, 48, 48, 3)).astype(np.float32)
    scores = backbone.extractor((dream.CLASS_LAYER,))(image)[dream.CLASS_LAYER]
    np.testing.assert_allclose(keras.activations.softmax(scores).numpy(), backbone.model(image).numpy(), atol=1e-6)
    preview = dream.layer_preview(
        backbone, dream.CLASS_LAYER, side=48, steps=4, channel=backbone.class_names.index("cat")
    )
    assert preview.shape == (48, 48, 3)


def test_inception_wrapper_structure_without_download():
    import keras

    model = keras.applications.InceptionV3(weights=None, include_top=False, input_shape=(None, None, 3))
    wrapped = dream.inception_from_model(model, "random weights")
    assert wrapped.layers == dream.INCEPTION_LAYERS
    assert dream.channel_count(wrapped, "mixed4") == 768


def test_inception_download_failure_is_a_clear_message(monkeypatch):
    import keras

    def offline(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(keras.applications, "InceptionV3", offline)
    with pytest.raises(shipped_models.ModelUnavailable, match="no network.*offline backbone"):
        dream.load_inception()


def test_traced_step_crops_the_border_at_every_octave_size(tiny, rng):
    """The step is traced once with unknown sizes; its loss must still skip the border."""
    import keras

    step = dream.make_gradient_ascent_step(tiny, ("block1_conv",))
    direct = keras.Model(tiny.model.inputs, tiny.model.get_layer("block1_conv").output)
    b = dream.BORDER
    for height, width in ((12, 15), (21, 26)):
        image = rng.uniform(-1, 1, (1, height, width, 3)).astype(np.float32)
        activation = np.asarray(direct(image * 127.5 + 127.5))
        _, loss, _ = step(image, np.array([1.0], np.float32), np.float32(0.01), np.float32(0.0), np.zeros(2, np.int32))
        np.testing.assert_allclose(float(loss), np.mean(activation[:, b:-b, b:-b, :] ** 2), rtol=1e-5)


def test_tracing_the_step_parses_no_python_source(tiny, rng, python_ast_builds):
    """The step traces without autograph, which would parse its source in the job thread."""
    step = dream.make_gradient_ascent_step(tiny, ("block1_conv", "block2_conv"))
    step(
        rng.uniform(-1, 1, (1, 16, 16, 3)).astype(np.float32),
        np.array([1.0, 0.5], np.float32),
        np.float32(0.01),
        np.float32(0.1),
        np.array([1, 2], np.int32),
    )
    assert python_ast_builds == []
