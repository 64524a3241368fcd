"""AppTest helpers: run the real router (app.py) and switch to a page."""

import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def open_page(path: str, timeout: float = 120) -> AppTest:
    """Run app.py, switch to ``path`` (e.g. "views/perceptron.py") and run it."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout).run()
    if path != "views/home.py":
        at.switch_page(path).run()
    return at


@pytest.fixture
def home():
    return open_page("views/home.py")


@pytest.fixture
def app(request):
    """The page named by the test module's ``PAGE``, opened and run without an exception."""
    at = open_page(request.module.PAGE)
    assert not at.exception
    return at


def heavy_modules_after_tabs(page: str, tab_key: str, tabs: list[str]) -> tuple[bool, bool]:
    """(TensorFlow imported?, Keras imported?) after opening ``page`` and each of ``tabs``
    (set through the tab radio ``tab_key``) in a fresh process, so nothing else loaded them."""
    code = (
        "from streamlit.testing.v1 import AppTest\n"
        "import sys\n"
        "at = AppTest.from_file('app.py', default_timeout=120).run()\n"
        f"at.switch_page('{page}').run()\n"
        f"for label in {list(tabs)!r}:\n"
        f"    at.session_state['{tab_key}'] = label\n"
        "    at.run()\n"
        "    assert not at.exception, at.exception\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return tuple(word == "True" for word in out.stdout.split()[-2:])
