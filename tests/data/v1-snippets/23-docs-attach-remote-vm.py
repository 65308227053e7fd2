# v1 snippet: the v1 docs' remote VM attach (placeholders left in)
# repository: MicrosoftDocs/azure-docs
# path: articles/machine-learning/how-to-attach-compute-targets.md
# commit: 014bcff1b6be45da9d913bb24e2aa4d1d823fee5
# excerpt: the Python block of "Remote virtual machines", step Attach (list indentation removed)
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# raises: ComputeTargetException
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
from azureml.core.compute import RemoteCompute, ComputeTarget

# Create the compute config 
compute_target_name = "attach-dsvm"

attach_config = RemoteCompute.attach_configuration(resource_id='<resource_id>',
                                                ssh_port=22,
                                                username='<username>',
                                                password="<password>")

# Attach the compute
compute = ComputeTarget.attach(ws, compute_target_name, attach_config)

compute.wait_for_completion(show_output=True)
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
# as with v1 (the service refused it), the placeholder id fails; here before anything is sent
assert "resource_id" in raised.message and "<resource_id>" in raised.message
assert ws.compute_targets == {}
