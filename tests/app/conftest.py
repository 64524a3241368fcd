"""AppTest helpers: run the real router (app.py) and switch to a page."""

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
