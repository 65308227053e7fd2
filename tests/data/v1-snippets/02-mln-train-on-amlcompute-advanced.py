# v1 snippet: a cluster with every advanced setting, placeholders left in
# repository: Azure/MachineLearningNotebooks
# path: how-to-use-azureml/training/train-on-amlcompute/train-on-amlcompute.ipynb
# commit: f1aff553c475be391acb2e5d4e4094867b5963c0
# excerpt: cells 24
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# raises: ComputeTargetException
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
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
                                                           vm_priority='lowpriority',
                                                           min_nodes=2,
                                                           max_nodes=4,
                                                           idle_seconds_before_scaledown='300',
                                                           vnet_resourcegroup_name='<my-resource-group>',
                                                           vnet_name='<my-vnet-name>',
                                                           subnet_name='<my-subnet-name>',
                                                           admin_username='<my-username>',
                                                           admin_user_password='<my-password>',
                                                           admin_user_ssh_key='<my-sshkey>',
                                                           remote_login_port_public_access='enabled',
                                                           identity_type='UserAssigned',
                                                           identity_id=['<resource-id1>'])
    cpu_cluster = ComputeTarget.create(ws, cpu_cluster_name, compute_config)

cpu_cluster.wait_for_completion(show_output=True)
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
# v1 sent this and the service refused the placeholders; here nothing is sent and every problem is named
assert "identity" in raised.message and "Nothing was sent" in raised.message
assert ws.compute_targets == {}
