"""The polling strategies: chosen by a write's response headers, each reading an answer it did not fetch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from jupyter_compute.errors import QuotaExceeded, ServiceError
from jupyter_compute.transport.lro import (
    AsyncOperation,
    Location,
    ResourceState,
    Status,
    choose,
    resource_error,
    terminal,
)

RESOURCE_URL = "https://arm.test/subscriptions/s/computes/cpu"


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    @property
    def request_id(self) -> str | None:
        return self.header("x-ms-request-id")


def compute(state: str, **props: Any) -> dict[str, Any]:
    return {"name": "cpu", "properties": {"computeType": "AmlCompute", "provisioningState": state, **props}}


@pytest.mark.parametrize(
    "headers,expected",
    [
        ({"Azure-AsyncOperation": "https://arm.test/ops/a1", "Location": "https://arm.test/loc/l1"}, AsyncOperation),
        ({"azure-asyncoperation": "https://arm.test/ops/a1"}, AsyncOperation),
        ({"Location": "https://arm.test/loc/l1"}, Location),
        ({"LOCATION": "https://arm.test/loc/l1", "Azure-AsyncOperation": ""}, Location),
        ({}, ResourceState),
        (None, ResourceState),
    ],
)
def test_the_headers_choose_the_strategy_in_azure_cores_order(
    headers: dict[str, str] | None, expected: type[object]
) -> None:
    chosen = choose(headers, RESOURCE_URL)
    assert type(chosen) is expected
    assert (
        chosen.url
        == {
            AsyncOperation: "https://arm.test/ops/a1",
            Location: "https://arm.test/loc/l1",
            ResourceState: RESOURCE_URL,
        }[expected]
    )
    assert chosen.polls is (expected is not ResourceState)


@pytest.mark.parametrize(
    "body,status",
    [
        ({"status": "InProgress"}, "InProgress"),
        ({"status": "Running"}, "InProgress"),
        ({"status": "succeeded"}, "Succeeded"),
        ({"status": "SUCCEEDED"}, "Succeeded"),
        ({"status": "canceled"}, "Canceled"),
        ({}, "InProgress"),
        (None, "InProgress"),
    ],
)
def test_an_async_operation_reads_its_bodys_status_case_insensitively(body: Any, status: str) -> None:
    read = AsyncOperation("https://arm.test/ops/a1").status(Answer(200, body))
    assert read.status == status
    assert read.ended is (status != "InProgress")


def test_a_failed_async_operation_gives_the_services_error_with_its_request_id() -> None:
    body = {"status": "Failed", "error": {"code": "InternalServerError", "message": "lost"}}
    read = AsyncOperation("https://arm.test/ops/a1").status(Answer(200, body, {"x-ms-request-id": "rid-7"}))
    assert read.status == "Failed" and isinstance(read.error, ServiceError)
    assert str(read.error) == "InternalServerError: lost (request id: rid-7)"


def test_a_failed_async_operation_about_quota_is_quota_exceeded() -> None:
    body = {"status": "Failed", "error": {"code": "QuotaExceeded", "message": "no more cores"}}
    read = AsyncOperation("https://arm.test/ops/a1").status(Answer(200, body))
    assert isinstance(read.error, QuotaExceeded)


@pytest.mark.parametrize(
    "answer,status,has_resource",
    [
        (Answer(202), "InProgress", False),
        (Answer(202, {"status": "Succeeded"}), "InProgress", False),  # 202 is running, whatever the body says
        (Answer(200, compute("Succeeded")), "Succeeded", True),
        (Answer(201, compute("Succeeded")), "Succeeded", True),
        (Answer(200, compute("Failed")), "Failed", True),
        (Answer(200, compute("Canceled")), "Canceled", True),
        (Answer(204), "Succeeded", False),  # a delete's end
        (Answer(200, {"status": "whatever"}), "Succeeded", False),  # not a resource body
    ],
)
def test_a_location_is_running_on_202_and_done_otherwise(answer: Answer, status: str, has_resource: bool) -> None:
    read = Location("https://arm.test/loc/l1").status(answer)
    assert read.status == status
    assert (read.resource is not None) is has_resource
    assert (read.error is not None) is (status in ("Failed", "Canceled"))


def test_a_location_that_ends_failed_gives_the_resources_provisioning_error() -> None:
    failed = compute("Failed", provisioningErrors=[{"error": {"code": "BadSubnet", "message": "no such subnet"}}])
    read = Location("https://arm.test/loc/l1").status(Answer(200, failed, {"x-ms-request-id": "rid-9"}))
    assert read.error is not None and str(read.error) == "BadSubnet: no such subnet (request id: rid-9)"


def test_a_location_follows_the_next_location_a_202_names() -> None:
    first = Location("https://arm.test/loc/l1")
    assert first.after(Answer(202, None, {"Location": "https://arm.test/loc/l2"})) == Location(
        "https://arm.test/loc/l2"
    )
    assert first.after(Answer(202)) is first
    assert first.after(Answer(200, compute("Succeeded"), {"Location": "https://arm.test/loc/l3"})) is first


@pytest.mark.parametrize(
    "body,status",
    [
        (compute("Creating"), "InProgress"),
        (compute("Updating"), "InProgress"),
        (compute("Succeeded"), "Succeeded"),
        (compute("Failed"), "Failed"),
        (compute("Canceled"), "Canceled"),
        ({"name": "cpu", "properties": {}}, "InProgress"),
        (None, "InProgress"),
    ],
)
def test_the_resource_state_is_its_provisioning_state(body: Any, status: str) -> None:
    read = ResourceState(RESOURCE_URL).status(Answer(200, body))
    assert read == Status(status, read.error, body if isinstance(body, dict) else {})
    assert (read.error is not None) is (status in ("Failed", "Canceled"))


def test_a_failed_resource_without_errors_still_gives_an_error() -> None:
    error = resource_error(compute("Failed"), "rid-1")
    assert (error.code, error.request_id) == ("ProvisioningFailed", "rid-1")
    assert str(error) == "ProvisioningFailed: the operation failed without an error message (request id: rid-1)"


def test_an_instances_own_errors_are_its_provisioning_error() -> None:
    body = compute("Failed", properties={"errors": [{"error": {"code": "SetupScriptFailed", "message": "exit 3"}}]})
    assert str(resource_error(body)) == "SetupScriptFailed: exit 3"


@pytest.mark.parametrize(
    "value,expected",
    [
        ("Succeeded", "Succeeded"),
        ("failed", "Failed"),
        ("CANCELED", "Canceled"),
        ("Deleting", "InProgress"),
        (None, "InProgress"),
    ],
)
def test_terminal_names_only_the_three_ends(value: Any, expected: str) -> None:
    assert terminal(value) == expected
