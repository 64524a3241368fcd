"""The convolution page in AppTest: step-through, explorer, volumes, learned filters, bad input."""

import json
import re

import numpy as np
import pytest

from playground.core.runs import Run, RunRegistry
from playground.lessons import convolution as conv
from tests.app.conftest import open_page

pytestmark = pytest.mark.app

PAGE = "views/convolution.py"
TABS = [
    "1 · Step through the course example",
    "2 · Explore a photo",
    "3 · Volumes (RGB) & filter banks",
    "4 · Learned filters",
]


def html_source(at) -> str:
    return " ".join(str(element.proto.body) for element in at.get("html"))


def html_text(at) -> str:
    """What a reader sees in the HTML blocks (tags removed)."""
    return re.sub(r"<[^>]+>", "", html_source(at))


def open_tab(label: str):
    at = open_page(PAGE)
    at.session_state["conv_tab"] = label
    return at.run()


def test_step_through_writes_out_the_course_multiplication():
    at = open_page(PAGE)
    assert not at.exception
    assert at.title[0].value == "Convolution & pooling"
    assert "0·1 + 0·0 + 0·0 + 0·1 + 1·0 + 0·1 + 0·0 + 0·1 + 0·1" in html_text(at)
    at.button(key="conv_next").click().run()
    assert at.slider(key="conv_step").value == 2
    assert "Step 2 of 36" in html_text(at)
    # The last convolution step: the window equals the detector, 5 (the slide's last example).
    at.slider(key="conv_step").set_value(25).run()
    text = html_text(at)
    assert "1·1 + 0·0 + 0·0 + 1·1 + 0·0 + 1·1 + 0·0 + 1·1 + 1·1 = 5" in text
    # Pooling then flattening give the course's vector 2 1 2 3 3 2 3 3 5.
    at.button(key="conv_last").click().run()
    assert not at.exception
    assert "4. flattening" in html_text(at)
    vector = html_source(at).split("Vector (input of the dense layers)")[1]
    assert [float(c) for c in re.findall(r">([^<]*)</td>", vector)] == list(conv.COURSE_FLAT)


def test_play_advances_and_stops_at_the_end():
    at = open_page(PAGE)
    at.slider(key="conv_step").set_value(35).run()
    at.button(key="conv_play").click().run()
    assert at.session_state["conv_playing"] is True
    at.session_state["conv_last_tick"] = 0.0  # pretend the interval has passed
    at.run()
    assert at.slider(key="conv_step").value == 36
    at.session_state["conv_last_tick"] = 0.0
    at.run()
    assert at.session_state["conv_playing"] is False
    assert not at.exception


def test_bad_detector_cell_is_explained_and_course_map_kept():
    at = open_page(PAGE)
    editor_key = "conv_walk_kernel_SuperDataScience: 7x7 image, 3x3 feature detector"
    at.session_state[editor_key] = {"edited_rows": {1: {"2": "abc"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert any("row 2, column 2 is 'abc'" in e.value for e in at.error)
    assert "Feature map" in html_text(at)


def test_explore_tab_formula_inspection_and_bad_settings():
    at = open_tab(TABS[1])
    assert not at.exception
    latex = " ".join(element.value for element in at.latex)
    assert r"\frac{512 + 2\cdot1 - 3}{1}" in latex and "= 512" in latex
    at.selectbox(key="conv_explore_sample").set_value("brick").run()
    at.radio(key="conv_pad_mode").set_value("valid").run()
    at.slider(key="conv_stride").set_value(2).run()
    latex = " ".join(element.value for element in at.latex)
    assert r"\frac{512 + 2\cdot0 - 3}{2}" in latex and "= 255" in latex
    assert at.number_input(key="conv_inspect_row").value <= 254
    assert "Σ = output" in html_text(at)
    # A dilated kernel: the formula shows its effective size d(f-1)+1.
    at.slider(key="conv_stride").set_value(1).run()
    at.slider(key="conv_dilation").set_value(4).run()
    at.selectbox(key="conv_explore_preset").set_value("Box blur").run()
    at.select_slider(key="conv_explore_size").set_value(11).run()
    assert not at.exception
    latex = " ".join(element.value for element in at.latex)
    assert r"\underbrace{41}_{4(11-1)+1}" in latex


def test_explore_custom_kernel_with_a_bad_cell():
    at = open_tab(TABS[1])
    at.toggle(key="conv_explore_custom").set_value(True).run()
    at.session_state["conv_explore_grid_Sobel x_3"] = {
        "edited_rows": {0: {"1": "one"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    assert any("row 1, column 1 is 'one'" in e.value for e in at.error)


def test_volumes_tab_counts_parameters():
    at = open_tab(TABS[2])
    assert not at.exception
    latex = " ".join(element.value for element in at.latex)
    assert r"(3\cdot3\cdot3 + 1)\cdot4 = 112" in latex
    at.multiselect(key="conv_bank").set_value(["Sobel x", "Sobel y"]).run()
    latex = " ".join(element.value for element in at.latex)
    assert r"(3\cdot3\cdot3 + 1)\cdot2 = 56" in latex
    assert any("280 parameters" in c.value for c in at.caption)
    at.multiselect(key="conv_bank").set_value([]).run()
    assert any("at least one filter" in w.value for w in at.warning)


def test_learned_filters_tab_agrees_with_keras():
    at = open_tab(TABS[3])
    assert not at.exception
    check = [s.value for s in at.success]
    assert check and "largest difference" in check[0]
    difference = float(check[0].split("largest difference ")[1].rstrip("."))
    assert difference < 1e-4
    # The photo picked on tab 2 is the one the filters are applied to.
    at.session_state["conv_tab"] = TABS[1]
    at.run()
    at.selectbox(key="conv_explore_sample").set_value("brick").run()
    at.session_state["conv_tab"] = TABS[3]
    at.run()
    at.radio(key="conv_learned_source").set_value("The photo from tab 2").run()
    assert not at.exception and not at.error
    captions = [caption for element in at.get("image") for caption in element.captions]
    assert any(caption.startswith("brick (512×512)") for caption in captions), captions


def test_kernel_larger_than_an_uploaded_image_is_explained():
    from playground.ui import PickedImage

    at = open_tab(TABS[1])
    at.session_state["conv_explore_last_upload"] = PickedImage(np.full((6, 6, 3), 200, dtype=np.uint8), "tiny.png")
    at.radio(key="conv_explore_source").set_value("Upload").run()
    at.radio(key="conv_pad_mode").set_value("valid").run()
    at.selectbox(key="conv_explore_preset").set_value("Gaussian blur").run()
    at.select_slider(key="conv_explore_size").set_value(7).run()
    assert not at.exception
    assert any("kernel of size 7 is larger than the input of size 6" in e.value for e in at.error)


def test_learned_filters_of_a_cnn_trainer_model():
    import keras

    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            keras.layers.Rescaling(1.0),
            keras.layers.Conv2D(6, 3, strides=2, padding="valid", name="first"),
            keras.layers.Flatten(),
            keras.layers.Dense(2),
        ],
        name="tiny",
    )
    at = open_page(PAGE)
    trained = RunRegistry()
    trained.add(Run(7, "run 7", model=model))
    trained.add(Run(8, "diverged", model=None, message="Diverged"))
    at.session_state["cnn_runs"] = trained
    at.session_state["conv_tab"] = TABS[3]
    at.run()
    assert at.radio(key="conv_learned_model").options == ["Shipped Fashion-MNIST CNN", "CNN trainer: run 7"]
    at.radio(key="conv_learned_model").set_value("CNN trainer: run 7").run()
    at.radio(key="conv_learned_source").set_value("The photo from tab 2").run()
    assert not at.exception and not at.error
    titles = [
        json.loads(chart.proto.spec)["layout"].get("title", {}).get("text", "") for chart in at.get("plotly_chart")
    ]
    assert any(t.startswith("Layer 'first': 6 learned 3×3×3 filters") for t in titles), titles
