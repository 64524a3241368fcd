"""Offline datasets and user datasets (uploads, zips), including the refusals."""

import io
import zipfile

import numpy as np
import pytest

from playground.core import datasets
from tests.conftest import png_bytes


def test_digits_match_scikit_learn():
    from sklearn.datasets import load_digits

    data = datasets.load_digits()
    reference = load_digits()
    assert data.x_train.shape[1:] == (8, 8, 1) and data.num_classes == 10
    assert len(data.y_train) + len(data.y_test) == len(reference.target)
    assert data.x_train.min() >= 0 and data.x_train.max() <= 1
    # Stratified: every class appears in both splits in roughly the same share.
    assert np.all(np.bincount(data.y_test, minlength=10) > 0)


@pytest.mark.skipif(
    not datasets.DEBIAN_FASHION_MNIST.exists(), reason="needs Debian's dataset-fashion-mnist (CI installs it)"
)
def test_fashion_mnist_from_debian_package():
    data = datasets.load_fashion_mnist(limit_train=1000, limit_test=500)
    assert data.x_train.shape == (1000, 28, 28, 1) and data.x_test.shape == (500, 28, 28, 1)
    assert "Debian" in data.source and data.class_names[9] == "Ankle boot"
    assert set(np.unique(data.y_train)) == set(range(10))


def test_shapes_are_deterministic_and_balanced():
    first = datasets.make_shapes(n_per_class=20, seed=3)
    again = datasets.make_shapes(n_per_class=20, seed=3)
    other = datasets.make_shapes(n_per_class=20, seed=4)
    np.testing.assert_array_equal(first.x_train, again.x_train)
    assert not np.array_equal(first.x_train, other.x_train)
    counts = np.bincount(np.concatenate([first.y_train, first.y_test]))
    assert list(counts) == [20] * len(datasets.SHAPE_CLASSES)
    assert first.x_train.shape[1:] == (28, 28, 1)


def test_face_patches():
    data = datasets.load_face_patches()
    assert data.x_train.shape[1:] == (25, 25, 1)
    assert len(data.y_train) + len(data.y_test) == 200


def test_offline_download_failure_is_a_clear_message(monkeypatch):
    import sys
    import types

    def failing_load():
        raise OSError("network unreachable")

    fake_keras = types.SimpleNamespace(
        datasets=types.SimpleNamespace(mnist=types.SimpleNamespace(load_data=failing_load))
    )
    monkeypatch.setitem(sys.modules, "keras", fake_keras)
    with pytest.raises(datasets.DatasetUnavailable, match="MNIST .* could not be downloaded"):
        datasets.load_mnist()


def image_files(n, size, colour):
    return [(f"{i}.png", png_bytes(np.full((size, size + i, 3), colour, np.uint8))) for i in range(n)]


def test_user_files_mixed_sizes_and_bad_files():
    files = {
        "red": image_files(4, 20, (255, 0, 0)) + [("notes.png", b"plain text")],
        "blue": image_files(3, 50, (0, 0, 255)),
    }
    data = datasets.from_class_files(files, size=(16, 16))
    assert data.class_names == ["red", "blue"]
    total = len(data.y_train) + len(data.y_test)
    assert total == 7 and data.x_train.shape[1:] == (16, 16, 3)
    assert any("notes.png" in note for note in data.notes)
    assert any("Resized 7" in note for note in data.notes)


@pytest.mark.parametrize(
    "files, message",
    [
        ({"only": image_files(3, 8, (1, 2, 3))}, "at least two classes"),
        ({"a": image_files(2, 8, (1, 2, 3)), "b": [("x.png", b"")]}, "'b' has no usable images"),
        ({"cat": image_files(2, 8, (1, 2, 3)), "Cat": image_files(2, 8, (1, 2, 3))}, "same name"),
    ],
)
def test_user_files_refusals(files, message):
    with pytest.raises(ValueError, match=message):
        datasets.from_class_files(files)


def make_zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_with_class_folders():
    red = png_bytes(np.zeros((4, 4, 3), np.uint8))
    data = make_zip(
        {
            "set/cats/1.png": red,
            "set/cats/2.png": red,
            "set/dogs/1.png": red,
            "__MACOSX/set/cats/._1.png": b"junk",
            "README.txt": b"top-level files are ignored",
        }
    )
    classes = datasets.read_class_zip(data)
    assert list(classes) == ["cats", "dogs"] and len(classes["cats"]) == 2


def test_zip_refusals():
    with pytest.raises(ValueError, match="not a zip"):
        datasets.read_class_zip(b"PK but not really")
    with pytest.raises(ValueError, match="no folders"):
        datasets.read_class_zip(make_zip({"a.png": b"x"}))
    with pytest.raises(ValueError, match="limit is 0 MB"):
        datasets.read_class_zip(make_zip({"a/b.png": b"x"}), max_zip_bytes=10)
    bomb = make_zip({"a/zeros.png": b"\0" * 5_000_000})
    with pytest.raises(ValueError, match="zip bomb"):
        datasets.read_class_zip(bomb)
    with pytest.raises(ValueError, match="unpack to"):
        datasets.read_class_zip(make_zip({"a/b.png": b"x" * 3_000_000}, zipfile.ZIP_STORED), max_unzipped_bytes=2**20)


def test_load_by_name_and_download_status():
    assert datasets.load("Digits (8x8)").num_classes == 10
    with pytest.raises(ValueError, match="Unknown dataset 'ImageNet'"):
        datasets.load("ImageNet")
    assert set(datasets.download_status()) == {"ImageNet weights", "MNIST", "CIFAR-10", "Fashion-MNIST"}


@pytest.mark.parametrize("counts, fraction", [([50, 50, 50, 50], 0.1), ([40, 20, 8], 0.25), ([30, 2, 9], 0.2)])
def test_stratified_split_keeps_class_shares_and_covers_every_index(counts, fraction):
    y = np.repeat(np.arange(len(counts)), counts)
    train, test = datasets.stratified_split(y, fraction, seed=3, min_per_class=2)
    assert sorted(np.concatenate([train, test])) == list(range(len(y)))
    splittable = [c for c in counts if c > 2]
    assert len(test) == round(sum(splittable) * fraction)
    for label, count in enumerate(counts):
        expected = count * fraction if count > 2 else 0
        assert abs(np.sum(y[test] == label) - expected) <= 1, (label, count)


def test_stratified_split_with_fewer_test_images_than_classes_still_splits():
    y = np.repeat(np.arange(5), 3)  # 15 images, 5 classes, 2 test images: no stratified split exists
    train, test = datasets.stratified_split(y, 0.1, seed=0, min_per_class=1)
    assert len(test) == 2 and len(train) == 13 and set(train).isdisjoint(test)
