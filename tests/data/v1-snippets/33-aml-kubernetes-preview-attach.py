# v1 snippet: the Azure ML Kubernetes preview's SDK attach (azureml-contrib-k8s), then detach
# repository: Azure/AML-Kubernetes
# path: docs/attach-kubernetes-sdk.md
# commit: 0b4cc4aa4c5810213fda2c3369406695f1ce5bc7
# excerpt: the code blocks of "Set up WS configuration", "Attach Kubernetes compute compute via SDK" and "Detach Kubernetes compute via SDK"
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
from azureml.core.workspace import Workspace

ws = Workspace.from_config()
print('Workspace name: ' + ws.name,
      'Azure region: ' + ws.location,
      'Subscription id: ' + ws.subscription_id,
      'Resource group: ' + ws.resource_group, sep='\n')

from azureml.contrib.core.compute.kubernetescompute import KubernetesCompute

k8s_config = {
}

attach_config = KubernetesCompute.attach_configuration(
    resource_id="/subscriptions/5abfd9c4-ec8c-4db9-acd4-c762dce93508/resourceGroups/aks-eng-rg/providers/Microsoft.Kubernetes/connectedClusters/arcAksE",
    aml_k8s_config=k8s_config
)

compute_target = KubernetesCompute.attach(ws, "saurya-compute", attach_config)
compute_target.wait_for_completion(show_output=True)

compute_target.detach()
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
assert printed.startswith("Workspace name: local\nAzure region: ")
assert 'Provisioning operation finished, operation "Succeeded"' in printed
assert type(compute_target).__name__ == "KubernetesCompute"
compute_target.wait_for_completion(is_delete_operation=True)
assert ws.compute_targets == {}
