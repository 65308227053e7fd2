# v1 snippet: a Data Lake Analytics account by resource group and name (placeholders left in)
# repository: Azure/MachineLearningNotebooks
# path: how-to-use-azureml/machine-learning-pipelines/intro-to-pipelines/aml-pipelines-use-adla-as-compute-target.ipynb
# commit: f1aff553c475be391acb2e5d4e4094867b5963c0
# excerpt: cells 8
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# given: from azureml.exceptions import ComputeTargetException
# given: from azureml.core.compute import ComputeTarget, AdlaCompute
# raises: ComputeTargetException
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
adla_compute_name = 'testadl' # Name to associate with new compute in workspace

# ADLA account details needed to attach as compute to workspace
adla_account_name = "<adla_account_name>" # Name of the Azure Data Lake Analytics account
adla_resource_group = "<adla_resource_group>" # Name of the resource group which contains this account

try:
    # check if already attached
    adla_compute = AdlaCompute(ws, adla_compute_name)
except ComputeTargetException:
    print('attaching adla compute...')
    attach_config = AdlaCompute.attach_configuration(resource_group=adla_resource_group, account_name=adla_account_name)
    adla_compute = ComputeTarget.attach(ws, adla_compute_name, attach_config)
    adla_compute.wait_for_completion()

print("Using ADLA compute:{}".format(adla_compute.cluster_resource_id))
print("Provisioning state:{}".format(adla_compute.provisioning_state))
print("Provisioning errors:{}".format(adla_compute.provisioning_errors))
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
assert "attaching adla compute..." in printed and "resource_group" in raised.message
