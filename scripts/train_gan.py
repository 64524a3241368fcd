"""Train the class-conditional DCGAN shipped in assets/models/ (generator + discriminator).

The GAN sampler page samples from the generator; its "Understand" tab asks the
discriminator for scores on real vs fake images. After training, the shipped
Fashion-MNIST CNN classifies 100 fakes per class: the share it recognises as the class
they were asked for is written to assets/models/fashion_gan.json with the training time.

Run: .venv/bin/python scripts/train_gan.py  (EPOCHS epochs, ~10-15 minutes on 2 busy CPU cores;
``--max-minutes`` stops earlier between batches and records how far it got)
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras
import numpy as np

from playground.core import datasets, shipped_models
from playground.lessons import gan

EPOCHS = 10
BATCH_SIZE = 64
LATENT_DIM = 64
PRESET = "small"
LEARNING_RATE = 2e-4
LABEL_SMOOTHING = 0.1  # one-sided: real target 0.9 keeps D from getting overconfident
SEED = 0
EVAL_PER_CLASS = 100


class TimeBudget(keras.callbacks.Callback):
    """Stop between batches once ``minutes`` have passed; print progress each epoch."""

    def __init__(self, minutes: float):
        super().__init__()
        self.limit_s = minutes * 60
        self.started = time.monotonic()
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1
        if time.monotonic() - self.started > self.limit_s:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        numbers = " ".join(f"{k}={float(v):.3f}" for k, v in (logs or {}).items())
        print(f"epoch {epoch + 1}: {numbers} ({(time.monotonic() - self.started) / 60:.1f} min)", flush=True)


def recognition_rate(generator, per_class: int = EVAL_PER_CLASS, seed: int = 1) -> tuple[float, np.ndarray]:
    """Share of conditional samples the shipped Fashion-MNIST CNN assigns to the requested
    class (overall, and per class)."""
    classifier = shipped_models.load("fashion_cnn")
    labels = np.repeat(np.arange(10), per_class)
    fakes = gan.sample(generator, len(labels), seed, labels)
    predicted = classifier(fakes, training=False).numpy().argmax(1)
    hits = predicted == labels
    return float(hits.mean()), hits.reshape(10, per_class).mean(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--max-minutes", type=float, default=15.0)
    args = parser.parse_args()

    keras.utils.set_random_seed(SEED)
    data = datasets.load_fashion_mnist()
    generator = gan.build_generator(LATENT_DIM, data.input_shape, data.num_classes, PRESET)
    discriminator = gan.build_discriminator(data.input_shape, data.num_classes, PRESET)
    model = gan.make_gan(generator, discriminator, LEARNING_RATE, LEARNING_RATE, 1, LABEL_SMOOTHING)
    budget = TimeBudget(args.max_minutes)
    model.fit(
        gan.training_dataset(data.x_train, data.y_train, BATCH_SIZE, SEED),
        epochs=args.epochs,
        verbose=0,
        callbacks=[budget],
    )
    minutes = (time.monotonic() - budget.started) / 60
    steps_per_epoch = len(data.x_train) // BATCH_SIZE
    rate, per_class = recognition_rate(generator)
    print(
        f"trained {budget.batches} steps ({budget.batches / steps_per_epoch:.2f} epochs) in {minutes:.1f} min; "
        f"fashion_cnn recognises {rate:.1%} of samples as their class (chance 10%)"
    )
    print("per class: " + ", ".join(f"{name} {share:.0%}" for name, share in zip(data.class_names, per_class)))

    for name, model_part in (("fashion_gan_generator", generator), ("fashion_gan_discriminator", discriminator)):
        path = shipped_models.SHIPPED[name].path
        path.parent.mkdir(parents=True, exist_ok=True)
        model_part.save(path)
        print(f"saved {path} ({path.stat().st_size / 2**20:.2f} MB)")
    info = {
        "epochs": round(budget.batches / steps_per_epoch, 2),
        "steps": budget.batches,
        "batch_size": BATCH_SIZE,
        "minutes": round(minutes, 1),
        "latent_dim": LATENT_DIM,
        "preset": PRESET,
        "label_smoothing": LABEL_SMOOTHING,
        "recognition_rate": round(rate, 4),
        "recognition_per_class": {n: round(float(s), 3) for n, s in zip(data.class_names, per_class)},
        "classifier": "fashion_cnn",
        "samples_per_class": EVAL_PER_CLASS,
    }
    (shipped_models.MODELS_DIR / "fashion_gan.json").write_text(json.dumps(info, indent=2) + "\n")


if __name__ == "__main__":
    main()
