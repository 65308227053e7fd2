"""What pyproject.toml promises: every package we import is declared, and the lab extension is rebuilt
whenever one of its inputs changes."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from typing import Any

import pytest

from conftest import ROOT


def pyproject() -> dict[str, Any]:
    tomllib = pytest.importorskip("tomllib")
    loaded: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return loaded


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_top_level_modules() -> dict[str, str]:
    """Each third-party top-level module the package imports (at any level), with one file importing it."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "jupyter_compute").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module]
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                else []
            )
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "jupyter_compute":
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def test_every_package_the_code_imports_is_a_declared_dependency() -> None:
    declared = {normalized(re.split(r"[<>=!~;\[ ]", d, maxsplit=1)[0]) for d in pyproject()["project"]["dependencies"]}
    providers = importlib.metadata.packages_distributions()
    undeclared = {
        module: where
        for module, where in imported_top_level_modules().items()
        if not declared & {normalized(d) for d in providers.get(module, [module])}
    }
    assert undeclared == {}, "imported but not in [project] dependencies"


def test_the_extension_build_compares_every_input_of_the_build() -> None:
    """npm_builder rebuilds only when a file under source_dir is newer than build_dir: package.json (the
    version, the dependencies), tsconfig.json and the sources must all be under it, or a change to them would
    keep a stale build. No skip-if-exists (it skips on a built file's mere presence); one set of kwargs."""
    builder = pyproject()["tool"]["hatch"]["build"]["hooks"]["jupyter-builder"]
    kwargs = builder["build-kwargs"]
    source = ROOT / kwargs["source_dir"]
    inputs = [ROOT / "labextension" / name for name in ("package.json", "package-lock.json", "tsconfig.json")]
    inputs += sorted((ROOT / "labextension" / "src").iterdir())
    assert all(path.is_relative_to(source) for path in inputs), kwargs["source_dir"]
    assert kwargs["build_dir"] == "jupyter_compute/labextension"
    assert "skip-if-exists" not in builder and "editable-build-kwargs" not in builder
