"""The local workspace's timeline: the state of a compute is a pure function of its events and the time.

Events (``events.Event``) are appended by writes (create, update, resize, stop, start, restart,
delete, detach) with the durations the writer chose; :func:`derive` replays them. Clusters allocate their
minimum nodes after creation (preparing -> idle), grow on resize and release surplus nodes
after the idle time (idle -> leaving -> gone). Instances go Creating -> SettingUp -> Running,
Stopping -> Stopped, Starting -> Running, Restarting -> Running. Everything ends in
Deleting -> gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .events import ENDINGS
from .store import ComputeRow

#: Where a stored body keeps what only the local workspace knows of a compute (never rendered): the OS image
#: an instance was created with (``image``) and the jobs marked on a cluster's nodes (``jobs``: node id -> run id).
LOCAL = "_local"
#: The OS image instances get until a newer one is published (``/_emulator/images``).
FIRST_IMAGE = "25.11.01"
TRANSITIONAL_INSTANCE = {"Creating", "SettingUp", "Starting", "Stopping", "Restarting", "Deleting", "Resizing"}
_SCALES = ("create", "resize", "update")  # the events that may set a cluster's minimum nodes


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Node:
    id: str
    prepare_at: float
    idle_at: float
    leave_at: float = float("inf")
    gone_at: float = float("inf")

    def state(self, now: float) -> str | None:
        if now < self.prepare_at or now >= self.gone_at:
            return None
        if now < self.idle_at:
            return "preparing"
        if now < self.leave_at:
            return "idle"
        return "leaving"


@dataclass
class Derived:
    """What a reader sees at ``now``: the resource body, or None once deletion has finished."""

    body: dict[str, Any] | None
    busy: str | None  # the transitional action in progress, if any
    nodes: list[tuple[Node, str]]


def cluster_nodes(row: ComputeRow, now: float, durations: dict[str, float]) -> tuple[list[Node], float]:
    """Replay create/resize events into node lifetimes; returns (nodes, ready time)."""
    create = row.events[0]
    ready = create.end
    prepare = durations["node_prepare"] if create.prepare is None else create.prepare
    leave = durations["node_leave"] if create.leave is None else create.leave
    nodes: list[Node] = []
    counter = 0
    for event in row.events:
        if event.kind not in _SCALES or event.failed or event.min is None:
            continue
        at = max(event.t + (event.delay or 0.0), ready)
        if at > now:
            break
        idle_seconds = 120.0 if event.idle is None else event.idle  # already divided by the writer's speed
        live = [n for n in nodes if n.leave_at == float("inf")]
        want = event.min
        for _ in range(max(0, want - len(live))):
            counter += 1
            nodes.append(Node(f"tvmps_{row.name}_{counter:04d}_d", at, at + prepare))
        for node in sorted(live, key=lambda n: n.prepare_at, reverse=True)[: max(0, len(live) - want)]:
            node.leave_at = max(at, node.idle_at) + idle_seconds
            node.gone_at = node.leave_at + leave
    return nodes, ready


def change_times(row: ComputeRow, durations: dict[str, float]) -> list[float]:
    """Every time at which :func:`derive`'s answer for ``row`` can change, in order; it is the same from
    one of these times until the next. (Writes that would reorder the timeline are refused while the
    compute is busy, so replaying every event at once gives the same node lifetimes as replaying them
    up to any time.)"""
    times = {t for event in row.events for t in (event.t, event.end, event.t + (event.delay or 0.0))}
    create = row.events[0]
    times.add(create.end - (create.setup or 0.0))
    nodes, _ = cluster_nodes(row, float("inf"), durations)
    times.update(t for node in nodes for t in (node.prepare_at, node.idle_at, node.leave_at, node.gone_at))
    return sorted(t for t in times if t != float("inf"))


def derive(row: ComputeRow, now: float, durations: dict[str, float]) -> Derived:
    """The compute as a reader sees it at ``now`` (a deep copy of the stored body, filled in)."""
    body = _copied(row.body)
    props = body.setdefault("properties", {})
    inner = (
        props.setdefault("properties", {})
        if props.get("computeType") not in ("SynapseSpark", "DataLakeAnalytics")
        else props.get("properties") or {}
    )
    create = row.events[0]
    created_at = create.t
    finished = create.end
    state = "Creating" if now < finished else ("Failed" if create.failed else "Succeeded")
    busy: str | None = "create" if now < finished else None
    modified = created_at if now < finished else finished
    for event in row.events[1:]:
        start = event.t
        if start > now:
            break
        end = event.end
        modified = max(modified, start if now < end else end)
        if event.kind in ENDINGS:
            if now >= end:
                return Derived(None, None, [])
            state, busy = "Deleting", event.kind
        elif event.kind == "update" and now < end:
            state, busy = "Updating", event.kind
    props["provisioningState"] = state
    props["createdOn"] = iso(created_at)
    props["modifiedOn"] = iso(modified)
    props.setdefault("isAttachedCompute", create.attached)
    if create.failed and now >= finished:
        props["provisioningErrors"] = [{"error": create.failed}]
    nodes: list[tuple[Node, str]] = []
    compute_type = props.get("computeType")
    if compute_type == "AmlCompute" and state != "Failed":
        nodes = _derive_cluster(row, inner, now, durations, state)
        if any(s in ("preparing", "leaving") for _, s in nodes) and busy is None:
            busy = "resize"
    elif compute_type == "ComputeInstance":
        ci_state = _derive_instance(row, inner, now, state)
        if ci_state in TRANSITIONAL_INSTANCE and busy is None:
            busy = ci_state.lower()
    return Derived(body, busy, nodes)


def _derive_cluster(
    row: ComputeRow, inner: dict[str, Any], now: float, durations: dict[str, float], state: str
) -> list[tuple[Node, str]]:
    nodes, ready = cluster_nodes(row, now, durations)
    jobs = (row.body.get(LOCAL) or {}).get("jobs") or {}
    live = [(n, "running" if s == "idle" and n.id in jobs else s) for n in nodes if (s := n.state(now)) is not None]
    counts = {k: 0 for k in ("idle", "running", "preparing", "unusable", "leaving", "preempted")}
    for _, node_state in live:
        counts[node_state] += 1
    scale = inner.get("scaleSettings") or {}
    target = int(scale.get("minNodeCount") or 0) if now >= ready else 0
    resizing = now < ready or any(s in ("preparing", "leaving") for _, s in live)
    transition = max([ready] + [t for n, _ in live for t in (n.prepare_at, n.idle_at, n.leave_at) if t <= now])
    inner["allocationState"] = "Resizing" if resizing else "Steady"
    inner["allocationStateTransitionTime"] = iso(transition)
    inner["currentNodeCount"] = len(live)
    inner["targetNodeCount"] = target
    inner["nodeStateCounts"] = {f"{k}NodeCount": v for k, v in counts.items()}
    inner["errors"] = None
    inner.setdefault("vmPriority", "Dedicated")
    inner.setdefault("osType", "Linux")
    if scale and "nodeIdleTimeBeforeScaleDown" not in scale:
        scale["nodeIdleTimeBeforeScaleDown"] = "PT2M"
    if inner.get("remoteLoginPortPublicAccess") == "NotSpecified":
        inner["remoteLoginPortPublicAccess"] = "Disabled" if inner.get("subnet") else "Enabled"
    inner.setdefault("propertyBag", {})
    return live


def _derive_instance(row: ComputeRow, inner: dict[str, Any], now: float, provisioning: str) -> str:
    create = row.events[0]
    t0 = create.t
    setup_at = create.end - (create.setup or 0.0)
    ready = create.end
    if provisioning == "Failed":
        ci_state, last = "CreateFailed", ("Create", t0, "CreateFailed")
    elif now < setup_at:
        ci_state, last = "Creating", ("Create", t0, "InProgress")
    elif now < ready:
        ci_state, last = "SettingUp", ("Create", t0, "InProgress")
    else:
        ci_state, last = "Running", ("Create", t0, "Succeeded")
    phases = {
        "stop": ("Stopping", "Stopped", "Stop"),
        "start": ("Starting", "Running", "Start"),
        "restart": ("Restarting", "Running", "Restart"),
        "delete": ("Deleting", "Deleting", "Delete"),
        "resize": ("Resizing", "Stopped", ""),  # lastOperation names no resize (its enum): it stays as it was
    }
    for event in row.events[1:]:
        start = event.t
        if start > now or event.kind not in phases:
            continue
        during, after, name = phases[event.kind]
        done = now >= event.end
        ci_state = after if done else during
        if name:
            last = (name, start, "Succeeded" if done else "InProgress")
    inner["state"] = ci_state
    inner["lastOperation"] = {
        "operationName": last[0],
        "operationTime": iso(last[1]),
        "operationStatus": last[2],
        "operationTrigger": "User",
    }
    _connectivity(row.name, str(row.body.get("location") or ""), inner, ci_state)
    inner.setdefault("applicationSharingPolicy", "Shared")
    inner.setdefault("computeInstanceAuthorizationType", "personal")
    inner.setdefault("enableSSO", True)
    for i, schedule in enumerate((inner.get("schedules") or {}).get("computeStartStop") or []):
        _as_the_service_keeps(schedule)
        schedule.setdefault("id", f"{row.name}-schedule-{i + 1}")  # read-only fields the service adds
        schedule.setdefault("provisioningStatus", "Completed")
    inner["errors"] = []
    inner["versions"] = {"runtime": "local"}
    image = str((row.body.get(LOCAL) or {}).get("image") or FIRST_IMAGE)
    # The latest is the service's, filled in when the resource is rendered (resources.render).
    inner["osImageMetadata"] = {
        "currentImageVersion": image,
        "latestImageVersion": image,
        "isLatestOsImageVersion": True,
    }
    return ci_state


def _as_the_service_keeps(schedule: dict[str, Any]) -> None:
    """A schedule as the service gives it back (recording: a create sent "stop", "week", "monday"; the GET
    gave "Stop", "Week", "Monday", and the other trigger's key as null)."""
    for key in ("action", "status", "triggerType"):
        if isinstance(schedule.get(key), str):
            schedule[key] = schedule[key][:1].upper() + schedule[key][1:]
    recurrence = schedule.get("recurrence")
    if isinstance(recurrence, dict):
        if isinstance(recurrence.get("frequency"), str):
            recurrence["frequency"] = recurrence["frequency"].capitalize()
        pattern = recurrence.get("schedule")
        if isinstance(pattern, dict) and isinstance(pattern.get("weekDays"), list):
            pattern["weekDays"] = [d.capitalize() if isinstance(d, str) else d for d in pattern["weekDays"]]
    schedule.setdefault("cron", None)
    schedule.setdefault("recurrence", None)


#: The instance states in which its VM exists: it has addresses (the recordings give a Stopped instance's too).
_HAS_VM = frozenset({"SettingUp", "Running", "Stopping", "Stopped", "Starting", "Restarting", "Deleting"})
#: The applications the service lists for an instance once it is set up (Running or Stopped alike), in its order.
APPLICATIONS = (("Jupyter", "tree/"), ("Jupyter Lab", "lab"))
#: The local addresses: loopback and a private one, never a real host.
PUBLIC_IP, PRIVATE_IP = "127.0.0.1", "10.0.0.4"
SSH_USER, SSH_PORT, SSH_PORT_CLOSED = "azureuser", 50000, 4001


def _connectivity(name: str, location: str, inner: dict[str, Any], ci_state: str) -> None:
    """How to reach an instance, as the service gives it (recordings): while it is being created, no
    addresses, no applications and no SSH user or port (``sshSettings`` as asked, else null); once its VM
    exists, its addresses (no public one when created with ``enableNodePublicIp: false``) and the SSH user
    and port (a port whether public SSH access is enabled or not); once set up, Running or Stopped alike,
    its applications at ``https://NAME.REGION.instances.azureml.ms/…``."""
    has_vm = ci_state in _HAS_VM
    public = has_vm and inner.get("enableNodePublicIp") is not False
    inner["connectivityEndpoints"] = {
        "publicIpAddress": PUBLIC_IP if public else None,
        "privateIpAddress": PRIVATE_IP if has_vm else None,
    }
    set_up = has_vm and ci_state != "SettingUp"
    host = f"{name}.{location}.instances.azureml.ms".lower()
    inner["applications"] = (
        [{"displayName": app, "endpointUri": f"https://{host}/{path}"} for app, path in APPLICATIONS] if set_up else []
    )
    if not has_vm:
        inner.setdefault("sshSettings", None)
        return
    ssh = inner["sshSettings"] = dict(inner.get("sshSettings") or {})
    ssh.setdefault("sshPublicAccess", "Disabled")
    ssh.setdefault("adminPublicKey", None)
    ssh["adminUserName"] = SSH_USER
    ssh["sshPort"] = SSH_PORT if ssh.get("sshPublicAccess") == "Enabled" else SSH_PORT_CLOSED


def settles_at(row: ComputeRow, durations: dict[str, float]) -> float:
    """From when on :func:`derive` answers the same for ``row`` whatever the time (its last change time)."""
    return change_times(row, durations)[-1]


def _copied(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, scalars): several times quicker than ``copy.deepcopy``."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    return value


def instance_state(derived: Derived) -> str | None:
    if derived.body is None:
        return None
    state = derived.body.get("properties", {}).get("properties", {}).get("state")
    return str(state) if state else None
