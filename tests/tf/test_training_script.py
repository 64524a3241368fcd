"""The CNN trainer's downloaded training script runs as downloaded: it loads the data the page
trained on (Debian's Fashion-MNIST, scikit-learn's digits, or the page's zip of class folders),
trains, evaluates and saves a model with the page's layers."""

import re
import subprocess
import sys

import pytest

from playground.core import datasets
from playground.lessons import layer_table

pytestmark = pytest.mark.tf


def run_script(data: datasets.Dataset, folder, *arguments: str) -> tuple[float, list[str]]:
    """Write the page's script for ``data`` into ``folder``, run it; return its test accuracy and
    the layer names of the model it saved."""
    layers = layer_table.preset(layer_table.DEFAULT_PRESET, data.input_shape)
    code = layer_table.keras_code(
        layers, data.input_shape, data.num_classes, "Adam", 3e-3, 64, 5, dataset=data.name, class_names=data.class_names
    )
    script = folder / "train_cnn.py"
    script.write_text(code)
    done = subprocess.run(
        [sys.executable, str(script), *arguments, "--epochs", "1"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)", done.stdout).group(1))
    import keras

    saved = keras.models.load_model(folder / "model.keras", compile=False)
    ours = layer_table.build_model(layers, data.input_shape, data.num_classes)
    assert [layer.name for layer in saved.layers] == [layer.name for layer in ours.layers]
    return accuracy, [layer.name for layer in saved.layers]


@pytest.mark.skipif(not datasets.DEBIAN_FASHION_MNIST.exists(), reason="needs Debian's dataset-fashion-mnist")
def test_fashion_mnist_script_trains_on_the_debian_files(tmp_path):
    accuracy, _ = run_script(datasets.load_fashion_mnist(limit_train=1, limit_test=1), tmp_path, "--limit", "3000")
    assert accuracy > 0.5  # ten classes: chance is 0.1


def test_digits_script_trains_on_scikit_learns_digits(tmp_path):
    accuracy, _ = run_script(datasets.load_digits(), tmp_path)
    assert accuracy > 0.2


def test_generated_dataset_script_reads_the_pages_zip_of_class_folders(tmp_path):
    shapes = datasets.make_shapes(n_per_class=60)
    archive = tmp_path / "shapes_images.zip"
    archive.write_bytes(datasets.class_zip(shapes))
    assert set(datasets.read_class_zip(archive.read_bytes())) == set(shapes.class_names)
    accuracy, _ = run_script(shapes, tmp_path, str(archive))
    assert accuracy > 0.3  # five shapes: chance is 0.2


def test_class_folder_script_without_data_says_what_to_give(tmp_path):
    data = datasets.make_shapes(n_per_class=5)
    layers = layer_table.preset(layer_table.DEFAULT_PRESET, data.input_shape)
    (tmp_path / "train_cnn.py").write_text(
        layer_table.keras_code(layers, data.input_shape, data.num_classes, "Adam", dataset="shapes")
    )
    done = subprocess.run([sys.executable, "train_cnn.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "folder or .zip with one sub-folder of images per class" in done.stderr
