"""Style transfer engine: every loss against a direct NumPy computation (and TensorFlow's
own total variation), the optimisation on a tiny conv net, bad input, stop."""

import numpy as np
import pytest

from playground.core import jobs
from playground.lessons import style
from tests.conftest import wait_until

pytestmark = pytest.mark.tf

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


def numpy_gram(features: np.ndarray) -> np.ndarray:
    """Σ_ij a[i, j, k] a[i, j, k'] written out as a double loop over channels."""
    channels = features.shape[-1]
    gram = np.zeros((channels, channels))
    for k in range(channels):
        for k2 in range(channels):
            gram[k, k2] = np.sum(features[..., k] * features[..., k2])
    return gram


def test_gram_matrix_matches_numpy(rng):
    features = rng.normal(size=(5, 7, 4)).astype(np.float32)
    got = style.gram_matrix(tf.constant(features[None])).numpy()
    np.testing.assert_allclose(got, numpy_gram(features.astype(np.float64)), rtol=1e-5)
    assert np.allclose(got, got.T)


def test_content_loss_matches_course_formula(rng):
    a_c, a_g = rng.normal(size=(2, 6, 5, 3))
    expected = np.sum((a_c - a_g) ** 2) / (4 * 6 * 5 * 3)
    got = style.content_loss(tf.constant(a_c[None], tf.float32), tf.constant(a_g[None], tf.float32))
    assert float(got) == pytest.approx(expected, rel=1e-5)


def test_style_loss_matches_course_formula(rng):
    a_s, a_g = rng.normal(size=(2, 6, 5, 3))
    n_h, n_w, n_c = a_g.shape
    expected = np.sum((numpy_gram(a_s) - numpy_gram(a_g)) ** 2) / (2 * n_h * n_w * n_c) ** 2
    got = style.style_loss(style.gram_matrix(tf.constant(a_s, tf.float32)), tf.constant(a_g[None], tf.float32))
    assert float(got) == pytest.approx(expected, rel=1e-4)


def test_style_loss_rescales_a_style_image_of_another_size(rng):
    # Tiling an image four times quadruples its Gram matrix; per position nothing changed.
    a_g = rng.normal(size=(4, 6, 3))
    tiled = np.tile(a_g, (2, 2, 1))
    gram = style.gram_matrix(tf.constant(tiled, tf.float32))
    got = style.style_loss(gram, tf.constant(a_g, tf.float32), positions=tiled.shape[0] * tiled.shape[1])
    assert float(got) == pytest.approx(0.0, abs=1e-6)


def test_total_variation_matches_numpy_and_tensorflow(rng):
    image = rng.uniform(size=(9, 11, 3)).astype(np.float32)
    expected = (np.abs(np.diff(image, axis=0)).sum() + np.abs(np.diff(image, axis=1)).sum()) / (9 * 11)
    got = float(style.total_variation_loss(tf.constant(image)))
    assert got == pytest.approx(expected, rel=1e-5)
    assert got == pytest.approx(float(tf.image.total_variation(tf.constant(image))) / (9 * 11), rel=1e-5)


@pytest.fixture(scope="module")
def tiny_net():
    """A random 3-block conv net with the backbone's layer names (RGB 0-255 in)."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, None, 3))
    x = keras.layers.Rescaling(1 / 127.5, offset=-1)(inputs)
    for block, filters in enumerate((8, 12, 16), start=1):
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv")(x)
        x = keras.layers.MaxPooling2D()(x)
    return style.backbone_from_model(keras.Model(inputs, x), "tiny test net")


@pytest.fixture(scope="module")
def pair():
    rng = np.random.default_rng(0)
    content = np.zeros((48, 64, 3), np.uint8)
    content[:, :32] = (200, 60, 40)
    content[12:36, 20:44] = (30, 90, 220)
    style_rgb = rng.integers(0, 256, (40, 40, 3)).astype(np.uint8)
    return style.prepare_images(content, style_rgb, 32)


def settings_for(net, **changes) -> style.StyleSettings:
    defaults = {"content_layer": "block3_conv", "style_layers": dict(net.default_style), "steps": 30}
    return style.StyleSettings(**{**defaults, **changes})


def test_tracing_the_step_parses_no_python_source(tiny_net, pair, python_ast_builds):
    """The step traces without autograph, which would parse its source in the job thread."""
    content, style_rgb, _ = pair
    updates = list(style.stylise(tiny_net, content, style_rgb, settings_for(tiny_net, steps=2), report_every=1))
    assert len(updates) == 3 and python_ast_builds == []


def test_tiny_net_exposes_backbone_layers(tiny_net):
    assert tiny_net.layers == ["block1_conv", "block2_conv", "block3_conv"]
    assert tiny_net.default_content == "block3_conv"


def test_total_loss_decreases_and_output_keeps_size_and_range(tiny_net, pair):
    content, style_rgb, _ = pair
    updates = list(style.stylise(tiny_net, content, style_rgb, settings_for(tiny_net), report_every=10))
    assert [u.step for u in updates] == [0, 10, 20, 30]
    totals = [u.losses["total"] for u in updates]
    assert totals[-1] < 0.6 * totals[0]
    assert updates[-1].losses["style"] < updates[0].losses["style"]
    for update in updates:
        assert update.image.shape == content.shape and update.image.dtype == np.uint8
    # Starting from the content image, step 0 is the content itself and has no content loss.
    np.testing.assert_array_equal(updates[0].image, content)
    assert updates[0].losses["content"] == pytest.approx(0.0, abs=1e-9)
    # Balanced: each style layer starts at its layer weight (1), so the style term at 3.
    assert updates[0].losses["style"] == pytest.approx(3.0, rel=1e-3)


def test_reported_terms_add_up_with_the_effective_weights(tiny_net, pair):
    content, style_rgb, _ = pair
    settings = settings_for(tiny_net, steps=5, start_from="noise", tv_weight=0.3)
    last = list(style.stylise(tiny_net, content, style_rgb, settings))[-1]
    w, losses = last.weights, last.losses
    style_sum = sum(w[f"lambda:{n}"] * losses[f"style:{n}"] for n in tiny_net.layers)
    assert losses["style"] == pytest.approx(style_sum, rel=1e-4)
    total = w["alpha"] * losses["content"] + w["beta"] * losses["style"] + w["gamma"] * losses["tv"]
    assert losses["total"] == pytest.approx(total, rel=1e-4)


def test_unbalanced_weights_are_used_as_given(tiny_net, pair):
    content, style_rgb, _ = pair
    settings = settings_for(tiny_net, steps=1, balance=False, content_weight=2.0, style_weight=3.0)
    first = next(style.stylise(tiny_net, content, style_rgb, settings))
    assert first.weights["alpha"] == pytest.approx(2.0) and first.weights["beta"] == pytest.approx(3.0)
    assert first.weights["lambda:block2_conv"] == pytest.approx(1.0)


def test_noise_start_is_seeded(tiny_net, pair):
    content, style_rgb, _ = pair
    first = [
        next(style.stylise(tiny_net, content, style_rgb, settings_for(tiny_net, start_from="noise", seed=s)))
        for s in (1, 1, 2)
    ]
    np.testing.assert_array_equal(first[0].image, first[1].image)
    assert not np.array_equal(first[0].image, first[2].image)


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(content_weight=0, style_weight=0, tv_weight=0), "All three loss weights are zero"),
        (dict(style_layers={"block1_conv": 0.0}), "every style layer has weight 0"),
        (dict(style_layers={}), "no layer chosen"),
        (dict(content_layer="block9_conv"), "no layer 'block9_conv'"),
        (dict(image_side=4000), "Image size 4000 px"),
        (dict(style_weight=-1), "zero or positive"),
        (dict(learning_rate=0), "learning rate must be positive"),
    ],
)
def test_bad_settings_say_what_is_wrong(tiny_net, pair, changes, message):
    content, style_rgb, _ = pair
    with pytest.raises(ValueError, match=message):
        next(style.stylise(tiny_net, content, style_rgb, settings_for(tiny_net, **changes)))


def test_layer_gram_is_normalised_per_position(tiny_net, pair):
    content, _, _ = pair
    gram = style.layer_gram(tiny_net, content, "block1_conv")
    features = tiny_net.extractor(("block1_conv",))(content[None].astype(np.float32) / 255.0)["block1_conv"]
    flat = features.numpy().reshape(-1, 8).astype(np.float64)
    np.testing.assert_allclose(gram, flat.T @ flat / flat.shape[0], rtol=1e-4, atol=1e-6)


def test_job_reports_progress_and_stops_keeping_the_image(tiny_net, pair):
    content, style_rgb, _ = pair
    job = jobs.submit(style.run_job, tiny_net, content, style_rgb, settings_for(tiny_net, steps=100_000), name="style")
    wait_until(lambda: job.snapshot().step >= 10, timeout=60, what="ten style steps")
    job.stop()
    snapshot = job.wait(30)
    assert snapshot.state == jobs.STOPPED
    assert 10 <= snapshot.result["steps_done"] < 100_000
    assert snapshot.result["image"].shape == content.shape
    assert set(snapshot.series) >= {"content", "style", "tv", "total"}
    assert snapshot.images["result"].shape == content.shape


def test_job_runs_to_the_end(tiny_net, pair):
    content, style_rgb, _ = pair
    snapshot = jobs.submit(style.run_job, tiny_net, content, style_rgb, settings_for(tiny_net, steps=12)).wait(60)
    assert snapshot.state == jobs.DONE
    assert snapshot.result["steps_done"] == 12 and snapshot.step == 12
    assert snapshot.result["seconds_per_megapixel_step"] > 0
