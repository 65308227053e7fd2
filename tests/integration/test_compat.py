"""v1-style code (azureml-core), with only its imports changed, runs on our backend and sends the very
requests the magics build for the same inputs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from shell_helpers import no_history

from jupyter_compute import settings
from jupyter_compute.compat import (
    AdlaCompute,
    AksCompute,
    AmlCompute,
    AmlComputeStatus,
    BatchCompute,
    ComputeInstance,
    ComputeInstanceStatus,
    ComputeTarget,
    ComputeTargetException,
    DatabricksCompute,
    HDInsightCompute,
    KubernetesCompute,
    LinkedService,
    RemoteCompute,
    SynapseCompute,
    SynapseWorkspaceLinkedServiceConfiguration,
    UserErrorException,
    Workspace,
    WorkspaceException,
)
from jupyter_compute.local.server import LocalServer

from arm_script import COMPUTES, Reply, ScriptedArm, compute
from arm_script import RG as ARM_RG
from arm_script import SUB as ARM_SUB
from arm_script import WS as ARM_WS
from kinds import (
    AKS_ID,
    HDI_ID,
    UAI,
    V1_AML_STATUS_KEYS,
    V1_INSTANCE_STATUS_KEYS,
    V1_KUBERNETES_STATUS_KEYS,
    V1_NODE_STATE_KEYS,
    VM_ID,
)

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


# --- issue 27: what v1 code by others relies on --------------------------------------------------------------


def test_wait_for_completion_waits_for_min_node_count_and_times_out_as_v1(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = Workspace(SUB, "v1-rg", "v1-ws")
    cluster = ComputeTarget.create(
        ws, "nodes", AmlCompute.provisioning_configuration(vm_size="STANDARD_D2_V2", min_nodes=0, max_nodes=3)
    )
    cluster.wait_for_completion(show_output=True, min_node_count=None, timeout_in_minutes=20)
    assert cluster.get_status().current_node_count == 0
    cluster.update(min_nodes=2)
    cluster.wait_for_completion(show_output=True, min_node_count=2, timeout_in_minutes=20)
    assert cluster.get_status().current_node_count >= 2
    out = capsys.readouterr().out
    assert out.count("Minimum number of nodes requested have been provisioned") == 2
    # more nodes than the cluster may have never come: v1 stops at the timeout without raising, and says so
    cluster.wait_for_completion(show_output=True, min_node_count=5, timeout_in_minutes=0.003)
    out = capsys.readouterr().out
    assert "Wait timeout has been reached" in out
    assert 'Current provisioning state of AmlCompute is "Succeeded" and current node count is "2"' in out


def test_get_status_is_v1s_status_object(server: LocalServer) -> None:
    ws = Workspace(SUB, "v1-rg", "v1-ws")
    cluster = ComputeTarget.create(
        ws, "st-cluster", AmlCompute.provisioning_configuration(vm_size="STANDARD_D2_V2", min_nodes=1, max_nodes=2)
    )
    cluster.wait_for_completion()
    status = cluster.get_status()
    assert isinstance(status, AmlComputeStatus)
    assert tuple(status.serialize()) == V1_AML_STATUS_KEYS
    assert tuple(status.serialize()["nodeStateCounts"]) == V1_NODE_STATE_KEYS
    assert status.current_node_count == status.target_node_count == 1 and status.allocation_state == "Steady"
    scale = status.scale_settings
    assert (scale.minimum_node_count, scale.maximum_node_count) == (1, 2)
    assert scale.serialize()["nodeIdleTimeBeforeScaleDown"] == f"PT{scale.idle_seconds_before_scaledown}S"
    assert isinstance(status.creation_time, datetime)
    ci = ComputeTarget.create(ws, "ci-st", ComputeInstance.provisioning_configuration(vm_size="STANDARD_DS3_V2"))
    ci.wait_for_completion()
    instance_status = ci.get_status()
    assert isinstance(instance_status, ComputeInstanceStatus) and instance_status.state == "Running"
    assert tuple(instance_status.serialize()) == V1_INSTANCE_STATUS_KEYS
    k8s = ComputeTarget.attach(ws, "k8s-st", KubernetesCompute.attach_configuration(resource_id=AKS_ID))
    k8s.wait_for_completion()
    assert tuple(k8s.get_status().serialize()) == V1_KUBERNETES_STATUS_KEYS
    assert ComputeTarget(ws, "k8s-st").cluster_resource_id == AKS_ID
    sizes = AmlCompute.supported_vmsizes(workspace=ws)
    assert sizes and all(list(size) == ["name", "vCPUs", "gpus", "memoryGB", "maxResourceVolumeMB"] for size in sizes)


def test_the_workspace_as_v1_code_uses_it(isolated_state: Path, server: LocalServer) -> None:
    with settings.override(arm_endpoint=None, access_token=None):  # no ARM endpoint configured
        local = Workspace("00000000-0000-0000-0000-000000000000", "local", "local")
    assert local.api.ref.local  # the local workspace's own ids open it
    details = local.get_details()
    assert details["name"] == "local" and details["sku"] == local.sku == "Basic" and local.tags == {}
    assert re.fullmatch(r"[0-9a-f-]{36}", local._workspace_id) and details["workspaceid"] == local._workspace_id
    assert local.location == details["location"]
    local.write_config(path=str(isolated_state), file_name="local")
    written = json.loads((isolated_state / ".azureml" / "local.json").read_text())
    assert written == {"subscription_id": local.subscription_id, "resource_group": "local", "workspace_name": "local"}
    with settings.override(arm_endpoint=None, access_token=None):
        assert Workspace.from_config(path=str(isolated_state / ".azureml" / "local.json")).api.ref.local
        assert Workspace.from_config(path=str(isolated_state), _file_name="local.json").api.ref.local
    (isolated_state / "v1").mkdir()
    (isolated_state / "v1" / "config.json").write_text(  # what azureml-core's own write_config wrote
        json.dumps(
            {
                "Id": None,
                "Scope": f"/subscriptions/{SUB}/resourceGroups/v1-rg/providers/"
                "Microsoft.MachineLearningServices/workspaces/v1-ws",
            }
        )
    )
    from_v1 = Workspace.from_config(path=str(isolated_state / "v1"))
    assert (from_v1.subscription_id, from_v1.resource_group, from_v1.name) == (SUB, "v1-rg", "v1-ws")
    got = Workspace.get("v1-ws", subscription_id=SUB, resource_group="v1-rg")
    assert (got.name, got.resource_group) == ("v1-ws", "v1-rg")
    with pytest.raises(WorkspaceException, match="needs subscription_id= and resource_group="):
        Workspace.get("v1-ws")
    (isolated_state / "empty").mkdir()
    with pytest.raises(UserErrorException, match="config.json, could not be found") as missing:
        Workspace.from_config(path=str(isolated_state / "empty"))
    assert "could not be found" in missing.value.message
    with pytest.raises(WorkspaceException, match="subscription"):
        Workspace("not-a-guid", "rg", "ws")


def test_a_create_over_other_settings_raises_at_once_and_nothing_is_sent(server: LocalServer) -> None:
    ws = Workspace(SUB, "v1-rg", "v1-ws")
    ComputeTarget.create(ws, "taken", AmlCompute.provisioning_configuration(vm_size="STANDARD_D2_V2", max_nodes=2))
    puts = len([m for m, _, _ in server.bodies or [] if m == "PUT"])
    with pytest.raises(ComputeTargetException, match="already exists with other settings") as refused:
        ComputeTarget.create(ws, "taken", AmlCompute.provisioning_configuration(vm_size="STANDARD_D2_V2", max_nodes=4))
    assert "max_instances" in refused.value.message
    assert len([m for m, _, _ in server.bodies or [] if m == "PUT"]) == puts
    with pytest.raises(UserErrorException, match="reserved name"):
        ComputeTarget.create(ws, "local", AmlCompute.provisioning_configuration(vm_size="STANDARD_D2_V2"))


def test_add_identity_raises_when_the_service_refuses(arm: ScriptedArm) -> None:
    arm.on("GET", re.escape(COMPUTES) + "/cpu$", Reply(200, compute("cpu")))
    arm.on(
        "PUT",
        re.escape(COMPUTES) + "/cpu$",
        Reply(400, {"error": {"code": "BadRequest", "message": "No identity here"}}),
    )
    ws = Workspace(ARM_SUB, ARM_RG, ARM_WS)
    cluster = AmlCompute(ws, "cpu")
    with pytest.raises(ComputeTargetException, match="BadRequest: No identity here") as refused:
        cluster.add_identity(identity_type="SystemAssigned")
    assert "No identity here" in refused.value.message
    with pytest.raises(ComputeTargetException, match="identity_type must be set"):
        cluster.add_identity(identity_type="Both")


def test_every_failure_is_a_compute_target_exception_authentication_included(isolated_state: Path) -> None:
    with settings.override(arm_endpoint="http://127.0.0.1:9", access_token=None):
        with pytest.raises(WorkspaceException) as unreachable:  # v1 read the workspace when it was made
            Workspace(SUB, "v1-rg", "v1-ws")
        assert unreachable.value.message
        ws = Workspace(SUB, "v1-rg", "v1-ws", _disable_service_check=True)
        try:
            ComputeTarget(workspace=ws, name="cpu-cluster")
        except ComputeTargetException as exc:
            caught: ComputeTargetException | None = exc
        else:
            caught = None
    assert caught is not None and caught.message and caught.error is not None
    assert type(caught.error).__name__ in ("AuthenticationError", "TransportError")


def test_v1s_attach_signatures_and_what_the_service_no_longer_takes(server: LocalServer) -> None:
    ws = Workspace(SUB, "v1-rg", "v1-ws")
    with pytest.raises(ComputeTargetException) as by_address:
        RemoteCompute.attach_configuration(username="azureuser", address="10.0.0.4", password=PASSWORD)
    paragraph = by_address.value.message
    assert (
        "\n" not in paragraph
        and "resource id" in paragraph
        and "subscription_id=, resource_group= and vm_name=" in paragraph
    )
    assert "Nothing was sent" in paragraph
    built = RemoteCompute.attach_configuration(
        "azureuser", subscription_id=SUB, resource_group="vm-rg", vm_name="dsvm", password=PASSWORD
    )
    vm = ComputeTarget.attach(ws, "dsvm", built)
    vm.wait_for_completion()
    assert (
        vm.cluster_resource_id
        == f"/subscriptions/{SUB}/resourceGroups/vm-rg/providers/Microsoft.Compute/virtualMachines/dsvm"
    )
    with pytest.raises(ComputeTargetException, match="cluster_name="):
        HDInsightCompute.attach_configuration("sshuser", address="myhdi-ssh.azurehdinsight.net", password=PASSWORD)
    with pytest.raises(ComputeTargetException, match="azureml-contrib-k8s preview"):
        KubernetesCompute.attach_configuration(resource_id=AKS_ID, aml_k8s_config={"namespace": "ml"})
    with pytest.raises(ComputeTargetException, match="not keywords of KubernetesCompute"):
        KubernetesCompute.attach_configuration(resource_id=AKS_ID, node_pool="gpu")
    link = LinkedService.register(ws, "syn", SynapseWorkspaceLinkedServiceConfiguration(SUB, "syn-rg", "synws"))
    pool = ComputeTarget.attach(
        ws, "pool", SynapseCompute.attach_configuration(link, type="SynapseSpark", pool_name="p1")
    )
    pool.wait_for_completion()
    assert pool.cluster_resource_id.endswith("/workspaces/synws/bigDataPools/p1")
    with pytest.raises(ComputeTargetException, match="Only SynapseSpark"):
        SynapseCompute.attach_configuration(link, type="Spark", pool_name="p1")
    with pytest.raises(UserErrorException, match="no longer keeps linked services"):
        LinkedService.get(ws, "other")
    with pytest.raises(ComputeTargetException, match="Delete is not supported for SynapseCompute"):
        pool.delete()
    with pytest.raises(ComputeTargetException, match="Detach is not supported for AmlCompute"):
        ComputeTarget.create(ws, "cpu-c", AmlCompute.provisioning_configuration(vm_size="STANDARD_D2_V2")).detach()


def test_get_status_of_a_cluster_being_created_is_none_with_v1s_line(
    arm: ScriptedArm, capsys: pytest.CaptureFixture[str]
) -> None:
    arm.on("GET", re.escape(COMPUTES) + "/new$", Reply(200, compute("new", state="Creating")))
    assert AmlCompute(Workspace(ARM_SUB, ARM_RG, ARM_WS), "new").get_status() is None
    assert capsys.readouterr().out == "AmlCompute is getting created. Consider calling wait_for_completion() first\n\n"


def test_what_this_package_does_not_manage_is_refused_with_what_to_do(server: LocalServer) -> None:
    with pytest.raises(ComputeTargetException, match="KubernetesCompute.attach_configuration") as aks:
        AksCompute.provisioning_configuration(agent_count=3, vm_size="Standard_D3_v2")
    assert "Nothing was sent" in aks.value.message
    with pytest.raises(ComputeTargetException, match="KubernetesCompute.attach_configuration"):
        AksCompute.attach_configuration(resource_group="rg", cluster_name="aks1")
    with pytest.raises(WorkspaceException, match="does not create workspaces") as create:
        Workspace.create(name="ws", subscription_id=SUB, resource_group="rg", create_resource_group=True)
    assert "az ml workspace create" in create.value.message
    assert [m for m, _, _ in server.bodies or [] if m == "PUT"] == []
