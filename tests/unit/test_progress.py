"""The progress model and the one reader of a compute body, table-driven: (action, body, elapsed) -> progress."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from jupyter_compute.model.progress import Progress, assess
from jupyter_compute.model.resource import Compute, NodeCounts
from jupyter_compute.render.describe import nodes_phrase

TYPICAL = 100.0


def cluster(state: str = "Succeeded", current: int = 0, target: int = 0, resizing: bool = False, **counts: int) -> Any:
    return {
        "name": "cpu",
        "properties": {
            "computeType": "AmlCompute",
            "provisioningState": state,
            "properties": {
                "currentNodeCount": current,
                "targetNodeCount": target,
                "allocationState": "Resizing" if resizing else "Steady",
                "nodeStateCounts": {f"{k}NodeCount": v for k, v in counts.items()},
            },
        },
    }


def instance(state: str, provisioning: str = "Succeeded") -> Any:
    return {
        "name": "ci",
        "properties": {
            "computeType": "ComputeInstance",
            "provisioningState": provisioning,
            "properties": {"state": state},
        },
    }


def attached(provisioning: str) -> Any:
    return {"name": "k8s", "properties": {"computeType": "Kubernetes", "provisioningState": provisioning}}


@dataclass(frozen=True)
class Case:
    action: str
    body: Any
    elapsed: float
    phase: str
    fraction: float
    status: str
    finished: bool
    nodes: str = ""


CASES = {
    "delete, still listed": Case("delete", cluster(), 25, "Deleting", 0.25, "InProgress", False),
    "delete, gone": Case("delete", None, 25, "Deleted", 1.0, "InProgress", True),
    "detach, still listed": Case("detach", attached("Succeeded"), 50, "Detaching", 0.5, "InProgress", False),
    "detach, gone": Case("detach", None, 50, "Detached", 1.0, "InProgress", True),
    "create, not listed yet": Case("create", None, 10, "Waiting for the service", 0.0, "InProgress", False),
    "provisioning failed": Case("create", cluster("Failed"), 10, "Failed", 1.0, "Failed", True),
    "provisioning canceled": Case("create", instance("Creating", "Canceled"), 10, "Canceled", 1.0, "Canceled", True),
    "cluster creating": Case("create", cluster("Creating"), 30, "Creating", 0.3, "InProgress", False, "no nodes"),
    "cluster creating, slow": Case(
        "create", cluster("Creating"), 300, "Creating", 0.5, "InProgress", False, "no nodes"
    ),
    "cluster allocating": Case(
        "create",
        cluster("Succeeded", 2, 2, True, idle=1, preparing=1),
        40,
        "Allocating nodes",
        0.75,
        "InProgress",
        False,
        "1 of 2 nodes ready, 1 preparing",
    ),
    "cluster releasing": Case(
        "resize",
        cluster("Succeeded", 3, 1, True, idle=3),
        20,
        "Releasing nodes",
        0.5,
        "InProgress",
        False,
        "3 nodes, going down to 1",
    ),
    "cluster steady": Case(
        "create", cluster("Succeeded", 2, 2, idle=2), 40, "Succeeded", 1.0, "Succeeded", True, "2 of 2 nodes ready"
    ),
    "cluster steady, no nodes": Case(
        "create", cluster("Succeeded"), 40, "Succeeded", 1.0, "Succeeded", True, "no nodes"
    ),
    "instance setting up": Case(
        "create", instance("SettingUp", "Creating"), 50, "Setting up", 0.5, "InProgress", False
    ),
    "instance running": Case("create", instance("Running"), 50, "Running", 1.0, "Succeeded", True),
    "instance still running when stopping": Case("stop", instance("Running"), 10, "Running", 0.1, "InProgress", False),
    "instance stopped": Case("stop", instance("Stopped"), 10, "Stopped", 1.0, "Succeeded", True),
    "instance restarting": Case("restart", instance("Restarting"), 200, "Restarting", 0.95, "InProgress", False),
    "instance setup failed": Case("create", instance("SetupFailed"), 10, "SetupFailed", 1.0, "Failed", True),
    "instance unusable": Case("start", instance("Unusable"), 10, "Unusable", 1.0, "Failed", True),
    "attached, creating": Case("attach", attached("Creating"), 20, "Creating", 0.2, "InProgress", False),
    "attached, succeeded": Case("attach", attached("Succeeded"), 20, "Succeeded", 1.0, "Succeeded", True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_assess(name: str) -> None:
    case = CASES[name]
    progress, finished = assess(case.action, case.body, case.elapsed, TYPICAL)
    assert (progress.phase, progress.status, finished) == (case.phase, case.status, case.finished)
    assert progress.fraction == pytest.approx(case.fraction)
    assert nodes_phrase(progress.current_nodes, progress.target_nodes, progress.node_states) == case.nodes
    assert progress.elapsed == case.elapsed
    assert progress.eta == (0.0 if progress.fraction == 1.0 else max(TYPICAL - case.elapsed, 0.0))


def test_no_typical_duration_still_gives_a_fraction() -> None:
    progress, _ = assess("create", cluster("Creating"), 10, 0.0)
    assert progress == Progress("Creating", 0.5, 0, 0, {}, 10, 0.0)


@pytest.mark.parametrize(
    "body,state,transitional",
    [
        (cluster("Creating"), "Creating", "create"),
        (cluster("Deleting"), "Deleting", "delete"),
        (cluster("Updating"), "Updating", "update"),
        (cluster("Succeeded"), "Succeeded", None),
        (cluster("Succeeded", 1, 2, True), "Resizing", "resize"),
        (cluster("Failed"), "Failed", None),
        (instance("SettingUp", "Succeeded"), "SettingUp", "create"),
        (instance("Starting"), "Starting", "start"),
        (instance("Stopping"), "Stopping", "stop"),
        (instance("Restarting"), "Restarting", "restart"),
        (instance("Stopped"), "Stopped", None),
        (instance("Running", "Creating"), "Running", "create"),
        (attached("Succeeded"), "Succeeded", None),
        ({"name": "x", "properties": {}}, "Unknown", None),
        ({"name": "x"}, "Unknown", None),
    ],
)
def test_the_state_word_and_the_action_under_way(body: Any, state: str, transitional: str | None) -> None:
    compute = Compute(body)
    assert (compute.state, compute.transitional) == (state, transitional)


def test_node_counts_are_read_once() -> None:
    counts = Compute(cluster("Succeeded", 3, 1, True, idle=2, leaving=1)).node_counts
    assert counts == NodeCounts(3, 1, {"idle": 2, "leaving": 1}, False)
    assert Compute(instance("Running")).node_counts == NodeCounts()


@pytest.mark.parametrize(
    "props,error",
    [
        ({"provisioningErrors": [{"error": {"code": "A"}}]}, {"error": {"code": "A"}}),
        ({"properties": {"errors": [{"code": "B"}]}}, {"code": "B"}),
        ({"provisioningErrors": ["not an object"]}, None),
        ({"provisioningErrors": []}, None),
        ({}, None),
    ],
)
def test_the_provisioning_error_is_the_first_one_reported(props: dict[str, Any], error: Any) -> None:
    assert Compute({"properties": {"provisioningState": "Failed", **props}}).provisioning_error == error
