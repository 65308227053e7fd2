"""Every operation ends, and says how: polling by the ARM protocol, races with other processes, cancel().

Scripted ARM servers answer as a service may (``Location`` only, ``Azure-AsyncOperation``, or nothing
but the resource's ``provisioningState``); the local workspace, shared with a `jupyter compute`
subprocess, plays a create raced by a delete in another process."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from jupyter_compute import AmlComputeSpec, Workspace
from jupyter_compute.errors import ComputeError
from jupyter_compute.service.operation import Operation

from arm_script import COMPUTES, RG, SUB, TOKEN, WS, Reply, ScriptedArm, compute, listing, scripted
from conftest import run_cli

CPU = f"{COMPUTES}/cpu"
ENDS = 20.0  # seconds an operation gets to end; the poller ticks every 0.1 s in tests


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedArm]:
    with scripted("127.0.0.1") as server:
        monkeypatch.setenv("JUPYTER_COMPUTE_ARM_ENDPOINT", server.url)
        monkeypatch.setenv("JUPYTER_COMPUTE_ACCESS_TOKEN", TOKEN)
        yield server


def workspace() -> Workspace:
    return Workspace.azure(SUB, RG, WS)


def create_cpu() -> Operation:
    return workspace().create(AmlComputeSpec.from_keywords(name="cpu", max_instances=2), preflight=False)


# --- 8. the strategy the submission response chose -------------------------------------------------------


def test_given_only_a_location_header_when_it_answers_200_then_the_create_succeeds_with_its_resource(
    arm: ScriptedArm,
) -> None:
    arm.on("PUT", CPU + "$", Reply(202, None, {"Location": f"{arm.url}/operations/loc1"}))
    arm.on("GET", COMPUTES + "$", listing(compute("cpu", "Creating")), listing(compute("cpu", "Succeeded")))
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
    arm.on("GET", CPU + "$", Reply(200, compute("cpu")))
    arm.on("DELETE", CPU + "$", Reply(202, None, {"Location": f"{arm.url}/operations/loc2"}))
    arm.on("GET", COMPUTES + "$", listing(compute("cpu", "Deleting")), listing())
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
    arm.on("GET", COMPUTES + "$", listing(compute("cpu", "Canceled")))
    arm.on("GET", "/operations/as1$", Reply(200, {"status": "canceled"}))  # azure-core compares case-insensitively
    op = create_cpu().wait(ENDS)
    assert op.status == "Canceled", op
    with pytest.raises(ComputeError):
        op.result()


def test_given_no_status_url_then_the_resources_provisioning_state_ends_the_operation(arm: ScriptedArm) -> None:
    arm.on("PUT", CPU + "$", Reply(201, compute("cpu", "Creating")))
    arm.on(
        "GET",
        COMPUTES + "$",
        listing(compute("cpu", "Creating")),
        listing(
            {
                **compute("cpu", "Failed"),
                "properties": {
                    **compute("cpu", "Failed")["properties"],
                    "provisioningErrors": [{"error": {"code": "BadSubnet", "message": "no such subnet"}}],
                },
            }
        ),
    )
    op = create_cpu().wait(ENDS)
    assert op.status == "Failed" and op.error is not None and op.error.code == "BadSubnet", op


# --- 9. an operation whose compute is not listed asks its own status -----------------------------------


def test_given_a_create_never_listed_when_its_status_says_failed_then_it_ends_failed(arm: ScriptedArm) -> None:
    arm.on(
        "PUT",
        CPU + "$",
        Reply(201, compute("cpu", "Creating"), {"Azure-AsyncOperation": f"{arm.url}/operations/as2"}),
    )
    arm.on("GET", COMPUTES + "$", listing())
    arm.on(
        "GET",
        "/operations/as2$",
        Reply(200, {"status": "Failed", "error": {"code": "InternalServerError", "message": "lost"}}),
    )
    op = create_cpu().wait(ENDS)
    assert op.status == "Failed" and op.error is not None and op.error.code == "InternalServerError", op


def test_given_a_create_never_listed_when_its_status_succeeded_but_the_compute_is_gone_then_it_says_deleted(
    arm: ScriptedArm,
) -> None:
    arm.on(
        "PUT",
        CPU + "$",
        Reply(201, compute("cpu", "Creating"), {"Azure-AsyncOperation": f"{arm.url}/operations/as3"}),
    )
    arm.on("GET", COMPUTES + "$", listing())
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
    op = create_cpu().wait(ENDS)
    assert op.status == "Succeeded", op


def tick_until_done(ws: Workspace, op: Operation, deadline: float) -> None:
    """Run the workspace's poller's ticks here (its own thread waits an hour) until ``op`` ends or the deadline."""
    while not op.done() and time.monotonic() < deadline:
        ws.poller.tick(ws.poller.in_flight())
        time.sleep(0.1)


def test_given_a_create_deleted_by_another_process_before_it_was_ever_listed_then_it_ends_saying_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The local workspace is shared by processes: `jupyter compute delete` removes the cluster before this
    process's poller lists once. The create ends Canceled, saying it was deleted, and `wait` exits 1."""
    monkeypatch.setenv("JUPYTER_COMPUTE_POLL_INTERVAL", "3600")  # this process ticks only when told
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
    arm.on("GET", COMPUTES + "$", listing(compute("cpu", "Creating")))
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
