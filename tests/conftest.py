"""Shared fixtures: an isolated state folder per test, the REST spec reference, secret values."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from jupyter_compute.settings import Settings

#: ``knobs(speed=8, home=…)``: this process's settings changed for the rest of the test.
Knobs = Callable[..., "Settings"]

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(os.environ.get("JUPYTER_COMPUTE_REFERENCE", ROOT.parent / "shared" / "reference"))
SUB = "00000000-0000-0000-0000-000000000001"
RG = "rg"
WS = "ws"
# The local workspace runs 40x faster than its typical durations in tests, and is polled often (a value the
# developer exported wins).
TEST_KNOBS = {"JUPYTER_COMPUTE_SPEED": "40", "JUPYTER_COMPUTE_POLL_INTERVAL": "0.1"}
# Should a test ever reach DefaultAzureCredential (an Azure workspace with no JUPYTER_COMPUTE_ACCESS_TOKEN), its
# managed-identity probe goes to a closed loopback port instead of the instance metadata address.
NO_METADATA_PROBE = {"AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:9"}
# A test starts with no Azure workspace configured.
AZURE_VARIABLES = (
    "AZUREML_ARM_SUBSCRIPTION",
    "AZUREML_ARM_RESOURCEGROUP",
    "AZUREML_ARM_WORKSPACE_NAME",
    "JUPYTER_COMPUTE_ARM_ENDPOINT",
    "JUPYTER_COMPUTE_ACCESS_TOKEN",
    "JUPYTER_COMPUTE_FAULTS",
)


FOLDER_MARKS = {"integration": "integration", "e2e": "e2e", "ui": "ui"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test's folder is its marker: unit (none), integration, e2e, ui (`-m "not e2e and not ui"`)."""
    for item in items:
        folder = item.path.parent.name
        if folder in FOLDER_MARKS:
            item.add_marker(FOLDER_MARKS[folder])


@pytest.fixture(scope="session", autouse=True)
def test_environment() -> Iterator[None]:
    """The session's variables (the test knobs, no metadata probe), undone when it ends: every process a test
    starts (CLI, kernels, JupyterLab, module-scoped servers) inherits them."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in TEST_KNOBS.items():
            patch.setenv(name, os.environ.get(name) or value)
        for name, value in NO_METADATA_PROBE.items():
            patch.setenv(name, value)
        yield


@pytest.fixture(autouse=True)
def isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own local workspace state and no Azure configuration: as variables for the processes
    it starts, and as this process's settings, read from them once at its start as a fresh process would. A test
    changes a knob in this process with ``settings.override(...)``; changing ``os.environ`` reaches only the
    processes it starts afterwards."""
    from jupyter_compute import settings

    home = tmp_path / "jc-home"
    monkeypatch.setenv("JUPYTER_COMPUTE_HOME", str(home))
    for var in AZURE_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    settings.reset()
    with settings.override(settings.Settings.from_env()):
        yield home
    settings.reset()


@pytest.fixture
def knobs() -> Iterator[Knobs]:
    """``settings.override`` without a block: the changes hold until the test ends (threads it started included).
    The processes the test starts do not see them; give those variables."""
    from jupyter_compute import settings

    with ExitStack() as stack:
        yield lambda **changes: stack.enter_context(settings.override(**changes))


@pytest.fixture(autouse=True)
def stop_following_operations() -> Iterator[None]:
    """Operations a test leaves running are not followed into the next test."""
    yield
    from jupyter_compute.service import workspace as api

    with api._instances_lock:
        workspaces = list(api._instances.values())
        api._instances.clear()
    for ws in workspaces:
        if ws._poller is not None:
            for op in ws._poller.in_flight():
                op.cancel()


@pytest.fixture(scope="session")
def reference() -> Path:
    spec = REFERENCE / "azure-ml-rest" / "machineLearningServices.json"
    if not spec.is_file():
        pytest.fail(f"the REST spec reference is missing: {spec} (set JUPYTER_COMPUTE_REFERENCE)")
    return REFERENCE


@pytest.fixture(scope="session")
def reference_validator(reference: Path) -> Any:
    """A JSON Schema validator built straight from the reference spec files (not the shipped copy)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import trim_spec
    finally:
        sys.path.pop(0)
    from jupyter_compute.model import schema as wire_schema

    definitions = trim_spec.build(reference / "azure-ml-rest")["definitions"]
    return wire_schema.validator_for(definitions, "ComputeResource", "request")


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An IPython shell (no kernel) with the extension loaded, as terminal IPython has it."""
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "jupyter_compute")
    yield ip
    InteractiveShell.clear_instance()


def run_cli(*words: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`jupyter compute WORDS` as a subprocess, with this environment plus ``env``."""
    return subprocess.run(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", *words],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=90,
    )


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra or {})
    return env
