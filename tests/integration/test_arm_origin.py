"""The ARM token goes only to ARM, and every service error can be quoted to Azure support.

Two scripted ARM servers on different loopback addresses: the workspace's endpoint (127.0.0.1)
and another host (127.0.0.2) that the first one names in its links. The second must never see the
token, nor any request at all."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from jupyter_compute import AmlComputeSpec, Workspace
from jupyter_compute.errors import ComputeError

from arm_script import COMPUTES, RG, SUB, TOKEN, WS, Reply, ScriptedArm, compute, listing, scripted
from conftest import run_cli

CPU = f"{COMPUTES}/cpu"


@pytest.fixture
def other() -> Iterator[ScriptedArm]:
    with scripted("127.0.0.2") as server:
        yield server


def workspace() -> Workspace:
    return Workspace.azure(SUB, RG, WS)


def cli(*words: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*words, "--subscription", SUB, "--resource-group", RG, "--workspace", WS, env=env)


# --- 1. the token goes only to the configured endpoint ------------------------------------------------


def test_given_a_next_page_on_another_host_when_listing_then_the_list_fails_naming_it(
    arm: ScriptedArm, other: ScriptedArm
) -> None:
    arm.on("GET", COMPUTES + "$", listing(compute("a"), next_link=f"{other.url}{COMPUTES}?api-version=1&$skip=1"))
    with pytest.raises(ComputeError) as caught:
        workspace().list()
    assert other.seen == [] and len(arm.requests_to(COMPUTES)) == 1
    text = str(caught.value)
    assert "nextLink" in text and "127.0.0.2" in text and "not sent" in text, text


def test_given_a_next_page_on_another_host_when_the_cli_lists_then_it_exits_1_and_never_sends_the_token(
    arm: ScriptedArm, other: ScriptedArm
) -> None:
    arm.on("GET", COMPUTES + "$", listing(compute("a"), next_link=f"{other.url}{COMPUTES}?$skip=1"))
    result = cli("list")
    assert other.seen == []
    assert result.returncode == 1, result
    assert "127.0.0.2" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert arm.seen and all(s.token == f"Bearer {TOKEN}" for s in arm.seen)


def test_given_a_next_page_on_the_same_host_but_another_port_then_it_is_another_origin(arm: ScriptedArm) -> None:
    with scripted("127.0.0.1") as same_host:
        arm.on("GET", COMPUTES + "$", listing(next_link=f"{same_host.url}{COMPUTES}?$skip=1"))
        with pytest.raises(ComputeError) as caught:
            workspace().list()
        assert same_host.seen == []
    assert same_host.url.split("//")[1] in str(caught.value)


def test_given_a_next_page_on_the_same_host_and_port_but_https_then_it_is_another_origin(arm: ScriptedArm) -> None:
    arm.on("GET", COMPUTES + "$", listing(next_link=f"{arm.url.replace('http:', 'https:')}{COMPUTES}?$skip=1"))
    with pytest.raises(ComputeError) as caught:
        workspace().list()
    assert len(arm.requests_to(COMPUTES)) == 1
    assert "https://127.0.0.1" in str(caught.value)


def test_given_a_relative_next_page_then_it_is_followed_on_the_endpoint(arm: ScriptedArm) -> None:
    """A nextLink without a host is resolved against the page (as azure-core does), so it stays on ARM."""
    arm.on(
        "GET",
        COMPUTES + "$",
        lambda seen: listing(compute("b")) if "skip" in seen.path else listing(compute("a"), next_link="?$skip=1"),
    )
    assert [c.name for c in workspace().list()] == ["a", "b"]


def test_given_nodes_whose_next_page_is_on_another_host_then_nodes_fails_naming_it(
    arm: ScriptedArm, other: ScriptedArm
) -> None:
    arm.on(
        "POST",
        CPU + "/listNodes$",
        Reply(200, {"computeType": "AmlCompute", "nodes": [{"nodeId": "n1"}], "nextLink": f"{other.url}{CPU}/x"}),
    )
    with pytest.raises(ComputeError) as caught:
        workspace().nodes("cpu")
    assert other.seen == [] and arm.requests_to("listNodes")
    assert "127.0.0.2" in str(caught.value)


def test_given_a_create_whose_status_url_is_on_another_host_then_it_ends_failed_without_sending_the_token(
    arm: ScriptedArm, other: ScriptedArm
) -> None:
    arm.on(
        "PUT",
        CPU + "$",
        Reply(201, compute("cpu", "Creating"), {"Azure-AsyncOperation": f"{other.url}/operations/1?api-version=1"}),
    )
    arm.on("GET", COMPUTES + "$", listing(compute("cpu", "Succeeded")))
    op = workspace().create(AmlComputeSpec.from_keywords(name="cpu", max_instances=2), preflight=False)
    op.wait(20)
    assert other.seen == [] and arm.requests_to(CPU)[-1].method == "PUT"
    assert op.status == "Failed"
    with pytest.raises(ComputeError) as caught:
        op.result()
    text = str(caught.value)
    assert "Azure-AsyncOperation" in text and "127.0.0.2" in text and "not sent" in text, text


def test_given_a_delete_whose_location_is_on_another_host_then_it_ends_failed_naming_the_host(
    arm: ScriptedArm, other: ScriptedArm
) -> None:
    arm.on("GET", CPU + "$", Reply(200, compute("cpu")))
    arm.on("DELETE", CPU + "$", Reply(202, None, {"Location": f"{other.url}/operations/2"}))
    arm.on("GET", COMPUTES + "$", listing())
    op = workspace().delete("cpu")
    op.wait(20)
    assert other.seen == []
    assert op.status == "Failed" and op.error is not None and "127.0.0.2" in str(op.error)


def test_given_a_location_poll_that_moves_to_another_host_then_the_operation_ends_failed(
    arm: ScriptedArm, other: ScriptedArm
) -> None:
    """azure-core follows a new Location from a 202; here it names another host, so it is not followed."""
    arm.on("PUT", CPU + "$", Reply(202, None, {"Location": f"{arm.url}/operations/3"}))
    arm.on("GET", "/operations/3$", Reply(202, None, {"Location": f"{other.url}/operations/3"}))
    arm.on("GET", COMPUTES + "$", listing(compute("cpu", "Succeeded")))
    op = workspace().create(AmlComputeSpec.from_keywords(name="cpu", max_instances=2), preflight=False)
    op.wait(20)
    assert other.seen == []
    assert op.status == "Failed" and op.error is not None and "127.0.0.2" in str(op.error), op


def test_given_a_plain_http_endpoint_that_is_not_loopback_when_the_cli_runs_then_it_exits_2_sending_nothing(
    arm: ScriptedArm,
) -> None:
    """0.0.0.0 is not a loopback address, though Linux delivers it to this host: so the test can show that
    nothing at all is sent, without anything leaving the machine."""
    result = cli("list", env={"JUPYTER_COMPUTE_ARM_ENDPOINT": arm.url.replace("127.0.0.1", "0.0.0.0")})
    assert arm.seen == []
    assert result.returncode == 2, result
    assert "JUPYTER_COMPUTE_ARM_ENDPOINT" in result.stderr and "https" in result.stderr, result.stderr
    assert "Nothing was sent" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("endpoint", "allowed"),
    [
        ("https://management.azure.com", True),
        ("https://management.chinacloudapi.cn/", True),
        ("http://127.0.0.1:8080", True),
        ("http://127.0.0.2:8080", True),
        ("http://[::1]:8080", True),
        ("http://localhost:8080", True),
        ("http://management.azure.com", False),
        ("http://10.0.0.4:8080", False),
        ("http://0.0.0.0:8080", False),
        ("ftp://management.azure.com", False),
        ("management.azure.com", False),
    ],
)
def test_only_https_or_loopback_http_endpoints_are_accepted(endpoint: str, allowed: bool) -> None:
    from jupyter_compute.errors import ValidationError
    from jupyter_compute.transport.arm import endpoint_origin

    if allowed:
        assert endpoint_origin(endpoint).host
    else:
        with pytest.raises(ValidationError, match="JUPYTER_COMPUTE_ARM_ENDPOINT"):
            endpoint_origin(endpoint)


# --- 2. request ids ---------------------------------------------------------------------------------------


def test_every_request_carries_its_own_client_request_id(arm: ScriptedArm) -> None:
    arm.on("GET", COMPUTES + "$", listing(compute("cpu")))
    arm.on("GET", CPU + "$", Reply(200, compute("cpu")))
    ws = workspace()
    ws.list()
    ws.get("cpu")
    ws.location()
    ids = [s.headers.get("x-ms-client-request-id") for s in arm.seen]
    assert len(ids) == 3 and all(ids) and len(set(ids)) == 3, ids


def test_a_retried_request_keeps_its_client_request_id(arm: ScriptedArm) -> None:
    """urllib3 retries a 503 and we resend once after a 401: one logical request, one client request id."""
    arm.on(
        "GET",
        CPU + "$",
        Reply(503, {"error": {"code": "ServiceUnavailable", "message": "busy"}}, {"Retry-After": "0"}),
        Reply(401, {"error": {"code": "ExpiredAuthenticationToken", "message": "expired"}}),
        Reply(200, compute("cpu")),
    )
    workspace().get("cpu")
    ids = [s.headers.get("x-ms-client-request-id") for s in arm.requests_to(CPU)]
    assert len(ids) == 3 and ids[0] and len(set(ids)) == 1, ids


def test_a_service_error_ends_with_the_services_request_id(arm: ScriptedArm) -> None:
    arm.on(
        "GET",
        CPU + "$",
        Reply(400, {"error": {"code": "BadRequest", "message": "no"}}, {"x-ms-request-id": "rid-400-abc"}),
    )
    with pytest.raises(ComputeError) as caught:
        workspace().get("cpu")
    assert str(caught.value).endswith("(request id: rid-400-abc)"), str(caught.value)
    result = cli("show", "cpu")
    assert result.returncode == 1
    assert result.stderr.strip().endswith("(request id: rid-400-abc)"), result.stderr


def test_without_a_request_id_the_correlation_id_is_quoted(arm: ScriptedArm) -> None:
    arm.on(
        "GET",
        CPU + "$",
        Reply(
            409,
            {"error": {"code": "Conflict", "message": "busy", "details": [{"code": "Busy", "message": "resizing"}]}},
            {"x-ms-request-id": "", "x-ms-correlation-request-id": "corr-77"},
        ),
    )
    with pytest.raises(ComputeError) as caught:
        workspace().get("cpu")
    assert str(caught.value).endswith("(request id: corr-77)"), str(caught.value)
    assert "resizing" in str(caught.value)


def test_an_operation_failure_quotes_the_request_id_of_the_status_response_that_reported_it(
    arm: ScriptedArm,
) -> None:
    arm.on(
        "PUT",
        CPU + "$",
        Reply(201, compute("cpu", "Creating"), {"Azure-AsyncOperation": f"{arm.url}/operations/9?api-version=1"}),
    )
    arm.on("GET", COMPUTES + "$", listing(compute("cpu", "Failed")))
    arm.on(
        "GET",
        "/operations/9$",
        Reply(
            200,
            {"status": "Failed", "error": {"code": "AllocationFailed", "message": "no capacity"}},
            {"x-ms-request-id": "rid-status-9"},
        ),
    )
    result = cli("create", "cluster", "cpu", "--max-instances", "2", "--skip-preflight")
    assert result.returncode == 1, result
    assert "AllocationFailed" in result.stderr and result.stderr.strip().endswith("(request id: rid-status-9)"), (
        result.stderr
    )

    op = workspace().create(AmlComputeSpec.from_keywords(name="cpu", max_instances=2), preflight=False)
    op.wait(20)
    from jupyter_compute.render.describe import describe

    assert describe(op).bar()["error"] == "AllocationFailed: no capacity (request id: rid-status-9)"
    assert op.to_dict()["error"]["request_id"] == "rid-status-9"
