# v1 snippet: the Synapse notebook's one-node CPU cluster
# repository: Azure/MachineLearningNotebooks
# path: how-to-use-azureml/azure-synapse/spark_job_on_synapse_spark_pool.ipynb
# commit: f1aff553c475be391acb2e5d4e4094867b5963c0
# excerpt: cells 31
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# given: from azureml.core.compute import ComputeTarget, AmlCompute
# given: from azureml.exceptions import ComputeTargetException
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
# Choose a name for your CPU cluster
cpu_cluster_name = "cpucluster"

# Verify that cluster does not exist already
try:
    cpu_cluster = ComputeTarget(workspace=ws, name=cpu_cluster_name)
    print('Found existing cluster, use it.')
except ComputeTargetException:
    compute_config = AmlCompute.provisioning_configuration(vm_size='STANDARD_D2_V2',
                                                           max_nodes=1)
    cpu_cluster = ComputeTarget.create(ws, cpu_cluster_name, compute_config)

cpu_cluster.wait_for_completion(show_output=True)
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
assert type(cpu_cluster).__name__ == "AmlCompute" and cpu_cluster.get_status().scale_settings.maximum_node_count == 1
