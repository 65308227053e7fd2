"""The azureml-core (v1) compute API on this package's backend: change only the imports.

    from jupyter_compute.compat import Workspace, ComputeTarget, AmlCompute, ComputeTargetException

    ws = Workspace.from_config()
    try:
        cluster = ComputeTarget(workspace=ws, name="cpu-cluster")
    except ComputeTargetException:
        config = AmlCompute.provisioning_configuration(vm_size="STANDARD_D2_V2", max_nodes=4)
        cluster = ComputeTarget.create(ws, "cpu-cluster", config)
    cluster.wait_for_completion(show_output=True, min_node_count=None, timeout_in_minutes=20)
    print(cluster.get_status().serialize())

The names, signatures, attributes, status objects and printed lines are azureml-core 1.61's
(``azureml/core/compute/*.py``, ``azureml/core/workspace.py``, ``azureml/core/linked_service.py``).
Configurations carry the v1 keyword names; they become the same specs, and so the same requests, as
the magics and the command line build. ``wait_for_completion(show_output=True)`` shows our progress bar
(a widget in notebooks, a text line elsewhere) instead of v1's dots. Every failure is a
``ComputeTargetException`` (``.message``), as v1 code catches it.

Where v1 did what today's service refuses, the call fails before sending and says what to do instead:
Batch (no such compute type), a VM or HDInsight cluster named by its address (a resource id is
needed), the Kubernetes preview's ``aml_k8s_config``; linked services are kept in the process (the
API has none now; see :mod:`.linked`).
"""

from __future__ import annotations

from .core import _BY_TYPE, ComputeTarget, ProvisioningConfiguration, Workspace
from .exceptions import AzureMLException, ComputeTargetException, UserErrorException, WorkspaceException
from .linked import LinkedService, LinkedServiceConfiguration, SynapseWorkspaceLinkedServiceConfiguration
from .status import (
    AmlComputeNodeStateCounts,
    AmlComputeStatus,
    ComputeInstanceStatus,
    KubernetesComputeStatus,
    ScaleSettings,
)
from .targets import (
    AdlaCompute,
    AksCompute,
    AmlCompute,
    BatchCompute,
    ComputeInstance,
    DatabricksCompute,
    HDInsightCompute,
    KubernetesCompute,
    RemoteCompute,
    SynapseCompute,
)

__all__ = [
    "AdlaCompute",
    "AksCompute",
    "AmlCompute",
    "AmlComputeNodeStateCounts",
    "AmlComputeStatus",
    "AzureMLException",
    "BatchCompute",
    "ComputeInstance",
    "ComputeInstanceStatus",
    "ComputeTarget",
    "ComputeTargetException",
    "DatabricksCompute",
    "HDInsightCompute",
    "KubernetesCompute",
    "KubernetesComputeStatus",
    "LinkedService",
    "LinkedServiceConfiguration",
    "ProvisioningConfiguration",
    "RemoteCompute",
    "ScaleSettings",
    "SynapseCompute",
    "SynapseWorkspaceLinkedServiceConfiguration",
    "UserErrorException",
    "Workspace",
    "WorkspaceException",
    "_BY_TYPE",
]
