# v1 snippet: create a CPU cluster if missing, wait, read its detailed status
# repository: Azure/MachineLearningNotebooks
# path: how-to-use-azureml/training/train-on-amlcompute/train-on-amlcompute.ipynb
# commit: f1aff553c475be391acb2e5d4e4094867b5963c0
# excerpt: cells 6, 17, 30
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
from azureml.core import Workspace

ws = Workspace.from_config()
print(ws.name, ws.resource_group, ws.location, ws.subscription_id, sep = '\n')

from azureml.core.compute import ComputeTarget, AmlCompute
from azureml.core.compute_target import ComputeTargetException

# Choose a name for your CPU cluster
cpu_cluster_name = "cpu-cluster"

# Verify that cluster does not exist already
try:
    cpu_cluster = ComputeTarget(workspace=ws, name=cpu_cluster_name)
    print('Found existing cluster, use it.')
except ComputeTargetException:
    compute_config = AmlCompute.provisioning_configuration(vm_size='STANDARD_D2_V2',
                                                           max_nodes=4)
    cpu_cluster = ComputeTarget.create(ws, cpu_cluster_name, compute_config)

cpu_cluster.wait_for_completion(show_output=True)

#get_status () gets the latest status of the AmlCompute target
cpu_cluster.get_status().serialize()
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
assert printed.splitlines()[:4] == [ws.name, ws.resource_group, ws.location, ws.subscription_id]
assert type(cpu_cluster).__name__ == "AmlCompute" and cpu_cluster.provisioning_state == "Succeeded"
assert 'Provisioning operation finished, operation "Succeeded"' in printed
assert "Minimum number of nodes requested have been provisioned" in printed
status = cpu_cluster.get_status()
assert set(status.serialize()) == AML_STATUS_KEYS
assert set(status.serialize()["nodeStateCounts"]) == NODE_STATE_KEYS
assert status.scale_settings.maximum_node_count == 4 and status.scale_settings.minimum_node_count == 0
assert status.vm_size.lower() == "standard_d2_v2" and status.vm_priority == "Dedicated"
assert status.allocation_state == "Steady" and status.current_node_count == 0
