"""AppTest of the Perceptron & MLP page: the course's numbers show up, controls work, bad input is a message."""

import pytest

from tests.app.conftest import open_page

pytestmark = pytest.mark.app


@pytest.fixture
def at():
    app = open_page("views/perceptron.py", timeout=60)
    assert not app.exception
    return app


def _texts(at) -> str:
    return " ".join(
        [e.value for e in at.latex]
        + [e.value for e in at.markdown]
        + [e.value for e in at.error]
        + [e.value for e in at.warning]
        + [e.value for e in at.success]
    )


def test_neuron_reproduces_course_example_and_reacts(at):
    assert "= 30.5" in _texts(at) and "y = 1" in _texts(at)
    at.slider(key="pc_w1").set_value(-0.8).run()
    assert not at.exception
    assert "= -25.5" in _texts(at) and "y = 0" in _texts(at)


def test_perceptron_rule_steps_and_and_ends_at_half_half(at):
    for _ in range(4):
        at.button(key="pc_rule_step").click().run()
    assert at.session_state["pc_rule_pos"] == 4
    # First epoch of AND from zero weights: only (1, 1) is wrong, weights become 0.1 (slides).
    assert "w_1 = 0.00 + 0.1\\times1\\times1 = 0.10" in _texts(at)
    at.button(key="pc_rule_end").click().run()
    assert any("weights (0.50, 0.50)" in s.value for s in at.success)


def test_xor_does_not_converge_and_points_to_the_hidden_layer(at):
    at.segmented_control(key="pc_gate").set_value("XOR").run()
    at.button(key="pc_rule_end").click().run()
    assert not at.exception
    assert any("not linearly separable" in w.value for w in at.warning)


def test_zero_learning_rate_in_perceptron_is_a_message(at):
    at.number_input(key="pc_rule_lr").set_value(0.0).run()
    assert not at.exception
    assert any("learning rate must be a positive number, got 0" in e.value for e in at.error)


def test_backprop_stages_show_course_numbers(at):
    at.segmented_control(key="pc_bp_stage").set_value("2 Hidden → output").run()
    frames = [f.value for f in at.dataframe if "output o" in f.value.columns]
    assert frames and frames[0]["output o"].round(2).tolist() == [0.41, 0.43, 0.44, 0.46]
    at.segmented_control(key="pc_bp_stage").set_value("6 Weight update").run()
    assert "\\mathbf{-0.007}" in _texts(at) and "\\mathbf{-0.886}" in _texts(at) and "\\mathbf{0.154}" in _texts(at)


def test_backprop_training_with_biases_solves_xor(at):
    at.toggle(key="pc_bp_bias").set_value(True).run()
    assert not at.exception
    assert any("All four XOR rows right" in s.value for s in at.success)


def test_playground_trains_and_keeps_network_on_bad_input(at):
    at.button(key="pc_pg_step").click().run()
    trainer = at.session_state["pc_pg_trainer"]
    assert trainer.epoch == pytest.approx(1.0)
    at.number_input(key="pc_pg_lr").set_value(0.0).run()
    assert not at.exception
    assert any("learning rate must be positive, got 0" in e.value for e in at.error)
    at.number_input(key="pc_pg_lr").set_value(0.1).run()
    at.number_input(key="pc_pg_width_0").set_value(0).run()
    assert any("Hidden layer 1 has 0 neurons" in e.value for e in at.error)
    assert at.session_state["pc_pg_trainer"] is trainer  # what the user trained is kept


def test_playground_softmax_dataset_and_divergence_message(at):
    at.selectbox(key="pc_pg_dataset").set_value("Three Gaussians (3 classes)").run()
    at.button(key="pc_pg_step").click().run()
    assert not at.exception
    assert at.session_state["pc_pg_trainer"].network.num_classes == 3
    at.selectbox(key="pc_pg_activation").set_value("linear").run()
    at.number_input(key="pc_pg_lr").set_value(1000.0).run()
    for _ in range(3):
        at.button(key="pc_pg_step").click().run()
    assert not at.exception
    assert any("diverged" in e.value for e in at.error)
