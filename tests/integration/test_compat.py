"""v1-style code (azureml-core), with only its imports changed, runs on our backend and sends the very
requests the magics build for the same inputs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from shell_helpers import no_history

from jupyter_compute import settings
from jupyter_compute.compat import (
    AdlaCompute,
    AmlCompute,
    BatchCompute,
    ComputeInstance,
    ComputeTarget,
    ComputeTargetException,
    DatabricksCompute,
    HDInsightCompute,
    KubernetesCompute,
    RemoteCompute,
    Workspace,
)
from jupyter_compute.local.server import LocalServer

from kinds import AKS_ID, HDI_ID, UAI, VM_ID

V1_NAMES = (AdlaCompute, DatabricksCompute, HDInsightCompute, KubernetesCompute)  # used by the snippets below
SUB = "22222222-3333-4444-5555-666666666666"
WS_FLAGS = f"--subscription {SUB} --resource-group v1-rg --workspace v1-ws"
PASSWORD = "v1-password-8812"
TOKEN = "v1-token-8812"
DBX = f"/subscriptions/{SUB}/resourceGroups/v1-rg/providers/Microsoft.Databricks/workspaces/dbx1"
ADLA = f"/subscriptions/{SUB}/resourceGroups/v1-rg/providers/Microsoft.DataLakeAnalytics/accounts/adla1"


@pytest.fixture
def server(isolated_state: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    srv = LocalServer(home=isolated_state / "azure", record_bodies=True).start()
    monkeypatch.setenv("V1_PASSWORD", PASSWORD)  # the user's own variables, read by the v1 code below
    monkeypatch.setenv("V1_TOKEN", TOKEN)
    monkeypatch.setenv("IPYTHONDIR", str(isolated_state / "ipython"))
    with settings.override(arm_endpoint=srv.url, access_token=srv.token):
        yield srv
    srv.stop()


@pytest.fixture
def shell(server: LocalServer) -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance(config=no_history())
    ip.run_line_magic("load_ext", "jupyter_compute")
    yield ip
    InteractiveShell.clear_instance()


def masked_like(sent: Any, preview: Any) -> Any:
    """The sent body with secrets replaced where the dry run shows '***' (checking a value was there)."""
    if preview == "***":
        assert isinstance(sent, str) and sent
        return "***"
    if isinstance(preview, dict) and isinstance(sent, dict):
        return {k: masked_like(v, preview.get(k)) for k, v in sent.items()}
    return sent


# scenario -> (v1 code run with ws in scope, the magic line with the same inputs)
SCENARIOS = {
    "cluster": (
        "ComputeTarget.create(ws, 'cpu-cluster', AmlCompute.provisioning_configuration("
        "vm_size='STANDARD_D2_V2', max_nodes=4))",
        "create cluster cpu-cluster --vm-size STANDARD_D2_V2 --max-nodes 4",
    ),
    "low priority": (
        "ComputeTarget.create(ws, 'lp-cluster', AmlCompute.provisioning_configuration("
        "vm_size='STANDARD_D2_V2', vm_priority='lowpriority', min_nodes=0, max_nodes=2, "
        "idle_seconds_before_scaledown=1800))",
        "create cluster lp-cluster --vm-size STANDARD_D2_V2 --vm-priority lowpriority --max-nodes 2 "
        "--idle-seconds-before-scaledown 1800",
    ),
    "system identity": (
        "ComputeTarget.create(ws, 'id-cluster', AmlCompute.provisioning_configuration("
        "vm_size='STANDARD_D2_V2', max_nodes=1, identity_type='SystemAssigned'))",
        "create cluster id-cluster --vm-size STANDARD_D2_V2 --max-nodes 1 --identity-type system_assigned",
    ),
    "user identity": (
        "ComputeTarget.create(ws, 'ua-cluster', AmlCompute.provisioning_configuration("
        f"vm_size='STANDARD_D2_V2', max_nodes=1, identity_type='UserAssigned', identity_id=['{UAI}']))",
        "create cluster ua-cluster --vm-size STANDARD_D2_V2 --max-nodes 1 --identity-type user_assigned "
        f"--user-assigned-identities {UAI}",
    ),
    "instance": (
        "ComputeTarget.create(ws, 'ci-v1', ComputeInstance.provisioning_configuration("
        "vm_size='STANDARD_DS3_V2', ssh_public_access=False))",
        "create instance ci-v1 --vm-size STANDARD_DS3_V2 --ssh-public-access-enabled false",
    ),
    "remote vm": (
        "ComputeTarget.attach(ws, 'v1-vm', RemoteCompute.attach_configuration("
        f"resource_id='{VM_ID}', ssh_port=22, username='azureuser', password=os.environ['V1_PASSWORD']))",
        f"attach vm v1-vm --resource-id {VM_ID} --ssh-port 22 --username azureuser --password-env V1_PASSWORD",
    ),
    "hdinsight": (
        "ComputeTarget.attach(ws, 'v1-hdi', HDInsightCompute.attach_configuration("
        f"resource_id='{HDI_ID}', username='sshuser', password=os.environ['V1_PASSWORD']))",
        f"attach hdinsight v1-hdi --resource-id {HDI_ID} --username sshuser --password-env V1_PASSWORD",
    ),
    "databricks": (
        "ComputeTarget.attach(ws, 'v1-dbx', DatabricksCompute.attach_configuration("
        "resource_group='v1-rg', workspace_name='dbx1', access_token=os.environ['V1_TOKEN']))",
        "attach databricks v1-dbx --target-resource-group v1-rg --workspace-name dbx1 --access-token-env V1_TOKEN",
    ),
    "adla": (
        "ComputeTarget.attach(ws, 'v1-adla', AdlaCompute.attach_configuration(resource_group='v1-rg', "
        "account_name='adla1'))",
        "attach adla v1-adla --target-resource-group v1-rg --account-name adla1",
    ),
    "kubernetes": (
        "ComputeTarget.attach(ws, 'v1-k8s', KubernetesCompute.attach_configuration("
        f"resource_id='{AKS_ID}', namespace='ml'))",
        f"attach kubernetes v1-k8s --resource-id {AKS_ID} --namespace ml",
    ),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_v1_code_sends_what_the_magic_builds(scenario: str, server: LocalServer, shell: InteractiveShell) -> None:
    import os

    code, line = SCENARIOS[scenario]
    ws = Workspace(SUB, "v1-rg", "v1-ws")
    namespace = {**globals(), "os": os, "ws": ws}
    target = eval(code, namespace)  # noqa: S307 - the v1 snippet under test
    target.wait_for_completion(show_output=False)
    assert target.provisioning_state == "Succeeded"
    preview = shell.run_line_magic("compute", f"{line} --dry-run -o json {WS_FLAGS}")
    puts = [(m, p, b) for m, p, b in server.bodies or [] if m == "PUT"]
    assert len(puts) == 1
    method, path, body = puts[0]
    assert method == preview["method"] and preview["url"].split("?")[0].endswith(path)
    assert masked_like(body, preview["body"]) == preview["body"]


def test_lookup_or_create_wait_status_and_delete(server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    ws = Workspace(SUB, "v1-rg", "v1-ws")
    with pytest.raises(ComputeTargetException, match="not found"):
        ComputeTarget(workspace=ws, name="cpu-cluster")
    try:
        cluster = ComputeTarget(workspace=ws, name="cpu-cluster")
    except ComputeTargetException:
        config = AmlCompute.provisioning_configuration(vm_size="STANDARD_D2_V2", min_nodes=1, max_nodes=2)
        cluster = ComputeTarget.create(ws, "cpu-cluster", config)
    cluster.wait_for_completion(show_output=True)
    assert "create cluster cpu-cluster: done · Succeeded · 1 of 1 node ready" in capsys.readouterr().err
    found = ComputeTarget(workspace=ws, name="cpu-cluster")
    assert isinstance(found, AmlCompute) and found.provisioning_state == "Succeeded"
    assert found.get_status().current_node_count == 1 and found.provisioning_errors is None
    assert isinstance(AmlCompute(ws, "cpu-cluster"), AmlCompute)
    with pytest.raises(ComputeTargetException):
        ComputeInstance(ws, "cpu-cluster")
    found.add_identity(identity_type="SystemAssigned")
    assert ws.api.get("cpu-cluster").body["identity"]["type"] == "SystemAssigned"
    assert set(ws.compute_targets) == {"cpu-cluster"}
    found.delete(wait_for_completion=True)
    assert ws.compute_targets == {}


def test_instance_power_and_attach_detach(server: LocalServer) -> None:
    ws = Workspace(SUB, "v1-rg", "v1-ws")
    ci = ComputeTarget.create(ws, "ci-power", ComputeInstance.provisioning_configuration(vm_size="STANDARD_DS3_V2"))
    ci.wait_for_completion()
    ci.stop(wait_for_completion=True)
    assert ci.get_status().state == "Stopped"
    ci.start(wait_for_completion=True)
    ci.restart(wait_for_completion=True)
    assert ci.get_status().state == "Running"
    vm = ComputeTarget.attach(
        ws, "vm-x", RemoteCompute.attach_configuration(resource_id=VM_ID, username="azureuser", password=PASSWORD)
    )
    vm.wait_for_completion()
    vm.detach()
    vm.wait_for_completion(is_delete_operation=True)
    assert ws.api.list().names() == ["ci-power"]


def test_batch_and_bad_configurations_fail_before_sending(server: LocalServer) -> None:
    with pytest.raises(ComputeTargetException, match="no longer accepts Batch"):
        BatchCompute.attach_configuration(resource_group="rg", account_name="batch1")
    config = AmlCompute.provisioning_configuration(vm_size="STANDARD_D2_V2", min_nodes=5, max_nodes=2)
    with pytest.raises(ComputeTargetException, match="min_nodes"):
        config.validate_configuration()
    with pytest.raises(ComputeTargetException):
        ComputeTarget.create(Workspace(SUB, "v1-rg", "v1-ws"), "bad-one", config)
    assert [m for m, _, _ in server.bodies or [] if m == "PUT"] == []
    assert PASSWORD not in repr(RemoteCompute.attach_configuration(resource_id=VM_ID, username="u", password=PASSWORD))
