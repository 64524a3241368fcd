"""The engine's shape that import-linter cannot see: TensorFlow and Keras are imported lazily,
inside the functions that use them, never when a page or an engine module is imported."""

import ast

import pytest

from tests.conftest import ROOT

HEAVY = {"tensorflow", "keras", "tf_keras"}
SOURCES = sorted([*(ROOT / "playground").rglob("*.py"), *(ROOT / "views").glob("*.py"), ROOT / "app.py"])


def module_level_imports(tree: ast.Module) -> set[str]:
    """Top-level package names imported by statements that run at import time (not inside a def)."""
    found, pending = set(), list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            pending.extend(ast.iter_child_nodes(node))
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_tensorflow_is_not_imported_at_module_level(path):
    assert not module_level_imports(ast.parse(path.read_text())) & HEAVY


def test_the_check_sees_module_level_and_nested_imports():
    code = (
        "import os\nif True:\n    import keras\nclass A:\n    from tensorflow import nn\ndef f():\n    import numpy\n"
    )
    assert module_level_imports(ast.parse(code)) == {"os", "keras", "tensorflow"}
