# v1 snippet: the v1 docs' cluster with a system-assigned identity, then a user-assigned one added (placeholder left in)
# repository: MicrosoftDocs/azure-docs
# path: articles/machine-learning/v1/how-to-create-attach-compute-cluster.md
# commit: 043723cf3952067c102ea21779832fdeb672a419
# excerpt: the Python blocks "System assigned managed identity created in a workspace" and "User-assigned managed identity" of "Set up managed identity" (list indentation removed)
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# given: from azureml.core.compute import ComputeTarget, AmlCompute
# raises: ComputeTargetException
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
# configure cluster with a system-assigned managed identity
compute_config = AmlCompute.provisioning_configuration(vm_size='STANDARD_D2_V2',
                                                        max_nodes=5,
                                                        identity_type="SystemAssigned",
                                                        )
cpu_cluster_name = "cpu-cluster"
cpu_cluster = ComputeTarget.create(ws, cpu_cluster_name, compute_config)

# add a user-assigned managed identity
cpu_cluster.add_identity(identity_type="UserAssigned", 
                            identity_id=['/subscriptions/<subcription_id>/resourcegroups/<resource_group>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<user_assigned_identity>'])
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
# v1 sent the PATCH and raised the service's refusal; here the id is refused before sending
assert "<subcription_id>" in raised.message
cpu_cluster.wait_for_completion()
assert cpu_cluster.identity_type == "SystemAssigned"
