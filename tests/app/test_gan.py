"""AppTest of the GAN sampler page: sampling, steering, interpolation, bad training settings."""

import pytest

pytestmark = pytest.mark.app

PAGE = "views/gan.py"


def test_page_samples_steers_and_walks(app):
    assert app.title[0].value == "GAN sampler"
    assert len(app.latex) >= 2
    # 10 classes x 8 grid, the steered sample, and one strip per path.
    assert len(app.get("image")) >= 4
    app.selectbox(key="gan_class").set_value("Sneaker").run()
    app.number_input(key="gan_seed").set_value(7).run()
    assert not app.exception
    key = "Shipped DCGAN (Fashion-MNIST, conditional)_7_0_Sneaker"
    app.slider(key=f"gan_z0_{key}").set_value(2.5).run()
    app.slider(key=f"gan_blend_{key}").set_value(0.5).run()
    app.multiselect(key="gan_methods").set_value(["spherical"]).run()
    assert not app.exception
    assert not app.error
    # The diagram of the loop carries the shipped pair's numbers.
    assert "D step: loss" in app.get("graphviz_chart")[0].proto.spec


@pytest.mark.parametrize(
    "widget, value, message",
    [
        ("gan_latent", 500, "Latent size 500 is out of range"),
        ("gan_batch", 4, "Batch size 4 is out of range"),
    ],
)
def test_bad_settings_explain_themselves(app, widget, value, message):
    app.number_input(key=widget).set_value(value)
    app.button(key="FormSubmitter:gan_train_form-Start training").click().run()
    assert not app.exception
    assert any(message in error.value for error in app.error)
    assert "gan_job" not in app.session_state


def test_too_small_dataset_is_refused(app):
    app.number_input(key="gan_limit").set_value(100)
    app.button(key="FormSubmitter:gan_train_form-Start training").click().run()
    assert not app.exception
    assert any("Only 100 training images" in error.value for error in app.error)
    assert "gan_job" not in app.session_state


def test_a_trained_generator_is_kept_for_sampling_and_download(app):
    app.selectbox(key="gan_dataset").set_value("Shapes (generated, 1,200)")
    app.selectbox(key="gan_preset").set_value("tiny")
    app.number_input(key="gan_latent").set_value(16)
    app.number_input(key="gan_epochs").set_value(1)
    app.button(key="FormSubmitter:gan_train_form-Start training").click().run()
    assert not app.exception and not app.error
    job = app.session_state["gan_job"]
    assert job.wait(180).state == "done"
    app.run()
    assert any("generator is ready" in message.value for message in app.success)
    trained = f"Your generator (run #{job.id}, Shapes)"
    assert trained in app.selectbox(key="gan_source").options
    app.selectbox(key="gan_source").set_value(trained).run()
    assert not app.exception and not app.error
    assert app.selectbox(key="gan_class").options[1:] == ["circle", "square", "triangle", "cross", "ring"]
    app.button(key="gan_prepare_download").click().run()
    assert not app.exception
    assert app.session_state["gan_download"][1][:2] == b"PK"  # a .keras file is a zip archive
