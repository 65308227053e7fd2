"""Schedules after creation as the service takes them (issue 26 point 4): ``update`` re-PUTs an instance with
exactly a valid create body, never the GET's echo. Checked against a recorded create with schedules
(azure-cli-extensions test_compute_compute_instance_with_schedules, 2023-01-25): the GET normalises casing and
adds an ``id`` and a ``provisioningStatus`` to each schedule and the other trigger key as null; the re-PUT built
from that GET carries none of it, is the create body of the same settings, and validates against the REST spec
in request mode. The local workspace refuses the echo, as the service is reported to."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from jupyter_compute.local.routes import Request
from jupyter_compute.local.service import LocalService
from jupyter_compute.local.store import Store
from jupyter_compute.model import schema as wire_schema
from jupyter_compute.model.resource import Compute
from jupyter_compute.service import planning
from jupyter_compute.service.changes import Changes
from jupyter_compute.service.ref import WorkspaceRef
from jupyter_compute.service.workspace import Workspace

RECORDING = "recordings/more-2026-12/compute-instance-updates/" + (
    "test_compute_compute_instance_with_schedules.key-interactions.json"
)
STOP_19 = {"action": "stop", "trigger": {"type": "cron", "expression": "0 19 * * *", "time_zone": "UTC"}}
CHANGES = [
    {"remove_schedules": [1]},
    {"add_schedules": [STOP_19]},
    {"idle_shutdown": 30, "add_schedules": [STOP_19]},
    {"schedules": [STOP_19]},
    {"schedules": []},
]


@pytest.fixture(scope="module")
def recorded(reference: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((reference / RECORDING).read_text(encoding="utf-8"))
    return data


def walk(node: Any) -> Any:
    """Every (key, value) pair in a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def re_put(get: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    ws = Workspace(WorkspaceRef.azure("00000000-0000-0000-0000-000000000000", "group1", "workspace1"))
    compute = Compute(get)
    plan = Changes.checked(**changes).plan(ws.ref, compute)
    request = planning.update(ws.ref, plan, compute)
    assert request.method == "PUT" and request.body is not None
    return request.body


@pytest.mark.parametrize("changes", CHANGES, ids=[", ".join(c) for c in CHANGES])
def test_the_re_put_is_a_create_body_never_the_gets_echo(
    recorded: dict[str, Any], reference_validator: Any, changes: dict[str, Any]
) -> None:
    get = recorded["GET_after_Succeeded"]["body"]
    body = re_put(get, changes)
    assert wire_schema.problems(body, validator=reference_validator) == []  # request mode: no read-only field
    keys = {key for key, _ in walk(body)}
    assert not keys & {"id", "provisioningStatus", "osImageMetadata", "state", "lastOperation", "createdBy"}
    assert all(value is not None for _, value in walk(body))  # no echoed `cron: null` / `recurrence: null`
    # The create body of the same settings: what `create` would send for the instance as the update leaves it.
    ws = Workspace(WorkspaceRef.azure("00000000-0000-0000-0000-000000000000", "group1", "workspace1"))
    plan = Changes.checked(**changes).plan(ws.ref, Compute(get))
    assert plan.spec is not None
    create = planning.put(ws.ref, dataclasses.replace(plan.spec, location="eastus"), "eastus").body
    if changes.get("schedules") == []:
        assert body["properties"]["properties"]["schedules"] == {"computeStartStop": []}  # said, not left out
        create["properties"]["properties"]["schedules"] = {"computeStartStop": []}
    assert body == create
    # Each schedule in the create's own shape (the recorded PUT's keys), whatever the GET added.
    create_keys = {
        frozenset(s) for s in recorded["PUT_request_body"]["properties"]["properties"]["schedules"]["computeStartStop"]
    }
    for schedule in body["properties"]["properties"].get("schedules", {}).get("computeStartStop", []):
        assert frozenset(schedule) in create_keys


def test_the_local_workspace_refuses_the_gets_echo(recorded: dict[str, Any], tmp_path: Path) -> None:
    now = [1_800_000_000.0]
    service = LocalService(Store(tmp_path / "store"), clock=lambda: now[0])
    path = (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/group1/providers/"
        "Microsoft.MachineLearningServices/workspaces/workspace1/computes/ci1"
    )
    query = {"api-version": "2025-12-01"}
    created = service.handle(Request("PUT", path, query, recorded["PUT_request_body"], "http://127.0.0.1:1"))
    assert created[0] == 201, created
    now[0] += 24 * 3600  # created, set up and running
    echo = service.handle(Request("GET", path, query, None, "http://127.0.0.1:1"))[2]
    schedules = echo["properties"]["properties"]["schedules"]["computeStartStop"]
    assert [(s["action"], s["provisioningStatus"]) for s in schedules] == [
        ("Stop", "Completed"),
        ("Start", "Completed"),
    ]
    assert schedules[1]["recurrence"]["frequency"] == "Week" and schedules[1]["recurrence"]["schedule"]["weekDays"] == [
        "Monday",
        "Tuesday",
    ]
    assert schedules[0]["recurrence"] is None and schedules[1]["cron"] is None  # as the service echoes them
    status, _, answer = service.handle(Request("PUT", path, query, echo, "http://127.0.0.1:1"))
    assert status == 400
    assert answer["error"]["message"].startswith(
        "Schedule format is invalid: computeStartStop[0] carries id and provisioningStatus"
    )
    assert answer["error"]["details"][0]["target"] == "properties.properties.schedules.computeStartStop[0]"
    fixed = re_put(echo, {"add_schedules": [STOP_19]})
    assert service.handle(Request("PUT", path, query, fixed, "http://127.0.0.1:1"))[0] in (200, 201)


def test_update_help_says_how_sure_the_schedules_route_is() -> None:
    from jupyter_compute.frontends.verbs import VERBS

    said = VERBS["update"].help
    assert "built exactly as a create body" in said and "fairly sure, not certain" in said
    assert "updateSchedules" in said


RSTUDIO = {
    "name": "rstudio",
    "type": "docker",
    "image": {"reference": "ghcr.io/azure/rstudio-workbench:latest"},
    "endpoints": [{"target": 8787, "published": 8787}],
}


def instance_body(**inner: Any) -> dict[str, Any]:
    return {
        "name": "ci1",
        "location": "eastus",
        "properties": {
            "computeType": "ComputeInstance",
            "provisioningState": "Succeeded",
            "properties": {"vmSize": "STANDARD_DS3_V2", "state": "Running", **inner},
        },
    }


def test_custom_applications_go_by_their_own_route_with_its_preview_version() -> None:
    ws = Workspace(WorkspaceRef.azure("00000000-0000-0000-0000-000000000000", "group1", "workspace1"))
    plan = Changes.checked(custom_applications=[RSTUDIO]).plan(ws.ref, Compute(instance_body()))
    assert plan.request is not None and plan.request.method == "POST"
    assert plan.request.url.endswith("/computes/ci1/customServices?api-version=2024-10-01-preview")
    assert plan.request.body == [
        {
            "name": "rstudio",
            "image": {"type": "docker", "reference": "ghcr.io/azure/rstudio-workbench:latest"},
            "endpoints": [{"protocol": "http", "name": "connect", "target": 8787, "published": 8787}],
        }
    ]
    for item in plan.request.body:
        assert wire_schema.problems(item, "CustomService") == []
    removed = Changes.checked(custom_applications={"custom_applications": []}).plan(ws.ref, Compute(instance_body()))
    assert removed.request is not None and removed.request.body == []


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"custom_applications": [RSTUDIO], "idle_shutdown": 30}, "custom_applications", "a request of their own"),
        ({"custom_applications": [{**RSTUDIO, "endpoints": []}]}, "custom_applications", "at least one endpoint"),
        ({"custom_applications": [RSTUDIO, RSTUDIO]}, "custom_applications", "names must be unique"),
    ],
)
def test_custom_applications_refused_before_sending(changes: dict[str, Any], field: str, says: str) -> None:
    from jupyter_compute.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        Changes.checked(**changes)
    assert caught.value.problems[0].field == field and says in str(caught.value)


def test_a_cluster_has_no_custom_applications() -> None:
    from jupyter_compute.errors import ValidationError

    ws = Workspace(WorkspaceRef.azure("00000000-0000-0000-0000-000000000000", "group1", "workspace1"))
    cluster = {**instance_body(), "properties": {"computeType": "AmlCompute", "properties": {}}}
    with pytest.raises(ValidationError, match="run on compute instances"):
        Changes.checked(custom_applications=[RSTUDIO]).plan(ws.ref, Compute(cluster))


@pytest.mark.parametrize(
    ("key", "says"),
    [
        ("enable_sso", "no public spec or SDK source"),
        ("ssh_public_access_enabled", "cannot be changed after creation"),
        ("ssh_settings", "no route takes a key"),
    ],
)
def test_what_is_set_at_creation_is_refused_in_an_update_document(key: str, says: str) -> None:
    from jupyter_compute.errors import ValidationError
    from jupyter_compute.service.changes import document_keywords

    with pytest.raises(ValidationError) as caught:
        document_keywords({key: True}, "the cell body")
    assert caught.value.problems[0].field == key and says in str(caught.value)
