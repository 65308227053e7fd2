# v1 snippet: a GPU cluster for Ray, found by ws.compute_targets or created
# repository: Azure/MachineLearningNotebooks
# path: how-to-use-azureml/reinforcement-learning/atari-on-distributed-compute/pong_rllib.ipynb
# commit: f1aff553c475be391acb2e5d4e4094867b5963c0
# excerpt: cells 13
# given: from azureml.core import Workspace
# given: ws = Workspace.from_config()
# ---- quoted: the source's code as it is; the test harness changes only its azureml imports ----
from azureml.core.compute import AmlCompute, ComputeTarget

# Choose a name for the Ray cluster
compute_name = 'compute-gpu'
compute_min_nodes = 0
compute_max_nodes = 2

# This example uses GPU VM.
vm_size = 'Standard_NC6s_v3'

if compute_name in ws.compute_targets:
    compute_target = ws.compute_targets[compute_name]
    if compute_target and type(compute_target) is AmlCompute:
        if compute_target.provisioning_state == 'Succeeded':
            print('found compute target. just use it', compute_name)
        else: 
            raise Exception(
                'found compute target but it is in state', compute_target.provisioning_state)
else:
    print('creating a new compute target...')
    provisioning_config = AmlCompute.provisioning_configuration(
        vm_size=vm_size,
        min_nodes=compute_min_nodes, 
        max_nodes=compute_max_nodes,
    )

    # Create the cluster
    compute_target = ComputeTarget.create(ws, compute_name, provisioning_config)
    
    # Can poll for a minimum number of nodes and for a specific timeout. 
    # If no min node count is provided it will use the scale settings for the cluster
    compute_target.wait_for_completion(show_output=True, min_node_count=None, timeout_in_minutes=20)
    
    # For a more detailed view of current AmlCompute status, use get_status()
    print(compute_target.get_status().serialize())
# ---- checks: ours, not the source's; run after it with `printed` (its output) and `raised` ----
import ast
assert "creating a new compute target..." in printed
status = ast.literal_eval(printed.strip().splitlines()[-1])
assert set(status) == AML_STATUS_KEYS and status["vmSize"].lower() == "standard_nc6s_v3"
