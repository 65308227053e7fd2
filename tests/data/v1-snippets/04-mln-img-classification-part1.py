# v1 snippet: the image-classification tutorial's cluster: min_node_count=None, timeout 20
# repository: Azure/MachineLearningNotebooks
# path: tutorials/image-classification-mnist-data/img-classification-part1-training.ipynb
# commit: f1aff553c475be391acb2e5d4e4094867b5963c0
# excerpt: cells 5, 9
# given: from azureml.core import Workspace
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
# load workspace configuration from the config.json file in the current folder.
ws = Workspace.from_config()
print(ws.name, ws.location, ws.resource_group, sep='\t')

from azureml.core.compute import AmlCompute
from azureml.core.compute import ComputeTarget
import os

# choose a name for your cluster
compute_name = os.environ.get("AML_COMPUTE_CLUSTER_NAME", "cpu-cluster")
compute_min_nodes = os.environ.get("AML_COMPUTE_CLUSTER_MIN_NODES", 0)
compute_max_nodes = os.environ.get("AML_COMPUTE_CLUSTER_MAX_NODES", 4)

# This example uses CPU VM. For using GPU VM, set SKU to Standard_NC6s_v3
vm_size = os.environ.get("AML_COMPUTE_CLUSTER_SKU", "STANDARD_D2_V2")


if compute_name in ws.compute_targets:
    compute_target = ws.compute_targets[compute_name]
    if compute_target and type(compute_target) is AmlCompute:
        print("found compute target: " + compute_name)
else:
    print("creating new compute target...")
    provisioning_config = AmlCompute.provisioning_configuration(vm_size = vm_size,
                                                                min_nodes = compute_min_nodes, 
                                                                max_nodes = compute_max_nodes)

    # create the cluster
    compute_target = ComputeTarget.create(ws, compute_name, provisioning_config)
    
    # can poll for a minimum number of nodes and for a specific timeout. 
    # if no min node count is provided it will use the scale settings for the cluster
    compute_target.wait_for_completion(show_output=True, min_node_count=None, timeout_in_minutes=20)
    
     # For a more detailed view of current AmlCompute status, use get_status()
    print(compute_target.get_status().serialize())
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
import ast
assert "creating new compute target..." in printed
status = ast.literal_eval(printed.strip().splitlines()[-1])
assert set(status) == AML_STATUS_KEYS and set(status["nodeStateCounts"]) == NODE_STATE_KEYS
assert status["provisioningState"] == "Succeeded" and status["scaleSettings"]["maxNodeCount"] == 4
assert type(compute_target) is AmlCompute and compute_name in ws.compute_targets
