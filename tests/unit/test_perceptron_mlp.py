"""The playground network (playground.lessons.mlp): datasets, backprop against finite differences, bad input."""

import numpy as np
import pytest

from playground.lessons import mlp


@pytest.mark.parametrize("name", mlp.DATASETS)
def test_datasets_have_split_and_all_classes(name):
    data = mlp.make_dataset(name, n_points=120, noise=0.1, test_fraction=0.25, seed=3)
    assert data.x_train.shape == (90, 2) and data.x_test.shape == (30, 2)
    expected_classes = 3 if "3 classes" in name else 2
    assert data.num_classes == expected_classes
    assert set(np.unique(np.concatenate([data.y_train, data.y_test]))) == set(range(expected_classes))
    x_min, x_max, y_min, y_max = data.extent()
    points = np.concatenate([data.x_train, data.x_test])
    assert x_min < points[:, 0].min() and points[:, 0].max() < x_max
    assert y_min < points[:, 1].min() and points[:, 1].max() < y_max


def test_course_xor_points_sit_on_the_corners_with_the_xor_labels():
    data = mlp.make_dataset("Course XOR", n_points=40, noise=0.0)
    points = np.concatenate([data.x_train, data.x_test])
    labels = np.concatenate([data.y_train, data.y_test])
    assert np.array_equal(labels, np.logical_xor(points[:, 0], points[:, 1]).astype(int))


def test_bad_dataset_settings_are_refused_with_the_value():
    with pytest.raises(ValueError, match="Moons"):
        mlp.make_dataset("Moons")
    with pytest.raises(ValueError, match="got 3"):
        mlp.make_dataset("Circle", n_points=3)


def _numeric_gradients(network, X, y, l1, l2, eps=1e-6):
    def loss():
        return network.data_loss(network.forward(X)[-1], y) + network.penalty(l1, l2)

    grads = []
    for param in network.weights + network.biases:
        numeric = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            original = param[index]
            param[index] = original + eps
            plus = loss()
            param[index] = original - eps
            minus = loss()
            param[index] = original
            numeric[index] = (plus - minus) / (2 * eps)
        grads.append(numeric)
    return grads


@pytest.mark.parametrize("classes,activation", [(2, "tanh"), (3, "sigmoid"), (2, "relu"), (4, "linear")])
def test_backprop_matches_finite_differences(classes, activation):
    rng = np.random.default_rng(7)
    network = mlp.Network(3, (5, 4), classes, activation=activation, seed=1)
    for bias in network.biases:
        bias[:] = rng.normal(size=bias.shape)
    X, y = rng.normal(size=(9, 3)), rng.integers(0, classes, 9)
    grads_w, grads_b, _ = network.gradients(X, y, l1=0.0, l2=0.01)
    numeric = _numeric_gradients(network, X, y, 0.0, 0.01)
    for ours, reference in zip(grads_w + grads_b, numeric):
        assert np.allclose(ours, reference, atol=1e-6)


def test_softmax_network_learns_three_gaussians():
    data = mlp.make_dataset("Three Gaussians (3 classes)", n_points=150, noise=0.0)
    trainer = mlp.Trainer(data, mlp.NetworkConfig(hidden_layers=(4,), optimizer="Adam", learning_rate=0.03))
    trainer.train_steps(300)
    assert trainer.history.train_loss[-1] < 0.3 * trainer.history.train_loss[0]
    assert trainer.accuracies()[1] > 0.9
    grid = mlp.grid_outputs(trainer, resolution=20)
    assert grid.probabilities.shape == (20, 20, 3)
    assert np.allclose(grid.probabilities.sum(-1), 1)
    assert [layer.shape[-1] for layer in grid.layers] == [2, 4, 3]


def test_without_bias_the_biases_stay_zero():
    data = mlp.make_dataset("Circle", n_points=60)
    trainer = mlp.Trainer(data, mlp.NetworkConfig(use_bias=False, optimizer="Momentum"))
    trainer.train_steps(20)
    assert all(np.all(b == 0) for b in trainer.network.biases)


@pytest.mark.parametrize(
    "change,message",
    [
        (dict(learning_rate=0.0), "got 0"),
        (dict(hidden_layers=(4, 0)), "Hidden layer 2 has 0 neurons"),
        (dict(batch_size=0), "got 0"),
        (dict(features=()), "at least one"),
    ],
)
def test_bad_settings_are_refused(change, message):
    data = mlp.make_dataset("Circle", n_points=60)
    with pytest.raises(ValueError, match=message):
        mlp.Trainer(data, mlp.NetworkConfig(**change))


def test_overflowing_training_stops_cleanly_and_keeps_finite_weights():
    data = mlp.make_dataset("Circle", n_points=100)
    trainer = mlp.Trainer(data, mlp.NetworkConfig(activation="linear", learning_rate=1000.0))
    with pytest.raises(mlp.TrainingDiverged, match="learning rate 1000"):
        trainer.train_steps(100)
    assert all(np.all(np.isfinite(w)) for w in trainer.network.weights)
    assert trainer.steps < 100


def test_overshooting_learning_rate_is_reported_and_a_good_one_is_not():
    data = mlp.make_dataset("Circle", n_points=100)
    trainer = mlp.Trainer(data, mlp.NetworkConfig(activation="tanh", learning_rate=1e6))
    trainer.train_steps(50)
    assert "1e+06 is too large" in trainer.loss_warning()
    trainer = mlp.Trainer(data, mlp.NetworkConfig(activation="tanh", learning_rate=0.03))
    trainer.train_steps(50)
    assert trainer.loss_warning() is None
