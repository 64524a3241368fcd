"""NumPy backpropagation (playground.lessons.perceptron / playground.lessons.mlp) against TensorFlow GradientTape and Keras."""

import numpy as np
import pytest

from playground.lessons import mlp, perceptron

pytestmark = pytest.mark.tf
tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


def _keras_model(network: mlp.Network, use_bias: bool, l1: float, l2: float):
    """A Keras model with the same layers and the same weights as the NumPy network."""
    sizes = network.layer_sizes
    regularizer = keras.regularizers.L1L2(l1=l1, l2=l2)
    layers = [keras.Input((sizes[0],))]
    for i, units in enumerate(sizes[1:]):
        last = i == len(sizes) - 2
        activation = ("sigmoid" if network.num_classes == 2 else "softmax") if last else network.activation
        layers.append(
            keras.layers.Dense(units, activation=activation, use_bias=use_bias, kernel_regularizer=regularizer)
        )
    model = keras.Sequential(layers)
    for layer, w, b in zip(model.layers, network.weights, network.biases):
        layer.set_weights([w, b] if use_bias else [w])
    return model


@pytest.mark.parametrize("classes,activation,use_bias", [(2, "tanh", True), (3, "relu", True), (2, "sigmoid", False)])
def test_gradients_match_gradient_tape(classes, activation, use_bias):
    rng = np.random.default_rng(classes)
    network = mlp.Network(4, (6, 3), classes, activation=activation, use_bias=use_bias, seed=5)
    if use_bias:
        for bias in network.biases:
            bias[:] = rng.normal(scale=0.5, size=bias.shape)
    X, y = rng.normal(size=(16, 4)), rng.integers(0, classes, 16)
    l1, l2 = 0.001, 0.01
    model = _keras_model(network, use_bias, l1, l2)
    loss_fn = keras.losses.BinaryCrossentropy() if classes == 2 else keras.losses.SparseCategoricalCrossentropy()
    target = y[:, None].astype("float32") if classes == 2 else y
    with tf.GradientTape() as tape:
        loss = loss_fn(target, model(X.astype("float32"))) + tf.add_n(model.losses)
    tf_grads = tape.gradient(loss, model.trainable_variables)
    grads_w, grads_b, data_loss = network.gradients(X, y, l1=l1, l2=l2)
    ours = [g for pair in zip(grads_w, grads_b) for g in (pair if use_bias else pair[:1])]
    assert data_loss + network.penalty(l1, l2) == pytest.approx(float(loss), rel=1e-4)
    for mine, theirs in zip(ours, tf_grads):
        assert np.allclose(mine, theirs.numpy(), atol=2e-5)


@pytest.mark.parametrize(
    "name,keras_optimizer",
    [
        ("Momentum", lambda lr: keras.optimizers.SGD(lr, momentum=mlp.MOMENTUM)),
        ("Adam", lambda lr: keras.optimizers.Adam(lr, epsilon=mlp.ADAM_EPSILON)),
    ],
)
def test_optimizer_steps_match_keras(name, keras_optimizer):
    rng = np.random.default_rng(0)
    params = [rng.normal(size=(3, 2)), rng.normal(size=(2,))]
    variables = [tf.Variable(p.astype("float64")) for p in params]
    ours, theirs = mlp.Optimizer(name, 0.05), keras_optimizer(0.05)
    for _ in range(4):
        grads = [rng.normal(size=p.shape) for p in params]
        ours.apply(params, grads)
        theirs.apply_gradients(zip([tf.constant(g) for g in grads], variables))
    for mine, variable in zip(params, variables):
        assert np.allclose(mine, variable.numpy(), atol=1e-6)


def test_course_backprop_update_matches_gradient_tape():
    X = perceptron.LOGIC_INPUTS
    y = perceptron.LOGIC_GATES["XOR"].astype(float)[:, None]
    w_hidden = tf.Variable(perceptron.COURSE_XOR_W_HIDDEN)
    w_output = tf.Variable(perceptron.COURSE_XOR_W_OUTPUT)
    with tf.GradientTape() as tape:
        output = tf.sigmoid(tf.sigmoid(X @ w_hidden) @ w_output)
        loss = 0.5 * tf.reduce_sum((y - output) ** 2)
    g_hidden, g_output = tape.gradient(loss, [w_hidden, w_output])
    lr = perceptron.COURSE_XOR_LEARNING_RATE
    step = perceptron.mlp_backprop_epoch(X, y, perceptron.COURSE_XOR_W_HIDDEN, perceptron.COURSE_XOR_W_OUTPUT, lr)
    assert np.allclose(step.w_hidden, w_hidden.numpy() - lr * g_hidden.numpy(), atol=1e-12)
    assert np.allclose(step.w_output, w_output.numpy() - lr * g_output.numpy(), atol=1e-12)
