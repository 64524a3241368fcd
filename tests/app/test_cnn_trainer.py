"""CNN trainer page in AppTest: presets and summary, a short training run, divergence, inspection."""

import pytest

from playground.lessons.cnn_training import MAX_KEPT_MODELS
from tests.app.conftest import open_page

pytestmark = pytest.mark.app


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_cnn_trainer_build_train_diverge_and_inspect():
    at = open_page("views/cnn_trainer.py")
    assert not at.exception
    # Before any training the shipped Fashion-MNIST CNN can be inspected.
    assert "Shipped CNN" in at.selectbox(key="cnn_inside_model").value
    assert metric(at, "Parameters") == "207,178"

    at.selectbox(key="cnn_preset").select("LeNet-5").run()
    assert metric(at, "Parameters") == "61,706"  # the course's LeNet-5 count

    at.selectbox(key="cnn_dataset").select("Shapes").run()
    assert not at.exception
    assert metric(at, "Parameters") != "61,706"  # the table follows the new 28x28, 5-class data
    at.slider(key="cnn_epochs").set_value(2).run()
    at.button(key="cnn_train").click().run()
    at.session_state["cnn_job"].wait(120)
    at.run()
    assert not at.exception
    assert any("test accuracy" in s.value for s in at.success), [s.value for s in at.success]
    runs = at.session_state["cnn_runs"]
    assert len(runs) == 1 and runs[0].model is not None and runs[0].details["dataset"] == "shapes"
    assert at.selectbox(key="cnn_inside_model").value.startswith("Run 1")
    assert at.metric  # test accuracy, mistakes, hardest class
    assert any(b.label == "Download the model (.keras)" for b in at.get("download_button"))

    # A learning rate of 10 with Adam explodes: the page says so and keeps run 1's model.
    at.select_slider(key="cnn_lr").set_value(10.0).run()
    at.button(key="cnn_train").click().run()
    at.session_state["cnn_job"].wait(120)
    at.run()
    assert not at.exception
    assert any("diverged" in e.value for e in at.error), [e.value for e in at.error]
    runs = at.session_state["cnn_runs"]
    assert len(runs) == 2 and runs[1].model is None and runs[0].model is not None
    assert at.selectbox(key="cnn_inside_model").value.startswith("Run 1")


def test_earlier_runs_widgets_and_predictions_do_not_pile_up():
    """Each run draws widgets with new keys (the live learning-rate control is per job);
    Streamlit keeps a vanished widget's metadata, and with it the page run that drew it
    (its job, model and data), unless ui.runtime.forget_stale_widgets drops it. Runs older than
    the last MAX_KEPT_MODELS (4) keep their curves, not their model or test predictions."""
    at = open_page("views/cnn_trainer.py")
    at.selectbox(key="cnn_dataset").select("Shapes").run()
    at.slider(key="cnn_epochs").set_value(1).run()
    widgets = at.session_state._state._state._new_widget_state
    counts = []
    for _ in range(MAX_KEPT_MODELS + 1):
        at.button(key="cnn_train").click().run()
        at.session_state["cnn_job"].wait(120)
        at.run()
        assert not at.exception
        counts.append(len(widgets.widget_metadata))
    live_controls = sorted(w.rsplit("-", 1)[-1] for w in widgets.widget_metadata if "cnn_live_lr" in w)
    job_id = at.session_state["cnn_job"].id
    assert live_controls == [f"cnn_live_lr_{job_id}", f"cnn_live_lr_apply_{job_id}"], live_controls
    assert counts[0] == counts[-1], counts
    runs = at.session_state["cnn_runs"]
    assert [run.model is not None for run in runs] == [False] + [True] * MAX_KEPT_MODELS
    assert [run.result is not None for run in runs] == [False] + [True] * MAX_KEPT_MODELS  # test predictions
    assert all(run.history["loss"][1] for run in runs)  # every run keeps its curves
