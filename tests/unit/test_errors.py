"""A failure becomes one readable line."""

import pytest

from playground.core.errors import download_reason, first_line


@pytest.mark.parametrize(
    "exc, limit, expected",
    [
        (ValueError("bad value\nTraceback details"), 160, "ValueError: bad value"),
        (OSError(""), 160, "OSError"),
        (RuntimeError("   \n  "), 160, "RuntimeError"),
        (KeyError("x" * 50), 10, "KeyError: 'xxxxxxxxx"),
    ],
)
def test_first_line(exc, limit, expected):
    assert first_line(exc, limit) == expected


def test_download_reason_keeps_the_errno_part_of_a_keras_fetch_failure():
    url = "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/" + "x" * 120
    failure = Exception(f"URL fetch failure on {url}: None -- [Errno 101] Network is unreachable")
    assert download_reason(failure) == "[Errno 101] Network is unreachable"
    assert download_reason(OSError("disk full")) == "OSError: disk full"
