"""Given `jupyter compute create|attach … --dry-run -o json`, then it prints {"method","url","body"}: the exact
request, for the local workspace and for an Azure workspace given by flags, and exits 0; bad input exits 2.
The Azure workspace is the local server addressed as one (a dry run reads the workspace's region)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_compute.local.server import LocalServer

from kinds import ADLA_ID, AKS_ID, DBX_ID, HDI_ID, SUB, SYN_ID, UAI, VM_ID

AZURE = ["--subscription", SUB, "--resource-group", "rg", "--workspace", "ws1"]
PATH = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws1/computes/"


@pytest.fixture(scope="module")
def azure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment that sends an Azure workspace's requests to a local server on loopback."""
    server = LocalServer(home=Path(tmp_path_factory.mktemp("emulator"))).start()
    yield {"JUPYTER_COMPUTE_ARM_ENDPOINT": server.url, "JUPYTER_COMPUTE_ACCESS_TOKEN": server.token}
    server.stop()


def prefix(azure: dict[str, str]) -> str:
    return azure["JUPYTER_COMPUTE_ARM_ENDPOINT"].rstrip("/") + PATH


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


LINES = {
    "cluster": (
        "create cluster cpu-cluster --size Standard_D2_v2 --max-instances 4 --tier low_priority "
        f"--identity-type user_assigned --user-assigned-identities {UAI} --tags team=ml env=dev"
    ),
    "cluster v1 names": (
        "create cpu-cluster --vm-size Standard_D2_v2 --max-nodes 4 --vm-priority lowpriority "
        "--min-nodes 1 --idle-seconds-before-scaledown 600 --vnet-name v1 --subnet-name s1 "
        "--vnet-resourcegroup-name netrg"
    ),
    "instance": "create instance ci-one --size Standard_DS3_v2 --ssh-public-access-enabled false "
    "--idle-time-before-shutdown-minutes 30",
    "vm": f"attach vm remote-vm --resource-id {VM_ID} --ssh-port 2222 --admin-username me --password-env PW",
    "hdinsight": f"attach hdinsight hdi-spark --resource-id {HDI_ID} --admin-username me --password-env PW",
    "databricks": f"attach databricks dbx --resource-id {DBX_ID} --access-token-env PW",
    "databricks by group": "attach databricks dbx --target-resource-group rg --workspace-name dbx1 "
    "--access-token-env PW",
    "adla": f"attach adla adla --resource-id {ADLA_ID}",
    "synapse": f"attach synapse syn-pool --resource-id {SYN_ID} --identity-type system_assigned",
    "kubernetes": f"attach kubernetes aks-attach --resource-id {AKS_ID} --namespace ml",
}


@pytest.mark.parametrize("case", sorted(LINES))
def test_dry_run_for_an_azure_workspace(case: str, azure: dict[str, str]) -> None:
    result = run(*LINES[case].split(), "--dry-run", "-o", "json", *AZURE, env={"PW": "pw-value", **azure})
    assert result.returncode == 0, result.stderr
    request: dict[str, Any] = json.loads(result.stdout)
    assert set(request) == {"method", "url", "body"}
    assert request["method"] == "PUT"
    assert request["url"].startswith(prefix(azure)) and request["url"].endswith("?api-version=2025-12-01")
    assert request["body"]["location"] == "eastus", "the workspace's region, as the PUT will carry it"
    assert "pw-value" not in result.stdout


def test_v1_names_expand_to_the_same_request(azure: dict[str, str]) -> None:
    result = run(*LINES["cluster v1 names"].split(), "--dry-run", "-o", "json", *AZURE, env=azure)
    body = json.loads(result.stdout)["body"]["properties"]["properties"]
    assert body["vmPriority"] == "LowPriority"
    assert body["scaleSettings"] == {"maxNodeCount": 4, "minNodeCount": 1, "nodeIdleTimeBeforeScaleDown": "PT10M"}
    assert body["subnet"]["id"] == (
        f"/subscriptions/{SUB}/resourceGroups/netrg/providers/Microsoft.Network/virtualNetworks/v1/subnets/s1"
    )


def test_dry_run_for_the_local_workspace_sends_nothing() -> None:
    result = run(*LINES["cluster"].split(), "--dry-run", "-o", "json")
    assert result.returncode == 0, result.stderr
    request = json.loads(result.stdout)
    # The local workspace's URLs are paths: its server's address (a port of one process) is the transport's.
    assert request["url"].startswith("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/")
    listing = run("list", "-o", "json")
    assert json.loads(listing.stdout) == []


def test_yaml_file_with_overriding_flags(tmp_path: Any, azure: dict[str, str]) -> None:
    path = tmp_path / "cluster.yml"
    path.write_text("name: from-yaml\ntype: amlcompute\nsize: Standard_DS3_v2\nmax_instances: 2\n")
    result = run("create", "--file", str(path), "--max-instances", "5", "--dry-run", "-o", "json", *AZURE, env=azure)
    request = json.loads(result.stdout)
    assert request["url"].startswith(prefix(azure) + "from-yaml?")
    assert request["body"]["properties"]["properties"]["scaleSettings"]["maxNodeCount"] == 5


@pytest.mark.parametrize(
    "line,needle",
    [
        ("create cluster cpu-cluster-1 --max-instances 2", "NAME: 'cpu-cluster-1' is not a valid compute name"),
        ("create cluster cpu --max-instances 0", "--max-instances: 0 is out of range"),
        ("create cluster cpu --tier spot", "--tier: 'spot' is not allowed; allowed: dedicated, low_priority"),
        ("attach batch b1", "no longer accepts Batch"),
        ("attach vm v1x --admin-username me", "--resource-id: is required"),
        ("create cluster cpu --max-instancs 2", "unrecognized arguments: --max-instancs"),
        ("creat cluster cpu", "Did you mean 'create'?"),
    ],
)
def test_bad_input_exits_2_with_one_paragraph(line: str, needle: str) -> None:
    result = run(*line.split(), "--dry-run")
    assert result.returncode == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_az_ml_and_v1_names() -> None:
    result = run("create", "cluster", "--help")
    assert result.returncode == 0
    for flag in (
        "--min-instances",
        "--min-nodes",
        "--idle-time-before-scale-down",
        "--vm-priority",
        "--identity-type",
        "--admin-password-env",
    ):
        assert flag in result.stdout
