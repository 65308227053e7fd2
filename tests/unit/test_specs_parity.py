"""Given the inputs of the issue's scenarios, when we build the body, then it is the body that
azure-ai-ml (az ml) or azureml-core (v1) sends for the same inputs, field by field.

Expected bodies are written out from those SDKs' request builders: azure-ai-ml
``AmlCompute._to_rest_object`` (vmSize, scaleSettings, remoteLoginPortPublicAccess 'NotSpecified'
when unset, enableNodePublicIp true, subnet id from vnet + subnet), ``ComputeInstance._to_rest_object``,
``VirtualMachineCompute._to_rest_object``; azureml-core ``_build_create_payload`` /
``_build_attach_payload`` (vmPriority 'Dedicated'/'LowPriority', sshSettings from ssh_public_access,
administratorAccount, databricksAccessToken). The tier defaults to dedicated as in az ml's schema.
One difference on purpose: a VM size typed in any case is sent as the size catalogue spells it
(``STANDARD_D2_V2`` -> ``Standard_D2_v2``, issue 22 point 13), where the SDKs send it as typed.
"""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_compute.model.documents import spec_from_yaml
from jupyter_compute.model.secrets import Secret
from jupyter_compute.model.specs import WireContext, spec_class
from jupyter_compute.model.wire import revealed

from kinds import ADLA_ID, DBX_ID, HDI_ID, PASSWORD, PUBLIC_KEY, SUB, TOKEN, UAI, VM_ID

CTX = WireContext(SUB, "rg", "ws")
SUBNET = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/default"


def cluster(**props: Any) -> dict[str, Any]:
    base = {
        "vmSize": "Standard_D2_v2",  # typed STANDARD_D2_V2: the SDKs send it as typed, we as the catalogue spells it
        "vmPriority": "Dedicated",
        "scaleSettings": {"maxNodeCount": 4, "minNodeCount": 0},
        "remoteLoginPortPublicAccess": "NotSpecified",
        "enableNodePublicIp": True,
    }
    base.update(props)
    return {"properties": {"computeType": "AmlCompute", "properties": base}}


# scenario -> (kind, az ml keywords, v1 keywords, YAML, expected body)
SCENARIOS: dict[str, tuple[str, dict[str, Any], dict[str, Any], str, dict[str, Any]]] = {
    "cluster": (
        "cluster",
        dict(name="cpu-cluster", size="STANDARD_D2_V2", max_instances=4),
        dict(name="cpu-cluster", vm_size="STANDARD_D2_V2", max_nodes=4),
        "name: cpu-cluster\ntype: amlcompute\nsize: STANDARD_D2_V2\nmax_instances: 4\n",
        cluster(),
    ),
    "cluster low priority": (
        "cluster",
        dict(name="cpu-cluster", size="STANDARD_D2_V2", max_instances=4, tier="low_priority"),
        dict(name="cpu-cluster", vm_size="STANDARD_D2_V2", max_nodes=4, vm_priority="lowpriority"),
        "name: cpu-cluster\ntype: amlcompute\nsize: STANDARD_D2_V2\nmax_instances: 4\ntier: low_priority\n",
        cluster(vmPriority="LowPriority"),
    ),
    "cluster system-assigned identity": (
        "cluster",
        dict(name="cpu-cluster", size="STANDARD_D2_V2", max_instances=4, identity_type="system_assigned"),
        dict(name="cpu-cluster", vm_size="STANDARD_D2_V2", max_nodes=4, identity_type="SystemAssigned"),
        "name: cpu-cluster\ntype: amlcompute\nsize: STANDARD_D2_V2\nmax_instances: 4\n"
        "identity: {type: system_assigned}\n",
        {"identity": {"type": "SystemAssigned"}, **cluster()},
    ),
    "cluster user-assigned identity": (
        "cluster",
        dict(
            name="cpu-cluster",
            size="STANDARD_D2_V2",
            max_instances=4,
            identity_type="user_assigned",
            user_assigned_identities=[{"resource_id": UAI}],
        ),
        dict(
            name="cpu-cluster", vm_size="STANDARD_D2_V2", max_nodes=4, identity_type="UserAssigned", identity_id=[UAI]
        ),
        "name: cpu-cluster\ntype: amlcompute\nsize: STANDARD_D2_V2\nmax_instances: 4\n"
        f"identity:\n  type: user_assigned\n  user_assigned_identities:\n    - resource_id: {UAI}\n",
        {"identity": {"type": "UserAssigned", "userAssignedIdentities": {UAI: {}}}, **cluster()},
    ),
    "cluster in a subnet with idle scale-down": (
        "cluster",
        dict(
            name="cpu-cluster",
            size="STANDARD_D2_V2",
            min_instances=1,
            max_instances=3,
            idle_time_before_scale_down=1800,
            vnet_name="vnet1",
            subnet="default",
        ),
        dict(
            name="cpu-cluster",
            vm_size="STANDARD_D2_V2",
            min_nodes=1,
            max_nodes=3,
            idle_seconds_before_scaledown=1800,
            vnet_resourcegroup_name="rg",
            vnet_name="vnet1",
            subnet_name="default",
        ),
        "name: cpu-cluster\ntype: amlcompute\nsize: STANDARD_D2_V2\nmin_instances: 1\nmax_instances: 3\n"
        "idle_time_before_scale_down: 1800\nnetwork_settings: {vnet_name: vnet1, subnet: default}\n",
        cluster(
            scaleSettings={"maxNodeCount": 3, "minNodeCount": 1, "nodeIdleTimeBeforeScaleDown": "PT30M"},
            subnet={"id": SUBNET},
        ),
    ),
    "instance with ssh off": (
        "instance",
        dict(name="ci-one", size="STANDARD_D3_V2", ssh_public_access_enabled=False),
        dict(name="ci-one", vm_size="STANDARD_D3_V2", ssh_public_access=False),
        "name: ci-one\ntype: computeinstance\nsize: STANDARD_D3_V2\nssh_public_access_enabled: false\n",
        {
            "properties": {
                "computeType": "ComputeInstance",
                "properties": {"vmSize": "Standard_D3_v2", "sshSettings": {"sshPublicAccess": "Disabled"}},
            }
        },
    ),
    "instance with ssh on and a key": (
        "instance",
        dict(
            name="ci-one",
            size="STANDARD_D3_V2",
            ssh_public_access_enabled=True,
            ssh_settings={"ssh_key_value": PUBLIC_KEY},
        ),
        dict(name="ci-one", vm_size="STANDARD_D3_V2", ssh_public_access=True, admin_user_ssh_public_key=PUBLIC_KEY),
        f"name: ci-one\ntype: computeinstance\nsize: STANDARD_D3_V2\nssh_public_access_enabled: true\n"
        f"ssh_settings:\n  ssh_key_value: {PUBLIC_KEY}\n",
        {
            "properties": {
                "computeType": "ComputeInstance",
                "properties": {
                    "vmSize": "Standard_D3_v2",
                    "sshSettings": {"sshPublicAccess": "Enabled", "adminPublicKey": PUBLIC_KEY},
                },
            }
        },
    ),
    "attach remote vm": (
        "vm",
        dict(
            name="remote-vm",
            resource_id=VM_ID,
            ssh_port=22,
            admin_username="azureuser",
            admin_password=Secret(PASSWORD),
        ),
        dict(name="remote-vm", resource_id=VM_ID, ssh_port=22, username="azureuser", password=Secret(PASSWORD)),
        f"name: remote-vm\ntype: virtualmachine\nresource_id: {VM_ID}\n"
        f"ssh_settings: {{admin_username: azureuser, admin_password: {PASSWORD}, ssh_port: 22}}\n",
        {
            "properties": {
                "computeType": "VirtualMachine",
                "resourceId": VM_ID,
                "properties": {"sshPort": 22, "administratorAccount": {"username": "azureuser", "password": PASSWORD}},
            }
        },
    ),
    "attach hdinsight": (
        "hdinsight",
        dict(
            name="hdi-spark", resource_id=HDI_ID, ssh_port=22, admin_username="sshuser", admin_password=Secret(PASSWORD)
        ),
        dict(name="hdi-spark", resource_id=HDI_ID, ssh_port=22, username="sshuser", password=Secret(PASSWORD)),
        f"name: hdi-spark\ntype: hdinsight\nresource_id: {HDI_ID}\n"
        f"ssh_settings: {{admin_username: sshuser, admin_password: {PASSWORD}}}\n",
        {
            "properties": {
                "computeType": "HDInsight",
                "resourceId": HDI_ID,
                "properties": {"sshPort": 22, "administratorAccount": {"username": "sshuser", "password": PASSWORD}},
            }
        },
    ),
    "attach databricks": (
        "databricks",
        dict(name="dbx", resource_id=DBX_ID, access_token=Secret(TOKEN)),
        dict(name="dbx", resource_group="rg", workspace_name="dbx1", access_token=Secret(TOKEN)),
        f"name: dbx\ntype: databricks\nresource_id: {DBX_ID}\naccess_token: {TOKEN}\n",
        {
            "properties": {
                "computeType": "Databricks",
                "resourceId": DBX_ID,
                "properties": {"databricksAccessToken": TOKEN},
            }
        },
    ),
    "attach data lake analytics": (
        "adla",
        dict(name="adla", resource_id=ADLA_ID),
        dict(name="adla", resource_group="rg", account_name="adla1"),
        f"name: adla\ntype: datalakeanalytics\nresource_id: {ADLA_ID}\n",
        {"properties": {"computeType": "DataLakeAnalytics", "resourceId": ADLA_ID}},
    ),
}


def flatten(body: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(body, dict) and body:
        out: dict[str, Any] = {}
        for key, value in body.items():
            out.update(flatten(value, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): body}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("route", ["az ml keywords", "v1 keywords", "yaml"])
def test_body_matches_the_sdk_field_by_field(scenario: str, route: str, reference_validator: Any) -> None:
    from jupyter_compute.model import schema as wire_schema

    kind, keywords, v1, document, expected = SCENARIOS[scenario]
    cls = spec_class(kind)
    spec = {
        "az ml keywords": lambda: cls.from_keywords(**keywords),
        "v1 keywords": lambda: cls.from_keywords(**v1),
        "yaml": lambda: spec_from_yaml(document),
    }[route]()
    body = revealed(spec.to_arm(CTX))
    got, want = flatten(body), flatten(expected)
    assert sorted(got) == sorted(want), f"fields differ: extra {set(got) - set(want)}, missing {set(want) - set(got)}"
    for field, value in want.items():
        assert got[field] == value, field
    assert wire_schema.problems(body, validator=reference_validator) == []
