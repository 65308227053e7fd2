# v1 snippet: the v1 docs' low-priority cluster configuration
# repository: MicrosoftDocs/azure-docs
# path: articles/machine-learning/v1/how-to-create-attach-compute-cluster.md
# commit: 043723cf3952067c102ea21779832fdeb672a419
# excerpt: the Python block of "Lower your compute cluster cost"
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# given: from azureml.core.compute import ComputeTarget, AmlCompute
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
compute_config = AmlCompute.provisioning_configuration(vm_size='STANDARD_D2_V2',
                                                            vm_priority='lowpriority',
                                                            max_nodes=4)
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
from azureml.exceptions import ComputeTargetException

cluster = ComputeTarget.create(ws, "lowpri-cluster", compute_config)
cluster.wait_for_completion(show_output=False)
assert cluster.get_status().vm_priority == "LowPriority"
# v1 checked nothing before its PUT: the same name with other settings is refused at once, not at the wait
other = AmlCompute.provisioning_configuration(vm_size='STANDARD_D2_V2', vm_priority='lowpriority', max_nodes=2)
try:
    ComputeTarget.create(ws, "lowpri-cluster", other)
except ComputeTargetException as exc:
    assert "already exists with other settings" in exc.message
else:
    raise AssertionError("a create over a different cluster did not raise")
