"""HOG and LBP against the course's worked examples, scikit-image, OpenCV and plain loops."""

import cv2
import numpy as np
import pytest
from skimage.feature import hog, local_binary_pattern

from playground.lessons import hog_lbp


@pytest.fixture
def rng():
    return np.random.default_rng(7)


# ---------------------------------------------------------------- LBP


def test_course_lbp_example_is_226():
    assert hog_lbp.lbp_bits(hog_lbp.COURSE_LBP_PATCH) == [1, 1, 1, 0, 0, 0, 1, 0]
    assert hog_lbp.lbp_code(hog_lbp.COURSE_LBP_PATCH) == 226 == hog_lbp.COURSE_LBP_CODE


def test_lbp_code_ties_count_as_one_and_order_is_clockwise_from_top_left():
    flat = np.full((3, 3), 5)
    assert hog_lbp.lbp_code(flat) == 255
    only_left = np.zeros((3, 3))
    only_left[1, 0], only_left[1, 1] = 9, 1  # the last neighbour clockwise → least significant bit
    only_left[0, 0] = 0
    assert hog_lbp.lbp_code(only_left) == 1
    only_top_left = np.zeros((3, 3))
    only_top_left[0, 0], only_top_left[1, 1] = 9, 1
    assert hog_lbp.lbp_code(only_top_left) == 128


def test_lbp_code_rejects_other_shapes():
    with pytest.raises(ValueError, match=r"\(4, 4\)"):
        hog_lbp.lbp_code(np.zeros((4, 4)))


def test_square_lbp_image_matches_per_patch_codes(rng):
    image = rng.integers(0, 256, (9, 11)).astype(np.uint8)
    codes = hog_lbp.lbp_square_image(image)
    assert codes.shape == (7, 9)
    for r in range(7):
        for c in range(9):
            assert codes[r, c] == hog_lbp.lbp_code(image[r : r + 3, c : c + 3])


@pytest.mark.parametrize("method", ["default", "ror", "uniform"])
@pytest.mark.parametrize("neighbours,radius", [(8, 1), (8, 2), (16, 2), (4, 1.5), (12, 3)])
def test_lbp_image_matches_scikit_image(rng, method, neighbours, radius):
    image = rng.integers(0, 256, (37, 45)).astype(np.uint8)
    ours = hog_lbp.lbp_image(image, radius, neighbours, method)
    np.testing.assert_array_equal(ours, local_binary_pattern(image, neighbours, radius, method))


def test_lbp_image_bad_settings_echo_values():
    with pytest.raises(ValueError, match="wavy"):
        hog_lbp.lbp_image(np.zeros((8, 8)), method="wavy")
    with pytest.raises(ValueError, match="P=40"):
        hog_lbp.lbp_image(np.zeros((8, 8)), 1, 40)


def test_lbph_histograms_are_per_cell_normalised_histograms(rng):
    codes = rng.integers(0, 10, (20, 30))
    grid = hog_lbp.lbph_histograms(codes, grid_x=3, grid_y=2, n_codes=10)
    assert grid.shape == (2, 3, 10)
    expected, _ = np.histogram(codes[10:20, 20:30], bins=10, range=(0, 10))
    np.testing.assert_allclose(grid[1, 2], expected / 100)
    np.testing.assert_allclose(grid.sum(axis=2), 1.0)


@pytest.mark.parametrize("radius,neighbours,grid_x,grid_y", [(1, 8, 8, 8), (2, 8, 4, 5), (1, 4, 3, 3), (3, 12, 2, 2)])
def test_lbph_descriptor_equals_opencv_lbph_histograms(rng, radius, neighbours, grid_x, grid_y):
    face = rng.integers(0, 256, (100, 90)).astype(np.uint8)
    recogniser = cv2.face.LBPHFaceRecognizer_create(radius, neighbours, grid_x, grid_y)
    recogniser.train([face], np.array([0]))
    _, grid = hog_lbp.lbph_descriptor(face, radius, neighbours, grid_x, grid_y)
    np.testing.assert_allclose(grid.ravel(), np.ravel(recogniser.getHistograms()[0]), atol=1e-6)


def test_chi_square_matches_opencv(rng):
    a, b = rng.random(64).astype(np.float32), rng.random(64).astype(np.float32)
    a[:5] = b[:5] = 0  # empty bins on both sides are skipped, as OpenCV does
    assert hog_lbp.chi_square_distance(a, b) == pytest.approx(cv2.compareHist(a, b, cv2.HISTCMP_CHISQR_ALT), rel=1e-5)


# ---------------------------------------------------------------- HOG


def test_gradients_are_centred_differences_with_unsigned_direction(rng):
    image = rng.integers(0, 256, (12, 14)).astype(np.float64)
    grads = hog_lbp.gradients(image)
    np.testing.assert_allclose(grads.gx[:, 1:-1], image[:, 2:] - image[:, :-2])
    np.testing.assert_allclose(grads.gy[1:-1, :], image[2:, :] - image[:-2, :])
    np.testing.assert_allclose(grads.magnitude, np.sqrt(grads.gx**2 + grads.gy**2))
    assert grads.direction.min() >= 0 and grads.direction.max() < 180


@pytest.mark.parametrize(
    "direction,magnitude,expected",
    [
        (80, 2, {80: 2.0}),  # learnopencv: on a centre, the whole vote goes there
        (10, 4, {0: 2.0, 20: 2.0}),  # halfway between 0 and 20: split evenly
        (165, 85, {160: 63.75, 0: 21.25}),  # between 160 and 180 = 0: 3/4 to 160, 1/4 to 0
        (180, 7, {0: 7.0}),  # 180 wraps to 0
        (36, 10, {20: 2.0, 40: 8.0}),
    ],
)
def test_cell_histogram_single_pixel_votes_follow_the_course(direction, magnitude, expected):
    histogram = hog_lbp.hog_cell_histogram(np.array([[magnitude]]), np.array([[direction]]))
    want = np.zeros(9)
    for centre, vote in expected.items():
        want[centre // 20] = vote
    np.testing.assert_allclose(histogram, want)


def _loop_histogram(magnitude, direction, bins):
    """Reference: one pixel at a time, as the course explains it."""
    width = 180 / bins
    histogram = np.zeros(bins)
    for m, d in zip(np.ravel(magnitude), np.ravel(direction)):
        d = d % 180
        k = int(d // width)
        share_up = (d - k * width) / width
        histogram[k % bins] += m * (1 - share_up)
        histogram[(k + 1) % bins] += m * share_up
    return histogram


def test_cell_histogram_on_the_course_cell():
    histogram = hog_lbp.hog_cell_histogram(hog_lbp.COURSE_HOG_MAGNITUDE, hog_lbp.COURSE_HOG_DIRECTION)
    np.testing.assert_allclose(
        histogram, _loop_histogram(hog_lbp.COURSE_HOG_MAGNITUDE, hog_lbp.COURSE_HOG_DIRECTION, 9)
    )
    assert histogram.sum() == pytest.approx(hog_lbp.COURSE_HOG_MAGNITUDE.sum())


@pytest.mark.parametrize("bins", [9, 6, 12])
def test_cell_histogram_on_random_cells(rng, bins):
    magnitude, direction = rng.random((8, 8)) * 200, rng.random((8, 8)) * 180
    np.testing.assert_allclose(
        hog_lbp.hog_cell_histogram(magnitude, direction, bins), _loop_histogram(magnitude, direction, bins)
    )


def test_hog_cells_split_vote_equals_cell_histograms(rng):
    image = rng.integers(0, 256, (33, 41)).astype(np.uint8)
    grads = hog_lbp.gradients(image)
    cells = hog_lbp.hog_cells(grads, cell_size=8)
    assert cells.shape == (4, 5, 9)
    np.testing.assert_allclose(
        cells[2, 3], hog_lbp.hog_cell_histogram(grads.magnitude[16:24, 24:32], grads.direction[16:24, 24:32])
    )


@pytest.mark.parametrize("block_norm", ["L1", "L1-sqrt", "L2", "L2-Hys"])
@pytest.mark.parametrize("cell_size,block_size,bins", [(8, 2, 9), (6, 3, 9), (8, 1, 12), (4, 2, 6)])
def test_descriptor_matches_scikit_image_with_hard_votes(rng, block_norm, cell_size, block_size, bins):
    # scikit-image puts each pixel wholly in the 20°-wide bin [k·20, (k+1)·20) (centres 10, 30, …)
    # and averages magnitudes per cell; the average only rescales cells, which normalisation undoes.
    image = rng.integers(0, 256, (64, 48)).astype(np.uint8)
    ours = hog_lbp.hog_descriptor(image, cell_size, block_size, bins, block_norm, vote="hard")
    reference = hog(image, bins, (cell_size, cell_size), (block_size, block_size), block_norm)
    assert ours.shape == reference.shape
    np.testing.assert_allclose(ours, reference, atol=1e-6)


def test_descriptor_length_formula():
    info = hog_lbp.descriptor_length(128, 64, cell_size=8, block_size=2, bins=9)
    assert info["length"] == 3780  # Dalal & Triggs' 64x128 window: 7 x 15 blocks x 36
    image = np.random.default_rng(0).integers(0, 256, (128, 64)).astype(np.uint8)
    assert hog_lbp.hog_descriptor(image).size == 3780


def test_l2_hys_clips_at_point_two():
    block = np.zeros((2, 2, 9))
    block[0, 0, 0], block[0, 1, 3], block[1, 0, 5], block[1, 1, 8] = 100.0, 30.0, 30.0, 30.0
    plain = hog_lbp.normalise_block(block, "L2")
    assert plain[0, 0, 0] == pytest.approx(100 / np.sqrt(12700))
    # every value exceeds 0.2 after L2, so all clip to 0.2 and renormalise to 1/2
    normalised = hog_lbp.normalise_block(block, "L2-Hys")
    np.testing.assert_allclose(normalised[block > 0], 0.5, rtol=1e-6)


def test_too_small_images_and_blocks_say_so():
    with pytest.raises(ValueError, match="5x6"):
        hog_lbp.hog_cells(hog_lbp.gradients(np.zeros((6, 5))), cell_size=8)
    with pytest.raises(ValueError, match="3x3"):
        hog_lbp.hog_blocks(np.zeros((2, 2, 9)), block_size=3)


def test_glyphs_draw_along_the_edge():
    image = np.zeros((16, 16), dtype=np.uint8)
    image[:, 8:] = 255  # a vertical edge: horizontal gradient (0°), so a vertical glyph line
    cells = hog_lbp.hog_cells(hog_lbp.gradients(image), cell_size=8)
    glyph = hog_lbp.hog_glyphs(cells, cell_size=8, scale=2)[:16, :16].astype(float)
    assert glyph[:, 7:9].sum() > 3 * glyph[7:9, :].sum()
