"""Hand-crafted features from before deep learning: HOG (histograms of oriented gradients)
and LBP (local binary patterns), written out in NumPy so every number can be shown.

Conventions (the course's, from the SuperDataScience slides and learnopencv's HOG example):

- Gradients use the centred kernel [-1, 0, 1] (OpenCV ``Sobel`` with ``ksize=1``);
  direction is *unsigned*, in degrees in [0, 180).
- A cell histogram has ``bins`` bins centred at 0, 20, ..., 160 degrees (for 9 bins); each
  pixel's magnitude is split between the two nearest centres in proportion to closeness,
  and 180 wraps to 0.
- An LBP code of a 3x3 patch sets a bit to 1 where the neighbour is >= the centre, reading
  clockwise from the top-left, most significant bit first (12 15 18 / 5 8 3 / 8 1 2 → 226).

Images are 2-D arrays (H, W); anything with a channel axis is converted to gray first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.core import images

# The course's worked examples, as printed on the slides.
COURSE_LBP_PATCH = np.array([[12, 15, 18], [5, 8, 3], [8, 1, 2]])
COURSE_LBP_CODE = 226
# learnopencv's 8x8 cell (the slides print it twice; the second copy has a typo, 2 for 23
# at row 3, column 0; the first copy and learnopencv's figure read 23).
COURSE_HOG_MAGNITUDE = np.array(
    [
        [2, 3, 4, 4, 3, 4, 2, 2],
        [5, 11, 17, 13, 7, 9, 3, 4],
        [11, 21, 23, 27, 22, 17, 4, 6],
        [23, 99, 165, 135, 85, 32, 26, 2],
        [91, 155, 133, 136, 144, 152, 57, 28],
        [98, 196, 76, 38, 26, 60, 170, 51],
        [165, 60, 60, 27, 77, 85, 43, 136],
        [71, 13, 34, 23, 108, 27, 48, 110],
    ],
    dtype=float,
)
COURSE_HOG_DIRECTION = np.array(
    [
        [80, 36, 5, 10, 0, 64, 90, 73],
        [37, 9, 9, 179, 78, 27, 169, 166],
        [87, 136, 173, 39, 102, 163, 152, 176],
        [76, 13, 1, 168, 159, 22, 125, 143],
        [120, 70, 14, 150, 145, 144, 145, 143],
        [58, 86, 119, 98, 100, 101, 133, 113],
        [30, 65, 157, 75, 78, 165, 145, 124],
        [11, 170, 91, 4, 110, 17, 133, 110],
    ],
    dtype=float,
)

# Clockwise from the top-left: (row, col) offsets of the 8 neighbours of a 3x3 patch.
CLOCKWISE_OFFSETS = [(-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1)]
BLOCK_NORMS = ["L2", "L2-Hys", "L1", "L1-sqrt", "none"]
LBP_METHODS = {
    "default": "every code 0 … 2^P−1",
    "ror": "rotation-invariant (smallest of the P bit rotations)",
    "uniform": "rotation-invariant uniform: number of 1s if ≤ 2 transitions, else P+1",
}
# Keeps block normalisation finite on flat regions (same value as scikit-image).
_EPS = 1e-5
# L2-Hys clips normalised values here before renormalising (Dalal & Triggs).
HYS_CLIP = 0.2


def _gray(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim == 3:
        image = images.to_gray(image if image.dtype == np.uint8 else np.clip(image, 0, 255).astype(np.uint8))
    if image.ndim != 2:
        raise ValueError(f"Expected a 2-D grayscale or (H, W, 3) image, got shape {image.shape}.")
    return image.astype(np.float64)


# ---------------------------------------------------------------- LBP


def lbp_bits(patch: np.ndarray) -> list[int]:
    """The 8 thresholded neighbours of a 3x3 patch, clockwise from the top-left (1 if >= centre)."""
    patch = np.asarray(patch)
    if patch.shape != (3, 3):
        raise ValueError(f"An LBP patch must be 3x3, got shape {patch.shape}.")
    centre = patch[1, 1]
    return [int(patch[1 + dr, 1 + dc] >= centre) for dr, dc in CLOCKWISE_OFFSETS]


def lbp_code(patch: np.ndarray) -> int:
    """LBP code of a 3x3 patch: neighbours >= centre are 1, read clockwise from the
    top-left, most significant bit first (the course's example gives 226)."""
    return int("".join(map(str, lbp_bits(patch))), 2)


def lbp_square_image(image: np.ndarray) -> np.ndarray:
    """The course's 3x3 LBP code at every pixel (H-2, W-2), uint8 (borders dropped)."""
    gray = _gray(image)
    if min(gray.shape) < 3:
        raise ValueError(f"The image is {gray.shape[1]}x{gray.shape[0]} pixels; LBP needs at least 3x3.")
    centre = gray[1:-1, 1:-1]
    height, width = centre.shape
    codes = np.zeros(centre.shape, dtype=np.int32)
    for dr, dc in CLOCKWISE_OFFSETS:
        neighbour = gray[1 + dr : 1 + dr + height, 1 + dc : 1 + dc + width]
        codes = (codes << 1) | (neighbour >= centre)
    return codes.astype(np.uint8)


def circular_offsets(radius: float, neighbours: int) -> np.ndarray:
    """(P, 2) sampling offsets (row, col) on a circle: point p at angle 2πp/P, starting on the
    right and turning counter-clockwise (rows grow downwards), rounded as scikit-image does."""
    angles = 2 * np.pi * np.arange(neighbours) / neighbours
    return np.round(np.stack([-radius * np.sin(angles), radius * np.cos(angles)], axis=1), 5)


def _bilinear_shifted(padded: np.ndarray, pad: int, shape: tuple[int, int], dr: float, dc: float) -> np.ndarray:
    """Bilinear samples of the image at every (row + dr, col + dc); ``padded`` is the image with
    ``pad`` zero pixels on each side (outside counts as 0). Same arithmetic as scikit-image."""
    height, width = shape
    r0, c0 = int(np.floor(dr)), int(np.floor(dc))
    r1, c1 = int(np.ceil(dr)), int(np.ceil(dc))
    fr, fc = dr - r0, dc - c0

    def shifted(r, c):
        return padded[pad + r : pad + r + height, pad + c : pad + c + width]

    top = (1 - fc) * shifted(r0, c0) + fc * shifted(r0, c1)
    bottom = (1 - fc) * shifted(r1, c0) + fc * shifted(r1, c1)
    return (1 - fr) * top + fr * bottom


def lbp_image(image: np.ndarray, radius: float = 1, neighbours: int = 8, method: str = "default") -> np.ndarray:
    """Circular LBP (Ojala et al.) at every pixel: P neighbours sampled bilinearly on a circle.

    Bit p (weight 2^p) belongs to the point at angle 2πp/P; ``method`` is ``default``,
    ``ror`` (rotation-invariant) or ``uniform`` (rotation-invariant uniform, P+2 codes), the
    same conventions as ``skimage.feature.local_binary_pattern``.

    Returns
    -------
    ndarray, shape (H, W), float64 codes
    """
    if method not in LBP_METHODS:
        raise ValueError(f"Unknown LBP method '{method}'; use one of {', '.join(LBP_METHODS)}.")
    if not 1 <= neighbours <= 24 or radius <= 0:
        raise ValueError(f"Need 1 <= neighbours <= 24 and radius > 0, got P={neighbours}, R={radius}.")
    gray = _gray(image)
    pad = int(np.ceil(radius)) + 1
    padded = np.pad(gray, pad)
    bits = np.stack(
        [
            _bilinear_shifted(padded, pad, gray.shape, dr, dc) - gray >= 0
            for dr, dc in circular_offsets(radius, neighbours)
        ]
    ).astype(np.int64)  # (P, H, W)
    if method == "uniform":
        transitions = np.abs(np.diff(bits, axis=0)).sum(axis=0)
        return np.where(transitions <= 2, bits.sum(axis=0), neighbours + 1).astype(np.float64)
    codes = np.tensordot(1 << np.arange(neighbours, dtype=np.int64), bits, axes=1)
    if method == "ror":
        mask = (1 << neighbours) - 1
        rotations = [((codes >> shift) | (codes << (neighbours - shift))) & mask for shift in range(neighbours)]
        codes = np.min(rotations, axis=0)
    return codes.astype(np.float64)


def lbp_n_codes(neighbours: int, method: str) -> int:
    """How many distinct codes ``method`` can produce with P neighbours (histogram length)."""
    return neighbours + 2 if method == "uniform" else 2**neighbours


def lbph_histograms(codes: np.ndarray, grid_x: int = 8, grid_y: int = 8, n_codes: int = 256) -> np.ndarray:
    """LBPH: split a code image into grid_y x grid_x cells and histogram each (normalised to
    sum 1, as OpenCV's LBPH does).

    Returns
    -------
    ndarray, shape (grid_y, grid_x, n_codes); ``.ravel()`` is the concatenated descriptor.
    """
    height, width = codes.shape
    if not (1 <= grid_x <= width and 1 <= grid_y <= height):
        raise ValueError(f"A {grid_x}x{grid_y} grid does not fit a {width}x{height} code image.")
    cell_h, cell_w = height // grid_y, width // grid_x  # OpenCV drops the remainder too
    out = np.zeros((grid_y, grid_x, n_codes))
    for gy in range(grid_y):
        for gx in range(grid_x):
            cell = codes[gy * cell_h : (gy + 1) * cell_h, gx * cell_w : (gx + 1) * cell_w]
            counts = np.bincount(cell.astype(np.int64).ravel(), minlength=n_codes)[:n_codes]
            out[gy, gx] = counts / max(1, cell.size)
    return out


def lbph_descriptor(
    image: np.ndarray, radius: int = 1, neighbours: int = 8, grid_x: int = 8, grid_y: int = 8, method: str = "default"
) -> tuple[np.ndarray, np.ndarray]:
    """OpenCV's LBPH face descriptor: circular LBP codes with the ``radius``-pixel border dropped,
    then :func:`lbph_histograms` over a grid_y x grid_x grid. With ``method="default"`` it equals
    ``cv2.face.LBPHFaceRecognizer``'s stored histogram for the same image.

    Returns
    -------
    codes : (H − 2R, W − 2R) float64; histograms : (grid_y, grid_x, n_codes)
    """
    radius = int(radius)
    codes = lbp_image(image, radius, neighbours, method)[radius:-radius, radius:-radius]
    if codes.size == 0:
        raise ValueError(f"The image ({np.shape(image)[1]}x{np.shape(image)[0]}) is too small for radius {radius}.")
    return codes, lbph_histograms(codes, grid_x, grid_y, lbp_n_codes(neighbours, method))


def chi_square_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Σ 2(a−b)²/(a+b) over bins where a+b > 0 (OpenCV's HISTCMP_CHISQR_ALT, used by LBPH)."""
    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    total = a + b
    used = total > 0
    return float(np.sum(2 * (a[used] - b[used]) ** 2 / total[used]))


# ---------------------------------------------------------------- HOG


@dataclass
class Gradients:
    """Per-pixel gradients of a grayscale image, all (H, W) float64; direction in degrees [0, 180)."""

    gx: np.ndarray
    gy: np.ndarray
    magnitude: np.ndarray
    direction: np.ndarray


def gradients(image: np.ndarray, ksize: int = 1) -> Gradients:
    """gx, gy with OpenCV's Sobel (``ksize=1`` is the course's [-1, 0, 1]), then
    magnitude √(gx²+gy²) and unsigned direction atan2(gy, gx) mod 180°."""
    import cv2

    if ksize not in (1, 3, 5, 7):
        raise ValueError(f"Sobel kernel size must be 1, 3, 5 or 7, got {ksize}.")
    gray = _gray(image)
    gx = cv2.Sobel(gray, cv2.CV_64F, 1, 0, ksize=ksize)
    gy = cv2.Sobel(gray, cv2.CV_64F, 0, 1, ksize=ksize)
    direction = np.rad2deg(np.arctan2(gy, gx)) % 180
    return Gradients(gx, gy, np.hypot(gx, gy), direction)


def orientation_votes(direction: np.ndarray, bins: int = 9) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each direction (degrees), the two nearest bin centres and the share going to the lower.

    Returns (lower_bin, upper_bin, lower_share), each shaped like ``direction``; the upper bin
    gets ``1 - lower_share``. Centres are at k·180/bins; 180 wraps to bin 0.
    """
    if bins < 2:
        raise ValueError(f"Need at least 2 orientation bins, got {bins}.")
    position = (np.asarray(direction, dtype=np.float64) % 180) / (180 / bins)
    below = np.floor(position)
    lower = below.astype(int) % bins
    return lower, (lower + 1) % bins, 1 - (position - below)


def hog_cell_histogram(magnitude: np.ndarray, direction: np.ndarray, bins: int = 9) -> np.ndarray:
    """The course's cell histogram: each pixel's magnitude split between the two nearest of
    ``bins`` centres (0, 20, …, 160 for 9 bins), unsigned, 180 wrapping to 0.

    Returns
    -------
    ndarray, shape (bins,)
    """
    magnitude = np.asarray(magnitude, dtype=np.float64)
    if np.shape(direction) != magnitude.shape:
        raise ValueError(f"Magnitude {magnitude.shape} and direction {np.shape(direction)} must match.")
    lower, upper, lower_share = orientation_votes(direction, bins)
    histogram = np.bincount(lower.ravel(), (magnitude * lower_share).ravel(), minlength=bins)
    return histogram + np.bincount(upper.ravel(), (magnitude * (1 - lower_share)).ravel(), minlength=bins)


def hog_cells(grads: Gradients, cell_size: int = 8, bins: int = 9, vote: str = "split") -> np.ndarray:
    """Histograms of all whole cells (the remainder at the right/bottom is dropped).

    ``vote="split"`` is the course's (two nearest centres 0, 20, …); ``"hard"`` puts the whole
    magnitude in the bin [k·180/bins, (k+1)·180/bins) as scikit-image does (centres 10, 30, …).

    Returns
    -------
    ndarray, shape (n_cell_rows, n_cell_cols, bins), sums of magnitudes
    """
    if cell_size < 1:
        raise ValueError(f"Cell size must be at least 1 pixel, got {cell_size}.")
    rows, cols = grads.magnitude.shape[0] // cell_size, grads.magnitude.shape[1] // cell_size
    if rows == 0 or cols == 0:
        raise ValueError(
            f"The image ({grads.magnitude.shape[1]}x{grads.magnitude.shape[0]}) is smaller "
            f"than one {cell_size}x{cell_size} cell."
        )
    magnitude = grads.magnitude[: rows * cell_size, : cols * cell_size]
    direction = grads.direction[: rows * cell_size, : cols * cell_size]
    cell_index = (np.arange(rows * cell_size)[:, None] // cell_size) * cols + np.arange(cols * cell_size)[
        None, :
    ] // cell_size
    if vote == "split":
        lower, upper, lower_share = orientation_votes(direction, bins)
        flat = np.bincount(
            (cell_index * bins + lower).ravel(), (magnitude * lower_share).ravel(), minlength=rows * cols * bins
        )
        flat += np.bincount(
            (cell_index * bins + upper).ravel(), (magnitude * (1 - lower_share)).ravel(), minlength=rows * cols * bins
        )
    elif vote == "hard":
        bin_index = np.minimum((direction // (180 / bins)).astype(int), bins - 1)
        flat = np.bincount((cell_index * bins + bin_index).ravel(), magnitude.ravel(), minlength=rows * cols * bins)
    else:
        raise ValueError(f"Unknown vote '{vote}'; use 'split' or 'hard'.")
    return flat.reshape(rows, cols, bins)


def normalise_block(block: np.ndarray, method: str = "L2-Hys") -> np.ndarray:
    """Normalise blocks of concatenated cell histograms over their last three axes
    (block rows, block cols, bins), so one block or a whole stack of them works.

    L2: v/√(‖v‖²+ε²); L2-Hys: L2, clip at 0.2, L2 again; L1: v/(‖v‖₁+ε); L1-sqrt: √(L1); none.
    """

    def total(values):
        return np.sum(values, axis=(-3, -2, -1), keepdims=True)

    if method == "L2":
        return block / np.sqrt(total(block**2) + _EPS**2)
    if method == "L2-Hys":
        clipped = np.minimum(normalise_block(block, "L2"), HYS_CLIP)
        return clipped / np.sqrt(total(clipped**2) + _EPS**2)
    if method == "L1":
        return block / (total(np.abs(block)) + _EPS)
    if method == "L1-sqrt":
        return np.sqrt(block / (total(np.abs(block)) + _EPS))
    if method == "none":
        return block
    raise ValueError(f"Unknown block normalisation '{method}'; use one of {', '.join(BLOCK_NORMS)}.")


def hog_blocks(cells: np.ndarray, block_size: int = 2, method: str = "L2-Hys") -> np.ndarray:
    """Slide a block_size x block_size window over the cells (stride one cell), normalising each.

    Returns
    -------
    ndarray, shape (n_block_rows, n_block_cols, block_size, block_size, bins)
    """
    rows, cols, _bins = cells.shape
    if not 1 <= block_size <= min(rows, cols):
        raise ValueError(
            f"A block of {block_size}x{block_size} cells does not fit in {rows}x{cols} cells; "
            "use a smaller block or cell, or a larger image."
        )
    windows = np.lib.stride_tricks.sliding_window_view(cells, (block_size, block_size), axis=(0, 1))
    return normalise_block(np.moveaxis(windows, 2, -1), method)  # (…, bins, b, b) → (…, b, b, bins)


def descriptor_length(height: int, width: int, cell_size: int = 8, block_size: int = 2, bins: int = 9) -> dict:
    """How long a HOG descriptor is: blocks x cells per block x bins, with the counts that make it."""
    cell_rows, cell_cols = height // cell_size, width // cell_size
    block_rows, block_cols = cell_rows - block_size + 1, cell_cols - block_size + 1
    return {
        "cell_rows": cell_rows,
        "cell_cols": cell_cols,
        "block_rows": block_rows,
        "block_cols": block_cols,
        "length": max(0, block_rows) * max(0, block_cols) * block_size * block_size * bins,
    }


def hog_descriptor(
    image: np.ndarray,
    cell_size: int = 8,
    block_size: int = 2,
    bins: int = 9,
    block_norm: str = "L2-Hys",
    vote: str = "split",
    ksize: int = 1,
) -> np.ndarray:
    """The whole HOG feature vector of a grayscale image: gradients → cells → blocks → flatten.

    With ``vote="hard"`` and ``ksize=1`` it equals ``skimage.feature.hog(image, bins,
    (cell_size,)*2, (block_size,)*2, block_norm)`` on a grayscale image.
    """
    cells = hog_cells(gradients(image, ksize), cell_size, bins, vote)
    return hog_blocks(cells, block_size, block_norm).ravel()


def hog_glyphs(cells: np.ndarray, cell_size: int = 8, scale: int = 2) -> np.ndarray:
    """The familiar star picture: in each cell, one line per bin across the cell, drawn along the
    *edge* (perpendicular to the gradient), brightness proportional to the bin's value.

    Returns
    -------
    ndarray, shape (rows·cell·scale, cols·cell·scale), uint8
    """
    import cv2

    rows, cols, bins = cells.shape
    size = cell_size * scale
    canvas = np.zeros((rows * size, cols * size), dtype=np.float32)
    # The 99th percentile, not the max: one very strong edge would otherwise leave every other glyph dark.
    strongest = float(np.percentile(cells.max(axis=2), 99)) or float(cells.max()) or 1.0
    half = size / 2 - 0.5
    centres = np.arange(bins) * 180 / bins
    # Gradient angle θ (image rows grow downwards): the edge runs along θ + 90°.
    edge_dx, edge_dy = np.cos(np.deg2rad(centres + 90)) * half, np.sin(np.deg2rad(centres + 90)) * half
    for r in range(rows):
        for c in range(cols):
            cy, cx = r * size + size / 2, c * size + size / 2
            for k in range(bins):
                value = cells[r, c, k] / strongest
                if value <= 0.02:
                    continue
                layer = np.zeros((size, size), dtype=np.float32)
                p0 = (int(round(size / 2 - edge_dx[k])), int(round(size / 2 - edge_dy[k])))
                p1 = (int(round(size / 2 + edge_dx[k])), int(round(size / 2 + edge_dy[k])))
                cv2.line(layer, p0, p1, float(value), 1, cv2.LINE_AA)
                window = canvas[int(cy - size / 2) : int(cy + size / 2), int(cx - size / 2) : int(cx + size / 2)]
                np.maximum(window, layer, out=window)
    return images.to_uint8(np.clip(canvas, 0, 1) ** 0.6)


def learned_first_layer_maps(image: np.ndarray, model, max_side: int = 160) -> tuple[np.ndarray, np.ndarray]:
    """Responses of a Keras model's first Conv2D layer to a grayscale image in [0, 1].

    Applies the layer's own weights with NumPy (see :func:`playground.lessons.convolution.conv_layer`),
    so any image size works even if the model was trained on 28x28 inputs.

    Returns
    -------
    maps : (H, W, K) float64 (after the layer's ReLU if it has one); kernels : (kh, kw, K)
    """
    from playground.lessons import convolution

    layer = convolution.first_conv_layer(model)
    if layer.kernels.shape[2] != 1:
        raise ValueError(
            f"Layer '{layer.name}' expects {layer.kernels.shape[2]} channels; this view shows grayscale models only."
        )
    gray = _gray(image)
    small = images.resize_max(gray.astype(np.float32), max_side).astype(np.float64) / 255.0
    maps = convolution.conv_layer(
        small, layer.kernels, layer.biases, layer.stride, layer.padding, layer.dilation, layer.relu
    )
    return maps, layer.kernels[:, :, 0, :]


@dataclass
class TextureComparison:
    """Nearest-texture classification of held-out patches by histogram distance.

    distances : (n_test, n_textures) chi-square distances to each texture's reference histogram;
    truth, predicted : (n_test,) texture indices; patches : the test patches (gray uint8).
    """

    names: list[str]
    distances: np.ndarray
    truth: np.ndarray
    predicted: np.ndarray
    patches: list[np.ndarray]

    @property
    def accuracy(self) -> float:
        return float(np.mean(self.truth == self.predicted))


def compare_textures(
    textures: dict[str, np.ndarray],
    patch: int = 128,
    radius: float = 1,
    neighbours: int = 8,
    method: str = "uniform",
    descriptor: str = "lbp",
) -> TextureComparison:
    """Tell textures apart by histogram: each texture's left-half patches make its reference
    histogram (their mean); every right-half patch is given the nearest reference (chi-square).

    ``descriptor="lbp"`` histograms LBP codes; ``"intensity"`` histograms gray levels (32 bins), the
    baseline that ignores texture. Textures are gray images (H, W), at least 2 patches wide.
    """
    names = list(textures)
    references, tests, truth = [], [], []
    for index, name in enumerate(names):
        gray = _gray(textures[name])
        rows, cols = gray.shape[0] // patch, gray.shape[1] // patch
        if cols < 2 or rows < 1:
            raise ValueError(
                f"Texture '{name}' ({gray.shape[1]}x{gray.shape[0]}) needs at least two "
                f"{patch}x{patch} patches side by side."
            )
        if descriptor == "lbp":
            codes, n_codes = lbp_image(gray, radius, neighbours, method), lbp_n_codes(neighbours, method)
        elif descriptor == "intensity":
            codes, n_codes = np.minimum(gray // 8, 31), 32
        else:
            raise ValueError(f"Unknown descriptor '{descriptor}'; use 'lbp' or 'intensity'.")
        left = []
        for r in range(rows):
            for c in range(cols):
                window = (slice(r * patch, (r + 1) * patch), slice(c * patch, (c + 1) * patch))
                histogram = lbph_histograms(codes[window], 1, 1, n_codes).ravel()
                if c < cols // 2:
                    left.append(histogram)
                else:
                    tests.append((histogram, gray[window].astype(np.uint8)))
                    truth.append(index)
        references.append(np.mean(left, axis=0))
    distances = np.array([[chi_square_distance(h, ref) for ref in references] for h, _ in tests])
    return TextureComparison(names, distances, np.array(truth), distances.argmin(axis=1), [p for _, p in tests])
