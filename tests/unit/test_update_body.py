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


COMPUTES_PATH = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/group1/providers/"
    "Microsoft.MachineLearningServices/workspaces/workspace1/computes/"
)


def local_service(tmp_path: Path) -> tuple[LocalService, list[float]]:
    """The local workspace's service on a store of its own, and its clock (move ``now[0]`` to move time)."""
    now = [1_800_000_000.0]
    return LocalService(Store(tmp_path / "store"), clock=lambda: now[0]), now


def test_the_local_workspace_refuses_the_gets_echo(recorded: dict[str, Any], tmp_path: Path) -> None:
    service, now = local_service(tmp_path)
    path = COMPUTES_PATH + "ci1"
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


# --- single sign-on after creation (issue 26 point 3): POST …/enableSso, 2024-04-01-preview only ----------------

AZURE = WorkspaceRef.azure("00000000-0000-0000-0000-000000000000", "group1", "workspace1")


@pytest.mark.parametrize(("given", "sent"), [(False, False), (True, True), ("false", False), ("on", True)])
def test_single_sign_on_goes_by_its_own_route_with_its_preview_version(given: Any, sent: bool) -> None:
    """The route and body azure-ai-ml's ``ComputeOperations.enable_sso`` sends (``SsoSetting``, vendored
    v2024_04_01_preview ``build_update_sso_settings_request``): a POST with ``{"enableSSO": …}``, nothing else."""
    plan = Changes.checked(enable_sso=given).plan(AZURE, Compute(instance_body(enableSSO=not sent)))
    assert plan.spec is None and plan.request is not None and plan.request.method == "POST"
    assert plan.request.url.endswith("/computes/ci1/enableSso?api-version=2024-04-01-preview")
    assert plan.request.body == {"enableSSO": sent}
    assert wire_schema.problems(plan.request.body, "SsoSetting") == []


def test_single_sign_on_in_an_update_document_is_the_same_change() -> None:
    from jupyter_compute.service.changes import document_keywords

    keywords = document_keywords({"name": "ci1", "enable_sso": False}, "the cell body")
    assert keywords == {"enable_sso": False}
    request = Changes.checked(**keywords).plan(AZURE, Compute(instance_body())).request
    assert request is not None and request.body == {"enableSSO": False}


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"enable_sso": False, "idle_shutdown": 30}, "single sign-on changes by a request of its own"),
        ({"enable_sso": True, "custom_applications": []}, "single sign-on changes by a request of its own"),
        ({"enable_sso": "maybe"}, "expected true or false"),
    ],
)
def test_single_sign_on_refused_before_sending(changes: dict[str, Any], says: str) -> None:
    from jupyter_compute.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        Changes.checked(**changes)
    assert "enable_sso" in [p.field for p in caught.value.problems] and says in str(caught.value)


@pytest.mark.parametrize("compute_type", ["AmlCompute", "Kubernetes", "VirtualMachine"])
def test_a_cluster_or_attached_compute_has_no_single_sign_on(compute_type: str) -> None:
    from jupyter_compute.errors import ValidationError

    other = {**instance_body(), "properties": {"computeType": compute_type, "properties": {}}}
    with pytest.raises(ValidationError) as caught:
        Changes.checked(enable_sso=False).plan(AZURE, Compute(other))
    assert caught.value.problems[0].field == "enable_sso"
    assert "single sign-on is a compute instance's setting" in str(caught.value) and "Nothing was sent" in str(
        caught.value
    )


def test_update_help_says_single_sign_on_goes_with_its_preview_version() -> None:
    from jupyter_compute.frontends.registry import OneOf
    from jupyter_compute.frontends.verbs import VERBS

    verb = VERBS["update"]
    args = [a for declared in verb.args for a in (declared.args if isinstance(declared, OneOf) else (declared,))]
    flags = {flag: str(a.options.get("help")) for a in args for flag in a.flags}
    assert "enableSso" in flags["--enable-sso"] and "2024-04-01-preview" in flags["--enable-sso"]
    assert "--disable-sso" in flags and "single sign-on" in verb.help and "enable_sso" in str(verb.body)


def test_show_says_the_single_sign_on_the_service_reports() -> None:
    from jupyter_compute.render.tables import computes_html, computes_text

    off = Compute(instance_body(enableSSO=False))
    assert "Single sign-on: off (`update ci1 --enable-sso` turns it on)." in computes_text(off)
    assert "Single sign-on: on (`update ci1 --disable-sso` turns it off)." in computes_text(
        Compute(instance_body(enableSSO=True))
    )
    assert "Single sign-on: off" in str(computes_html(off))
    assert "Single sign-on" not in computes_text(Compute(instance_body()))  # the service did not say
    cluster = Compute(
        {**instance_body(), "properties": {"computeType": "AmlCompute", "properties": {"enableSSO": True}}}
    )
    assert cluster.sso_enabled is None and "Single sign-on" not in computes_text(cluster)


def test_the_local_workspace_takes_enable_sso_as_the_client_declares_it(tmp_path: Path) -> None:
    """POST enableSso on the local workspace: the SsoSetting body only, with 2024-04-01-preview only, on an
    instance only; the GET then reports the new value."""
    service, now = local_service(tmp_path)
    base = COMPUTES_PATH
    stable = {"api-version": "2025-12-01"}
    preview = {"api-version": "2024-04-01-preview"}
    instance = {
        "location": "eastus",
        "properties": {"computeType": "ComputeInstance", "properties": {"vmSize": "STANDARD_DS3_V2"}},
    }
    cluster = {
        "location": "eastus",
        "properties": {
            "computeType": "AmlCompute",
            "properties": {"vmSize": "STANDARD_DS3_V2", "scaleSettings": {"maxNodeCount": 1, "minNodeCount": 0}},
        },
    }
    assert service.handle(Request("PUT", base + "ci1", stable, instance, "http://127.0.0.1:1"))[0] == 201
    assert service.handle(Request("PUT", base + "cl1", stable, cluster, "http://127.0.0.1:1"))[0] == 201
    now[0] += 24 * 3600

    def post(name: str, body: Any, query: dict[str, str] = preview) -> tuple[int, Any]:
        status, _, answer = service.handle(
            Request("POST", base + name + "/enableSso", query, body, "http://127.0.0.1:1")
        )
        return status, answer

    def reported() -> Any:
        return service.handle(Request("GET", base + "ci1", stable, None, "http://127.0.0.1:1"))[2]["properties"][
            "properties"
        ]["enableSSO"]

    assert reported() is True  # the service's default
    for body, says in (
        ({"enableSSO": "no"}, "enableSSO: must be of type boolean"),
        ({"enableSSO": False, "extra": 1}, "unknown field(s) extra"),
        ({}, '{"enableSSO": true|false}'),
        ([False], "must be of type object"),
    ):
        status, answer = post("ci1", body)
        assert status == 400 and says in answer["error"]["message"], answer
    status, answer = post("ci1", {"enableSSO": False}, stable)
    assert status == 400 and "served with 2024-04-01-preview" in answer["error"]["message"]
    status, answer = post("cl1", {"enableSSO": False})
    assert status == 400 and "Single sign-on applies to compute instances" in answer["error"]["message"]
    assert reported() is True  # nothing refused changed it
    assert post("ci1", {"enableSSO": False}) == (200, None)
    assert reported() is False
