"""One example of every kind, written three ways: az ml keywords, v1 SDK keywords, az ml YAML."""

from __future__ import annotations

from typing import Any

from jupyter_compute.model.secrets import Secret

SUB = "00000000-0000-0000-0000-000000000001"
PASSWORD = "Pa55-word-never-shown-7f3a"
TOKEN = "dapi-token-never-shown-91c2"
PUBLIC_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 user@host"
VM_ID = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"
HDI_ID = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.HDInsight/clusters/hdi1"
DBX_ID = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Databricks/workspaces/dbx1"
ADLA_ID = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.DataLakeAnalytics/accounts/adla1"
SYN_ID = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Synapse/workspaces/syn/bigDataPools/pool1"
AKS_ID = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1"
UAI = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"

# What azureml-core 1.61's status objects serialize to, in its order (amlcompute.py, computeinstance.py,
# kubernetescompute.py): v1 code reads these keys.
V1_AML_STATUS_KEYS = (
    "currentNodeCount",
    "targetNodeCount",
    "nodeStateCounts",
    "allocationState",
    "allocationStateTransitionTime",
    "errors",
    "creationTime",
    "modifiedTime",
    "provisioningState",
    "provisioningStateTransitionTime",
    "scaleSettings",
    "vmPriority",
    "vmSize",
)
V1_NODE_STATE_KEYS = (
    "preparingNodeCount",
    "runningNodeCount",
    "idleNodeCount",
    "unusableNodeCount",
    "leavingNodeCount",
    "preemptedNodeCount",
)
V1_INSTANCE_STATUS_KEYS = ("errors", "creationTime", "createdBy", "modifiedTime", "state", "vmSize")
V1_KUBERNETES_STATUS_KEYS = ("creationTime", "modifiedTime", "provisioningState")

# kind -> (az ml keywords, v1 keywords, YAML text); all three describe the same compute.
EXAMPLES: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    "amlcompute": (
        dict(
            name="gpu-cluster",
            size="Standard_NC6s_v3",
            tier="low_priority",
            min_instances=1,
            max_instances=3,
            idle_time_before_scale_down=1800,
            vnet_name="vnet1",
            subnet="default",
            identity_type="user_assigned",
            user_assigned_identities=[UAI],
            admin_username="azureuser",
            admin_password=Secret(PASSWORD),
            tags={"team": "ml"},
            description="training",
        ),
        dict(
            name="gpu-cluster",
            vm_size="Standard_NC6s_v3",
            vm_priority="lowpriority",
            min_nodes=1,
            max_nodes=3,
            idle_seconds_before_scaledown=1800,
            vnet_name="vnet1",
            subnet_name="default",
            identity_type="UserAssigned",
            identity_id=[UAI],
            admin_username="azureuser",
            admin_user_password=Secret(PASSWORD),
            tags={"team": "ml"},
            description="training",
        ),
        f"""
$schema: https://azuremlschemas.azureedge.net/latest/amlCompute.schema.json
name: gpu-cluster
type: amlcompute
size: Standard_NC6s_v3
tier: low_priority
min_instances: 1
max_instances: 3
idle_time_before_scale_down: 1800
description: training
tags: {{team: ml}}
network_settings: {{vnet_name: vnet1, subnet: default}}
identity:
  type: user_assigned
  user_assigned_identities:
    - resource_id: {UAI}
ssh_settings:
  admin_username: azureuser
  admin_password: {PASSWORD}
""",
    ),
    "computeinstance": (
        dict(
            name="ci-alice",
            size="Standard_DS3_v2",
            ssh_public_access_enabled=True,
            ssh_key_value=PUBLIC_KEY,
            idle_time_before_shutdown=60,
            description="dev box",
            schedules={
                "compute_start_stop": [{"action": "stop", "trigger": {"type": "cron", "expression": "0 18 * * *"}}]
            },
        ),
        dict(
            name="ci-alice",
            vm_size="Standard_DS3_v2",
            ssh_public_access=True,
            admin_user_ssh_public_key=PUBLIC_KEY,
            idle_time_before_shutdown="PT60M",
            description="dev box",
            schedules={
                "compute_start_stop": [{"action": "stop", "trigger": {"type": "cron", "expression": "0 18 * * *"}}]
            },
        ),
        f"""
name: ci-alice
type: computeinstance
size: Standard_DS3_v2
description: dev box
ssh_public_access_enabled: true
ssh_settings: {{ssh_key_value: {PUBLIC_KEY}}}
idle_time_before_shutdown_minutes: 60
schedules:
  compute_start_stop:
    - action: stop
      trigger: {{type: cron, expression: "0 18 * * *"}}
""",
    ),
    "virtualmachine": (
        dict(
            name="remote-vm",
            resource_id=VM_ID,
            ssh_port=22,
            admin_username="azureuser",
            admin_password=Secret(PASSWORD),
        ),
        dict(name="remote-vm", resource_id=VM_ID, ssh_port=22, username="azureuser", password=Secret(PASSWORD)),
        f"""
name: remote-vm
type: virtualmachine
resource_id: {VM_ID}
ssh_settings:
  admin_username: azureuser
  admin_password: {PASSWORD}
  ssh_port: 22
""",
    ),
    "hdinsight": (
        dict(name="hdi-spark", resource_id=HDI_ID, admin_username="sshuser", admin_password=Secret(PASSWORD)),
        dict(name="hdi-spark", resource_id=HDI_ID, username="sshuser", password=Secret(PASSWORD)),
        f"""
name: hdi-spark
type: hdinsight
resource_id: {HDI_ID}
ssh_settings: {{admin_username: sshuser, admin_password: {PASSWORD}}}
""",
    ),
    "databricks": (
        dict(name="dbx", resource_id=DBX_ID, access_token=Secret(TOKEN)),
        dict(name="dbx", resource_id=DBX_ID, access_token=Secret(TOKEN)),
        f"""
name: dbx
type: databricks
resource_id: {DBX_ID}
access_token: {TOKEN}
""",
    ),
    "datalakeanalytics": (
        dict(name="adla", resource_id=ADLA_ID),
        dict(name="adla", resource_id=ADLA_ID),
        f"name: adla\ntype: datalakeanalytics\nresource_id: {ADLA_ID}\n",
    ),
    "synapsespark": (
        dict(name="syn-pool", resource_id=SYN_ID, identity_type="system_assigned"),
        dict(name="syn-pool", resource_id=SYN_ID, identity_type="SystemAssigned"),
        f"name: syn-pool\ntype: synapsespark\nresource_id: {SYN_ID}\nidentity: {{type: system_assigned}}\n",
    ),
    "kubernetes": (
        dict(name="aks-attach", resource_id=AKS_ID, namespace="ml", identity_type="system_assigned"),
        dict(name="aks-attach", resource_id=AKS_ID, namespace="ml", identity_type="SystemAssigned"),
        f"name: aks-attach\ntype: kubernetes\nresource_id: {AKS_ID}\nnamespace: ml\n"
        "identity: {type: system_assigned}\n",
    ),
}
