# v1 snippet: open the workspace by its ids and write config.json
# repository: Azure/MachineLearningNotebooks
# path: configuration.ipynb
# commit: f1aff553c475be391acb2e5d4e4094867b5963c0
# excerpt: cells 8, 10
# environment: SUBSCRIPTION_ID=00000000-0000-0000-0000-000000000000; RESOURCE_GROUP=local; WORKSPACE_NAME=local
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
import os

subscription_id = os.getenv("SUBSCRIPTION_ID", default="<my-subscription-id>")
resource_group = os.getenv("RESOURCE_GROUP", default="<my-resource-group>")
workspace_name = os.getenv("WORKSPACE_NAME", default="<my-workspace-name>")
workspace_region = os.getenv("WORKSPACE_REGION", default="eastus2")

from azureml.core import Workspace

try:
    ws = Workspace(subscription_id = subscription_id, resource_group = resource_group, workspace_name = workspace_name)
    # write the details of the workspace to a configuration file to the notebook library
    ws.write_config()
    print("Workspace configuration succeeded. Skip the workspace creation steps below")
except:
    print("Workspace not accessible. Change your parameters or create a new workspace below")
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
import json, pathlib
assert "Workspace configuration succeeded. Skip the workspace creation steps below" in printed
written = json.loads(pathlib.Path(".azureml/config.json").read_text())
assert written == {"subscription_id": subscription_id, "resource_group": resource_group, "workspace_name": workspace_name}
assert Workspace.from_config(path=".azureml/config.json").name == "local"
details = ws.get_details()
assert {"id", "name", "location", "type", "tags", "sku", "workspaceid", "friendlyName"} <= set(details)
assert details["sku"] == ws.sku == "Basic" and ws.tags == {} and ws._workspace_id == details["workspaceid"]
