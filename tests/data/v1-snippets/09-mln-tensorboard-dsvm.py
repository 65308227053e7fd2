# v1 snippet: a DSVM attached by its address
# repository: Azure/MachineLearningNotebooks
# path: how-to-use-azureml/track-and-monitor-experiments/tensorboard/tensorboard/tensorboard.ipynb
# commit: f1aff553c475be391acb2e5d4e4094867b5963c0
# excerpt: cells 21
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# given: import os
# raises: ComputeTargetException
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
from azureml.core.compute import ComputeTarget, RemoteCompute
from azureml.core.compute_target import ComputeTargetException

username = os.getenv('AZUREML_DSVM_USERNAME', default='<my_username>')
address = os.getenv('AZUREML_DSVM_ADDRESS', default='<ip_address_or_fqdn>')

compute_target_name = 'cpudsvm'
# if you want to connect using SSH key instead of username/password you can provide parameters private_key_file and private_key_passphrase 
try:
    attached_dsvm_compute = RemoteCompute(workspace=ws, name=compute_target_name)
    print('found existing:', attached_dsvm_compute.name)
except ComputeTargetException:
    config = RemoteCompute.attach_configuration(username=username,
                                                address=address,
                                                ssh_port=22,
                                                private_key_file='./.ssh/id_rsa')
    attached_dsvm_compute = ComputeTarget.attach(ws, compute_target_name, config)
    
    attached_dsvm_compute.wait_for_completion(show_output=True)
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
# the service attaches a VM by resource id only: the message says so and how, nothing is sent
assert "resource id" in raised.message and "resource_id=" in raised.message and "Nothing was sent" in raised.message
assert ws.compute_targets == {}
