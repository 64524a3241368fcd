"""The course's worked examples (SuperDataScience slides), reproduced by playground.lessons.perceptron."""

import numpy as np
import pytest

from playground.lessons import perceptron as P


def test_course_neuron_example_fires_with_step_threshold_one():
    total, output = P.neuron_output([35, 25], [0.8, 0.1], "step", threshold=1.0)
    assert total == pytest.approx(30.5)
    assert output == 1.0
    total, output = P.neuron_output([35, 25], [-0.8, 0.1], "step", threshold=1.0)
    assert total == pytest.approx(-25.5)
    assert output == 0.0


def test_activations_match_their_formulas():
    s = np.linspace(-5, 5, 11)
    assert np.allclose(P.activate(s, "sigmoid"), 1 / (1 + np.exp(-s)))
    assert np.allclose(P.activate(s, "tanh"), (np.exp(s) - np.exp(-s)) / (np.exp(s) + np.exp(-s)))
    assert np.allclose(P.activate(s, "relu"), np.where(s > 0, s, 0))
    assert P.activate(1000.0, "sigmoid") == 1.0 and P.activate(-1000.0, "sigmoid") == 0.0
    with pytest.raises(ValueError, match="swish"):
        P.activate(s, "swish")


def test_and_first_epoch_matches_the_slides():
    result = P.train_perceptron(P.LOGIC_INPUTS, P.LOGIC_GATES["AND"], [0, 0], 0.1)
    first_epoch = [s for s in result.history if s.epoch == 1]
    # Slides: predictions 0 0 0 0, errors 0 0 0 1, accuracy 75 %, then both weights 0 + 0.1 * 1 * 1 = 0.1.
    assert [s.prediction for s in first_epoch] == [0, 0, 0, 0]
    assert [s.error for s in first_epoch] == [0, 0, 0, 1]
    assert result.accuracy[0] == 0.75
    assert np.allclose(first_epoch[-1].weights_after, [0.1, 0.1])
    # Second epoch: 0.1 + 0.1 * 1 * 1 = 0.2.
    assert np.allclose([s for s in result.history if s.epoch == 2][-1].weights_after, [0.2, 0.2])


def test_and_converges_to_half_half_and_or_converges():
    result = P.train_perceptron(P.LOGIC_INPUTS, P.LOGIC_GATES["AND"], [0, 0], 0.1)
    assert result.converged
    assert np.allclose(result.weights, [0.5, 0.5])
    assert result.accuracy[-1] == 1.0
    or_result = P.train_perceptron(P.LOGIC_INPUTS, P.LOGIC_GATES["OR"], [0, 0], 0.1)
    assert or_result.converged
    predictions = [P.neuron_output(x, or_result.weights)[1] for x in P.LOGIC_INPUTS]
    assert predictions == [0, 1, 1, 1]


def test_xor_never_converges():
    result = P.train_perceptron(P.LOGIC_INPUTS, P.LOGIC_GATES["XOR"], [0, 0], 0.1, max_epochs=50)
    assert not result.converged
    assert result.epochs == 50
    assert max(result.accuracy) < 1.0


def test_perceptron_rejects_zero_learning_rate_and_bad_shapes():
    with pytest.raises(ValueError, match="got 0"):
        P.train_perceptron(P.LOGIC_INPUTS, P.LOGIC_GATES["AND"], [0, 0], 0.0)
    with pytest.raises(ValueError, match="Shapes"):
        P.train_perceptron(P.LOGIC_INPUTS, P.LOGIC_GATES["AND"], [0, 0, 0], 0.1)


@pytest.fixture
def course_epoch():
    return P.mlp_backprop_epoch(
        P.LOGIC_INPUTS, P.LOGIC_GATES["XOR"], P.COURSE_XOR_W_HIDDEN, P.COURSE_XOR_W_OUTPUT, P.COURSE_XOR_LEARNING_RATE
    )


def test_backprop_forward_pass_matches_slides(course_epoch):
    # The slides round every intermediate to 3 decimals, hence the tolerances.
    assert np.allclose(course_epoch.hidden_sum[3], [-0.066, -1.317, -1.430], atol=1e-3)
    assert np.allclose(course_epoch.hidden[1], [0.589, 0.360, 0.385], atol=1e-3)
    assert np.allclose(course_epoch.output_sum[:, 0], [-0.381, -0.274, -0.254, -0.168], atol=2e-3)
    assert np.allclose(course_epoch.output[:, 0], [0.405, 0.431, 0.436, 0.458], atol=2e-3)
    assert np.allclose(course_epoch.error[:, 0], [-0.405, 0.569, 0.564, -0.458], atol=2e-3)
    assert course_epoch.mean_absolute_error == pytest.approx(0.499, abs=1e-3)
    assert course_epoch.mse == pytest.approx(0.252, abs=2e-3)
    assert course_epoch.rmse == pytest.approx(0.501, abs=3e-3)


def test_backprop_deltas_and_updates_match_slides(course_epoch):
    assert np.allclose(course_epoch.delta_output[:, 0], [-0.097, 0.139, 0.138, -0.113], atol=2e-3)
    # Hidden deltas for row (0, 1): 0.242*(-0.017)*0.139, 0.230*(-0.893)*0.139, 0.236*0.148*0.139.
    assert np.allclose(course_epoch.delta_hidden[1], [-0.000, -0.028, 0.004], atol=1.5e-3)
    assert np.allclose(course_epoch.delta_hidden[3], [0.000, 0.016, -0.002], atol=1e-3)
    assert np.allclose(course_epoch.gradient_output[:, 0], [0.033, 0.022, 0.021], atol=1.5e-3)
    assert np.allclose(course_epoch.w_output[:, 0], [-0.007, -0.886, 0.154], atol=1e-3)
    assert np.allclose(course_epoch.w_hidden, [[-0.424, -0.743, -0.960], [0.358, -0.580, -0.468]], atol=1.5e-3)


@pytest.mark.parametrize("bias", [False, True])
def test_backprop_matches_finite_differences_of_half_squared_error(bias):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    w_hidden, w_output = rng.normal(size=(3 + bias, 4)), rng.normal(size=(4 + bias, 2))
    lr = 0.5
    step = P.mlp_backprop_epoch(X, y, w_hidden, w_output, lr, bias=bias)

    def with_ones(a):
        return np.hstack([a, np.ones((len(a), 1))]) if bias else a

    def loss(wh, wo):
        output = 1 / (1 + np.exp(-with_ones(1 / (1 + np.exp(-with_ones(X) @ wh))) @ wo))
        return 0.5 * np.sum((y - output) ** 2)

    eps = 1e-6
    for weights, updated, which in ((w_hidden, step.w_hidden, 0), (w_output, step.w_output, 1)):
        numeric = np.zeros_like(weights)
        for index in np.ndindex(weights.shape):
            plus, minus = weights.copy(), weights.copy()
            plus[index] += eps
            minus[index] -= eps
            args_plus = (plus, w_output) if which == 0 else (w_hidden, plus)
            args_minus = (minus, w_output) if which == 0 else (w_hidden, minus)
            numeric[index] = (loss(*args_plus) - loss(*args_minus)) / (2 * eps)
        assert np.allclose(updated, weights - lr * numeric, atol=1e-7)


def test_training_by_hand_with_bias_solves_xor_and_rejects_non_finite_weights():
    result = P.train_mlp_by_hand(
        P.LOGIC_INPUTS, P.LOGIC_GATES["XOR"], P.COURSE_XOR_W_HIDDEN, P.COURSE_XOR_W_OUTPUT, 0.3, 2000
    )
    assert result.mse[-1] < result.mse[0]
    w_hidden, w_output = P.add_zero_biases(P.COURSE_XOR_W_HIDDEN, P.COURSE_XOR_W_OUTPUT)
    result = P.train_mlp_by_hand(P.LOGIC_INPUTS, P.LOGIC_GATES["XOR"], w_hidden, w_output, 0.3, 5000, bias=True)
    assert np.all(
        np.round(P.predict_mlp_by_hand(P.LOGIC_INPUTS, result.w_hidden, result.w_output, bias=True))
        == P.LOGIC_GATES["XOR"]
    )
    with pytest.raises(ValueError, match="finite"):
        P.train_mlp_by_hand(
            P.LOGIC_INPUTS, P.LOGIC_GATES["XOR"], P.COURSE_XOR_W_HIDDEN * np.nan, P.COURSE_XOR_W_OUTPUT, 0.3, 3
        )
