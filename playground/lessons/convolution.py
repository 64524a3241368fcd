"""Convolution, pooling and flattening as a CNN computes them — NumPy teaching code.

CNN layers compute **cross-correlation**: the kernel slides over the image *unflipped*
and each output is the sum of the element-wise product of the kernel with the window
under it. Mathematical convolution flips the kernel first; for the symmetric kernels
(blur, Gaussian, Laplacian) the two agree, for edge kernels the sign flips.

Contract (used by the tests and the page):

- :func:`conv2d` — 2-D cross-correlation with stride, padding and dilation; a 3-D image
  (H, W, C) with a 3-D kernel (f, f, C) gives the channel-summed 2-D map.
- :func:`pool2d` — max or average pooling, Keras-style ``"valid"`` / ``"same"`` padding.
- :func:`output_size` — floor((n + 2p − f_eff) / s) + 1 with f_eff = d(f − 1) + 1.

Everything is vectorised with ``sliding_window_view`` + ``einsum``: a 512x512 image with
a 3x3 kernel takes about 10 ms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Padding = int | str

# The SuperDataScience course example (Part 5, "Step 1: convolution operation"):
# a 7x7 binary image, a 3x3 feature detector, the 5x5 feature map they produce,
# then 2x2 max pooling with stride 2 (keeping the partial windows at the border) and
# flattening into a 9-vector.
COURSE_IMAGE = np.array(
    [
        [0, 0, 0, 0, 0, 0, 0],
        [0, 1, 0, 0, 0, 1, 0],
        [0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 1, 0, 1, 1],
        [0, 1, 0, 1, 1, 0, 0],
        [0, 1, 0, 1, 1, 0, 1],
        [0, 1, 0, 0, 0, 1, 1],
    ],
    dtype=float,
)
COURSE_DETECTOR = np.array(
    [
        [1, 0, 0],
        [1, 0, 1],
        [0, 1, 1],
    ],
    dtype=float,
)
COURSE_FEATURE_MAP = np.array(
    [
        [0, 1, 0, 1, 0],
        [0, 2, 1, 1, 2],
        [1, 2, 2, 3, 1],
        [1, 3, 3, 3, 2],
        [1, 3, 1, 3, 5],
    ],
    dtype=float,
)
COURSE_POOLED = np.array(
    [
        [2, 1, 2],
        [3, 3, 2],
        [3, 3, 5],
    ],
    dtype=float,
)
COURSE_FLAT = np.array([2, 1, 2, 3, 3, 2, 3, 3, 5], dtype=float)

# The Coursera "edge detection" example: a 6x6 image bright on the left half, the
# 3x3 vertical-edge filter, and the 4x4 output with a bright band where the edge is.
COURSERA_EDGE_IMAGE = np.array([[10, 10, 10, 0, 0, 0]] * 6, dtype=float)
COURSERA_VERTICAL_EDGE = np.array([[1, 0, -1]] * 3, dtype=float)
COURSERA_EDGE_OUTPUT = np.array([[0, 30, 30, 0]] * 4, dtype=float)
# The lecture's numeric 6x6 image for the same filter (its output starts -5, -4, 0, 8).
COURSERA_NUMBERS_IMAGE = np.array(
    [
        [3, 0, 1, 2, 7, 4],
        [1, 5, 8, 9, 3, 1],
        [2, 7, 2, 5, 1, 3],
        [0, 1, 3, 1, 7, 8],
        [4, 2, 1, 6, 2, 8],
        [2, 4, 5, 2, 3, 9],
    ],
    dtype=float,
)


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not float(value).is_integer() or int(value) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}.")
    return int(value)


def effective_kernel_size(f: int, dilation: int = 1) -> int:
    """Size a kernel of ``f`` taps covers with ``dilation - 1`` holes between taps: d(f − 1) + 1."""
    return _positive_int(dilation, "Dilation") * (_positive_int(f, "Kernel size") - 1) + 1


def padding_amounts(n: int, f: int, padding: Padding, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """Zeros added (before, after) along one axis of length ``n``.

    ``"valid"`` adds none, an int ``p`` adds ``p`` on both sides, ``"same"`` pads like
    TensorFlow so the output has ceil(n / s) positions, with the odd extra zero after.
    """
    stride = _positive_int(stride, "Stride")
    span = effective_kernel_size(f, dilation)
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return 0, 0
        if mode == "same":
            total = max((-(-n // stride) - 1) * stride + span - n, 0)
            return total // 2, total - total // 2
        raise ValueError(f"Padding must be 'valid', 'same' or a whole number ≥ 0, got {padding!r}.")
    if isinstance(padding, bool) or not float(padding).is_integer() or int(padding) < 0:
        raise ValueError(f"Padding must be 'valid', 'same' or a whole number ≥ 0, got {padding!r}.")
    return int(padding), int(padding)


def output_size(n: int, f: int, padding: Padding, stride: int, dilation: int = 1) -> int:
    """Positions a kernel of size ``f`` takes along an axis of length ``n``.

    floor((n + p_before + p_after − f_eff) / s) + 1, i.e. floor((n + 2p − f)/s) + 1 for
    symmetric padding and no dilation. Raises ``ValueError`` when the kernel does not fit.
    """
    before, after = padding_amounts(n, f, padding, stride, dilation)
    span = effective_kernel_size(f, dilation)
    padded = n + before + after
    if span > padded:
        dilated = f" (dilated to {span})" if span != f else ""
        raise ValueError(
            f"The kernel of size {f}{dilated} is larger than the input of size {n}"
            f"{f' padded to {padded}' if padded != n else ''}; "
            "use a smaller kernel, more padding or a bigger image."
        )
    return (padded - span) // int(stride) + 1


def pad(
    image: np.ndarray, f: tuple[int, int], padding: Padding, stride: int = 1, dilation: int = 1, fill: float = 0.0
) -> tuple[np.ndarray, tuple[int, int]]:
    """Pad the two leading axes of ``image`` for a (kh, kw) kernel.

    Returns the padded array and the (top, left) amounts, which map padded coordinates
    back to the original image.
    """
    top, bottom = padding_amounts(image.shape[0], f[0], padding, stride, dilation)
    left, right = padding_amounts(image.shape[1], f[1], padding, stride, dilation)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (image.ndim - 2)
    if top or bottom or left or right:
        image = np.pad(image, widths, constant_values=fill)
    return image, (top, left)


def windows(
    image: np.ndarray,
    kernel_shape: tuple[int, int],
    stride: int = 1,
    padding: Padding = 0,
    dilation: int = 1,
    fill: float = 0.0,
) -> np.ndarray:
    """Every window the kernel sees, as a read-only view.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, C)
    kernel_shape : (kh, kw)

    Returns
    -------
    ndarray, shape (H_out, W_out, kh, kw) or (H_out, W_out, C, kh, kw)
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(f"Expected an image of shape (H, W) or (H, W, C), got shape {image.shape}.")
    stride = _positive_int(stride, "Stride")
    kh, kw = (_positive_int(k, "Kernel size") for k in kernel_shape)
    out_h = output_size(image.shape[0], kh, padding, stride, dilation)
    out_w = output_size(image.shape[1], kw, padding, stride, dilation)
    padded, _ = pad(image, (kh, kw), padding, stride, dilation, fill)
    span_h, span_w = effective_kernel_size(kh, dilation), effective_kernel_size(kw, dilation)
    view = sliding_window_view(padded, (span_h, span_w), axis=(0, 1))
    # Stride picks every s-th window; dilation picks every d-th tap inside a window.
    return view[: out_h * stride : stride, : out_w * stride : stride, ..., ::dilation, ::dilation]


def conv2d(
    image: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: Padding = 0, dilation: int = 1
) -> np.ndarray:
    """Cross-correlate ``image`` with ``kernel`` as a CNN layer does (no flip, no bias).

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, C)
    kernel : ndarray, shape (kh, kw) or (kh, kw, C)
        A 3-D kernel must match the image's channels; the products are summed over
        channels too, giving one 2-D map (one filter of a conv layer).
    stride, dilation : int ≥ 1
    padding : int ≥ 0, "valid" or "same"

    Returns
    -------
    ndarray, shape (H_out, W_out), float64
    """
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != image.ndim or kernel.ndim not in (2, 3):
        raise ValueError(
            f"An image of shape {image.shape} needs a kernel with as many axes "
            f"((kh, kw) for (H, W), (kh, kw, C) for (H, W, C)); got {kernel.shape}."
        )
    if kernel.ndim == 3 and kernel.shape[2] != image.shape[2]:
        raise ValueError(f"The kernel has {kernel.shape[2]} channels but the image has {image.shape[2]}.")
    if not np.all(np.isfinite(kernel)):
        raise ValueError("The kernel contains a value that is not a finite number.")
    view = windows(image, kernel.shape[:2], stride, padding, dilation)
    if kernel.ndim == 2:
        return np.einsum("hwij,ij->hw", view, kernel)
    return np.einsum("hwcij,ijc->hw", view, kernel)


def conv_layer(
    image: np.ndarray,
    kernels: np.ndarray,
    biases: np.ndarray | None = None,
    stride: int = 1,
    padding: Padding = "same",
    dilation: int = 1,
    relu: bool = True,
) -> np.ndarray:
    """One convolutional layer: a bank of filters, bias and (optionally) ReLU.

    Parameters
    ----------
    image : ndarray, shape (H, W, C)
    kernels : ndarray, shape (kh, kw, C, K) — Keras' layout for ``Conv2D`` weights
    biases : ndarray, shape (K,), optional

    Returns
    -------
    ndarray, shape (H_out, W_out, K)
    """
    image = np.asarray(image, dtype=np.float64)
    kernels = np.asarray(kernels, dtype=np.float64)
    if image.ndim == 2:
        image = image[..., None]
    if kernels.ndim != 4 or kernels.shape[2] != image.shape[2]:
        raise ValueError(f"Kernels must have shape (kh, kw, {image.shape[2]}, K) for this image, got {kernels.shape}.")
    # One filter at a time: each is a 3-D conv2d summed over channels (fast and memory-light).
    maps = np.stack(
        [conv2d(image, kernels[..., k], stride, padding, dilation) for k in range(kernels.shape[3])], axis=-1
    )
    if biases is not None:
        maps = maps + np.asarray(biases, dtype=np.float64)
    return np.maximum(maps, 0.0) if relu else maps


def relu(x: np.ndarray) -> np.ndarray:
    """max(0, x), element-wise."""
    return np.maximum(x, 0.0)


def conv_layer_parameters(f: int, channels_in: int, n_filters: int, bias: bool = True) -> int:
    """Trainable parameters of a conv layer: (f·f·C_in + 1)·K — independent of the image size."""
    return (f * f * channels_in + int(bias)) * n_filters


def pool2d(x: np.ndarray, size: int = 2, stride: int = 2, mode: str = "max", padding: str = "valid") -> np.ndarray:
    """Max or average pooling over (size x size) windows, like Keras' pooling layers.

    Parameters
    ----------
    x : ndarray, shape (H, W) or (H, W, C) — channels are pooled independently
    mode : "max" or "avg"
    padding : "valid" (drop incomplete windows) or "same" (keep them; output ceil(n/s)).
        Padded cells never win the max and are left out of the average, as in TensorFlow.

    Returns
    -------
    ndarray, shape (H_out, W_out) or (H_out, W_out, C)
    """
    x = np.asarray(x, dtype=np.float64)
    if mode not in ("max", "avg"):
        raise ValueError(f"Pooling mode must be 'max' or 'avg', got {mode!r}.")
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"Pooling padding must be 'valid' or 'same', got {padding!r}.")
    size = _positive_int(size, "Pool size")
    if mode == "max":
        view = windows(x, (size, size), stride, padding, fill=-np.inf)
        return view.max(axis=(-2, -1))
    sums = windows(x, (size, size), stride, padding).sum(axis=(-2, -1))
    counts = windows(np.ones(x.shape[:2]), (size, size), stride, padding).sum(axis=(-2, -1))
    return sums / (counts if x.ndim == 2 else counts[..., None])


def flatten(x: np.ndarray) -> np.ndarray:
    """Row by row into one vector (C order, as Keras' ``Flatten`` for channels-last)."""
    return np.asarray(x).reshape(-1)


# --- the step-through -------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One position of the kernel: output cell (row, col), the window's top-left corner in
    the *padded* input, the window values, their products with the kernel and the sum."""

    row: int
    col: int
    top: int
    left: int
    window: np.ndarray
    products: np.ndarray
    value: float


def step(
    image: np.ndarray, kernel: np.ndarray, index: int, stride: int = 1, padding: Padding = 0, dilation: int = 1
) -> Step:
    """The ``index``-th kernel position in row-major order (0 = top-left)."""
    view = windows(image, np.shape(kernel)[:2], stride, padding, dilation)
    out_h, out_w = view.shape[:2]
    if not 0 <= index < out_h * out_w:
        raise ValueError(f"Step {index} is outside 0..{out_h * out_w - 1}.")
    row, col = divmod(int(index), out_w)
    window = np.asarray(view[row, col], dtype=np.float64)
    products = window * np.asarray(kernel, dtype=np.float64)
    return Step(row, col, row * stride, col * stride, window, products, float(products.sum()))


@dataclass(frozen=True)
class Walkthrough:
    """The four steps of a CNN on one small image, for the step-through.

    Steps 1..n_conv fill the feature map one kernel position at a time, the next step
    applies ReLU, the next n_pool steps fill the pooled map, the last one flattens it.
    """

    padded: np.ndarray
    padding: int
    kernel: np.ndarray
    stride: int
    feature_map: np.ndarray
    rectified: np.ndarray
    pool_size: int
    pool_stride: int
    pool_padding: str
    pooled: np.ndarray
    flat: np.ndarray

    @property
    def n_conv(self) -> int:
        return self.feature_map.size

    @property
    def n_pool(self) -> int:
        return self.pooled.size

    @property
    def total_steps(self) -> int:
        return self.n_conv + 1 + self.n_pool + 1

    def stage(self, t: int) -> str:
        """'conv', 'relu', 'pool' or 'flatten' for step ``t`` (1-based)."""
        if not 1 <= t <= self.total_steps:
            raise ValueError(f"Step {t} is outside 1..{self.total_steps}.")
        if t <= self.n_conv:
            return "conv"
        if t == self.n_conv + 1:
            return "relu"
        return "pool" if t <= self.n_conv + 1 + self.n_pool else "flatten"

    def shown_at(self, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """What the step-through shows after step ``t``: the feature map, the rectified map, the
        pooled map and the flat vector (1, n), each NaN where it is not computed yet."""

        def revealed(full: np.ndarray, count: int) -> np.ndarray:
            shown = np.full(full.shape, np.nan)
            shown.flat[:count] = full.flat[:count]
            return shown

        stage = self.stage(t)
        feature = revealed(self.feature_map, min(t, self.n_conv))
        rectified = revealed(self.rectified, 0 if stage == "conv" else self.rectified.size)
        pooled = revealed(self.pooled, int(np.clip(t - self.n_conv - 1, 0, self.n_pool)))
        flat = revealed(self.flat[None, :], self.flat.size if stage == "flatten" else 0)
        return feature, rectified, pooled, flat


def walkthrough(
    image: np.ndarray,
    kernel: np.ndarray,
    stride: int = 1,
    padding: int = 0,
    pool_size: int = 2,
    pool_stride: int = 2,
    pool_padding: str = "same",
) -> Walkthrough:
    """Convolution → ReLU → pooling → flattening of a small 2-D image, every stage kept."""
    feature_map = conv2d(image, kernel, stride, padding)
    rectified = relu(feature_map)
    pooled = pool2d(rectified, pool_size, pool_stride, "max", pool_padding)
    padded, _ = pad(np.asarray(image, dtype=np.float64), np.shape(kernel), padding, stride)
    return Walkthrough(
        padded,
        int(padding),
        np.asarray(kernel, dtype=np.float64),
        int(stride),
        feature_map,
        rectified,
        pool_size,
        pool_stride,
        pool_padding,
        pooled,
        flatten(pooled),
    )


def pool_window(shape: tuple[int, int], index: int, size: int, stride: int, padding: str) -> tuple[slice, slice]:
    """Rows and columns of the input a pooling window ``index`` (row-major) covers, clipped
    to the input (a 'same' window at the border is partly outside)."""
    out_w = output_size(shape[1], size, padding, stride)
    row, col = divmod(int(index), out_w)
    top = row * stride - padding_amounts(shape[0], size, padding, stride)[0]
    left = col * stride - padding_amounts(shape[1], size, padding, stride)[0]
    return (slice(max(top, 0), min(top + size, shape[0])), slice(max(left, 0), min(left + size, shape[1])))


def input_window(
    row: int, col: int, f: int, padding: Padding, stride: int, dilation: int, shape: tuple[int, int]
) -> tuple[int, int, int]:
    """Top-left corner (y, x) in *original* image coordinates (negative inside the padding)
    and the span of the window that produced output pixel (row, col)."""
    top, _ = padding_amounts(shape[0], f, padding, stride, dilation)
    left, _ = padding_amounts(shape[1], f, padding, stride, dilation)
    return row * stride - top, col * stride - left, effective_kernel_size(f, dilation)


def format_number(value: float) -> str:
    """Compact number for written-out sums: 3, -0.5, 0.111."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3g}"


def product_terms(window: np.ndarray, kernel: np.ndarray, times: str = "*") -> list[str]:
    """['0*1', '1*0', …, '2*(-1)'] — one term per cell, in reading order."""
    return [
        f"{format_number(a)}{times}{format_number(b) if b >= 0 else f'({format_number(b)})'}"
        for a, b in zip(np.ravel(window), np.ravel(kernel))
    ]


def written_sum(window: np.ndarray, kernel: np.ndarray, times: str = "*") -> str:
    """'0*1 + 0*0 + … = 1' — the products behind one output value, as the course writes them."""
    total = float(np.dot(np.ravel(window), np.ravel(kernel)))
    return " + ".join(product_terms(window, kernel, times)) + f" = {format_number(total)}"


# --- kernels --------------------------------------------------------------------------


@dataclass(frozen=True)
class KernelPreset:
    """A named hand-made filter; ``build(size)`` gives a (size, size) kernel."""

    name: str
    build: Callable[[int], np.ndarray]
    sizes: tuple[int, ...]
    description: str


def _centre(size: int) -> np.ndarray:
    kernel = np.zeros((size, size))
    kernel[size // 2, size // 2] = 1.0
    return kernel


def _vertical_edge(size: int) -> np.ndarray:
    # Coursera's filter generalised: +1 on the left columns, 0 in the middle, −1 on the right.
    half = size // 2
    row = np.r_[np.ones(half), 0.0, -np.ones(half)]
    return np.tile(row, (size, 1))


def _sobel_x(size: int) -> np.ndarray:
    import cv2

    kx, ky = cv2.getDerivKernels(1, 0, size)
    return np.outer(ky, kx)


def _laplacian(size: int) -> np.ndarray:
    if size == 3:
        return np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float)
    import cv2

    dxx = np.outer(*reversed(cv2.getDerivKernels(2, 0, size)))
    return dxx + dxx.T


def _gaussian(size: int) -> np.ndarray:
    import cv2

    g = cv2.getGaussianKernel(size, 0)
    return g @ g.T


def _sharpen(size: int) -> np.ndarray:
    if size == 3:
        return np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float)
    return 2 * _centre(size) - np.full((size, size), 1.0 / size**2)  # unsharp masking


SCHARR_X = np.array([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]], dtype=float)
EMBOSS = np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=float)

KERNEL_PRESETS = {
    p.name: p
    for p in [
        KernelPreset("Identity", _centre, (1, 3, 5, 7), "Copies the image: a single 1 in the middle."),
        KernelPreset(
            "Vertical edge",
            _vertical_edge,
            (3, 5, 7),
            "Coursera's [1 0 −1] filter: bright where the image gets darker from left to right.",
        ),
        KernelPreset(
            "Horizontal edge",
            lambda s: _vertical_edge(s).T,
            (3, 5, 7),
            "The vertical-edge filter turned on its side: bright where it gets darker downwards.",
        ),
        KernelPreset(
            "Sobel x",
            _sobel_x,
            (3, 5, 7),
            "Horizontal derivative with smoothing across it: responds to vertical edges.",
        ),
        KernelPreset(
            "Sobel y", lambda s: _sobel_x(s).T, (3, 5, 7), "Vertical derivative: responds to horizontal edges."
        ),
        KernelPreset("Scharr x", lambda s: SCHARR_X, (3,), "A Sobel with better rotation symmetry (3x3 only)."),
        KernelPreset("Scharr y", lambda s: SCHARR_X.T, (3,), "Scharr for horizontal edges (3x3 only)."),
        KernelPreset("Laplacian", _laplacian, (3, 5, 7), "Second derivative in all directions: edges of any angle."),
        KernelPreset(
            "Box blur", lambda s: np.full((s, s), 1.0 / s**2), (3, 5, 7, 9, 11), "Average of the window: blurs."
        ),
        KernelPreset(
            "Gaussian blur", _gaussian, (3, 5, 7, 9, 11), "Weighted average, heavier in the middle: a smoother blur."
        ),
        KernelPreset("Sharpen", _sharpen, (3, 5, 7), "The pixel minus its neighbourhood: crisper edges."),
        KernelPreset("Emboss", lambda s: EMBOSS, (3,), "Light from the top left: a relief effect (3x3 only)."),
        KernelPreset(
            "Course feature detector",
            lambda s: COURSE_DETECTOR,
            (3,),
            "The SuperDataScience 3x3 feature detector (3x3 only).",
        ),
    ]
}


def kernel_preset(name: str, size: int = 3) -> np.ndarray:
    """The preset ``name`` at ``size`` (the nearest allowed size if that one is not offered)."""
    if name not in KERNEL_PRESETS:
        raise ValueError(f"Unknown kernel preset {name!r}; choose one of {', '.join(KERNEL_PRESETS)}.")
    preset = KERNEL_PRESETS[name]
    nearest = min(preset.sizes, key=lambda s: abs(s - size))
    return np.asarray(preset.build(nearest), dtype=np.float64)


def parse_kernel(cells: Sequence[Sequence[object]]) -> np.ndarray:
    """Kernel cells typed by a person (numbers or text such as "-1", "0.5", "1/9") → float array.

    Raises ``ValueError`` naming the first cell that is not a number.
    """
    rows = [list(r) for r in cells]
    if not rows or not rows[0]:
        raise ValueError("The kernel is empty; give it at least one cell.")
    if any(len(r) != len(rows[0]) for r in rows):
        raise ValueError("Every kernel row needs the same number of cells.")
    kernel = np.empty((len(rows), len(rows[0])))
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            text = "" if cell is None else str(cell).strip().replace("−", "-")
            try:
                kernel[i, j] = float(Fraction(text))
            except (ValueError, ZeroDivisionError):
                shown = text if text and text != "nan" else "empty"
                raise ValueError(
                    f"Kernel cell at row {i + 1}, column {j + 1} is {shown!r}, not a number "
                    "(write e.g. 2, -0.5 or 1/9)."
                ) from None
    return kernel


def flip(kernel: np.ndarray) -> np.ndarray:
    """The kernel rotated by 180°: true convolution = cross-correlation with the flipped kernel."""
    return np.asarray(kernel)[::-1, ::-1, ...]


# --- a trained network's first layer ---------------------------------------------------------


@dataclass(frozen=True)
class ConvLayerWeights:
    """What a Keras ``Conv2D`` computes, as plain arrays and settings for :func:`conv_layer`.

    kernels : (kh, kw, C, K); biases : (K,)
    """

    name: str
    kernels: np.ndarray
    biases: np.ndarray
    stride: int
    padding: str
    dilation: int
    relu: bool


def first_conv_layer(model) -> ConvLayerWeights:
    """The first 2-D convolution of a Keras model (nested models are searched in order).

    Needs no TensorFlow import of its own: it only reads ``layers``, weights and configs.
    Raises ``ValueError`` when the model has no Conv2D layer.
    """
    for layer in getattr(model, "layers", []):
        if type(layer).__name__ == "Conv2D":
            config = layer.get_config()
            weights = layer.get_weights()
            kernels = np.asarray(weights[0], dtype=np.float64)
            biases = np.asarray(weights[1], dtype=np.float64) if len(weights) > 1 else np.zeros(kernels.shape[3])
            return ConvLayerWeights(
                layer.name,
                kernels,
                biases,
                int(config["strides"][0]),
                config["padding"],
                int(config["dilation_rate"][0]),
                config["activation"] == "relu",
            )
        if hasattr(layer, "layers"):
            try:
                return first_conv_layer(layer)
            except ValueError:
                continue
    raise ValueError(f"Model '{getattr(model, 'name', model)}' has no Conv2D layer to show.")
