# v1 snippet: a DSVM attached by address, then by a placeholder resource id
# repository: Azure/MachineLearningNotebooks
# path: how-to-use-azureml/training/train-on-remote-vm/train-on-remote-vm.ipynb
# commit: f1aff553c475be391acb2e5d4e4094867b5963c0
# excerpt: cells 23
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
    attach_config = RemoteCompute.attach_configuration(address=address,
                                                       ssh_port=22,
                                                       username=username,
                                                       private_key_file='./.ssh/id_rsa')


# Attaching a virtual machine using the public IP address of the VM is no longer supported.
# Instead, use resourceId of the VM.
# The resourceId of the VM can be constructed using the following string format:
# /subscriptions/<subscription_id>/resourceGroups/<resource_group>/providers/Microsoft.Compute/virtualMachines/<vm_name>.
# You can also use subscription_id, resource_group and vm_name without constructing resourceId.
    attach_config = RemoteCompute.attach_configuration(resource_id='<resource_id>',
                                                       ssh_port=22,
                                                       username='username',
                                                       private_key_file='./.ssh/id_rsa')
    
    attached_dsvm_compute = ComputeTarget.attach(ws, compute_target_name, attach_config)
    
    attached_dsvm_compute.wait_for_completion(show_output=True)
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
assert "address" in raised.message and "resource id" in raised.message
assert ws.compute_targets == {}
