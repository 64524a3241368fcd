"""A failure becomes one readable line."""

import pytest

from playground.core.errors import first_line


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
