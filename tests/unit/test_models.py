"""Layer-table models without TensorFlow: shapes, parameters, FLOPs, messages, evaluation helpers."""

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion_matrix

from playground.core import keras_tools
from playground.figures import cnn_plots
from playground.lessons import cnn_training, explain, layer_table
from playground.lessons.layer_table import LayerSpec


def test_lenet5_reproduces_the_course_parameter_table():
    # LeNet-5 (Coursera "Classic networks"): conv 6@5x5, pool, conv 16@5x5, pool, FC 120, FC 84, softmax 10.
    summary = layer_table.summarize(layer_table.preset("LeNet-5"), (28, 28, 1), 10)
    by_name = {row.name: row for row in summary.rows}
    assert by_name["conv1"].output_shape == (28, 28, 6) and by_name["conv1"].params == 156
    assert by_name["pool1"].output_shape == (14, 14, 6)
    assert by_name["conv2"].output_shape == (10, 10, 16) and by_name["conv2"].params == 2416
    assert by_name["pool2"].output_shape == (5, 5, 16)
    assert by_name["flatten1"].output_shape == (400,)
    assert [by_name[n].params for n in ("dense1", "dense2", "predictions")] == [48120, 10164, 850]
    assert summary.total_params == 61706


@pytest.mark.parametrize(
    "n, f, p, s, expected",
    [
        (6, 3, 0, 1, 4),  # Coursera: 6x6 image * 3x3 filter -> 4x4
        (6, 3, 1, 1, 6),  # "same" padding p = (f-1)/2 keeps 6x6
        (7, 3, 0, 2, 3),  # strided: floor((7 - 3)/2) + 1 = 3
        (39, 3, 0, 1, 37),  # Coursera ConvNet example: 39x39x3 -> 37x37x10
        (37, 5, 0, 2, 17),  # -> 17x17x20
        (17, 5, 0, 2, 7),  # -> 7x7x40
    ],
)
def test_conv_output_size_follows_the_course_formula(n, f, p, s, expected):
    padding = "valid" if p == 0 else "same"
    summary = layer_table.summarize([LayerSpec("Conv2D", 4, f, s, padding)], (n, n, 3), 2)
    assert summary.rows[0].output_shape[:2] == (expected, expected)


def test_coursera_convnet_example_volumes():
    layers = [
        LayerSpec("Conv2D", 10, 3, 1, "valid"),
        LayerSpec("Conv2D", 20, 5, 2, "valid"),
        LayerSpec("Conv2D", 40, 5, 2, "valid"),
        LayerSpec("Flatten"),
    ]
    summary = layer_table.summarize(layers, (39, 39, 3), 2)
    assert [row.output_shape for row in summary.rows[:4]] == [(37, 37, 10), (17, 17, 20), (7, 7, 40), (1960,)]


def test_flops_count_multiply_adds_twice():
    summary = layer_table.summarize([LayerSpec("Conv2D", 8, 3, 1, "same")], (10, 10, 2), 3)
    conv = summary.rows[0]
    assert conv.flops == 10 * 10 * 8 * (2 * 3 * 3 * 2 + 1)
    head = summary.rows[-1]
    assert head.flops == 2 * 800 * 3 + 5 * 3


@pytest.mark.parametrize(
    "layers, fragment",
    [
        ([LayerSpec("MaxPool", 0, 2, 2)] * 3 + [LayerSpec("Conv2D", 8, 5, 1, "valid")], "Row 4"),
        ([LayerSpec("Flatten"), LayerSpec("Conv2D", 8)], "move it before the Flatten"),
        ([LayerSpec("Dense", 10)], "add a Flatten"),
        ([LayerSpec("Conv2D", 0)], "at least 1 filters"),
        ([LayerSpec("Conv2D", 8, activation="swishy")], "unknown activation 'swishy'"),
        ([LayerSpec("Dropout", dropout=1.5)], "[0, 1)"),
        (
            [LayerSpec("Flatten"), LayerSpec("Dense", 4096), LayerSpec("Dense", 4096), LayerSpec("Dense", 4096)],
            "parameters (limit",
        ),
    ],
)
def test_invalid_networks_name_the_row_and_reason(layers, fragment):
    with pytest.raises(ValueError, match=None) as info:
        layer_table.summarize(layers, (28, 28, 1), 10)
    assert fragment in str(info.value)


def test_kernel_too_big_message_echoes_sizes():
    with pytest.raises(ValueError) as info:
        layer_table.summarize(
            [LayerSpec("MaxPool", 0, 2, 2)] * 3 + [LayerSpec("Conv2D", 8, 5, 1, "valid")], (28, 28, 1), 10
        )
    assert "5x5" in str(info.value) and "3x3" in str(info.value)


def test_from_table_parses_and_rejects_with_row_numbers():
    records = [
        {
            "type": "Conv2D",
            "size": 8.0,
            "kernel": 3,
            "stride": 1,
            "padding": "same",
            "activation": "relu",
            "batch_norm": True,
            "dropout": 0.1,
        },
        {"type": None},  # an empty row added in the editor is ignored
        {"type": "Flatten", "size": float("nan")},
    ]
    layers = layer_table.from_table(records)
    assert layers == [LayerSpec("Conv2D", 8, 3, 1, "same", "relu", True, 0.1), LayerSpec("Flatten")]
    assert layer_table.from_table(layer_table.to_table(layers)) == layers
    with pytest.raises(ValueError, match="Row 2 .*kernel must be a whole number, not 'big'"):
        layer_table.from_table([{"type": "Flatten"}, {"type": "Conv2D", "kernel": "big"}])
    with pytest.raises(ValueError, match="unknown layer type 'Capsule'"):
        layer_table.from_table([{"type": "Capsule"}])


@pytest.mark.parametrize("name", list(layer_table.PRESETS))
@pytest.mark.parametrize("shape", [(28, 28, 1), (32, 32, 3), (8, 8, 1), (25, 25, 1)])
def test_every_preset_fits_every_offline_dataset_shape(name, shape):
    summary = layer_table.summarize(layer_table.preset(name, shape), shape, 10)
    assert summary.rows[-1].output_shape == (10,)


def test_evaluation_helpers_match_sklearn(rng):
    y_true = rng.integers(0, 4, 300)
    probabilities = rng.dirichlet(np.ones(4), 300)
    y_pred = probabilities.argmax(1)
    matrix = cnn_training.confusion_matrix(y_true, y_pred, 4)
    np.testing.assert_array_equal(matrix, sk_confusion_matrix(y_true, y_pred, labels=range(4)))
    # Counted by hand: a class nobody has keeps its row and column (2 here), rows are true classes.
    small = cnn_training.confusion_matrix(np.array([0, 0, 1, 3]), np.array([0, 1, 1, 0]), 4)
    np.testing.assert_array_equal(small, [[1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0]])
    np.testing.assert_allclose(
        cnn_training.per_class_accuracy(matrix), [np.mean(y_pred[y_true == k] == k) for k in range(4)]
    )
    cell = cnn_training.cell_examples(y_true, probabilities, 1, 2)
    assert all(y_true[cell] == 1) and all(y_pred[cell] == 2) and len(cell) == matrix[1, 2]
    assert np.all(np.diff(probabilities[cell, 2]) <= 0)
    wrong = cnn_training.most_confident_mistakes(y_true, probabilities, limit=5)
    confidence = probabilities.max(1)
    assert set(wrong) == set(np.argsort(-np.where(y_pred != y_true, confidence, -1))[:5])


def test_split_validation_is_stratified_and_disjoint(rng):
    x = np.arange(200, dtype=np.float32)[:, None]
    y = np.repeat(np.arange(4), 50)
    x_fit, _y_fit, x_val, y_val = cnn_training.split_validation(x, y, 0.1)
    assert np.bincount(y_val).tolist() == [5, 5, 5, 5]
    assert set(x_fit.ravel()).isdisjoint(x_val.ravel()) and len(x_fit) + len(x_val) == 200


def test_train_config_rejects_bad_values():
    for bad in (dict(learning_rate=0), dict(learning_rate=float("nan")), dict(batch_size=0), dict(epochs=0)):
        with pytest.raises(ValueError):
            cnn_training.TrainConfig(**bad).check()


def test_confusion_figure_has_one_clickable_point_per_cell():
    matrix = np.array([[5, 1, 0], [2, 7, 1], [0, 0, 9]])
    fig = cnn_plots.confusion_figure(matrix, ["a", "b", "c"], selected=(1, 0))
    trace = fig.data[0]
    assert len(trace.x) == 9
    cells = {(int(t), int(p)): int(n) for (t, p), n in zip(trace.customdata, trace.text)}
    assert cells == {(t, p): int(matrix[t, p]) for t in range(3) for p in range(3)}


def test_prepare_drawing_centres_ink_like_mnist():
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[..., 3] = 255
    canvas[20:60, 200:260, :3] = 255  # a blob in the top-right corner
    image = explain.prepare_drawing(canvas, (28, 28, 1))
    assert image.shape == (28, 28, 1)
    rows, cols = np.nonzero(image[..., 0] > 0.5)
    assert abs(rows.mean() - 13.5) < 1.5 and abs(cols.mean() - 13.5) < 1.5
    assert max(np.ptp(rows), np.ptp(cols)) + 1 <= 21  # fits in the 20x20 box
    with pytest.raises(ValueError, match="empty"):
        explain.prepare_drawing(np.zeros((50, 50, 4), np.uint8), (28, 28, 1))


def test_runs_figure_draws_each_run_in_its_own_colour_with_dashed_validation():
    series = {"loss": ([1, 2], [0.9, 0.5]), "val_loss": ([1, 2], [1.0, 0.7]), "batch_loss": ([0.5, 1.5], [1.2, 0.6])}
    fig = cnn_plots.runs_figure([("run A", series), ("run B", {"loss": ([1], [0.8])})], "loss", "Loss", x_max=5)
    names = [trace.name for trace in fig.data]
    assert names == ["run A · batches", "run A · train", "run A · validation", "run B · train"]
    assert (
        fig.data[2].line.dash == "dash" and fig.data[0].line.color == fig.data[2].line.color != fig.data[3].line.color
    )
    assert fig.layout.xaxis.range[1] >= 5


def test_model_upload_refuses_a_zip_bomb_before_unpacking():
    from tests import badfiles

    with pytest.raises(ValueError, match="zip_bomb.keras': .*zip bomb"):
        keras_tools.load_uploaded_model(badfiles.zip_bomb("config.json"), "zip_bomb.keras")
