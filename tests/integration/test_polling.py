"""Every operation ends, and says how: polling by the ARM protocol, races with other processes, cancel().

Scripted ARM servers answer as a service may (``Location`` only, ``Azure-AsyncOperation``, or nothing
but the resource's ``provisioningState``); the local workspace, shared with a `jupyter compute`
subprocess, plays a create raced by a delete in another process."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jupyter_compute import AmlComputeSpec, KubernetesSpec, Workspace, settings
from jupyter_compute.errors import (
    ComputeError,
    Conflict,
    QuotaExceeded,
    ServiceError,
    TransportError,
    ValidationError,
)
from jupyter_compute.service.operation import Operation, State

from arm_script import COMPUTES, RG, SUB, TOKEN, WS, Reply, ScriptedArm, Seen, compute, listing
from conftest import Knobs, run_cli, until

CPU = f"{COMPUTES}/cpu"
CPU2 = f"{COMPUTES}/cpu2"
ENDS = 20.0  # seconds an operation gets to end; the poller ticks every 0.1 s in tests


def workspace() -> Workspace:
    return Workspace.azure(SUB, RG, WS)


def create_cpu() -> Operation:
    return workspace().create(AmlComputeSpec.from_keywords(name="cpu", max_instances=2), preflight=False)


# --- 8. the strategy the submission response chose -------------------------------------------------------


def test_given_only_a_location_header_when_it_answers_200_then_the_create_succeeds_with_its_resource(
    arm: ScriptedArm,
) -> None:
    arm.on("PUT", CPU + "$", Reply(202, None, {"Location": f"{arm.url}/operations/loc1"}))
    arm.on(
        "GET", CPU + "$", Reply(404), Reply(200, compute("cpu", "Creating")), Reply(200, compute("cpu", "Succeeded"))
    )
    arm.on(
        "GET",
        "/operations/loc1$",
        Reply(202, None, {"Retry-After": "0"}),
        Reply(200, compute("cpu", "Succeeded", description="from Location")),
    )
    op = create_cpu().wait(ENDS)
    assert op.status == "Succeeded", op
    result = op.result()
    assert result is not None and result.name == "cpu"
    assert len(arm.requests_to("/operations/loc1")) == 2  # 202 (running), then 200 (done)


def test_given_only_a_location_header_when_it_answers_204_then_the_delete_ends_deleted(arm: ScriptedArm) -> None:
    arm.on("GET", CPU + "$", Reply(200, compute("cpu")), Reply(200, compute("cpu", "Deleting")), Reply(404))
    arm.on("DELETE", CPU + "$", Reply(202, None, {"Location": f"{arm.url}/operations/loc2"}))
    arm.on("GET", "/operations/loc2$", Reply(202), Reply(204))
    op = workspace().delete("cpu").wait(ENDS)
    assert (op.status, op.progress.phase) == ("Succeeded", "Deleted"), op
    assert op.result() is None


def test_given_an_async_operation_whose_status_is_canceled_then_the_operation_ends_canceled(arm: ScriptedArm) -> None:
    arm.on(
        "PUT",
        CPU + "$",
        Reply(201, compute("cpu", "Creating"), {"Azure-AsyncOperation": f"{arm.url}/operations/as1"}),
    )
    arm.on("GET", CPU + "$", Reply(404), Reply(200, compute("cpu", "Canceled")))
    arm.on("GET", "/operations/as1$", Reply(200, {"status": "canceled"}))  # azure-core compares case-insensitively
    op = create_cpu().wait(ENDS)
    assert op.status == "Canceled", op
    with pytest.raises(ComputeError):
        op.result()


def test_given_no_status_url_then_the_resources_provisioning_state_ends_the_operation(arm: ScriptedArm) -> None:
    arm.on("PUT", CPU + "$", Reply(201, compute("cpu", "Creating")))
    failed = compute("cpu", "Failed")
    failed["properties"]["provisioningErrors"] = [{"error": {"code": "BadSubnet", "message": "no such subnet"}}]
    arm.on("GET", CPU + "$", Reply(404), Reply(200, compute("cpu", "Creating")), Reply(200, failed))
    op = create_cpu().wait(ENDS)
    assert op.status == "Failed" and op.error is not None and op.error.code == "BadSubnet", op


# --- 9. an operation whose compute is not found asks its own status -------------------------------------


def test_given_a_create_never_found_when_its_status_says_failed_then_it_ends_failed(arm: ScriptedArm) -> None:
    arm.on(
        "PUT",
        CPU + "$",
        Reply(201, compute("cpu", "Creating"), {"Azure-AsyncOperation": f"{arm.url}/operations/as2"}),
    )
    arm.on("GET", CPU + "$", Reply(404))
    arm.on(
        "GET",
        "/operations/as2$",
        Reply(200, {"status": "Failed", "error": {"code": "InternalServerError", "message": "lost"}}),
    )
    op = create_cpu().wait(ENDS)
    assert op.status == "Failed" and op.error is not None and op.error.code == "InternalServerError", op


def test_given_a_create_never_found_when_its_status_succeeded_but_the_compute_is_gone_then_it_says_deleted(
    arm: ScriptedArm,
) -> None:
    arm.on(
        "PUT",
        CPU + "$",
        Reply(201, compute("cpu", "Creating"), {"Azure-AsyncOperation": f"{arm.url}/operations/as3"}),
    )
    arm.on("GET", CPU + "$", Reply(404))
    arm.on("GET", "/operations/as3$", Reply(200, {"status": "Succeeded"}))
    op = create_cpu().wait(ENDS)
    assert op.status == "Canceled", op
    with pytest.raises(ComputeError, match="deleted"):
        op.result()


def test_given_listing_fails_for_good_then_an_operation_still_ends_by_its_own_status(arm: ScriptedArm) -> None:
    arm.on(
        "PUT",
        CPU + "$",
        Reply(201, compute("cpu", "Creating"), {"Azure-AsyncOperation": f"{arm.url}/operations/as4"}),
    )
    arm.on("GET", COMPUTES + "$", Reply(403, {"error": {"code": "AuthorizationFailed", "message": "no list"}}))
    arm.on("GET", "/operations/as4$", Reply(200, {"status": "Succeeded"}))
    arm.on("GET", CPU + "$", Reply(404), Reply(200, compute("cpu", "Succeeded")))  # 404 first: create checks
    workspace().poller.add_listener(lambda listed: None)  # a panel shown: the listing is tried, and fails
    op = create_cpu().wait(ENDS)
    assert op.status == "Succeeded", op


def tick_until_done(ws: Workspace, op: Operation, deadline: float) -> None:
    """Ask the workspace's poller to tick now (its own thread waits an hour, and so would each operation's
    next poll) until ``op`` ends or the deadline."""
    while not op.done() and time.monotonic() < deadline:
        ws.poller.poll_now()
        time.sleep(0.1)


def test_given_a_create_deleted_by_another_process_before_it_was_ever_listed_then_it_ends_saying_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The local workspace is shared by processes: `jupyter compute delete` removes the cluster before this
    process's poller lists once. The create ends Canceled, saying it was deleted, and `wait` exits 1."""
    with settings.override(poll_interval=3600):  # this process ticks only when told
        ws = Workspace.local()
        op = ws.create(AmlComputeSpec.from_keywords(name="raced", max_instances=1)).submitted()
    deleted = run_cli("delete", "raced", "--yes", env={"JUPYTER_COMPUTE_POLL_INTERVAL": "0.1"})
    assert deleted.returncode == 0, deleted
    tick_until_done(ws, op, time.monotonic() + 60)
    assert op.status == "Canceled", op
    with pytest.raises(ComputeError, match="deleted"):
        op.result()
    assert "deleted" in op.note


# --- cancel() and the CLI's exit status -------------------------------------------------------------------


def test_given_a_running_create_when_cancel_stops_watching_then_result_raises(arm: ScriptedArm) -> None:
    arm.on(
        "PUT",
        CPU + "$",
        Reply(201, compute("cpu", "Creating"), {"Azure-AsyncOperation": f"{arm.url}/operations/as5"}),
    )
    arm.on("GET", CPU + "$", Reply(404), Reply(200, compute("cpu", "Creating")))
    arm.on("GET", "/operations/as5$", Reply(200, {"status": "InProgress"}))
    op = create_cpu()
    op.cancel()
    assert op.done() and op.status == "InProgress"
    with pytest.raises(ComputeError, match="stopped watching"):
        op.result()


def test_given_an_attach_the_service_cancels_then_the_cli_exits_1(arm: ScriptedArm) -> None:
    aks = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1"
    k8s = f"{COMPUTES}/k8s"
    arm.on("PUT", k8s + "$", Reply(201, compute("k8s", "Creating", "Kubernetes")))
    arm.on("GET", COMPUTES + "$", listing(compute("k8s", "Canceled", "Kubernetes")))
    workspace_flags = ["--subscription", SUB, "--resource-group", RG, "--workspace", WS]
    result = run_cli("attach", "kubernetes", "k8s", "--resource-id", aks, *workspace_flags)
    assert result.returncode == 1, result
    assert "canceled" in result.stderr.lower() and "Traceback" not in result.stderr, result.stderr


# --- control back at once: the checks that need the service run in the operation's background --------------

LOCATIONS = f"/subscriptions/{SUB}/providers/Microsoft.MachineLearningServices/locations/westeurope"
K8S = f"{COMPUTES}/k8s"
CI = f"{COMPUTES}/ci-box"
AKS = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1"
SIZES = Reply(
    200,
    {
        "value": [
            {
                "name": "Standard_DS3_v2",
                "family": "standardDSv2Family",
                "vCPUs": 4,
                "supportedComputeTypes": ["AmlCompute", "ComputeInstance"],
            }
        ]
    },
)


def usages(family_used: int = 0, family_limit: int = 100) -> Reply:
    provider = "Microsoft.MachineLearningServices"
    return Reply(
        200,
        {
            "value": [
                {
                    "id": f"/subscriptions/{SUB}/usages/dedicated",
                    "type": f"{provider}/dedicatedCores/usages",
                    "currentValue": 0,
                    "limit": 1000,
                    "name": {"value": "Total Cluster Dedicated Regional vCPUs"},
                },
                {
                    "id": f"/subscriptions/{SUB}/usages/Standard_DSv2_Family_Cluster_Dedicated_vCPUs",
                    "type": f"{provider}/vmFamily/usages",
                    "currentValue": family_used,
                    "limit": family_limit,
                    "name": {
                        "value": "Standard DSv2 Family Cluster Dedicated vCPUs",
                        "localizedValue": "Standard DSv2 Family Cluster Dedicated vCPUs",
                    },
                },
            ]
        },
    )


def held(arm: ScriptedArm) -> tuple[threading.Event, list[str]]:
    """Every answer of ``arm`` waits for the returned event; the list says which were given, in order."""
    gate = threading.Event()
    answered: list[str] = []
    answer = arm.answer

    def later(seen: Seen) -> Reply:
        assert gate.wait(ENDS), "the test never released the server"
        reply = answer(seen)
        answered.append(f"{seen.method} {seen.path.split('?')[0]}")
        return reply

    arm.answer = later  # type: ignore[method-assign]
    return gate, answered


def submission(answered: list[str]) -> list[str]:
    """The answered requests of the submission, up to its write (without the tracker's listings and status
    polls, which may interleave with them; after the write come the tracker's polls of the compute and the
    refresh of the region's sizes and usages)."""
    checks = [a for a in answered if not a.endswith("/computes") and "/operations/" not in a]
    write = next((i for i, a in enumerate(checks) if not a.startswith("GET")), len(checks) - 1)
    return checks[: write + 1]


def instance_body(state: str = "Running") -> dict[str, Any]:
    body = compute("ci-box", "Succeeded", "ComputeInstance", vmSize="STANDARD_DS3_V2")
    body["properties"]["properties"]["state"] = state
    return body


def attached_body() -> dict[str, Any]:
    body = compute("k8s", "Succeeded", "Kubernetes", namespace="default")
    body["properties"].update(isAttachedCompute=True, resourceId=AKS)
    return body


VERBS: dict[str, Callable[[Workspace], Operation]] = {
    "create": lambda ws: ws.create(AmlComputeSpec.from_keywords(name="cpu", max_instances=2)),
    "attach": lambda ws: ws.attach(KubernetesSpec.from_keywords(name="k8s", resource_id=AKS)),
    "delete": lambda ws: ws.delete("cpu"),
    "detach": lambda ws: ws.detach("k8s"),
    "start": lambda ws: ws.start("ci-box"),
    "stop": lambda ws: ws.stop("ci-box"),
    "restart": lambda ws: ws.restart("ci-box"),
    "resize": lambda ws: ws.resize("cpu", max_nodes=3),
    "identity": lambda ws: ws.add_identity("cpu", system_assigned=True),
}


def script_every_verb(arm: ScriptedArm, verb: str) -> None:
    creating = verb in ("create", "attach")
    arm.on("GET", CPU + "$", Reply(404) if creating else Reply(200, compute("cpu")))
    arm.on("GET", K8S + "$", Reply(404) if creating else Reply(200, attached_body()))
    arm.on("GET", CI + "$", Reply(200, instance_body("Stopped" if verb == "start" else "Running")))
    arm.on("GET", LOCATIONS + "/vmSizes$", SIZES)
    arm.on("GET", LOCATIONS + "/usages$", usages())
    arm.on("PUT", CPU + "$", Reply(201, compute("cpu", "Creating")))
    arm.on("PUT", K8S + "$", Reply(201, compute("k8s", "Creating", "Kubernetes")))
    arm.on("PATCH", CPU + "$", Reply(200, compute("cpu", "Updating")))
    arm.on("DELETE", f"{COMPUTES}/(cpu|k8s)$", Reply(202, None, {"Location": f"{arm.url}/operations/loc-d"}))
    arm.on("POST", CI + "/(start|stop|restart)$", Reply(202, None, {"Location": f"{arm.url}/operations/loc-p"}))
    arm.on("GET", "/operations/", Reply(202))
    arm.on("GET", COMPUTES + "$", listing(compute("cpu", "Creating")))


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_every_long_verb_returns_its_operation_before_any_request_is_answered(arm: ScriptedArm, verb: str) -> None:
    script_every_verb(arm, verb)
    gate, answered = held(arm)
    ws = workspace()
    phases: list[str] = []
    op = VERBS[verb](ws)
    op.add_listener(lambda o: phases.append(o.progress.phase))
    assert answered == [] and op.state is State.SUBMITTING and not op.done()
    assert op in ws.poller.in_flight() and ws.follow(op.target) is op  # in flight (and in the panel) at once
    gate.set()
    assert op.submitted(ENDS) is op and op.state is State.RUNNING, op
    writes = [a for a in answered if not a.startswith("GET")]
    assert len(writes) == 1 and submission(answered)[-1] == writes[0], answered  # the write comes last, once
    # Submitting, then Submitted (later notifications, such as a create's price arriving, may repeat it)
    steps = [p for i, p in enumerate(phases) if i == 0 or p != phases[i - 1]]
    assert "Submitting" in steps and steps[steps.index("Submitting") + 1 :][:1] == ["Submitted"], phases


def test_a_create_checks_the_name_and_the_quota_at_once_then_submits_all_in_the_background(
    arm: ScriptedArm,
) -> None:
    """Cold (a fresh workspace): the existence check beside the region's read, then its sizes and usages
    together, then the PUT: three round trips. Warm (the region and its facts kept): the existence check,
    then the PUT."""
    script_every_verb(arm, "create")
    gate, answered = held(arm)
    ws = workspace()
    op = VERBS["create"](ws)
    assert answered == [] and op.progress.phase in ("Checking", "Checking name and quota")
    # Both first reads arrive while nothing is answered: they are in flight at once. Orders are read by
    # arrival (answers given together may be logged in any order), phases from this point on.
    until(lambda: {s.path.split("?")[0].rsplit("/", 1)[-1] for s in arm.seen} >= {"cpu", WS})
    phases: list[str] = [op.progress.phase]
    op.add_listener(lambda o: phases.append(o.progress.phase))
    gate.set()
    op.submitted(ENDS)
    arrived = submission([f"{s.method} {s.path.split('?')[0]}" for s in arm.seen])
    sent = [a.split()[1].rsplit("/", 1)[-1] for a in arrived]
    assert sorted(sent[:2]) == sorted(["cpu", WS]) and sorted(sent[2:4]) == ["usages", "vmSizes"], sent
    assert sent[4:] == ["cpu"] and arrived[-1].startswith("PUT")
    steps = [p for i, p in enumerate(phases) if i == 0 or p != phases[i - 1]]
    # up to the acceptance: the tracker's first poll may already say more ("Waiting for the service")
    steps = steps[: steps.index("Submitted") + 1] if "Submitted" in steps else steps
    assert steps[0] == "Checking name and quota" and steps[-2:] == ["Submitting", "Submitted"], steps
    assert set(steps[1:-2]) <= {"Checking quota", "Checking"}, steps
    # warm: in flight at once are the existence check and nothing else; then the PUT
    arm.on("GET", CPU2 + "$", Reply(404))
    arm.on("PUT", CPU2 + "$", Reply(201, compute("cpu2", "Creating")))
    deadline = time.monotonic() + ENDS
    while ws._regions.warm(ws.location()) is False and time.monotonic() < deadline:
        time.sleep(0.05)
    before = len(arm.seen)
    second = ws.create(AmlComputeSpec.from_keywords(name="cpu2", max_instances=2)).submitted(ENDS)
    assert second.state is State.RUNNING
    mine = [f"{s.method} {s.path.split('?')[0].rsplit('/', 1)[-1]}" for s in arm.seen[before:] if "cpu2" in s.path]
    assert mine[:2] == ["GET cpu2", "PUT cpu2"], mine
    put_at = next(i for i, seen in enumerate(arm.seen) if seen.method == "PUT" and seen.path.split("?")[0] == CPU2)
    region = [s for s in arm.seen[before:put_at] if s.path.split("?")[0].endswith(("vmSizes", "usages", WS))]
    assert region == [], region


def puts(arm: ScriptedArm) -> list[Seen]:
    return [s for s in arm.seen if s.method in ("PUT", "POST", "PATCH", "DELETE")]


def refused(op: Operation, kind: type[ComputeError]) -> ComputeError:
    """``op`` ends refused with a ``kind``, which result() raises too; the error."""
    with pytest.raises(kind) as raised:
        op.submitted(ENDS)
    with pytest.raises(kind) as again:
        op.result(ENDS)
    assert raised.value is again.value is op.error
    assert op.refused and (op.state, op.status, op.progress.status) == (State.FAILED, "Failed", "Failed")
    return raised.value


def test_a_quota_shortfall_found_in_the_background_fails_it_and_sends_no_put(arm: ScriptedArm) -> None:
    script_every_verb(arm, "create")
    arm.on("GET", LOCATIONS + "/usages$", usages(family_used=95, family_limit=100))
    error = refused(VERBS["create"](workspace()), QuotaExceeded)
    assert str(error) == (
        "QuotaExceeded: cpu needs 8 vCPUs of Standard DSv2 Family Cluster Dedicated vCPUs (2 × Standard_DS3_v2 "
        "with 4 vCPUs) but only 5 of 100 are left in westeurope. Nothing was created. Ask for more quota, use a "
        "smaller size or fewer nodes, or skip this check (--skip-preflight)."
    )
    assert puts(arm) == []


def test_a_size_not_offered_found_in_the_background_is_bad_input_and_sends_no_put(arm: ScriptedArm) -> None:
    script_every_verb(arm, "create")
    spec = AmlComputeSpec.from_keywords(name="cpu", size="Standard_DS3_v9", max_instances=2)
    error = refused(workspace().create(spec), ValidationError)
    assert str(error) == (
        "Invalid compute cluster: size: Standard_DS3_v9 is not offered for a compute cluster in westeurope; "
        "close: Standard_DS3_v2 (`jupyter compute sizes` lists them). Nothing was sent."
    )
    assert puts(arm) == []


def test_an_existing_compute_with_other_settings_fails_it_as_a_conflict_and_sends_nothing(arm: ScriptedArm) -> None:
    script_every_verb(arm, "create")
    existing = compute("cpu", scaleSettings={"minNodeCount": 0, "maxNodeCount": 4})
    arm.on("GET", CPU + "$", Reply(200, existing))
    error = refused(VERBS["create"](workspace()), Conflict)
    assert str(error) == (
        "ComputeExists: cpu already exists with other settings, and creating it again would replace it: "
        "max_instances asked 2, exists with 4. Delete it first, or pick another name."
    )
    # the pre-flight's reads go beside the existence check (issue 24): reads only, and no PUT
    assert puts(arm) == [] and {s.method for s in arm.seen} == {"GET"}


def test_an_identical_existing_compute_ends_well_with_nothing_sent(arm: ScriptedArm) -> None:
    script_every_verb(arm, "create")
    arm.on("GET", CPU + "$", Reply(200, compute("cpu")))
    op = VERBS["create"](workspace()).submitted(ENDS)
    op.wait(ENDS)
    assert op.state is State.SUCCEEDED and not op.refused and op.error is None
    assert op.note == "cpu already exists with these settings; nothing was sent."
    assert puts(arm) == []


def test_a_put_the_service_refuses_fails_it_with_the_error_and_its_request_id(arm: ScriptedArm) -> None:
    script_every_verb(arm, "create")
    bad = {"error": {"code": "BadRequest", "message": "Standard_DS3_v2 is not supported here"}}
    arm.on("PUT", CPU + "$", Reply(400, bad, {"x-ms-request-id": "put-req-1"}))
    error = refused(VERBS["create"](workspace()), ServiceError)
    assert str(error) == "BadRequest: Standard_DS3_v2 is not supported here (request id: put-req-1)"
    assert len(puts(arm)) == 1


def test_a_power_change_the_service_refuses_fails_it_with_the_conflict(arm: ScriptedArm) -> None:
    script_every_verb(arm, "stop")
    busy = {"error": {"code": "Conflict", "message": "ci-box is stopping"}}
    arm.on("POST", CI + "/stop$", Reply(409, busy, {"x-ms-request-id": "post-req-2"}))
    error = refused(workspace().stop("ci-box"), Conflict)
    assert str(error) == "Conflict: ci-box is stopping (request id: post-req-2)"


def test_deleting_an_attached_compute_is_refused_in_the_background_with_nothing_sent(arm: ScriptedArm) -> None:
    script_every_verb(arm, "delete")
    error = refused(workspace().delete("k8s"), ValidationError)
    assert "k8s is an attached kubernetes: detach it (`detach k8s`)" in str(error)
    assert puts(arm) == []


def test_an_unreachable_workspace_fails_it_with_the_transport_error(knobs: Knobs) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    knobs(arm_endpoint=f"http://127.0.0.1:{port}", access_token=TOKEN)
    op = workspace().delete("cpu")
    assert op.state is State.SUBMITTING
    error = refused(op, TransportError)
    pattern = (
        rf"could not reach http://127\.0\.0\.1:{port}: .*Connection refused, after \d+ tries "
        r"\(client request id: [-0-9a-f]{36}\)"
    )
    assert re.fullmatch(pattern, str(error)), str(error)


def test_the_cli_still_exits_2_for_a_size_the_pre_flight_refuses_and_writes_nothing(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    result = run_cli(
        "create", "cluster", "odd-cl", "--size", "Standard_DS3_v9", env={"JUPYTER_COMPUTE_ACCESS_LOG": str(log)}
    )
    assert result.returncode == 2, result
    stderr = [line for line in result.stderr.splitlines() if not line.startswith("jupyter-compute: no Azure")]
    assert len(stderr) == 1 and stderr[0].startswith("error: Invalid compute cluster: size: Standard_DS3_v9 is not")
    assert "Traceback" not in result.stderr
    sent = [line.split()[2] for line in log.read_text().splitlines()]
    assert sent and set(sent) == {"GET"}, sent


def test_calls_on_one_compute_are_submitted_in_their_order(arm: ScriptedArm, knobs: Knobs) -> None:
    """A delete right after a create waits for the create's PUT (saying so), then checks and deletes."""
    knobs(poll_interval=3600)  # the create's own polls of cpu would interleave with the delete's check
    script_every_verb(arm, "create")
    put_held, put_arrived, created = threading.Event(), threading.Event(), threading.Event()

    def put(seen: Seen) -> Reply:
        put_arrived.set()
        assert put_held.wait(ENDS), "the test never released the PUT"
        created.set()
        return Reply(201, compute("cpu", "Creating"))

    arm.on("PUT", CPU + "$", put)
    arm.on("GET", CPU + "$", lambda seen: Reply(200, compute("cpu", "Creating")) if created.is_set() else Reply(404))
    arm.on("DELETE", CPU + "$", Reply(202, None, {"Location": f"{arm.url}/operations/loc-d"}))
    ws = workspace()
    create = VERBS["create"](ws)
    waiting = threading.Event()
    delete = ws.delete("cpu")
    delete.add_listener(lambda op: waiting.set() if op.progress.phase == "Waiting for the create of cpu" else None)
    if delete.progress.phase == "Waiting for the create of cpu":
        waiting.set()
    assert waiting.wait(ENDS) and put_arrived.wait(ENDS), delete.progress
    assert [s.method for s in arm.seen if s.path.split("?")[0].endswith("/cpu")] == ["GET", "PUT"]
    put_held.set()
    assert create.submitted(ENDS).state is State.RUNNING
    assert delete.submitted(ENDS).state is State.RUNNING, delete
    assert [s.method for s in arm.seen if s.path.split("?")[0].endswith("/cpu")] == ["GET", "PUT", "GET", "DELETE"]
