# v1 snippet: link a Synapse workspace, attach its Spark pool
# repository: Azure/MachineLearningNotebooks
# path: how-to-use-azureml/azure-synapse/spark_job_on_synapse_spark_pool.ipynb
# commit: f1aff553c475be391acb2e5d4e4094867b5963c0
# excerpt: cells 7, 10, 12
# environment: SYNAPSE_SUBSCRIPTION_ID=11111111-2222-3333-4444-555555555555; SYNAPSE_RESOURCE_GROUP=syn-rg; SYNAPSE_WORKSPACE_NAME=synws; SYNAPSE_LINKED_SERVICE_NAME=synlink; SYNAPSE_SPARK_POOL_NAME=pool1; SYNAPSE_COMPUTE_NAME=synspark
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# given: import os
# given: from azureml.core import LinkedService, SynapseWorkspaceLinkedServiceConfiguration
# given: from azureml.core.compute import ComputeTarget, AmlCompute, SynapseCompute
# given: from azureml.exceptions import ComputeTargetException
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----

# Replace with your resource info before running.

synapse_subscription_id=os.getenv("SYNAPSE_SUBSCRIPTION_ID", "<my-synapse-subscription-id>")
synapse_resource_group=os.getenv("SYNAPSE_RESOURCE_GROUP", "<my-synapse-resource-group>")
synapse_workspace_name=os.getenv("SYNAPSE_WORKSPACE_NAME", "<my-synapse-workspace-name>")
synapse_linked_service_name=os.getenv("SYNAPSE_LINKED_SERVICE_NAME", "<my-synapse-linked-service-name>")

synapse_link_config = SynapseWorkspaceLinkedServiceConfiguration(
    subscription_id=synapse_subscription_id,
    resource_group=synapse_resource_group,
    name=synapse_workspace_name
)

linked_service = LinkedService.register(
    workspace=ws,
    name=synapse_linked_service_name,
    linked_service_config=synapse_link_config)

LinkedService.list(ws)

synapse_spark_pool_name=os.getenv("SYNAPSE_SPARK_POOL_NAME", "<my-synapse-spark-pool-name>")
synapse_compute_name=os.getenv("SYNAPSE_COMPUTE_NAME", "<my-synapse-compute-name>")

attach_config = SynapseCompute.attach_configuration(
        linked_service,
        type="SynapseSpark",
        pool_name=synapse_spark_pool_name)

synapse_compute=ComputeTarget.attach(
        workspace=ws,
        name=synapse_compute_name,
        attach_configuration=attach_config)

synapse_compute.wait_for_completion()
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
assert type(synapse_compute).__name__ == "SynapseCompute" and synapse_compute.provisioning_state == "Succeeded"
assert synapse_compute.cluster_resource_id == (
    "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/syn-rg/providers/Microsoft.Synapse"
    "/workspaces/synws/bigDataPools/pool1"
)
assert LinkedService.list(ws) == [linked_service] and linked_service.name == "synlink"
assert LinkedService.get(ws, "synlink") is linked_service
