# v1 snippet: the v1 docs' Azure Batch attach
# repository: MicrosoftDocs/azure-docs
# path: articles/machine-learning/how-to-attach-compute-targets.md
# commit: 014bcff1b6be45da9d913bb24e2aa4d1d823fee5
# excerpt: the Python block of "Azure Batch"
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# raises: ComputeTargetException
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
from azureml.core.compute import ComputeTarget, BatchCompute
from azureml.exceptions import ComputeTargetException

# Name to associate with new compute in workspace
batch_compute_name = 'mybatchcompute'

# Batch account details needed to attach as compute to workspace
batch_account_name = "<batch_account_name>"  # Name of the Batch account
# Name of the resource group which contains this account
batch_resource_group = "<batch_resource_group>"

try:
    # check if the compute is already attached
    batch_compute = BatchCompute(ws, batch_compute_name)
except ComputeTargetException:
    print('Attaching Batch compute...')
    provisioning_config = BatchCompute.attach_configuration(
        resource_group=batch_resource_group, account_name=batch_account_name)
    batch_compute = ComputeTarget.attach(
        ws, batch_compute_name, provisioning_config)
    batch_compute.wait_for_completion()
    print("Provisioning state:{}".format(batch_compute.provisioning_state))
    print("Provisioning errors:{}".format(batch_compute.provisioning_errors))

print("Using Batch compute:{}".format(batch_compute.cluster_resource_id))
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
# the service has no Batch compute any more: the message says what to use instead, in v1 terms
assert printed == "Attaching Batch compute...\n"
assert "no longer accepts Batch" in raised.message and "AmlCompute.provisioning_configuration" in raised.message
