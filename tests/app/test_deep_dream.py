"""AppTest of the deep dream page: defaults, a short dream through the job to the gallery, bad input."""

import pytest

pytestmark = pytest.mark.app

PAGE = "views/deep_dream.py"
LAYERS_KEY = "dream_layers_Offline_backbone"


def test_page_opens_with_backbone_layers_and_previews(app):
    assert app.title[0].value == "Deep dream"
    assert app.latex
    assert app.multiselect(key=LAYERS_KEY).value == ["block3_conv", "block4_conv"]
    assert app.slider(key="dream_w_Offline_backbone_block4_conv").value == 1.5
    assert len(app.get("image")) >= 3  # the picked image and one preview per chosen layer
    assert any("estimate from the benchmark" in c.value for c in app.caption)
    assert not app.error


def test_short_dream_lands_in_the_gallery(app):
    app.slider(key="dream_octaves").set_value(2)
    app.number_input(key="dream_steps").set_value(3)
    app.slider(key="dream_side").set_value(128)
    app.button(key="dream_start").click().run()
    assert not app.exception and not app.error
    job = app.session_state["dream_job"]
    snapshot = job.wait(60)
    assert snapshot.state == "done"
    app.run()
    assert not app.exception
    gallery = app.session_state["dream_gallery"]
    assert len(gallery) == 1 and gallery[0]["settings"]["steps"] == 3
    assert max(gallery[0]["image"].shape[:2]) == 128
    assert app.radio(key="dream_compare_mode").value == "Side by side"
    app.radio(key="dream_compare_mode").set_value("Wipe").run()
    assert not app.exception
    assert any(b.key == "dream_download" for b in app.get("download_button"))
    assert app.session_state["dream_rates"]["Offline backbone"] > 0  # the next estimate uses this run's speed
    assert any("estimate from your last run" in c.value for c in app.caption)
    app.button(key="dream_clear_gallery").click().run()
    assert not app.exception
    assert app.session_state["dream_gallery"] == []  # the finished run is not put back


def test_class_target_offers_the_backbone_classes(app):
    app.radio(key="dream_target_Offline_backbone").set_value("One class (offline backbone)").run()
    assert not app.exception
    assert "star" in app.selectbox(key="dream_class").options


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda at: at.multiselect(key=LAYERS_KEY).set_value([]), "No layer selected"),
        (
            lambda at: [
                at.slider(key=f"dream_w_Offline_backbone_{n}").set_value(0.0) for n in ("block3_conv", "block4_conv")
            ],
            "weight 0",
        ),
        (lambda at: at.number_input(key="dream_steps").set_value(0), "Steps per octave is 0"),
        (
            lambda at: (
                at.slider(key="dream_octaves").set_value(6),
                at.slider(key="dream_scale").set_value(2.0),
                at.slider(key="dream_side").set_value(128),
            ),
            "smallest octave",
        ),
    ],
)
def test_bad_settings_explain_themselves(app, change, message):
    change(app)
    app.run()
    assert not app.exception
    assert any(message in e.value for e in app.error)
    assert not [b for b in app.button if b.key == "dream_start"]


def test_inception_without_internet_falls_back_to_the_backbone(app, monkeypatch):
    import keras

    def offline(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(keras.applications, "InceptionV3", offline)
    app.radio(key="dream_model").set_value("InceptionV3").run()
    assert not app.exception
    assert any("Could not download" in w.value and "offline backbone" in w.value for w in app.warning)
    assert app.multiselect(key=LAYERS_KEY).value == ["block3_conv", "block4_conv"]
