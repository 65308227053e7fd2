"""The public surface of ``jupyter_compute``: ``__all__``, the lazy table behind ``__getattr__`` and the
type checkers' imports say the same names, each resolves to what its module defines, and every error of
the tree can be caught by its top-level name."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

import jupyter_compute
from jupyter_compute import errors

# Defined in __init__.py itself.
HOOKS = ["_jupyter_labextension_paths", "_jupyter_server_extension_points", "load_ipython_extension"]


def test_all_is_the_sorted_lazy_table_and_the_extension_hooks() -> None:
    assert jupyter_compute.__all__ == sorted([*jupyter_compute._LAZY, *HOOKS])


def test_each_exported_name_resolves_to_its_modules_object() -> None:
    for name in jupyter_compute.__all__:
        value = getattr(jupyter_compute, name)
        if name in HOOKS:
            assert callable(value)
            continue
        module = importlib.import_module(f"jupyter_compute.{jupyter_compute._LAZY[name]}")
        assert value is getattr(module, name), name
        assert getattr(value, "__name__", name) == name


def test_the_type_checking_imports_are_the_lazy_table() -> None:
    tree = ast.parse(Path(inspect.getfile(jupyter_compute)).read_text())
    guarded = next(n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING")
    imported = {
        alias.name: (node.module or "")
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert imported == jupyter_compute._LAZY


def test_every_error_of_the_tree_is_exported() -> None:
    tree = {
        name
        for name, value in vars(errors).items()
        if inspect.isclass(value) and issubclass(value, errors.ComputeError) and value.__module__ == errors.__name__
    }
    assert {"AuthenticationError", "StoppedWatching", "UntrustedLink", "LocalStoreError"} <= tree
    assert tree - set(jupyter_compute.__all__) == set()
    assert all(jupyter_compute._LAZY[name] == "errors" for name in tree)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        jupyter_compute.Nope  # noqa: B018
