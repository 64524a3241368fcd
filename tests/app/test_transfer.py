"""Transfer-learning page in AppTest: example classes, bad class setups, a short two-phase run, try-it tab."""

import pytest

from tests.app.conftest import open_page

pytestmark = pytest.mark.app


def errors(at):
    return [e.value for e in at.error]


def test_transfer_page_classes_training_and_explanations():
    at = open_page("views/transfer.py", timeout=300)
    assert not at.exception
    classes = at.session_state["tl_classes"]
    assert [c["name"] for c in classes] == ["Sandal", "Sneaker", "Ankle boot", "Bag"]
    assert all(len(c["files"]) == 24 for c in classes)
    assert at.selectbox(key="tl_backbone").value.startswith("Offline backbone")

    # Duplicate names (case-insensitive) are refused with a message; nothing crashes.
    first, second = classes[0]["id"], classes[1]["id"]
    at.text_input(key=f"tl_name_{second}").set_value("sandal ").run()
    at.number_input(key="tl_head_epochs").set_value(3)
    at.number_input(key="tl_fine_epochs").set_value(1)
    at.checkbox(key="tl_baseline").uncheck()
    at.button(key="tl_train").click().run()
    assert not at.exception
    assert any("Two classes are called 'sandal'" in e for e in errors(at)), errors(at)
    at.text_input(key=f"tl_name_{second}").set_value("Sneaker").run()

    # Delete two classes and train: phase 1 + 1 fine-tuning epoch on the example task.
    at.button(key=f"tl_del_{classes[3]['id']}").click().run()
    at.button(key=f"tl_del_{classes[2]['id']}").click().run()
    assert len(at.session_state["tl_classes"]) == 2 and not at.exception
    for entry in at.session_state["tl_classes"]:
        del entry["files"][10:]  # a quicker run: 10 images per class (8 train, 2 held out)
    at.button(key="tl_train").click().run()
    assert not at.exception and not errors(at), errors(at)
    snapshot = at.session_state["tl_job"].wait(300)
    assert snapshot.state == "done", snapshot.error
    at.run()
    assert not at.exception
    result = at.session_state["tl_runs"].latest.result
    assert result.class_names == ["Sandal", "Sneaker"] and result.phase_boundary == 3
    assert {m.label for m in at.metric} >= {"Head only (phase 1)", "Fine-tuned (phase 2)", "From scratch"}
    assert any(b.label == "Download the model (.keras)" for b in at.get("download_button"))
    assert len(at.get("plotly_chart")) >= 2 + 3  # curves + prediction bars + two embeddings
    assert any("True class:" in c.value for c in at.caption)  # held-out images are offered first
    at.slider(key="tl_try_index").set_value(3).run()
    at.selectbox(key="tl_cam_target").set_value(1).run()
    assert not at.exception and not errors(at)
    assert "True class: **" + result.class_names[result.labels[result.is_test][3]] in " ".join(
        c.value for c in at.caption
    )
    at.radio(key="tl_embed").set_value("t-SNE").run()
    assert not at.exception

    # One class left: training refuses with a clear message and the trained model stays.
    at.button(key=f"tl_del_{first}").click().run()
    at.button(key="tl_train").click().run()
    assert any("at least 2 classes" in e for e in errors(at)), errors(at)
    assert at.session_state["tl_runs"].latest.result is result

    # An empty class is refused too.
    at.button(key="tl_empty").click().run()
    at.button(key="tl_train").click().run()
    assert any("has no images" in e for e in errors(at)), errors(at)
