# v1 snippet: MLOpsPython's settings from environment variables (the compute ones)
# repository: microsoft/MLOpsPython
# path: ml_service/util/env_variables.py
# commit: 98a610ff1afe29d026fcdffcb8fdc39edbef0f67
# excerpt: lines 3-5, 10-14, 17-29, 73-87
# provides: ml_service.util.env_variables
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
from dataclasses import dataclass
import os
from typing import Optional
@dataclass(frozen=True)
class Env:
    """Loads all environment variables into a predefined set of properties
    """

    workspace_name: Optional[str] = os.environ.get("WORKSPACE_NAME")
    resource_group: Optional[str] = os.environ.get("RESOURCE_GROUP")
    subscription_id: Optional[str] = os.environ.get("SUBSCRIPTION_ID")
    tenant_id: Optional[str] = os.environ.get("TENANT_ID")
    app_id: Optional[str] = os.environ.get("SP_APP_ID")
    app_secret: Optional[str] = os.environ.get("SP_APP_SECRET")
    vm_size: Optional[str] = os.environ.get("AML_COMPUTE_CLUSTER_CPU_SKU")
    compute_name: Optional[str] = os.environ.get("AML_COMPUTE_CLUSTER_NAME")
    vm_priority: Optional[str] = os.environ.get(
        "AML_CLUSTER_PRIORITY", "lowpriority"
    )  # NOQA: E501
    min_nodes: int = int(os.environ.get("AML_CLUSTER_MIN_NODES", 0))
    max_nodes: int = int(os.environ.get("AML_CLUSTER_MAX_NODES", 4))
    vm_size_scoring: Optional[str] = os.environ.get(
        "AML_COMPUTE_CLUSTER_CPU_SKU_SCORING"
    )
    compute_name_scoring: Optional[str] = os.environ.get(
        "AML_COMPUTE_CLUSTER_NAME_SCORING"
    )
    vm_priority_scoring: Optional[str] = os.environ.get(
        "AML_CLUSTER_PRIORITY_SCORING", "lowpriority"
    )
    min_nodes_scoring: int = int(
        os.environ.get("AML_CLUSTER_MIN_NODES_SCORING", 0)
    )  # NOQA: E501
    max_nodes_scoring: int = int(
        os.environ.get("AML_CLUSTER_MAX_NODES_SCORING", 4)
    )  # NOQA: E501
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----

