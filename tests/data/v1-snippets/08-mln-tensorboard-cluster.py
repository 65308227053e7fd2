# v1 snippet: a cluster found through ws.compute_targets and its type, or created
# repository: Azure/MachineLearningNotebooks
# path: how-to-use-azureml/track-and-monitor-experiments/tensorboard/tensorboard/tensorboard.ipynb
# commit: f1aff553c475be391acb2e5d4e4094867b5963c0
# excerpt: cells 29
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# given: from azureml.core.compute import ComputeTarget
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
from azureml.core.compute import AmlCompute
# choose a name for your cluster
cluster_name = "cpu-cluster"

cts = ws.compute_targets
found = False
if cluster_name in cts and cts[cluster_name].type == 'AmlCompute':
    found = True
    print('Found existing compute target.')
    compute_target = cts[cluster_name]
if not found:
    print('Creating a new compute target...')
    compute_config = AmlCompute.provisioning_configuration(vm_size='STANDARD_D2_V2', 
                                                           max_nodes=4)

    # create the cluster
    compute_target = ComputeTarget.create(ws, cluster_name, compute_config)

compute_target.wait_for_completion(show_output=True, min_node_count=None)

# use get_status() to get a detailed status for the current cluster. 
# print(compute_target.get_status().serialize())
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
assert "Creating a new compute target..." in printed and found is False
assert compute_target.get_status().provisioning_state == "Succeeded"
assert cts == {} and list(ws.compute_targets) == [cluster_name]
