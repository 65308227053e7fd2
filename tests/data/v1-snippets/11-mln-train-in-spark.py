# v1 snippet: an HDInsight cluster with a placeholder resource id
# repository: Azure/MachineLearningNotebooks
# path: how-to-use-azureml/training/train-in-spark/train-in-spark.ipynb
# commit: f1aff553c475be391acb2e5d4e4094867b5963c0
# excerpt: cells 14
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# raises: NameError
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
from azureml.core.compute import ComputeTarget, HDInsightCompute
from azureml.exceptions import ComputeTargetException
import os

try:
# If you want to connect using SSH key instead of username/password you can provide parameters private_key_file and private_key_passphrase

# Attaching a HDInsight cluster using the public address of the HDInsight cluster is no longer supported.
# Instead, use resourceId of the HDInsight cluster.
# The resourceId of the HDInsight Cluster can be constructed using the following string format:
# /subscriptions/<subscription_id>/resourceGroups/<resource_group>/providers/Microsoft.HDInsight/clusters/<cluster_name>.
# You can also use subscription_id, resource_group and cluster_name without constructing resourceId.
    attach_config = HDInsightCompute.attach_configuration(resource_id='<resource_id>',
                                                          ssh_port=22,
                                                          username=os.environ.get('hdiusername', '<ssh_username>'),
                                                          password=os.environ.get('hdipassword', '<my_password>'))

    hdi_compute = ComputeTarget.attach(workspace=ws, 
                                       name='myhdi', 
                                       attach_configuration=attach_config)

except ComputeTargetException as e:
    print("Caught = {}".format(e.message))
    
        
hdi_compute.wait_for_completion(show_output=True)
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
# as in v1: the attach fails, the except prints e.message, and the last line finds no hdi_compute
assert printed.startswith("Caught = ") and "resource_id" in printed
assert ws.compute_targets == {}
