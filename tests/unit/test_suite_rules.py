"""Rules the test suite keeps: tests wait on conditions (tests.conftest.wait_until, Playwright's
waits), never on a fixed sleep longer than 0.05 s."""

import ast

import pytest

from tests.conftest import ROOT

LONGEST_SLEEP_S = 0.05
TEST_SOURCES = sorted((ROOT / "tests").rglob("*.py"))


def fixed_sleeps(tree: ast.AST) -> list[tuple[int, float]]:
    """(line, seconds) of every sleep with a literal duration: ``sleep(s)``, ``time.sleep(s)``,
    ``page.wait_for_timeout(ms)`` and a ``wait_until(..., interval=s)`` poll."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func).split(".")[-1]
        literal = node.args[0] if node.args and isinstance(node.args[0], ast.Constant) else None
        if name == "sleep" and literal is not None:
            found.append((node.lineno, float(literal.value)))
        elif name == "wait_for_timeout" and literal is not None:
            found.append((node.lineno, float(literal.value) / 1000))
        for keyword in node.keywords:
            if name == "wait_until" and keyword.arg == "interval" and isinstance(keyword.value, ast.Constant):
                found.append((node.lineno, float(keyword.value.value)))
    return found


@pytest.mark.parametrize("path", TEST_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_fixed_sleep_longer_than_a_poll(path):
    long = [(line, s) for line, s in fixed_sleeps(ast.parse(path.read_text())) if s > LONGEST_SLEEP_S]
    assert not long, f"{path.name}: fixed sleeps {long} (wait on a condition with tests.conftest.wait_until)"


def test_the_check_sees_each_kind_of_sleep():
    code = (
        "time.sleep(0.5)\nsleep(2)\npage.wait_for_timeout(1500)\nwait_until(f, 10, interval=0.2)\n"
        "time.sleep(0.01)\nwait_until(f)\ntime.sleep(delay)\n"
    )
    assert fixed_sleeps(ast.parse(code)) == [(1, 0.5), (2, 2.0), (3, 1.5), (4, 0.2), (5, 0.01)]
