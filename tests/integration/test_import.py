"""Given a fresh interpreter, when jupyter_compute is imported (and its magics registered), then
azure.identity, ipywidgets and requests are not imported until needed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("azure.identity", "azure.core", "ipywidgets", "requests", "urllib3", "jsonschema")


def imported_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_is_light() -> None:
    modules = imported_after("import jupyter_compute")
    assert not [m for m in HEAVY if m in modules]


def test_building_a_spec_and_a_dry_run_body_stays_light() -> None:
    modules = imported_after(
        "from jupyter_compute import AmlComputeSpec\n"
        "from jupyter_compute.model.specs import WireContext\n"
        "AmlComputeSpec.from_keywords(name='cpu', max_instances=2).to_arm(WireContext('s', 'g', 'w'))"
    )
    assert not [m for m in ("azure.identity", "ipywidgets", "requests") if m in modules]


SHELL = (
    "from IPython.core.interactiveshell import InteractiveShell\n"
    "ip = InteractiveShell.instance()\n"
    "ip.run_line_magic('load_ext', 'jupyter_compute')\n"
)
# Not needed by a create on the local workspace: Azure sign-in, the JSON Schema library (tests only), PyYAML (YAML
# bodies, files and output), the panel; nor, in a shell without a kernel, ipywidgets.
NOT_FOR_A_LOCAL_CREATE = (
    "azure.identity",
    "azure.core",
    "jsonschema",
    "yaml",
    "ipywidgets",
    "jupyter_compute.ui.panel",
    "jupyter_compute.ui.progress_bar",
)


def test_load_ext_registers_the_magics_without_the_service_transport_or_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    modules = imported_after(SHELL + "assert 'compute' in ip.magics_manager.magics['line']")
    loaded = [m for m in modules if m.startswith("jupyter_compute.")]
    assert not [m for m in (*HEAVY, "yaml") if m in modules]
    assert not [m for m in loaded if m.split(".")[1] in ("service", "transport", "local")], loaded


def test_a_local_create_imports_nothing_it_does_not_need(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    modules = imported_after(
        SHELL + "op = ip.run_line_magic('compute', 'create cluster light-cl --max-instances 1 --no-wait')\n"
        "assert op is not None and op.action == 'create'"
    )
    assert "requests" in modules and "jupyter_compute.local.server" in modules, "it did create, locally"
    assert not [m for m in NOT_FOR_A_LOCAL_CREATE if m in modules]


def test_yaml_loads_with_the_first_yaml_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    modules = imported_after(
        SHELL + "ip.run_line_magic('compute', 'create cluster yaml-cl --max-instances 1 --dry-run -o yaml')"
    )
    assert "yaml" in modules


def test_the_server_extension_loads_no_widgets() -> None:
    """The first paint runs in the Jupyter server's process (frontends/server.py): its rows come from
    ui/rows.py, which imports neither ipywidgets nor anywidget nor the panel."""
    modules = imported_after("import jupyter_compute.frontends.server")
    assert not [m for m in ("ipywidgets", "anywidget", "jupyter_compute.ui.panel") if m in modules]
