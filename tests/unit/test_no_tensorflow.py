"""The home page and the NumPy-only modules must not import TensorFlow (start-up stays fast)."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT

NUMPY_MODULES = [
    "core.images",
    "core.jobs",
    "core.datasets",
    "figures.plots",
    "core.device",
    "core.catalog",
    "core.shipped_models",
]


def modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    return set(out.split())


@pytest.mark.parametrize("module", NUMPY_MODULES)
def test_engine_module_does_not_import_tensorflow(module):
    loaded = modules_after(f"import playground.{module}")
    assert "tensorflow" not in loaded and "keras" not in loaded


def test_home_page_does_not_import_tensorflow():
    code = (
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=60).run()\n"
        "assert not at.exception, at.exception\n"
        "assert at.title[0].value == 'Vision Playground'\n"
    )
    loaded = modules_after(code)
    assert "streamlit" in loaded
    assert "tensorflow" not in loaded and "keras" not in loaded
