"""NumPy convolution/pooling against SciPy, scikit-image, OpenCV and the course's worked examples."""

import cv2
import numpy as np
import pytest
from scipy.signal import correlate2d
from skimage.measure import block_reduce

from playground.lessons import convolution as conv


def dilate_kernel(kernel: np.ndarray, dilation: int) -> np.ndarray:
    """Reference dilation: insert d-1 zeros between taps."""
    f_h, f_w = kernel.shape
    out = np.zeros(((f_h - 1) * dilation + 1, (f_w - 1) * dilation + 1))
    out[::dilation, ::dilation] = kernel
    return out


def scipy_reference(image, kernel, stride, padding, dilation):
    """correlate2d on an explicitly zero-padded image, subsampled by the stride."""
    padded = np.pad(image, padding)
    full = correlate2d(padded, dilate_kernel(kernel, dilation), mode="valid")
    return full[::stride, ::stride]


# --- the course --------------------------------------------------------------------


def test_course_feature_map_and_steps():
    feature_map = conv.conv2d(conv.COURSE_IMAGE, conv.COURSE_DETECTOR)
    np.testing.assert_array_equal(feature_map, conv.COURSE_FEATURE_MAP)
    first = conv.step(conv.COURSE_IMAGE, conv.COURSE_DETECTOR, 0)
    assert (
        conv.written_sum(first.window, conv.COURSE_DETECTOR)
        == "0*1 + 0*0 + 0*0 + 0*1 + 1*0 + 0*1 + 0*0 + 0*1 + 0*1 = 0"
    )
    second = conv.step(conv.COURSE_IMAGE, conv.COURSE_DETECTOR, 1)
    assert (
        conv.written_sum(second.window, conv.COURSE_DETECTOR)
        == "0*1 + 0*0 + 0*0 + 1*1 + 0*0 + 0*1 + 0*0 + 0*1 + 0*1 = 1"
    )
    last = conv.step(conv.COURSE_IMAGE, conv.COURSE_DETECTOR, 24)
    assert (last.row, last.col, last.value) == (4, 4, 5.0)
    assert (
        conv.written_sum(last.window, conv.COURSE_DETECTOR) == "1*1 + 0*0 + 0*0 + 1*1 + 0*0 + 1*1 + 0*0 + 1*1 + 1*1 = 5"
    )


def test_course_relu_pool_flatten():
    rectified = conv.relu(conv.COURSE_FEATURE_MAP)
    pooled = conv.pool2d(rectified, size=2, stride=2, mode="max", padding="same")
    np.testing.assert_array_equal(pooled, conv.COURSE_POOLED)
    np.testing.assert_array_equal(conv.flatten(pooled), conv.COURSE_FLAT)


def test_coursera_edge_examples():
    np.testing.assert_array_equal(
        conv.conv2d(conv.COURSERA_EDGE_IMAGE, conv.COURSERA_VERTICAL_EDGE), conv.COURSERA_EDGE_OUTPUT
    )
    # The numeric 6x6 example of the lecture "Edge detection example".
    image = conv.COURSERA_NUMBERS_IMAGE
    expected = np.array([[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]])
    np.testing.assert_array_equal(conv.conv2d(image, conv.COURSERA_VERTICAL_EDGE), expected)


def test_coursera_sizes_and_parameters():
    assert conv.output_size(6, 3, 0, 1) == 4  # 6x6 * 3x3 -> 4x4
    assert conv.output_size(6, 3, 1, 1) == 6  # padding p=1 keeps 6x6
    assert conv.output_size(7, 3, 0, 2) == 3  # strided: 7x7, f=3, s=2 -> 3x3
    assert conv.output_size(7, 3, "same", 1) == 7
    assert conv.conv_layer_parameters(3, 3, 10) == 280  # 10 filters of 3x3x3, with biases


# --- against SciPy on random inputs --------------------------------------------------


@pytest.mark.parametrize("stride", [1, 2, 3, 4])
@pytest.mark.parametrize("padding", [0, 1, 2, 3])
@pytest.mark.parametrize("dilation", [1, 2, 3])
@pytest.mark.parametrize("f", [1, 3, 5])
def test_conv2d_matches_scipy(rng, stride, padding, dilation, f):
    image = rng.normal(size=(19, 23))
    kernel = rng.normal(size=(f, f))
    ours = conv.conv2d(image, kernel, stride=stride, padding=padding, dilation=dilation)
    np.testing.assert_allclose(ours, scipy_reference(image, kernel, stride, padding, dilation), atol=1e-10)
    assert ours.shape == (
        conv.output_size(19, f, padding, stride, dilation),
        conv.output_size(23, f, padding, stride, dilation),
    )


def test_valid_and_same_match_scipy_modes(rng):
    image = rng.normal(size=(17, 12))
    kernel = rng.normal(size=(5, 5))
    np.testing.assert_allclose(conv.conv2d(image, kernel, padding="valid"), correlate2d(image, kernel, "valid"))
    np.testing.assert_allclose(conv.conv2d(image, kernel, padding="same"), correlate2d(image, kernel, "same"))


def test_volume_is_sum_of_channel_correlations(rng):
    image = rng.normal(size=(15, 14, 3))
    kernel = rng.normal(size=(3, 3, 3))
    expected = sum(correlate2d(image[..., c], kernel[..., c], "valid") for c in range(3))
    np.testing.assert_allclose(conv.conv2d(image, kernel), expected)
    bank = rng.normal(size=(3, 3, 3, 4))
    biases = rng.normal(size=4)
    layer = conv.conv_layer(image, bank, biases, padding="valid", relu=True)
    for k in range(4):
        reference = sum(correlate2d(image[..., c], bank[..., c, k], "valid") for c in range(3)) + biases[k]
        np.testing.assert_allclose(layer[..., k], np.maximum(reference, 0))


def test_flipped_kernel_gives_true_convolution(rng):
    from scipy.signal import convolve2d

    image = rng.normal(size=(10, 11))
    kernel = rng.normal(size=(3, 3))
    np.testing.assert_allclose(conv.conv2d(image, conv.flip(kernel)), convolve2d(image, kernel, "valid"))


def test_presets_match_opencv_filter2d(rng):
    image = rng.random((40, 50))
    for name, preset in conv.KERNEL_PRESETS.items():
        for size in preset.sizes:
            kernel = conv.kernel_preset(name, size)
            assert kernel.shape == (size, size), name
            expected = cv2.filter2D(image, -1, kernel, borderType=cv2.BORDER_CONSTANT)
            np.testing.assert_allclose(
                conv.conv2d(image, kernel, padding="same"), expected, atol=1e-9, err_msg=f"{name} {size}"
            )
    np.testing.assert_allclose(conv.kernel_preset("Sobel x", 3), [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    np.testing.assert_allclose(conv.kernel_preset("Gaussian blur", 5).sum(), 1.0)


# --- pooling against scikit-image ------------------------------------------------------


@pytest.mark.parametrize("mode,func", [("max", np.max), ("avg", np.mean)])
@pytest.mark.parametrize("size", [2, 3, 4])
def test_pool_matches_block_reduce(rng, mode, func, size):
    x = rng.normal(size=(size * 5, size * 4))
    np.testing.assert_allclose(conv.pool2d(x, size, size, mode, "valid"), block_reduce(x, size, func))


def test_pool_same_keeps_partial_windows(rng):
    x = rng.normal(size=(7, 9, 2))
    cval = -np.inf
    np.testing.assert_allclose(conv.pool2d(x, 2, 2, "max", "same"), block_reduce(x, (2, 2, 1), np.max, cval=cval))
    # Average over the cells that exist (TensorFlow leaves padding out of the count).
    corner = conv.pool2d(x, 2, 2, "avg", "same")[-1, -1]
    np.testing.assert_allclose(corner, x[6, 8])


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs,words",
    [
        (dict(stride=0), "Stride must be a whole number of at least 1, got 0"),
        (dict(dilation=0), "Dilation"),
        (dict(padding=-1), "got -1"),
        (dict(padding="full"), "'full'"),
    ],
)
def test_bad_settings_are_explained(rng, kwargs, words):
    with pytest.raises(ValueError, match=words):
        conv.conv2d(rng.normal(size=(8, 8)), np.ones((3, 3)), **kwargs)


def test_kernel_larger_than_image_is_explained():
    with pytest.raises(ValueError, match="kernel of size 9 is larger than the input of size 7"):
        conv.conv2d(np.zeros((7, 7)), np.ones((9, 9)))
    with pytest.raises(ValueError, match=r"dilated to 9"):
        conv.conv2d(np.zeros((7, 7)), np.ones((3, 3)), dilation=4)


def test_parse_kernel():
    np.testing.assert_allclose(conv.parse_kernel([["1/9", "-0.5"], [" 2 ", "−1"]]), [[1 / 9, -0.5], [2, -1]])
    with pytest.raises(ValueError, match="row 2, column 1 is 'abc'"):
        conv.parse_kernel([["1", "2"], ["abc", "3"]])
    with pytest.raises(ValueError, match="row 1, column 2 is 'empty'"):
        conv.parse_kernel([["1", None]])


def test_input_window_maps_output_back_to_input():
    # 'same' padding with f=3 adds one zero on each side: output (0, 0) starts at (-1, -1).
    assert conv.input_window(0, 0, 3, "same", 1, 1, (10, 10)) == (-1, -1, 3)
    assert conv.input_window(2, 3, 3, 0, 2, 2, (20, 20)) == (4, 6, 5)


def test_step_through_reveals_each_map_in_order():
    walk = conv.walkthrough(conv.COURSE_IMAGE, conv.COURSE_DETECTOR)
    feature, rectified, pooled, flat = walk.shown_at(3)
    assert np.count_nonzero(~np.isnan(feature)) == 3 and np.isnan(rectified).all() and np.isnan(flat).all()
    np.testing.assert_array_equal(feature.flat[:3], walk.feature_map.flat[:3])
    feature, rectified, pooled, flat = walk.shown_at(walk.n_conv + 2)
    np.testing.assert_array_equal(rectified, walk.rectified)
    assert np.count_nonzero(~np.isnan(pooled)) == 1 and np.isnan(flat).all()
    *_, flat = walk.shown_at(walk.total_steps)
    np.testing.assert_array_equal(flat[0], walk.flat)
