# v1 snippet: the v1 docs' Data Lake Analytics attach, from environment variables
# repository: MicrosoftDocs/azure-docs
# path: articles/machine-learning/how-to-attach-compute-targets.md
# commit: 014bcff1b6be45da9d913bb24e2aa4d1d823fee5
# excerpt: the Python block of "Azure Data Lake Analytics"
# environment: AML_ADLA_COMPUTE_NAME=adla; AML_ADLA_RESOURCE_GROUP=adla-rg; AML_ADLA_ACCOUNT_NAME=adla1
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
import os
from azureml.core.compute import ComputeTarget, AdlaCompute
from azureml.exceptions import ComputeTargetException


adla_compute_name = os.environ.get(
    "AML_ADLA_COMPUTE_NAME", "<adla_compute_name>")
adla_resource_group = os.environ.get(
    "AML_ADLA_RESOURCE_GROUP", "<adla_resource_group>")
adla_account_name = os.environ.get(
    "AML_ADLA_ACCOUNT_NAME", "<adla_account_name>")

try:
    adla_compute = ComputeTarget(workspace=ws, name=adla_compute_name)
    print('Compute target already exists')
except ComputeTargetException:
    print('compute not found')
    print('adla_compute_name {}'.format(adla_compute_name))
    print('adla_resource_id {}'.format(adla_resource_group))
    print('adla_account_name {}'.format(adla_account_name))
    # create attach config
    attach_config = AdlaCompute.attach_configuration(resource_group=adla_resource_group,
                                                     account_name=adla_account_name)
    # Attach ADLA
    adla_compute = ComputeTarget.attach(
        ws,
        adla_compute_name,
        attach_config
    )

    adla_compute.wait_for_completion(True)
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
assert isinstance(adla_compute, AdlaCompute) and adla_compute.provisioning_state == "Succeeded"
assert adla_compute.cluster_resource_id.endswith("/resourceGroups/adla-rg/providers/Microsoft.DataLakeAnalytics/accounts/adla1")
assert adla_compute.get_status() == "Succeeded"
