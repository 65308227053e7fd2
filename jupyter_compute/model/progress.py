"""The progress model: what an operation is doing, read off the resource itself.

Pure functions of (action, resource body, elapsed, typical duration): phase word, fraction done,
node counts (their words are render/describe.py's), ETA from typical durations
(``data/durations.json``), and whether the operation has reached its end as seen on the resource.
The body is read only through :class:`~jupyter_compute.model.resource.Compute`; no I/O here, the
tracker feeds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .kinds import CLUSTER, INSTANCE
from .resource import INSTANCE_FAILED, TERMINAL, Compute, NodeCounts
from .resource import describe_state as describe_state
from .resource import is_transitional as is_transitional


@dataclass(frozen=True)
class Progress:
    phase: str = "Starting"
    fraction: float = 0.0
    current_nodes: int | None = None
    target_nodes: int | None = None
    node_states: Mapping[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    eta: float | None = None
    status: str = "InProgress"  # InProgress | Succeeded | Failed | Canceled


def typical_duration(action: str, compute_type: str, durations: Mapping[str, float], min_nodes: int = 0) -> float:
    cluster = compute_type == CLUSTER.compute_type
    instance = compute_type == INSTANCE.compute_type
    if action in ("create", "update"):
        if cluster:
            base = durations["cluster_create"] if action == "create" else durations["cluster_update"]
            return base + (durations["node_prepare"] if min_nodes else 0)
        if instance:
            if action == "update":  # its schedules or idle shutdown: the instance keeps running
                return durations["instance_update"]
            return durations["instance_create"] + durations["instance_setup"]
        return durations["attach"]
    if action == "attach":
        return durations["attach"]
    if action in ("delete", "detach"):
        return (
            durations["cluster_delete"]
            if cluster
            else durations["instance_delete"]
            if instance
            else durations["detach"]
        )
    if action in ("start", "stop", "restart"):
        return durations[f"instance_{action}"]
    if action == "resize":
        if instance:  # a stopped instance's new size
            return durations["instance_resize"]
        return durations["cluster_update"] + durations["node_prepare"]
    if action == "identity":
        return durations["identity_update"]
    return 30.0


def assess(action: str, resource: Mapping[str, Any] | None, elapsed: float, typical: float) -> tuple[Progress, bool]:
    """(progress, looks finished) for ``action`` given the latest resource body (None = absent).

    "Looks finished" is confirmed by the tracker with the operation's status URL where there is one,
    so a restart that has not yet left Running is not taken for done."""
    eta = max(typical - elapsed, 0.0)
    timed = min(elapsed / typical, 0.95) if typical > 0 else 0.5
    if action in ("delete", "detach"):
        if resource is None:
            return Progress("Deleted" if action == "delete" else "Detached", 1.0, elapsed=elapsed, eta=0.0), True
        return Progress("Deleting" if action == "delete" else "Detaching", timed, elapsed=elapsed, eta=eta), False
    if resource is None:
        return Progress("Waiting for the service", 0.0, elapsed=elapsed, eta=eta), False
    compute = Compute(resource)
    provisioning = compute.provisioning_state
    if provisioning in ("Failed", "Canceled"):
        return Progress(provisioning, 1.0, elapsed=elapsed, eta=0.0, status=provisioning), True
    if compute.compute_type == CLUSTER.compute_type:
        return _cluster(provisioning, compute.node_counts, elapsed, timed, eta)
    if compute.compute_type == INSTANCE.compute_type:
        return _instance(action, provisioning, compute.instance_state or provisioning, elapsed, timed, eta)
    if provisioning in TERMINAL:
        return Progress("Succeeded", 1.0, elapsed=elapsed, eta=0.0, status="Succeeded"), True
    return Progress(provisioning, timed, elapsed=elapsed, eta=eta), False


def _cluster(provisioning: str, nodes: NodeCounts, elapsed: float, timed: float, eta: float) -> tuple[Progress, bool]:
    current, target, states = nodes.current, nodes.target, nodes.states

    def at(phase: str, fraction: float, left: float = eta, status: str = "InProgress") -> Progress:
        return Progress(phase, fraction, current, target, states, elapsed, left, status)

    if provisioning not in TERMINAL:
        return at(provisioning, min(timed, 0.5)), False
    ready = states.get("idle", 0) + states.get("running", 0)
    if nodes.steady and current == target:
        return at("Succeeded", 1.0, 0.0, "Succeeded"), True
    if target >= current:
        return at("Allocating nodes", min(0.5 + 0.5 * (ready / target if target else 1.0), 0.97)), False
    return at("Releasing nodes", min(max(timed, 0.5), 0.97)), False


_INSTANCE_MOVING = frozenset({"Creating", "SettingUp", "Starting", "Stopping", "Restarting", "Resizing", "Deleting"})


def _instance(
    action: str, provisioning: str, state: str, elapsed: float, timed: float, eta: float
) -> tuple[Progress, bool]:
    if state in INSTANCE_FAILED:
        return Progress(state, 1.0, elapsed=elapsed, eta=0.0, status="Failed"), True
    goal = {"stop": "Stopped", "resize": "Stopped"}.get(action, "Running")
    # An update (schedules, idle shutdown) leaves the instance in the state it was in, running or not.
    settled = action == "update" and state not in _INSTANCE_MOVING
    if (state == goal or settled) and provisioning in TERMINAL:
        return Progress(state, 1.0, elapsed=elapsed, eta=0.0, status="Succeeded"), True
    phase = {"SettingUp": "Setting up"}.get(state, state)
    return Progress(phase, timed, elapsed=elapsed, eta=eta), False
