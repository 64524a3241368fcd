"""Train the small Fashion-MNIST CNN shipped in assets/models/fashion_cnn.keras.

It is the CNN trainer's default network (``layer_table.DEFAULT_PRESET``, first convolution
named "conv1": the convolution and HOG pages show its filters), trained with the page's
default settings on all 60,000 training images.
Run: .venv/bin/python scripts/train_fashion_cnn.py  (about a minute on 2 CPU cores)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras

from playground.core import datasets, keras_tools, shipped_models
from playground.lessons import cnn_training, layer_table


def build_model() -> keras.Model:
    """The default preset for 28x28x1 images and 10 classes (uncompiled)."""
    return layer_table.build_model(
        layer_table.preset(layer_table.DEFAULT_PRESET, (28, 28, 1)), (28, 28, 1), 10, name="fashion_cnn"
    )


def main() -> None:
    config = cnn_training.TrainConfig(validation_fraction=0.0)
    keras.utils.set_random_seed(config.seed)
    data = datasets.load_fashion_mnist()
    model = build_model()
    model.compile(
        keras_tools.make_optimizer(config.optimizer, config.learning_rate),
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(data.x_train, data.y_train, epochs=config.epochs, batch_size=config.batch_size, verbose=2)
    loss, accuracy = model.evaluate(data.x_test, data.y_test, verbose=0)
    print(f"test_accuracy={accuracy:.4f} test_loss={loss:.4f}")
    shipped_model = build_model()  # a fresh, uncompiled copy: the file carries no optimizer state
    shipped_model.set_weights(model.get_weights())
    path = shipped_models.SHIPPED["fashion_cnn"].path
    path.parent.mkdir(parents=True, exist_ok=True)
    shipped_model.save(path)
    print(f"saved {path} ({path.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
