"""GAN helpers that need no TensorFlow: interpolation, tiling, diversity, diagnosis, the diagram."""

import numpy as np
import pytest

from playground.core.images import tile
from playground.figures import gan_plots
from playground.lessons import gan


@pytest.mark.parametrize("method", ["linear", "spherical"])
def test_interpolation_endpoints_equal_the_inputs(method):
    rng = np.random.default_rng(1)
    z0, z1 = rng.standard_normal(16), rng.standard_normal(16)
    path = gan.interpolate(z0, z1, 7, method)
    assert path.shape == (7, 16)
    np.testing.assert_allclose(path[0], z0, atol=1e-6)
    np.testing.assert_allclose(path[-1], z1, atol=1e-6)


def test_spherical_path_is_scipy_slerp_and_linear_path_sags():
    from scipy.spatial import geometric_slerp

    rng = np.random.default_rng(2)
    z0, z1 = rng.standard_normal(32), rng.standard_normal(32)
    z1 *= np.linalg.norm(z0) / np.linalg.norm(z1)  # same length: slerp stays on the sphere
    t = np.linspace(0, 1, 9)
    reference = geometric_slerp(z0 / np.linalg.norm(z0), z1 / np.linalg.norm(z1), t) * np.linalg.norm(z0)
    np.testing.assert_allclose(gan.interpolate(z0, z1, 9, "spherical"), reference, atol=1e-5)
    linear_norms = np.linalg.norm(gan.interpolate(z0, z1, 9, "linear"), axis=1)
    assert linear_norms[4] < 0.9 * np.linalg.norm(z0)


def test_parallel_vectors_fall_back_to_a_straight_line():
    z0 = np.ones(4)
    np.testing.assert_allclose(gan.interpolate(z0, 3 * z0, 3, "spherical"), [z0, 2 * z0, 3 * z0], atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(steps=1), "at least 2 steps"),
        (dict(method="cubic"), "Unknown interpolation method 'cubic'"),
    ],
)
def test_bad_interpolation_requests(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gan.interpolate(np.zeros(3), np.ones(3), **{"steps": 4, "method": "linear", **kwargs})


def test_latents_are_reproducible_standard_normal_and_checked():
    z = gan.latents(2000, 8, seed=3)
    assert z.shape == (2000, 8) and z.dtype == np.float32
    np.testing.assert_array_equal(z, gan.latents(2000, 8, seed=3))
    assert abs(z.mean()) < 0.05 and abs(z.std() - 1) < 0.05
    with pytest.raises(ValueError, match="Latent size 1 is out of range"):
        gan.latents(4, 1, 0)


def test_one_hot_matches_numpy_eye_and_rejects_missing_classes():
    np.testing.assert_array_equal(gan.one_hot([2, 0], 3), np.eye(3)[[2, 0]])
    with pytest.raises(ValueError, match="Class 5 does not exist"):
        gan.one_hot([5], 3)


def test_tile_places_each_image_and_scales():
    images = np.stack([np.full((2, 3, 1), v) for v in (0.0, 0.5, 1.0)])
    canvas = tile(images, cols=2, pad=1, scale=2)
    assert canvas.shape == ((2 * 3 - 1) * 2, (2 * 4 - 1) * 2, 3) and canvas.dtype == np.uint8
    assert (canvas[:4, :6] == 0).all()  # image 0, top left
    assert (canvas[:4, 8:14] == 128).all()  # image 1, top right (0.5 rounds to 128)
    assert (canvas[6:10, :6] == 255).all()  # image 2, second row


def test_diversity_is_scipy_mean_pairwise_distance():
    from scipy.spatial.distance import pdist

    images = np.random.default_rng(4).random((12, 5, 5, 1))
    assert gan.diversity(images) == pytest.approx(pdist(images.reshape(12, -1)).mean())
    assert gan.diversity(np.repeat(images[:1], 5, axis=0)) == pytest.approx(0, abs=1e-6)
    # By hand: three 1-pixel images 0, 3 and 4 are 3, 4 and 1 apart.
    assert gan.diversity(np.array([0.0, 3.0, 4.0]).reshape(3, 1, 1, 1)) == pytest.approx(8 / 3)


def _series(xs, **values):
    return {name: (list(xs), list(v)) for name, v in values.items()}


def test_diagnose_flags_sustained_collapse_only_after_samples_were_varied():
    xs = np.arange(12) / 10
    untrained = _series(xs, diversity=[0.05] * 12)
    assert gan.diagnose(untrained) == []
    collapsing = _series(xs, diversity=[0.05, 0.6, 0.8, 0.9, 0.3, 0.5, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1])
    events = gan.diagnose(collapsing)
    assert [e.kind for e in events] == ["mode collapse"] and events[0].x == pytest.approx(0.6)


def test_diagnose_flags_divergence_and_a_fooled_discriminator():
    xs = np.arange(10)
    winning = _series(
        xs,
        batch_d_acc_real=[0.7] * 3 + [1.0] * 7,
        batch_d_acc_fake=[0.6] * 3 + [1.0] * 7,
        batch_g_loss=[1.0] * 3 + [5.0] * 7,
    )
    assert [(e.kind, e.x) for e in gan.diagnose(winning)] == [("divergence", 3.0)]
    fooled = _series(xs, batch_d_acc_real=[0.5] * 10, batch_d_acc_fake=[0.5] * 5 + [0.0] * 5, batch_g_loss=[0.7] * 10)
    assert [(e.kind, e.x) for e in gan.diagnose(fooled)] == [("discriminator fooled", 5.0)]
    healthy = _series(xs, batch_d_acc_real=[0.7] * 10, batch_d_acc_fake=[0.6] * 10, batch_g_loss=[0.9] * 10)
    assert gan.diagnose(healthy) == []


def test_loop_diagram_carries_the_numbers():
    dot = gan_plots.loop_diagram(0.6931, 1.25, 0.5, 0.75)
    assert dot.startswith("digraph") and "0.693" in dot and "1.250" in dot and "75%" in dot
    assert "–" in gan_plots.loop_diagram()
