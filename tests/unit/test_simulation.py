"""The local workspace's timeline, replayed at fixed times: given a compute's events, what a reader sees.

Each row of the tables is (seconds after the create, what the resource says then). Durations are
the writer's (already divided by the speed), so the times here are exact."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_compute.local.events import Event
from jupyter_compute.local.simulation import change_times, derive, instance_state
from jupyter_compute.local.store import ComputeRow

DURATIONS = {"node_prepare": 30.0, "node_leave": 10.0}  # the fallbacks; create events carry their own
GONE = None


def cluster(*later: Event, min_nodes: int = 2, failed: dict[str, Any] | None = None) -> ComputeRow:
    body = {
        "properties": {
            "computeType": "AmlCompute",
            "properties": {"vmSize": "Standard_D1_v2", "scaleSettings": {"minNodeCount": min_nodes, "maxNodeCount": 4}},
        }
    }
    create = Event(0.0, "create", 20.0, min=min_nodes, idle=120.0, prepare=30.0, leave=10.0, failed=failed)
    return ComputeRow("ws", "cl", body, [create, *later], 0.0)


def instance(*later: Event) -> ComputeRow:
    body = {"properties": {"computeType": "ComputeInstance", "properties": {"vmSize": "Standard_DS3_v2"}}}
    return ComputeRow("ws", "ci", body, [Event(0.0, "create", 65.0, setup=20.0), *later], 0.0)


def attached(*later: Event) -> ComputeRow:
    body = {"properties": {"computeType": "VirtualMachine", "resourceId": "/subscriptions/x/vm"}}
    return ComputeRow("ws", "vm", body, [Event(0.0, "create", 6.0, attached=True), *later], 0.0)


def cluster_view(row: ComputeRow, t: float) -> tuple[Any, ...] | None:
    derived = derive(row, t, DURATIONS)
    if derived.body is None:
        return GONE
    props = derived.body["properties"]
    inner = props["properties"]
    counts = {k[: -len("NodeCount")]: v for k, v in (inner.get("nodeStateCounts") or {}).items() if v}
    return (
        props["provisioningState"],
        derived.busy,
        inner.get("allocationState"),
        inner.get("currentNodeCount"),
        inner.get("targetNodeCount"),
        counts,
    )


RESIZED = cluster(Event(100.0, "resize", 8.0, min=0, idle=60.0))

CLUSTER_TIMELINE = [
    # creating: no nodes yet, the allocation is resizing towards nothing
    (RESIZED, 0.0, ("Creating", "create", "Resizing", 0, 0, {})),
    (RESIZED, 19.9, ("Creating", "create", "Resizing", 0, 0, {})),
    # created: the minimum nodes prepare (30 s), which reads as a resize in progress
    (RESIZED, 20.0, ("Succeeded", "resize", "Resizing", 2, 2, {"preparing": 2})),
    (RESIZED, 49.9, ("Succeeded", "resize", "Resizing", 2, 2, {"preparing": 2})),
    (RESIZED, 50.0, ("Succeeded", None, "Steady", 2, 2, {"idle": 2})),
    # resized to 0 at 100 with 60 s idle: the surplus nodes stay idle until 160, leave for 10 s, then are gone
    (RESIZED, 159.9, ("Succeeded", None, "Steady", 2, 2, {"idle": 2})),
    (RESIZED, 160.0, ("Succeeded", "resize", "Resizing", 2, 2, {"leaving": 2})),
    (RESIZED, 170.0, ("Succeeded", None, "Steady", 0, 2, {})),
    # an update with new scale settings applies them once it has run (its delay)
    (
        cluster(Event(100.0, "update", 8.0, min=3, idle=60.0, delay=8.0)),
        104.0,
        ("Updating", "update", "Steady", 2, 2, {"idle": 2}),
    ),
    (
        cluster(Event(100.0, "update", 8.0, min=3, idle=60.0, delay=8.0)),
        108.0,
        ("Succeeded", "resize", "Resizing", 3, 2, {"idle": 2, "preparing": 1}),
    ),
    # deleting, then gone
    (cluster(Event(200.0, "delete", 12.0)), 205.0, ("Deleting", "delete", "Steady", 2, 2, {"idle": 2})),
    (cluster(Event(200.0, "delete", 12.0)), 211.9, ("Deleting", "delete", "Steady", 2, 2, {"idle": 2})),
    (cluster(Event(200.0, "delete", 12.0)), 212.0, GONE),
    # a failed create ends early, Failed, and never allocates nodes
    (cluster(failed={"code": "QuotaExceeded", "message": "m"}), 10.0, ("Creating", "create", "Resizing", 0, 0, {})),
    (cluster(failed={"code": "QuotaExceeded", "message": "m"}), 20.0, ("Failed", None, None, None, None, {})),
    # no minimum: nothing to prepare once created
    (cluster(min_nodes=0), 20.0, ("Succeeded", None, "Steady", 0, 0, {})),
]


@pytest.mark.parametrize(("row", "t", "expected"), CLUSTER_TIMELINE)
def test_a_cluster_reads_as_its_timeline_says(row: ComputeRow, t: float, expected: tuple[Any, ...] | None) -> None:
    assert cluster_view(row, t) == expected


def test_a_failed_create_carries_its_error() -> None:
    error = {"code": "QuotaExceeded", "message": "too many vCPUs"}
    body = derive(cluster(failed=error), 20.0, DURATIONS).body
    assert body is not None and body["properties"]["provisioningErrors"] == [{"error": error}]


POWERED = instance(Event(100.0, "stop", 15.0), Event(200.0, "start", 25.0), Event(300.0, "restart", 30.0))

INSTANCE_TIMELINE = [
    (0.0, "Creating", "Creating", "create", ("Create", "InProgress")),
    (44.9, "Creating", "Creating", "create", ("Create", "InProgress")),
    (45.0, "Creating", "SettingUp", "create", ("Create", "InProgress")),
    (65.0, "Succeeded", "Running", None, ("Create", "Succeeded")),
    (105.0, "Succeeded", "Stopping", "stopping", ("Stop", "InProgress")),
    (115.0, "Succeeded", "Stopped", None, ("Stop", "Succeeded")),
    (210.0, "Succeeded", "Starting", "starting", ("Start", "InProgress")),
    (225.0, "Succeeded", "Running", None, ("Start", "Succeeded")),
    (310.0, "Succeeded", "Restarting", "restarting", ("Restart", "InProgress")),
    (330.0, "Succeeded", "Running", None, ("Restart", "Succeeded")),
]


@pytest.mark.parametrize(("t", "provisioning", "state", "busy", "last"), INSTANCE_TIMELINE)
def test_an_instance_reads_as_its_timeline_says(
    t: float, provisioning: str, state: str, busy: str | None, last: tuple[str, str]
) -> None:
    derived = derive(POWERED, t, DURATIONS)
    assert derived.body is not None
    inner = derived.body["properties"]["properties"]
    assert (derived.body["properties"]["provisioningState"], instance_state(derived), derived.busy) == (
        provisioning,
        state,
        busy,
    )
    assert (inner["lastOperation"]["operationName"], inner["lastOperation"]["operationStatus"]) == last
    # As the recordings show: a Stopped instance keeps its addresses and applications; a Creating one has none.
    has_vm = state != "Creating"
    assert (inner["connectivityEndpoints"]["publicIpAddress"] is not None) == has_vm
    assert bool(inner["applications"]) == (state not in ("Creating", "SettingUp"))
    assert (inner["sshSettings"] is not None) == has_vm


ATTACHED_TIMELINE = [
    (3.0, ("Creating", "create")),
    (6.0, ("Succeeded", None)),
    (12.0, ("Deleting", "detach")),
    (15.0, GONE),
]


@pytest.mark.parametrize(("t", "expected"), ATTACHED_TIMELINE)
def test_an_attached_compute_is_attached_then_detached(t: float, expected: tuple[str, str | None] | None) -> None:
    derived = derive(attached(Event(10.0, "detach", 5.0)), t, DURATIONS)
    if expected is GONE:
        assert derived.body is None
        return
    assert derived.body is not None
    assert (derived.body["properties"]["provisioningState"], derived.busy) == expected
    assert derived.body["properties"]["isAttachedCompute"] is True


def test_derive_leaves_the_stored_row_as_it_was() -> None:
    row = cluster()
    before = repr(row)
    derive(row, 60.0, DURATIONS)
    assert repr(row) == before


@pytest.mark.parametrize(
    "row",
    [
        RESIZED,
        cluster(Event(100.0, "update", 8.0, min=3, idle=60.0, delay=8.0), Event(400.0, "delete", 12.0)),
        cluster(failed={"code": "QuotaExceeded", "message": "m"}),
        POWERED,
        attached(Event(10.0, "detach", 5.0)),
    ],
    ids=["resized", "updated-deleted", "failed", "instance", "attached"],
)
def test_the_state_changes_only_at_the_change_times(row: ComputeRow) -> None:
    """Between two consecutive change times, what a reader sees is what it saw at the first (so reading at
    each change time tells everything the timeline holds: the quota accounting relies on it)."""
    times = change_times(row, DURATIONS)
    assert times == sorted(set(times)) and times[0] == 0.0
    ends = [*times[1:], times[-1] + 1000.0]
    for start, end in zip(times, ends, strict=True):
        seen = _visible(row, start)
        for fraction in (0.25, 0.5, 0.999):
            assert _visible(row, start + (end - start) * fraction) == seen, (start, end, fraction)


def _visible(row: ComputeRow, t: float) -> Any:
    """What derive answers at ``t``, less the timestamps (which do move between change times)."""
    derived = derive(row, t, DURATIONS)
    if derived.body is None:
        return None
    inner = derived.body["properties"]["properties"]
    return (
        derived.busy,
        derived.body["properties"]["provisioningState"],
        inner.get("state"),
        inner.get("currentNodeCount"),
        inner.get("nodeStateCounts"),
        inner.get("allocationState"),
        [state for _, state in derived.nodes],
    )


def _inner(row: ComputeRow, t: float) -> dict[str, Any]:
    body = derive(row, t, DURATIONS).body
    assert body is not None
    inner: dict[str, Any] = body["properties"]["properties"]
    return inner


def test_an_instance_lists_its_applications_at_its_region_host_as_the_service_does() -> None:
    row = instance()
    row.body["location"] = "eastus"
    inner = _inner(row, 70.0)
    assert inner["applications"] == [
        {"displayName": "Jupyter", "endpointUri": "https://ci.eastus.instances.azureml.ms/tree/"},
        {"displayName": "Jupyter Lab", "endpointUri": "https://ci.eastus.instances.azureml.ms/lab"},
    ]
    assert inner["connectivityEndpoints"] == {"publicIpAddress": "127.0.0.1", "privateIpAddress": "10.0.0.4"}
    # SSH not asked for: the service still names the user and a port, and says Disabled.
    assert inner["sshSettings"] == {
        "sshPublicAccess": "Disabled",
        "adminPublicKey": None,
        "adminUserName": "azureuser",
        "sshPort": 4001,
    }


def test_an_instance_with_public_ssh_gives_its_user_and_port() -> None:
    row = instance()
    row.body["properties"]["properties"]["sshSettings"] = {
        "sshPublicAccess": "Enabled",
        "adminPublicKey": "ssh-ed25519 AAAA k",
    }
    while_creating = _inner(row, 10.0)
    assert while_creating["sshSettings"] == {"sshPublicAccess": "Enabled", "adminPublicKey": "ssh-ed25519 AAAA k"}
    assert while_creating["connectivityEndpoints"] == {"publicIpAddress": None, "privateIpAddress": None}
    assert while_creating["applications"] == []
    ssh = _inner(row, 70.0)["sshSettings"]
    assert (ssh["sshPublicAccess"], ssh["adminUserName"], ssh["sshPort"]) == ("Enabled", "azureuser", 50000)


def test_an_instance_without_a_public_ip_has_only_its_private_address() -> None:
    row = instance()
    row.body["properties"]["properties"]["enableNodePublicIp"] = False
    assert _inner(row, 70.0)["connectivityEndpoints"] == {"publicIpAddress": None, "privateIpAddress": "10.0.0.4"}


def test_a_creating_instance_without_ssh_settings_has_null_as_recorded() -> None:
    assert _inner(instance(), 10.0)["sshSettings"] is None
