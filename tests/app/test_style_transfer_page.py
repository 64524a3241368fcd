"""AppTest of the style-transfer page: a short run lands in the gallery with its settings,
formulas show live values, bad input explains itself, VGG19 offline falls back."""

import pytest

pytestmark = pytest.mark.app

PAGE = "views/style_transfer.py"
LAYERS_KEY = "style_layers_Offline_backbone"


def errors(at) -> str:
    return " ".join(error.value for error in at.error)


def test_short_run_finishes_into_gallery_with_download(app):
    assert app.title[0].value == "Neural style transfer"
    assert any("Fast mode" in caption.value for caption in app.caption)
    app.slider(key="style_side").set_value(64)
    app.number_input(key="style_steps").set_value(10)
    app.button(key="style_start_button").click().run()
    assert not app.exception
    snapshot = app.session_state["style_job"].wait(120)
    assert snapshot.state == "done", snapshot.error
    app.run()
    assert not app.exception
    gallery = app.session_state["style_gallery"]
    assert len(gallery) == 1
    item = gallery[0]
    assert item["image"].shape[:2] == (43, 64)  # chelsea is 451x300: longer side 64
    assert item["settings"]["steps"] == 10 and item["style_name"] == "waves"
    assert any("chelsea (cat)" in md.value and "waves" in md.value for md in app.markdown)
    assert any(b.key == "style_download" for b in app.get("download_button"))
    # The formulas carry the run's values.
    assert sum("=" in latex.value and "J" in latex.value for latex in app.latex) >= 4
    assert f"{item['losses']['total']:.4g}".split("e")[0] in " ".join(latex.value for latex in app.latex)


def test_all_zero_weights_explained(app):
    app.number_input(key="style_alpha").set_value(0.0)
    app.number_input(key="style_beta").set_value(0.0)
    app.number_input(key="style_gamma").set_value(0.0).run()
    assert not app.exception
    assert "All three loss weights are zero" in errors(app)
    assert "style_start_button" not in [button.key for button in app.button]


def test_no_style_layer_explained(app):
    app.multiselect(key=LAYERS_KEY).set_value([]).run()
    assert not app.exception
    assert "every style layer has weight 0" in errors(app)


def test_identical_content_and_style_refused_and_gray_style_noted(app):
    app.radio(key="style_kind").set_value("Photo, upload or camera").run()
    app.selectbox(key="style_style_sample").set_value("chelsea (cat)").run()
    assert not app.exception
    assert "same picture" in errors(app)
    app.selectbox(key="style_style_sample").set_value("camera").run()
    assert not app.exception
    assert not app.error
    assert any("grayscale" in caption.value for caption in app.caption)
    # Mismatched sizes are handled and said so.
    assert any("same area" in caption.value for caption in app.caption)


def test_vgg19_offline_falls_back_with_reason(app):
    app.radio(key="style_net").set_value("VGG19").run()
    assert not app.exception
    warning = " ".join(w.value for w in app.warning)
    assert "80 MB" in warning and "offline backbone" in warning
    # The controls are the backbone's, so the user can still run.
    assert app.multiselect(key=LAYERS_KEY).value
