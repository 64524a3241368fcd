"""Transfer-learning engine without TensorFlow: class checks, uploads, datasets, embeddings."""

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from playground.core import datasets
from playground.figures import transfer_plots
from playground.lessons import transfer


def png(width, height, colour=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_uploads_skip_non_images_and_downscale_huge_ones():
    added = transfer.prepare_uploads(
        [
            ("a.png", png(40, 30)),
            ("notes.txt", b"hello, not a picture"),
            ("big.png", png(3000, 1200)),
            ("empty.jpg", b""),
        ]
    )
    assert [name for name, _ in added.files] == ["a.png", "big.png"]
    assert len(added.skipped) == 2 and "notes.txt" in added.skipped[0] and "empty.jpg" in added.skipped[1]
    assert added.downscaled == 1
    big = np.asarray(Image.open(io.BytesIO(added.files[1][1])))
    assert big.shape == (round(transfer.STORED_MAX_SIDE * 1200 / 3000), transfer.STORED_MAX_SIDE, 3)
    assert np.allclose(big.reshape(-1, 3).mean(0), (200, 30, 30), atol=1)


@pytest.mark.parametrize(
    "classes, message",
    [
        ({"cats": [("a", b"x")]}, "at least 2 classes"),
        ({"cats": [("a", b"x")], "dogs": []}, "Class 'dogs' has no images"),
        ({"cats": [("a", b"x")], "Cats ": [("b", b"y")]}, "Two classes are called 'Cats'"),
        ({"cats": [("a", b"x")], "  ": [("b", b"y")]}, "Every class needs a name"),
        ({f"c{i}": [("a", b"x")] for i in range(11)}, "At most 10 classes"),
    ],
)
def test_bad_classes_are_refused_with_a_clear_message(classes, message):
    with pytest.raises(ValueError, match=message):
        transfer.check_classes(classes)


def test_dataset_from_classes_is_rgb_0_255_and_stratified():
    colours = {"red": (255, 0, 0), "blue": (0, 0, 255)}
    classes = {
        name: [(f"{name}{i}.png", png(50 + i, 40, colour)) for i in range(8)] for name, colour in colours.items()
    }
    data = transfer.build_dataset(classes, image_size=32, test_fraction=0.25)
    assert data.class_names == ["red", "blue"]
    assert data.x_train.shape[1:] == (32, 32, 3) and len(data.y_test) == 4
    assert np.bincount(data.y_test).tolist() == [2, 2]
    for x, y in zip(data.x_train, data.y_train):
        assert np.allclose(x.reshape(-1, 3).mean(0), colours[data.class_names[y]], atol=1)


def test_class_zip_round_trip_and_zip_bomb_refused():
    classes = {"a": [("1.png", png(8, 8))], "b": [("2.png", png(9, 9)), ("3.png", png(7, 7))]}
    assert datasets.read_class_zip(datasets.zip_of_classes(classes)) == classes
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a/bomb.png", b"\0" * (20 * 2**20))
    with pytest.raises(ValueError, match="zip bomb"):
        datasets.read_class_zip(buffer.getvalue())


def test_example_task_is_fashion_mnist_classes():
    classes = transfer.example_task(per_class=5)
    assert list(classes) == transfer.EXAMPLE_CLASSES and all(len(f) == 5 for f in classes.values())
    fashion = datasets.load_fashion_mnist()
    first = np.asarray(Image.open(io.BytesIO(classes["Bag"][0][1])))
    bags = (fashion.x_test[fashion.y_test == datasets.FASHION_CLASSES.index("Bag"), ..., 0] * 255).round()
    assert np.any(np.all(bags == first, axis=(1, 2)))  # an actual Fashion-MNIST bag


def test_embedding_and_separation():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], 20)
    features = rng.normal(size=(60, 16)) + 8.0 * np.eye(16)[labels * 3]
    points = transfer.embed_2d(features, "PCA")
    assert points.shape == (60, 2) and transfer.separation(points, labels) == 1.0
    few = np.r_[0:8, 20:28, 40:48]  # t-SNE on 8 a class: its 1000 iterations cost ~7x less than on 20
    embedded = transfer.embed_2d(features[few], "t-SNE")
    assert embedded.shape == (24, 2) and transfer.separation(embedded, labels[few]) == 1.0
    assert transfer.separation(rng.normal(size=(60, 2)), labels) < 0.8
    with pytest.raises(ValueError, match="at least 3"):
        transfer.embed_2d(features[:2])
    with pytest.raises(ValueError, match="Unknown embedding 'UMAP'"):
        transfer.embed_2d(features, "UMAP")
    figure = transfer_plots.embedding_figure(points, labels, ["a", "b", "c"], is_test=np.arange(60) % 5 == 0)
    assert len(figure.data) == 6


def test_contact_sheet_places_thumbnails_in_rows():
    files = [(f"{i}.png", png(30, 20, (10 * i, 0, 0))) for i in range(5)] + [("bad.txt", b"nope")]
    sheet = transfer.contact_sheet(files, side=8, cols=4, gap=2)
    assert sheet.shape == (2 * 10 - 2, 4 * 10 - 2, 3)
    assert tuple(sheet[3, 10 * 1 + 3]) == (10, 0, 0) and tuple(sheet[13, 3]) == (40, 0, 0)
    assert tuple(sheet[13, 10 + 3]) == (255, 255, 255)  # the unreadable file leaves its cell blank
