"""Fixtures for the TensorFlow tests."""

import ast
import builtins

import pytest


@pytest.fixture
def python_ast_builds(monkeypatch) -> list[str]:
    """The file names of every Python AST built while the test runs (``ast.parse`` and
    ``compile(..., PyCF_ONLY_AST)``): on Python 3.11 two threads building one at once can
    fail with SystemError, so code running in job threads should build none."""
    built: list[str] = []
    real_compile = builtins.compile

    def recording_compile(source, filename, mode, flags=0, *args, **kwargs):
        if flags & ast.PyCF_ONLY_AST:
            built.append(str(filename))
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "compile", recording_compile)
    return built
