# v1 snippet: list compute targets, then AmlCompute(ws, name) or create with a node up
# repository: Azure/MachineLearningNotebooks
# path: how-to-use-azureml/machine-learning-pipelines/intro-to-pipelines/aml-pipelines-getting-started.ipynb
# commit: f1aff553c475be391acb2e5d4e4094867b5963c0
# excerpt: cells 17, 19
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
cts = ws.compute_targets
for ct in cts:
    print(ct)

from azureml.core.compute import ComputeTarget, AmlCompute
from azureml.core.compute_target import ComputeTargetException

aml_compute_target = "cpu-cluster"
try:
    aml_compute = AmlCompute(ws, aml_compute_target)
    print("found existing compute target.")
except ComputeTargetException:
    print("creating new compute target")
    
    provisioning_config = AmlCompute.provisioning_configuration(vm_size = "STANDARD_D2_V2",
                                                                min_nodes = 1, 
                                                                max_nodes = 4)    
    aml_compute = ComputeTarget.create(ws, aml_compute_target, provisioning_config)
    aml_compute.wait_for_completion(show_output=True, min_node_count=None, timeout_in_minutes=20)
    
print("Azure Machine Learning Compute attached")
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
assert "creating new compute target" in printed and "Azure Machine Learning Compute attached" in printed
status = aml_compute.get_status()
assert status.current_node_count >= 1 and status.scale_settings.minimum_node_count == 1
