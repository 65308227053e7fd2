# v1 snippet: the Arc Kubernetes how-to (preview docs): attach by resource id, print the status
# repository: MicrosoftDocs/azure-docs
# path: articles/machine-learning/how-to-attach-arc-kubernetes.md
# commit: 03cffbaddc476c7d3915f8e6c270a9fef11515bb
# excerpt: the first Python block of "Attach Arc Cluster" (Python SDK tab)
# given: from azureml.core.workspace import Workspace
# raises: ComputeTargetException
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
from azureml.core.compute import KubernetesCompute
from azureml.core.compute import ComputeTarget
import os

ws = Workspace.from_config()

# choose a name for your Azure Arc-enabled Kubernetes compute
amlarc_compute_name = os.environ.get("AML_COMPUTE_CLUSTER_NAME", "amlarc-compute")

# resource ID for your Azure Arc-enabled Kubernetes cluster
resource_id = "/subscriptions/123/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/amlarc-cluster"

if amlarc_compute_name in ws.compute_targets:
    amlarc_compute = ws.compute_targets[amlarc_compute_name]
    if amlarc_compute and type(amlarc_compute) is KubernetesCompute:
        print("found compute target: " + amlarc_compute_name)
else:
    print("creating new compute target...")

    amlarc_attach_configuration = KubernetesCompute.attach_configuration(resource_id) 
    amlarc_compute = ComputeTarget.attach(ws, amlarc_compute_name, amlarc_attach_configuration)

 
    amlarc_compute.wait_for_completion(show_output=True)
    
     # For a more detailed view of current KubernetesCompute status, use get_status()
    print(amlarc_compute.get_status().serialize())
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
# the docs' example id has no subscription GUID ("123"): v1 sent it and the service refused; here nothing is sent
assert printed == "creating new compute target...\n"
assert "/subscriptions/123/" in raised.message and "resource id" in raised.message
