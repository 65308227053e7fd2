# v1 snippet: a Databricks workspace from environment variables
# repository: Azure/MachineLearningNotebooks
# path: how-to-use-azureml/machine-learning-pipelines/intro-to-pipelines/aml-pipelines-use-databricks-as-compute-target.ipynb
# commit: f1aff553c475be391acb2e5d4e4094867b5963c0
# excerpt: cells 10
# environment: DATABRICKS_COMPUTE_NAME=dbx-compute; DATABRICKS_RESOURCE_GROUP=dbx-rg; DATABRICKS_WORKSPACE_NAME=dbx-ws; DATABRICKS_ACCESS_TOKEN=dapi-snippet-token
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# given: import os
# given: from azureml.core.compute import ComputeTarget, DatabricksCompute
# given: from azureml.exceptions import ComputeTargetException
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
# Replace with your account info before running.
 
db_compute_name=os.getenv("DATABRICKS_COMPUTE_NAME", "<my-databricks-compute-name>") # Databricks compute name
db_resource_group=os.getenv("DATABRICKS_RESOURCE_GROUP", "<my-db-resource-group>") # Databricks resource group
db_workspace_name=os.getenv("DATABRICKS_WORKSPACE_NAME", "<my-db-workspace-name>") # Databricks workspace name
db_access_token=os.getenv("DATABRICKS_ACCESS_TOKEN", "<my-access-token>") # Databricks access token
 
try:
    databricks_compute = DatabricksCompute(workspace=ws, name=db_compute_name)
    print('Compute target {} already exists'.format(db_compute_name))
except ComputeTargetException:
    print('Compute not found, will use below parameters to attach new one')
    print('db_compute_name {}'.format(db_compute_name))
    print('db_resource_group {}'.format(db_resource_group))
    print('db_workspace_name {}'.format(db_workspace_name))
    print('db_access_token {}'.format(db_access_token))
 
    config = DatabricksCompute.attach_configuration(
        resource_group = db_resource_group,
        workspace_name = db_workspace_name,
        access_token= db_access_token)
    databricks_compute=ComputeTarget.attach(ws, db_compute_name, config)
    databricks_compute.wait_for_completion(True)
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
assert "Compute not found, will use below parameters to attach new one" in printed
assert type(databricks_compute).__name__ == "DatabricksCompute" and databricks_compute.provisioning_state == "Succeeded"
assert databricks_compute.cluster_resource_id.endswith("/resourceGroups/dbx-rg/providers/Microsoft.Databricks/workspaces/dbx-ws")
assert databricks_compute.get_status() == "Succeeded"
assert "dapi-snippet-token" not in repr(databricks_compute.serialize())
