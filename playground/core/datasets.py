"""Named image datasets with offline sources and a one-line note of where they came from.

Every loader returns a :class:`Dataset` whose images are float32 in [0, 1] with shape
(N, H, W, C) and labels int64 of shape (N,).
"""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from playground.core.cache import per_process
from playground.core.images import ImageError, decode_image, encode_png, resize_to, to_uint8

DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
FASHION_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]
CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
SHAPE_CLASSES = ["circle", "square", "triangle", "cross", "ring"]

# User datasets: refuse archives beyond these sizes (zip bombs, accidental uploads).
MAX_ZIP_BYTES = 500 * 2**20
MAX_UNZIPPED_BYTES = 1 * 2**30
MAX_COMPRESSION_RATIO = 200


class DatasetUnavailable(ValueError):
    """The dataset cannot be loaded here (offline, missing files); message is for the user."""


@dataclass
class Dataset:
    """Images and labels split into train and test.

    x_* : float32 (N, H, W, C) in [0, 1]; y_* : int64 (N,).
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    source: str
    notes: tuple[str, ...] = ()

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return tuple(self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def class_counts(self) -> np.ndarray:
        """Training images per class, shape (num_classes,)."""
        return np.bincount(self.y_train, minlength=self.num_classes)


def keras_home() -> Path:
    """Where Keras caches downloads (``$KERAS_HOME`` or ``~/.keras``)."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))


# --- offline datasets ----------------------------------------------------------------


def load_digits(test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """scikit-learn's 1,797 handwritten digits, 8x8 grayscale (bundled with scikit-learn)."""
    from sklearn.datasets import load_digits as sk_digits

    bunch = sk_digits()
    x = (bunch.images / 16.0).astype(np.float32)[..., None]
    return _split(
        "digits",
        x,
        bunch.target.astype(np.int64),
        [str(d) for d in range(10)],
        "scikit-learn's bundled 8x8 handwritten digits (UCI), offline.",
        test_fraction,
        seed,
    )


def _read_idx_gz(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_fashion_mnist(limit_train: int | None = None, limit_test: int | None = None) -> Dataset:
    """Fashion-MNIST 28x28 grayscale: Debian's package, else the Keras cache, else download.
    The first ``limit_*`` images of the one read-only copy this process keeps."""
    return _limited(_full_dataset("fashion_mnist"), limit_train, limit_test)


def load_mnist(limit_train: int | None = None, limit_test: int | None = None) -> Dataset:
    """MNIST digits 28x28 (Keras cache or download, 11 MB); views of the process's one copy."""
    return _limited(_full_dataset("mnist"), limit_train, limit_test)


def load_cifar10(limit_train: int | None = None, limit_test: int | None = None) -> Dataset:
    """CIFAR-10 32x32 colour (Keras cache or download, 163 MB); views of the process's one copy."""
    return _limited(_full_dataset("cifar10"), limit_train, limit_test)


@per_process
def _full_dataset(name: str) -> Dataset:
    """Every image of a big dataset as float32, read-only: decoded once per process (Fashion-MNIST
    alone is 220 MB) and shared by every page, whose limited variants are views of it."""
    if name == "fashion_mnist":
        (x_train, y_train), (x_test, y_test), source = _read_fashion_mnist()
        class_names = FASHION_CLASSES
    elif name == "mnist":
        (x_train, y_train), (x_test, y_test) = _keras_download("mnist", "MNIST (11 MB)")
        class_names = [str(d) for d in range(10)]
        source = f"MNIST via keras.datasets (cached in {keras_home() / 'datasets'})."
    else:
        (x_train, y_train), (x_test, y_test) = _keras_download("cifar10", "CIFAR-10 (163 MB)")
        class_names = CIFAR10_CLASSES
        source = f"CIFAR-10 via keras.datasets (cached in {keras_home() / 'datasets'})."
    data = _from_uint8(name, x_train, y_train.ravel(), x_test, y_test.ravel(), class_names, source, None, None)
    for array in (data.x_train, data.y_train, data.x_test, data.y_test):
        array.flags.writeable = False
    return data


def _limited(data: Dataset, limit_train: int | None, limit_test: int | None) -> Dataset:
    return replace(
        data,
        x_train=data.x_train[:limit_train],
        y_train=data.y_train[:limit_train],
        x_test=data.x_test[:limit_test],
        y_test=data.y_test[:limit_test],
        class_names=list(data.class_names),
    )


def _read_fashion_mnist():
    """``((x_train, y_train), (x_test, y_test), source)`` as uint8, from the first place that has them."""
    for folder, where in (
        (DEBIAN_FASHION_MNIST, "Debian package dataset-fashion-mnist"),
        (keras_home() / "datasets" / "fashion-mnist", "Keras cache"),
    ):
        files = [
            folder / f"{stem}.gz"
            for stem in (
                "train-images-idx3-ubyte",
                "train-labels-idx1-ubyte",
                "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte",
            )
        ]
        if all(f.exists() for f in files):
            x_train, y_train, x_test, y_test = (_read_idx_gz(f) for f in files)
            return (
                (x_train, y_train),
                (x_test, y_test),
                f"Fashion-MNIST (Zalando, 70,000 images) from the {where} ({folder}).",
            )
    train, test = _keras_download("fashion_mnist", "Fashion-MNIST (30 MB)")
    return train, test, f"Fashion-MNIST downloaded by Keras into {keras_home() / 'datasets'}."


def _keras_download(name: str, label: str):
    import keras

    try:
        return getattr(keras.datasets, name).load_data()
    except Exception as exc:  # network errors come in many types (URLError, OSError, HTTPError…)
        raise DatasetUnavailable(
            f"{label} isn't cached on this machine and could not be downloaded "
            f"({type(exc).__name__}). Connect to the internet once, or pick an offline dataset "
            f"(Fashion-MNIST, digits, shapes)."
        ) from None


def make_shapes(n_per_class: int = 300, size: int = 28, seed: int = 0, test_fraction: float = 0.2) -> Dataset:
    """Procedural shapes (circle, square, triangle, cross, ring), random position, size,
    rotation, thickness and noise; deterministic from ``seed``. Grayscale (size, size, 1)."""
    import cv2

    rng = np.random.default_rng(seed)
    images, labels = [], []
    for label, shape in enumerate(SHAPE_CLASSES):
        for _ in range(n_per_class):
            canvas = np.zeros((size * 4, size * 4), np.uint8)  # draw at 4x, downsample: anti-aliasing
            centre = rng.uniform(0.35, 0.65, 2) * size * 4
            radius = rng.uniform(0.18, 0.32) * size * 4
            angle = rng.uniform(0, 2 * np.pi)
            thickness = int(rng.integers(4, 10))
            _draw_shape(cv2, canvas, shape, centre, radius, angle, thickness)
            small = cv2.resize(canvas, (size, size), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
            small += rng.normal(0, 0.05, small.shape).astype(np.float32)
            images.append(np.clip(small, 0, 1))
            labels.append(label)
    x = np.stack(images)[..., None]
    y = np.array(labels, np.int64)
    return _split(
        "shapes",
        x,
        y,
        list(SHAPE_CLASSES),
        f"Generated shapes ({n_per_class} per class, seed {seed}), made on the fly.",
        test_fraction,
        seed,
    )


def _draw_shape(cv2, canvas, shape, centre, radius, angle, thickness):
    def polygon(k, phase=0.0):
        angles = angle + phase + np.arange(k) * 2 * np.pi / k
        return np.stack([centre[0] + radius * np.cos(angles), centre[1] + radius * np.sin(angles)], 1)

    c = tuple(int(v) for v in centre)
    if shape == "circle":
        cv2.circle(canvas, c, int(radius), 255, -1, cv2.LINE_AA)
    elif shape == "ring":
        cv2.circle(canvas, c, int(radius), 255, thickness * 2, cv2.LINE_AA)
    elif shape == "square":
        cv2.fillPoly(canvas, [polygon(4).astype(np.int32)], 255, cv2.LINE_AA)
    elif shape == "triangle":
        cv2.fillPoly(canvas, [polygon(3).astype(np.int32)], 255, cv2.LINE_AA)
    elif shape == "cross":
        ends = polygon(4)
        cv2.line(canvas, tuple(ends[0].astype(int)), tuple(ends[2].astype(int)), 255, thickness * 2, cv2.LINE_AA)
        cv2.line(canvas, tuple(ends[1].astype(int)), tuple(ends[3].astype(int)), 255, thickness * 2, cv2.LINE_AA)


def load_face_patches(test_fraction: float = 0.25, seed: int = 0) -> Dataset:
    """scikit-image's LFW subset: 100 face and 100 non-face 25x25 grayscale patches."""
    import skimage.data

    patches = skimage.data.lfw_subset().astype(np.float32)
    if patches.max() > 1.0:
        patches /= 255.0
    y = np.array([1] * 100 + [0] * 100, np.int64)
    return _split(
        "faces",
        patches[..., None],
        y,
        ["not a face", "face"],
        "scikit-image's LFW subset (100 faces, 100 non-faces, 25x25), offline.",
        test_fraction,
        seed,
    )


# --- user images ---------------------------------------------------------------------


def from_class_files(
    files_per_class: dict[str, list[tuple[str, bytes]]],
    size: tuple[int, int] = (64, 64),
    grayscale: bool = False,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> Dataset:
    """Build a dataset from uploaded files, ``{class_name: [(file_name, bytes), ...]}``.

    Unreadable files are skipped and listed in ``notes``; images of any size/mode are
    converted and resized to ``size`` (height, width).
    """
    names = [name.strip() for name in files_per_class]
    if len(set(n.lower() for n in names)) != len(names):
        raise ValueError("Two classes have the same name; give each class its own name.")
    if any(not n for n in names):
        raise ValueError("Every class needs a name.")
    images, labels, notes = [], [], []
    resized = 0
    for label, (class_name, files) in enumerate(files_per_class.items()):
        kept = 0
        for file_name, data in files:
            try:
                rgb = decode_image(data, file_name)
            except ImageError as exc:
                notes.append(f"Skipped {exc}")
                continue
            if rgb.shape[:2] != tuple(size):
                resized += 1
            image = resize_to(rgb, size).astype(np.float32) / 255.0
            if grayscale:
                image = image @ np.array([0.299, 0.587, 0.114], np.float32)
                image = image[..., None]
            images.append(image)
            labels.append(label)
            kept += 1
        if kept == 0:
            raise ValueError(f"Class '{class_name}' has no usable images; add a few or remove the class.")
    if len(files_per_class) < 2:
        raise ValueError("A classifier needs at least two classes.")
    if resized:
        notes.append(f"Resized {resized} image(s) to {size[1]}x{size[0]}.")
    x = np.stack(images)
    y = np.array(labels, np.int64)
    dataset = _split(
        "user", x, y, names, f"Your images: {len(y)} in {len(names)} classes.", test_fraction, seed, stratify_min=1
    )
    dataset.notes = tuple(notes)
    return dataset


def check_zip(archive: zipfile.ZipFile, max_unzipped_bytes: int = MAX_UNZIPPED_BYTES) -> None:
    """Refuse a zip that would unpack past ``max_unzipped_bytes`` or holds a member compressed
    more than ``MAX_COMPRESSION_RATIO``:1 (zip bombs), before anything is unpacked."""
    members = [i for i in archive.infolist() if not i.is_dir()]
    total = sum(i.file_size for i in members)
    if total > max_unzipped_bytes:
        raise ValueError(
            f"The zip would unpack to {total / 2**20:.0f} MB; the limit is {max_unzipped_bytes / 2**20:.0f} MB."
        )
    for info in members:
        if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO:
            raise ValueError(
                f"'{info.filename}' is compressed {info.file_size // info.compress_size}:1, "
                "which looks like a zip bomb; refused."
            )


def read_class_zip(
    data: bytes, max_zip_bytes: int = MAX_ZIP_BYTES, max_unzipped_bytes: int = MAX_UNZIPPED_BYTES
) -> dict[str, list[tuple[str, bytes]]]:
    """Read a zip with one folder per class into ``{class: [(file_name, bytes), ...]}``.

    Refuses non-zips, archives over ``max_zip_bytes``, archives that would unpack past
    ``max_unzipped_bytes`` or with suspicious compression ratios (zip bombs), and zips
    without class folders.
    """
    if len(data) > max_zip_bytes:
        raise ValueError(f"The zip is {len(data) / 2**20:.0f} MB; the limit is {max_zip_bytes / 2**20:.0f} MB.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ValueError("That file is not a zip archive.") from None
    with archive:
        check_zip(archive, max_unzipped_bytes)
        entries = [
            i
            for i in archive.infolist()
            if not i.is_dir() and not Path(i.filename).name.startswith(".") and "__MACOSX" not in i.filename
        ]
        classes: dict[str, list[tuple[str, bytes]]] = {}
        for info in entries:
            parts = Path(info.filename).parts
            if len(parts) < 2:
                continue
            class_name = parts[-2]
            classes.setdefault(class_name, []).append((parts[-1], archive.read(info)))
    if not classes:
        raise ValueError("The zip has no folders: put each class's images in a folder named after the class.")
    return dict(sorted(classes.items()))


# --- helpers -------------------------------------------------------------------------


def zip_of_classes(classes: dict[str, list[tuple[str, bytes]]]) -> bytes:
    """A zip with one folder per class of ``(file name, bytes)`` files: what :func:`read_class_zip` reads."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, files in classes.items():
            for file_name, data in files:
                archive.writestr(f"{name}/{file_name}", data)
    return buffer.getvalue()


def class_zip(data: Dataset) -> bytes:
    """Every image of ``data`` (train, then test) as PNGs in one folder per class, for training
    elsewhere (the CNN trainer's downloaded script reads it)."""
    classes: dict[str, list[tuple[str, bytes]]] = {name: [] for name in data.class_names}
    for x, y in ((data.x_train, data.y_train), (data.x_test, data.y_test)):
        for image, label in zip(x, y):
            files = classes[data.class_names[label]]
            picture = to_uint8(image[..., 0] if image.shape[-1] == 1 else image)
            files.append((f"{len(files):05d}.png", encode_png(picture)))
    return zip_of_classes(classes)


def _from_uint8(name, x_train, y_train, x_test, y_test, class_names, source, limit_train, limit_test) -> Dataset:
    def prepare(x):
        x = x.astype(np.float32) / 255.0
        return x[..., None] if x.ndim == 3 else x

    x_train, y_train = x_train[:limit_train], y_train[:limit_train]
    x_test, y_test = x_test[:limit_test], y_test[:limit_test]
    return Dataset(
        name,
        prepare(x_train),
        y_train.astype(np.int64),
        prepare(x_test),
        y_test.astype(np.int64),
        list(class_names),
        source,
    )


def stratified_split(
    y: np.ndarray, test_fraction: float, seed: int = 0, min_per_class: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled ``(train, test)`` indices into ``y`` (N,) that keep each class's share in both
    (scikit-learn's ``train_test_split``). Classes with at most ``min_per_class`` examples stay
    whole in train; with fewer test images than classes the test pick is plain random."""
    from sklearn.model_selection import train_test_split

    y = np.asarray(y)
    labels, counts = np.unique(y, return_counts=True)
    splittable = np.isin(y, labels[counts > min_per_class])
    candidates, whole = np.flatnonzero(splittable), np.flatnonzero(~splittable)
    n_test = int(round(len(candidates) * test_fraction))
    rng = np.random.default_rng(seed)
    if n_test == 0:
        return rng.permutation(len(y)), np.array([], dtype=int)
    n_classes = len(np.unique(y[candidates]))
    stratify = y[candidates] if n_classes <= n_test <= len(candidates) - n_classes else None
    train, test = train_test_split(candidates, test_size=n_test, random_state=seed, stratify=stratify)
    return rng.permutation(np.concatenate([train, whole])), test


def _split(name, x, y, class_names, source, test_fraction, seed, stratify_min=2) -> Dataset:
    train, test = stratified_split(y, test_fraction, seed, stratify_min)
    return Dataset(name, x[train], y[train], x[test], y[test], list(class_names), source)


LOADERS = {
    "Fashion-MNIST": load_fashion_mnist,
    "Digits (8x8)": load_digits,
    "Shapes": make_shapes,
    "Faces vs not (LFW)": load_face_patches,
    "MNIST": load_mnist,
    "CIFAR-10": load_cifar10,
}


@per_process
def shared(name: str) -> Dataset:
    """The dataset ``name`` (see ``LOADERS``) with its default size, made once per process and
    shared by every page and session: use it read-only."""
    return load(name)


def load(name: str, **kwargs) -> Dataset:
    """Load a dataset by its display name (see ``LOADERS``)."""
    if name not in LOADERS:
        raise ValueError(f"Unknown dataset '{name}'; choose one of {', '.join(LOADERS)}.")
    return LOADERS[name](**kwargs)


def download_status() -> dict[str, bool]:
    """Which optional downloads are already cached (no TensorFlow import)."""
    home = keras_home()
    models = home / "models"
    weights = (
        list(models.glob("*imagenet*")) + list(models.glob("*_weights_tf_dim_ordering*")) if models.exists() else []
    )
    return {
        "ImageNet weights": bool(weights),
        "MNIST": (home / "datasets" / "mnist.npz").exists(),
        "CIFAR-10": (home / "datasets" / "cifar-10-batches-py").exists(),
        "Fashion-MNIST": DEBIAN_FASHION_MNIST.exists() or (home / "datasets" / "fashion-mnist").exists(),
    }
