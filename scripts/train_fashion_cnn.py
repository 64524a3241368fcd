"""Train the small Fashion-MNIST CNN shipped in assets/models/fashion_cnn.keras.

Its first-layer filters are what the convolution and HOG pages show as "learned filters".
Run: .venv/bin/python scripts/train_fashion_cnn.py  (about a minute on 2 CPU cores)
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras  # noqa: E402

from playground import datasets, shipped  # noqa: E402

EPOCHS = 3
BATCH_SIZE = 128
SEED = 0


def build_model() -> keras.Model:
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(16, 5, padding="same", activation="relu", name="conv1"),
        keras.layers.MaxPooling2D(name="pool1"),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2"),
        keras.layers.MaxPooling2D(name="pool2"),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(64, activation="relu", name="dense"),
        keras.layers.Dense(10, activation="softmax", name="predictions"),
    ], name="fashion_cnn")


def main() -> None:
    keras.utils.set_random_seed(SEED)
    data = datasets.load_fashion_mnist()
    model = build_model()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(data.x_train, data.y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=2)
    loss, accuracy = model.evaluate(data.x_test, data.y_test, verbose=0)
    print(f"test_accuracy={accuracy:.4f} test_loss={loss:.4f}")
    path = shipped.SHIPPED["fashion_cnn"].path
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    print(f"saved {path} ({path.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
