"""The home page, the NumPy pages and every engine module open without TensorFlow, Keras or fer
(start-up stays fast): one fresh process goes through them all, in steps, and says after which
step a heavy module first appeared."""

import ast
import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

HEAVY = ["tensorflow", "keras", "fer"]
# Pages whose first tabs need no TensorFlow: (page, its tab key, how many of its tabs).
NUMPY_TABS = [
    ("views/convolution.py", "conv_tab", 3),
    ("views/hog_lbp.py", "hog_tab", 4),
    ("views/faces.py", "faces_tab", None),
    ("views/tracking.py", "track_tab", None),
]

CHILD = """
import importlib, json, pkgutil, sys
HEAVY, PAGES = json.loads(sys.argv[1])
steps = []


def step(name):
    steps.append([name, sorted(m for m in HEAVY if m in sys.modules)])


import playground
for module in pkgutil.walk_packages(playground.__path__, "playground."):
    importlib.import_module(module.name)
    step(f"import {module.name}")

from playground.lessons import emotion
emotion.available_detectors()
step("emotion.available_detectors()")

from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=120).run()
assert not at.exception, at.exception
assert at.title[0].value == "Vision Playground", at.title
assert "streamlit" in sys.modules
step("the home page")

for page, tab_key, tabs in PAGES:
    at.switch_page(page).run()
    assert not at.exception, (page, at.exception)
    for label in tabs:
        at.session_state[tab_key] = label
        at.run()
        assert not at.exception, (page, label, at.exception)
        step(f"{page}, tab {label!r}")
print(json.dumps(steps))
"""


def page_tabs(page: str) -> list[str]:
    """The page's ``TABS = [...]`` list, read from its source (so the labels stay in step)."""
    tree = ast.parse((ROOT / page).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "TABS" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{page} has no TABS list")


@pytest.mark.timeout(180)
def test_engine_home_and_numpy_pages_do_not_import_tensorflow():
    pages = [(page, key, page_tabs(page)[:count]) for page, key, count in NUMPY_TABS]
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps([HEAVY, pages])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=170,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    steps = json.loads(out.stdout.strip().splitlines()[-1])
    names = [name for name, _ in steps]
    assert "import playground.core.jobs" in names and "import playground.lessons.transfer" in names
    assert "import playground.lessons.gan" in names and "import playground.core.webcam" in names
    assert names.count("the home page") == 1
    assert sum(name.startswith("views/") for name in names) == sum(len(tabs) for _, _, tabs in pages) == 14
    heavy = [(name, loaded) for name, loaded in steps if loaded]
    assert not heavy, f"{heavy[0][1]} first imported by {heavy[0][0]}"
