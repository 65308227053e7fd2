# v1 snippet: the v1 docs' Databricks attach, from environment variables
# repository: MicrosoftDocs/azure-docs
# path: articles/machine-learning/how-to-attach-compute-targets.md
# commit: 014bcff1b6be45da9d913bb24e2aa4d1d823fee5
# excerpt: the Python block of "Azure Databricks"
# environment: AML_DATABRICKS_COMPUTE_NAME=dbx; AML_DATABRICKS_WORKSPACE=dbx-ws; AML_DATABRICKS_RESOURCE_GROUP=dbx-rg; AML_DATABRICKS_ACCESS_TOKEN=dapi-docs-token
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
import os
from azureml.core.compute import ComputeTarget, DatabricksCompute
from azureml.exceptions import ComputeTargetException

databricks_compute_name = os.environ.get(
    "AML_DATABRICKS_COMPUTE_NAME", "<databricks_compute_name>")
databricks_workspace_name = os.environ.get(
    "AML_DATABRICKS_WORKSPACE", "<databricks_workspace_name>")
databricks_resource_group = os.environ.get(
    "AML_DATABRICKS_RESOURCE_GROUP", "<databricks_resource_group>")
databricks_access_token = os.environ.get(
    "AML_DATABRICKS_ACCESS_TOKEN", "<databricks_access_token>")

try:
    databricks_compute = ComputeTarget(
        workspace=ws, name=databricks_compute_name)
    print('Compute target already exists')
except ComputeTargetException:
    print('compute not found')
    print('databricks_compute_name {}'.format(databricks_compute_name))
    print('databricks_workspace_name {}'.format(databricks_workspace_name))
    print('databricks_access_token {}'.format(databricks_access_token))

    # Create attach config
    attach_config = DatabricksCompute.attach_configuration(resource_group=databricks_resource_group,
                                                           workspace_name=databricks_workspace_name,
                                                           access_token=databricks_access_token)
    databricks_compute = ComputeTarget.attach(
        ws,
        databricks_compute_name,
        attach_config
    )

    databricks_compute.wait_for_completion(True)
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
assert printed.startswith("compute not found\n")
assert 'Provisioning operation finished, operation "Succeeded"' in printed
assert isinstance(databricks_compute, DatabricksCompute) and databricks_compute.is_attached
assert isinstance(ComputeTarget(workspace=ws, name="dbx"), DatabricksCompute)
