"""The progress model: what an operation is doing, read off the resource itself.

Pure functions of (action, compute type, resource body, elapsed): phase text, fraction done,
node counts, ETA from typical durations (``data/durations.json``), and whether the
operation has reached its end as seen on the resource. No I/O; the poller feeds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

TERMINAL = frozenset({"Succeeded", "Failed", "Canceled"})
PROVISIONING_DONE = frozenset({"Succeeded", "Failed", "Canceled"})
INSTANCE_TRANSITIONAL = frozenset(
    {"Creating", "SettingUp", "Starting", "Stopping", "Restarting", "Deleting", "Resizing", "UserSettingUp"}
)
INSTANCE_FAILED = frozenset({"CreateFailed", "SetupFailed", "UserSetupFailed", "Unusable"})


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

    @property
    def nodes_text(self) -> str:
        if self.target_nodes is None and self.current_nodes is None:
            return ""
        text = f"{self.current_nodes or 0}/{self.target_nodes or 0} nodes"
        busy = {k: v for k, v in self.node_states.items() if v and k != "idle"}
        if busy:
            text += " (" + ", ".join(f"{v} {k}" for k, v in busy.items()) + ")"
        return text


def typical_duration(action: str, compute_type: str, durations: Mapping[str, float], min_nodes: int = 0) -> float:
    cluster = compute_type == "AmlCompute"
    instance = compute_type == "ComputeInstance"
    if action in ("create", "update"):
        if cluster:
            base = durations["cluster_create"] if action == "create" else durations["cluster_update"]
            return base + (durations["node_prepare"] if min_nodes else 0)
        if instance:
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
        return durations["cluster_update"] + durations["node_prepare"]
    if action == "identity":
        return durations["identity_update"]
    return 30.0


def assess(action: str, resource: Mapping[str, Any] | None, elapsed: float, typical: float) -> tuple[Progress, bool]:
    """(progress, looks finished) for ``action`` given the latest resource body (None = absent).

    "Looks finished" is confirmed by the poller with the operation's status URL where there is one,
    so a restart that has not yet left Running is not taken for done."""
    eta = max(typical - elapsed, 0.0)
    timed = min(elapsed / typical, 0.95) if typical > 0 else 0.5
    if action in ("delete", "detach"):
        if resource is None:
            return Progress("Deleted" if action == "delete" else "Detached", 1.0, elapsed=elapsed, eta=0.0), True
        return Progress("Deleting" if action == "delete" else "Detaching", timed, elapsed=elapsed, eta=eta), False
    if resource is None:
        return Progress("Waiting for the service", 0.0, elapsed=elapsed, eta=eta), False
    props = resource.get("properties") or {}
    inner = props.get("properties") or {}
    provisioning = str(props.get("provisioningState") or "Unknown")
    compute_type = str(props.get("computeType") or "")
    if provisioning == "Failed":
        return Progress("Failed", 1.0, elapsed=elapsed, eta=0.0, status="Failed"), True
    if provisioning == "Canceled":
        return Progress("Canceled", 1.0, elapsed=elapsed, eta=0.0, status="Canceled"), True
    if compute_type == "AmlCompute":
        return _cluster(action, provisioning, inner, elapsed, typical, timed, eta)
    if compute_type == "ComputeInstance":
        return _instance(action, provisioning, inner, elapsed, timed, eta)
    if provisioning in PROVISIONING_DONE:
        return Progress("Succeeded", 1.0, elapsed=elapsed, eta=0.0, status="Succeeded"), True
    return Progress(provisioning, timed, elapsed=elapsed, eta=eta), False


def _cluster(
    action: str, provisioning: str, inner: Mapping[str, Any], elapsed: float, typical: float, timed: float, eta: float
) -> tuple[Progress, bool]:
    current = int(inner.get("currentNodeCount") or 0)
    target = int(inner.get("targetNodeCount") or 0)
    raw = inner.get("nodeStateCounts") or {}
    states = {k.replace("NodeCount", ""): int(v or 0) for k, v in raw.items()}

    def at(phase: str, fraction: float, left: float = eta, status: str = "InProgress") -> Progress:
        return Progress(phase, fraction, current, target, states, elapsed, left, status)

    if provisioning not in PROVISIONING_DONE:
        return at("Creating" if provisioning == "Creating" else provisioning, min(timed, 0.5)), False
    steady = inner.get("allocationState") != "Resizing"
    ready = states.get("idle", 0) + states.get("running", 0)
    if steady and current == target:
        return at("Succeeded", 1.0, 0.0, "Succeeded"), True
    if target >= current:
        return at(
            f"Allocating nodes: {ready} of {target} ready", min(0.5 + 0.5 * (ready / target if target else 1.0), 0.97)
        ), False
    return at(f"Releasing nodes: {current} of {target}", min(max(timed, 0.5), 0.97)), False


def _instance(
    action: str,
    provisioning: str,
    inner: Mapping[str, Any],
    elapsed: float,
    timed: float,
    eta: float,
) -> tuple[Progress, bool]:
    state = str(inner.get("state") or provisioning)
    if state in INSTANCE_FAILED:
        return Progress(state, 1.0, elapsed=elapsed, eta=0.0, status="Failed"), True
    goal = {"stop": "Stopped"}.get(action, "Running")
    if state == goal and provisioning in PROVISIONING_DONE:
        return Progress(state, 1.0, elapsed=elapsed, eta=0.0, status="Succeeded"), True
    phase = {"SettingUp": "Setting up"}.get(state, state)
    return Progress(phase, timed, elapsed=elapsed, eta=eta), False


def describe_state(resource: Mapping[str, Any]) -> str:
    """The one word a table shows for a compute."""
    props = resource.get("properties") or {}
    inner = props.get("properties") or {}
    provisioning = str(props.get("provisioningState") or "Unknown")
    if props.get("computeType") == "ComputeInstance" and inner.get("state"):
        return str(inner["state"])
    if provisioning != "Succeeded":
        return provisioning
    if props.get("computeType") == "AmlCompute" and inner.get("allocationState") == "Resizing":
        return "Resizing"
    return provisioning


def is_transitional(resource: Mapping[str, Any]) -> str | None:
    """The action a compute is in the middle of, judging by its state (for resuming), else None."""
    props = resource.get("properties") or {}
    inner = props.get("properties") or {}
    provisioning = str(props.get("provisioningState") or "")
    if provisioning == "Creating":
        return "create"
    if provisioning == "Deleting":
        return "delete"
    if provisioning == "Updating":
        return "update"
    if props.get("computeType") == "ComputeInstance":
        state = str(inner.get("state") or "")
        return {
            "Creating": "create",
            "SettingUp": "create",
            "Starting": "start",
            "Stopping": "stop",
            "Restarting": "restart",
            "Deleting": "delete",
        }.get(state)
    if props.get("computeType") == "AmlCompute" and inner.get("allocationState") == "Resizing":
        return "resize"
    return None
