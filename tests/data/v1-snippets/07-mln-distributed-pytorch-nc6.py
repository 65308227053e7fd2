# v1 snippet: the same notebook before 2023: the retired STANDARD_NC6
# repository: Azure/MachineLearningNotebooks
# path: how-to-use-azureml/ml-frameworks/pytorch/distributed-pytorch-with-distributeddataparallel/distributed-pytorch-with-distributeddataparallel.ipynb
# commit: d0961b98bf60a97abac6e9a1339b9a721427fd66
# excerpt: cells 10
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# raises: ComputeTargetException
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
from azureml.core.compute import ComputeTarget, AmlCompute
from azureml.core.compute_target import ComputeTargetException

# choose a name for your cluster
cluster_name = 'gpu-cluster'

try:
    compute_target = ComputeTarget(workspace=ws, name=cluster_name)
    print('Found existing compute target.')
except ComputeTargetException:
    print('Creating a new compute target...')
    compute_config = AmlCompute.provisioning_configuration(vm_size='STANDARD_NC6',
                                                           max_nodes=4)

    # create the cluster
    compute_target = ComputeTarget.create(ws, cluster_name, compute_config)

    compute_target.wait_for_completion(show_output=True)

# use get_status() to get a detailed status for the current AmlCompute. 
print(compute_target.get_status().serialize())
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
# Azure retired the NC series: the message says so and what to write instead, before anything is sent
assert "retired" in raised.message and "vm_size='Standard_NC6s_v3'" in raised.message
assert ws.compute_targets == {}
