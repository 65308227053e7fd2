# v1 snippet: a low-priority GPU cluster for batch scoring
# repository: Azure/MachineLearningNotebooks
# path: tutorials/machine-learning-pipelines-advanced/tutorial-pipeline-batch-scoring-classification.ipynb
# commit: f1aff553c475be391acb2e5d4e4094867b5963c0
# excerpt: cells 20
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
from azureml.core.compute import AmlCompute, ComputeTarget
from azureml.exceptions import ComputeTargetException
compute_name = "gpu-cluster"

# checks to see if compute target already exists in workspace, else create it
try:
    compute_target = ComputeTarget(workspace=ws, name=compute_name)
except ComputeTargetException:
    config = AmlCompute.provisioning_configuration(vm_size="Standard_NC6s_v3",
                                                   vm_priority="lowpriority", 
                                                   min_nodes=0, 
                                                   max_nodes=2)

    compute_target = ComputeTarget.create(workspace=ws, name=compute_name, provisioning_configuration=config)
    compute_target.wait_for_completion(show_output=True, min_node_count=None, timeout_in_minutes=20)
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
assert compute_target.get_status().vm_priority == "LowPriority"
assert compute_target.vm_priority == "LowPriority" and compute_target.vm_size.lower() == "standard_nc6s_v3"
