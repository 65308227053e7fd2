# v1 snippet: the DP-100 course's cluster, then its allocation state and node count
# repository: MicrosoftLearning/mslearn-dp100
# path: 07 - Work with Compute.ipynb
# commit: d82038dd1ffb2a2d0fa0f91dba7ca84099924eb4
# excerpt: cells 30, 34
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
from azureml.core.compute import ComputeTarget, AmlCompute
from azureml.core.compute_target import ComputeTargetException

cluster_name = "your-compute-cluster"

try:
    # Check for existing compute target
    training_cluster = ComputeTarget(workspace=ws, name=cluster_name)
    print('Found existing cluster, use it.')
except ComputeTargetException:
    # If it doesn't already exist, create it
    try:
        compute_config = AmlCompute.provisioning_configuration(vm_size='STANDARD_DS11_V2', max_nodes=2)
        training_cluster = ComputeTarget.create(ws, cluster_name, compute_config)
        training_cluster.wait_for_completion(show_output=True)
    except Exception as ex:
        print(ex)

cluster_state = training_cluster.get_status()
print(cluster_state.allocation_state, cluster_state.current_node_count)
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
assert printed.strip().splitlines()[-1] == "Steady 0"
assert cluster_state.allocation_state == "Steady" and cluster_state.current_node_count == 0
