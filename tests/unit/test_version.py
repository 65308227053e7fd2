"""One version for Python, the widget module and the lab extension: labextension/package.json's."""

from __future__ import annotations

import json
import re

import pytest

import jupyter_compute

from conftest import ROOT

LABEXTENSION = ROOT / "labextension"


def package_json_version() -> str:
    return str(json.loads((LABEXTENSION / "package.json").read_text(encoding="utf-8"))["version"])


def test_python_says_the_extension_s_version() -> None:
    assert jupyter_compute.__version__ == package_json_version()


def test_the_user_agent_derives_from_it() -> None:
    from jupyter_compute.transport.arm import USER_AGENT

    assert USER_AGENT == f"jupyter-compute/{jupyter_compute.__version__}"


def test_the_list_widget_s_module_is_the_anywidget_the_sidebar_bundles() -> None:
    """The list is an anywidget (its front end in the Python package); the sidebar's own widget manager
    registers the npm anywidget it bundles, pinned exactly, which must satisfy what Python asks for."""
    import anywidget

    from jupyter_compute.ui.panel.table import ComputeTable

    asked = ComputeTable._model_module_version.default_value  # "~0.11.*"
    assert ComputeTable._model_module.default_value == "anywidget"
    bundled = json.loads((LABEXTENSION / "package.json").read_text(encoding="utf-8"))["dependencies"]["anywidget"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", bundled), "pinned exactly: the version the sidebar registers"
    major_minor = ".".join(anywidget.__version__.split(".")[:2])
    assert asked == f"~{major_minor}.*" and bundled.startswith(f"{major_minor}.")
    widgets = (LABEXTENSION / "src" / "widgets.ts").read_text(encoding="utf-8")
    assert "const ANYWIDGET_VERSION = dependencies.anywidget;" in widgets


def test_the_typescript_never_writes_the_version_again() -> None:
    ours = re.compile(rf"['\"]\^?{re.escape(package_json_version())}['\"]")
    written = [path.name for path in (LABEXTENSION / "src").glob("*.ts") if ours.search(path.read_text("utf-8"))]
    assert written == [], "the version written again in the TypeScript"


def test_pyproject_takes_the_version_from_package_json() -> None:
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"] == {"source": "nodejs", "path": "labextension/package.json"}
    assert project["tool"]["hatch"]["build"]["hooks"]["version"]["path"] == "jupyter_compute/_version.py"
    assert any(r.startswith("hatch-nodejs-version") for r in project["build-system"]["requires"])


def test_npm_s_lock_file_follows_package_json() -> None:
    """npm copies the version into package-lock.json; after a bump, `npm install` in labextension/ updates it."""
    lock = json.loads((LABEXTENSION / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["version"] == lock["packages"][""]["version"] == package_json_version()
