"""Shared fixtures and helpers: an isolated state folder per test, the REST spec reference, a scripted ARM
server as the configured endpoint (``arm``), the CLI as a subprocess (:class:`Cli`, :func:`run_cli`), and
:func:`until` for a condition another thread makes true."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from hypothesis import settings as hypothesis_settings
from shell_helpers import no_history

if TYPE_CHECKING:
    from arm_script import ScriptedArm

if TYPE_CHECKING:
    from jupyter_compute.settings import Settings

#: ``knobs(speed=8, home=…)``: this process's settings changed for the rest of the test.
Knobs = Callable[..., "Settings"]

ROOT = Path(__file__).resolve().parent.parent
# The REST spec and SDK reference, kept outside the repository (CI has it beside the clone).
REFERENCE_NAMED = os.environ.get("JUPYTER_COMPUTE_REFERENCE")
REFERENCE = Path(REFERENCE_NAMED or ROOT.parent / "shared" / "reference")
SUB = "00000000-0000-0000-0000-000000000001"
RG = "rg"
WS = "ws"
# The local workspace runs 40x faster than its typical durations in tests, and is polled often (a value the
# developer exported wins).
# Prices of a workspace addressed as Azure come from a closed loopback port unless a test serves them (never from
# prices.azure.com): "price unknown" at once.
TEST_KNOBS = {
    "JUPYTER_COMPUTE_SPEED": "40",
    "JUPYTER_COMPUTE_POLL_INTERVAL": "0.1",
    "JUPYTER_COMPUTE_PRICES_URL": "http://127.0.0.1:9/api/retail/prices",
}
# Should a test reach DefaultAzureCredential (an Azure workspace with no JUPYTER_COMPUTE_ACCESS_TOKEN), it tries
# only the developer sign-ins (az, azd, PowerShell, VS Code: absent here, each fails at once), not managed identity,
# whose probe of a closed port is retried for about 5 s; an azure-identity too old for that setting probes a
# closed loopback port instead of the instance metadata address.
NO_METADATA_PROBE = {"AZURE_TOKEN_CREDENTIALS": "dev", "AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:9"}
# A test starts with no Azure workspace configured.
AZURE_VARIABLES = (
    "AZUREML_ARM_SUBSCRIPTION",
    "AZUREML_ARM_RESOURCEGROUP",
    "AZUREML_ARM_WORKSPACE_NAME",
    "JUPYTER_COMPUTE_ARM_ENDPOINT",
    "JUPYTER_COMPUTE_ACCESS_TOKEN",
    "JUPYTER_COMPUTE_FAULTS",
    "AZURE_AUTHORITY_HOST",
)


# Property tests run their full example counts under the default profile (./dev test). The "check" profile
# (`--hypothesis-profile=check`, ./dev check's quick loop) runs a fifth of each: the same tests, fewer examples.
hypothesis_settings.register_profile("check", max_examples=20)


def examples(full: int) -> int:
    """A property test's example count: ``full``, scaled by the loaded profile's ``max_examples`` against
    hypothesis's default of 100 (a fifth under "check"), and never under 10."""
    return max(10, full * hypothesis_settings().max_examples // 100)


FOLDER_MARKS = frozenset({"integration", "e2e", "ui"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test's folder is its marker: unit (none), integration, e2e, ui (`-m "not e2e and not ui"`)."""
    for item in items:
        folder = item.path.parent.name
        if folder in FOLDER_MARKS:
            item.add_marker(folder)


@pytest.fixture(scope="session", autouse=True)
def test_environment() -> Iterator[None]:
    """The session's variables (the test knobs, no metadata probe), undone when it ends: every process a test
    starts (CLI, kernels, JupyterLab, module-scoped servers) inherits them."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in TEST_KNOBS.items():
            patch.setenv(name, os.environ.get(name) or value)
        for name, value in NO_METADATA_PROBE.items():
            patch.setenv(name, value)
        # Hundreds of CLI processes, kernels and labs import this package from source: with
        # PYTHONDONTWRITEBYTECODE (set in this machine's environment) each one compiled it anew. They keep its
        # bytecode (in __pycache__ folders, gitignored) like any Python run.
        patch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
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
    from jupyter_compute.service.workspace import Workspace

    for ws in Workspace.forget_shared():
        ws.stop_watching()


@pytest.fixture(scope="session")
def reference() -> Path:
    """The reference folder; its tests skip, saying why, when it is not beside the clone, and fail
    when JUPYTER_COMPUTE_REFERENCE names a folder without it (a setting that is wrong)."""
    spec = REFERENCE / "azure-ml-rest" / "machineLearningServices.json"
    if not spec.is_file():
        if REFERENCE_NAMED:
            pytest.fail(f"JUPYTER_COMPUTE_REFERENCE={REFERENCE_NAMED} has no REST spec reference: {spec} is missing")
        pytest.skip(
            f"the REST spec reference is not here: {spec} is missing (it lives outside the repository; "
            "set JUPYTER_COMPUTE_REFERENCE to its folder to run these tests)"
        )
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
    ip = InteractiveShell.instance(config=no_history())
    ip.run_line_magic("load_ext", "jupyter_compute")
    yield ip
    InteractiveShell.clear_instance()


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedArm]:
    """A scripted ARM server on 127.0.0.1, configured as the ARM endpoint with its token."""
    from jupyter_compute import settings

    from arm_script import TOKEN, scripted

    with scripted("127.0.0.1") as server:
        monkeypatch.setenv("JUPYTER_COMPUTE_ARM_ENDPOINT", server.url)  # for the CLI processes a test starts
        monkeypatch.setenv("JUPYTER_COMPUTE_ACCESS_TOKEN", TOKEN)
        with settings.override(arm_endpoint=server.url, access_token=TOKEN):
            yield server


C = TypeVar("C", bound="Cli")


@dataclass
class Cli:
    """`jupyter compute` as a subprocess with ``env`` as its whole environment and the ``workspace`` words
    after each command's. A call checks the exit status (``code``; None: any) and that no traceback was
    printed; :meth:`run` only runs."""

    env: dict[str, str]
    workspace: list[str] = field(default_factory=list)

    def with_env(self: C, **extra: str) -> C:
        return dataclasses.replace(self, env={**self.env, **extra})

    def run(self, words: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "jupyter_compute.frontends.cli", *words],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
        )

    def __call__(self, *args: str, code: int | None = 0) -> subprocess.CompletedProcess[str]:
        result = self.run([*args, *self.workspace])
        if code is not None:
            assert result.returncode == code, (args, result.returncode, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "-o", "json").stdout)


def run_cli(*words: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`jupyter compute WORDS` as a subprocess, with this environment plus ``env`` (no checks)."""
    return Cli({**os.environ, **(env or {})}).run(list(words))


def until(check: Callable[[], object], seconds: float = 20) -> None:
    """Return once ``check()`` is true (another thread makes it so); fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {seconds:g} s: {getattr(check, '__qualname__', check)}")
        time.sleep(0.05)
