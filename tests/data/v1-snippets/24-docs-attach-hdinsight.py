# v1 snippet: the v1 docs' HDInsight attach (placeholders left in)
# repository: MicrosoftDocs/azure-docs
# path: articles/machine-learning/how-to-attach-compute-targets.md
# commit: 014bcff1b6be45da9d913bb24e2aa4d1d823fee5
# excerpt: the Python block of "Azure HDInsight", step Attach (list indentation removed)
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# raises: NameError
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
from azureml.core.compute import ComputeTarget, HDInsightCompute
from azureml.exceptions import ComputeTargetException

try:
 # if you want to connect using SSH key instead of username/password you can provide parameters private_key_file and private_key_passphrase

 attach_config = HDInsightCompute.attach_configuration(resource_id='<resource_id>',
                                                       ssh_port=22, 
                                                       username='<ssh-username>', 
                                                       password='<ssh-pwd>')
 hdi_compute = ComputeTarget.attach(workspace=ws, 
                                    name='myhdi', 
                                    attach_configuration=attach_config)

except ComputeTargetException as e:
 print("Caught = {}".format(e.message))

hdi_compute.wait_for_completion(show_output=True)
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
assert printed.startswith("Caught = ") and "<resource_id>" in printed
assert ws.compute_targets == {}
