"""The local workspace's own rules (checked against the REST spec, not the client), its routing table, and
the API version it speaks, through ``LocalService.handle`` (no HTTP)."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from jupyter_compute.local import rules
from jupyter_compute.local.routes import Page, Request, Scope, resolve
from jupyter_compute.local.service import LocalService
from jupyter_compute.local.store import Store
from jupyter_compute.model import schema
from jupyter_compute.settings import Settings

WS = "/subscriptions/s-1/resourceGroups/RG/providers/Microsoft.MachineLearningServices/workspaces/My-WS"


def shipped_spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("jupyter_compute.data").joinpath(schema.SHIPPED).read_text())
    return data


NAMES = [
    "cpu",
    "cpu-cluster",
    "a1-b2-c3",
    "gpu-v100x",
    "a" * 24,
    "Ab9",
    "cpu-1a",
    # refused
    "ab",
    "a" * 25,
    "1cpu",
    "-cpu",
    "cpu_cluster",
    "cpu.cluster",
    "cpu-1",
    "cpu-cluster-42",
    "a--1",
    "cpü",
    "",
]


@pytest.mark.parametrize("name", NAMES)
def test_the_emulators_name_rule_is_the_specs(name: str) -> None:
    """The emulator's own compute-name rule accepts exactly what the REST spec's computeName pattern does."""
    pattern = re.compile(shipped_spec()["computeNamePattern"])
    assert rules.valid_compute_name(name) == bool(pattern.match(name))


DURATIONS = [
    ("PT2M", 120.0),
    ("PT120S", 120.0),
    ("pt1h30m", 5400.0),
    ("P1DT12H", 129600.0),
    ("P1W", 604800.0),
    ("PT0.5S", 0.5),
    ("P1Y", 365 * 86400.0),
    ("P", None),
    ("PT", None),
    ("120", None),
    ("2 minutes", None),
    ("P1DT", None),
]


@pytest.mark.parametrize(("text", "seconds"), DURATIONS)
def test_iso_durations_read_as_arm_reads_them(text: str, seconds: float | None) -> None:
    assert rules.duration_seconds(text) == seconds


@pytest.mark.parametrize(("text", "seconds"), [(t, s) for t, s in DURATIONS if s is not None])
def test_every_duration_the_emulator_reads_the_schema_accepts(text: str, seconds: float) -> None:
    assert schema._ISO_DURATION.match(text.upper())


def test_the_api_version_is_the_shipped_specs() -> None:
    assert schema.API_VERSION == shipped_spec()["apiVersion"]


def test_a_path_resolves_to_its_route_and_workspace() -> None:
    target = resolve(f"{WS}/computes/cpu-cl/Start")
    assert target is not None
    assert (target.route, target.name, target.action) == ("action", "cpu-cl", "start")
    assert target.scope == Scope("s-1", "RG", "My-WS")
    assert target.workspace.key == WS.lower() and target.workspace.path == WS
    assert resolve("/subscriptions/s-1/providers/Microsoft.MachineLearningServices/locations/eastus/VMSizes") == (
        resolve("/subscriptions/s-1/providers/Microsoft.MachineLearningServices/locations/eastus/vmSizes")
    )
    assert resolve(f"{WS}/jobs") is None


@pytest.fixture
def service(tmp_path: Path) -> LocalService:
    return LocalService(Store(tmp_path), Settings(home=tmp_path), clock=lambda: 1_800_000_000.0)


ANSWERS = [
    ("GET", WS, {"api-version": "2025-12-01"}, 200, None),
    ("GET", WS, {}, 400, "MissingApiVersionParameter"),
    ("PUT", WS, {"api-version": "2025-12-01"}, 405, "MethodNotAllowed"),
    ("GET", f"{WS}/jobs", {"api-version": "2025-12-01"}, 404, "InvalidResourceType"),
    ("POST", f"{WS}/computes/cpu-cl", {"api-version": "2025-12-01"}, 405, "MethodNotAllowed"),
    ("GET", f"{WS}/computes/cpu-cl/start", {"api-version": "2025-12-01"}, 405, "MethodNotAllowed"),
    ("GET", f"{WS}/computes/cpu-cl", {"api-version": "2025-12-01"}, 404, "NotFound"),
    ("POST", f"{WS}/computes/cpu-cl/stop", {"api-version": "2025-12-01"}, 404, "NotFound"),
    ("DELETE", f"{WS}/computes/cpu-cl", {"api-version": "2025-12-01"}, 400, "BadRequest"),
    ("DELETE", f"{WS}/computes/cpu-cl", {"api-version": "2025-12-01", "underlyingResourceAction": "Delete"}, 204, None),
    ("PUT", f"{WS}/computes/cpu-1", {"api-version": "2025-12-01"}, 400, "BadRequest"),
]


@pytest.mark.parametrize(("method", "path", "query", "status", "code"), ANSWERS)
def test_each_method_and_route_is_answered_as_arm_does(
    service: LocalService, method: str, path: str, query: dict[str, str], status: int, code: str | None
) -> None:
    got, _, body = service.handle(Request(method, path, query, None, "http://127.0.0.1:1"))
    assert got == status
    assert (body or {}).get("error", {}).get("code") == code


def test_an_idle_time_that_is_no_duration_is_refused_before_anything_is_stored(service: LocalService) -> None:
    body = {
        "properties": {
            "computeType": "AmlCompute",
            "properties": {"scaleSettings": {"maxNodeCount": 1, "nodeIdleTimeBeforeScaleDown": "P1DT"}},
        }
    }
    status, _, answer = service.handle(
        Request("PUT", f"{WS}/computes/idle-cl", {"api-version": "2025-12-01"}, body, "http://127.0.0.1:1")
    )
    assert status == 400 and "nodeIdleTimeBeforeScaleDown" in json.dumps(answer)
    with service.store.read() as db:
        assert db.execute("SELECT count(*) FROM computes").fetchone() == (0,)


@pytest.mark.parametrize("link", [None, 'http://127.0.0.1:1/x?$skipToken=a"b'])
def test_a_page_sends_exactly_what_json_would(link: str | None) -> None:
    items = [{"name": "a", "properties": {"n": 1, "s": "é\n"}}, {"name": "b", "tags": {}}]
    page = Page([(item, json.dumps(item)) for item in items], link)
    assert page.json_text() == json.dumps(dict(page))
    assert json.loads(page.json_text()) == ({"value": items} | ({"nextLink": link} if link else {}))


def test_a_list_answer_is_the_same_from_its_kept_renderings(tmp_path: Path) -> None:
    """Listed twice (the second time from kept renderings), the list's text and content are the same."""
    now = [1_800_000_000.0]
    service = LocalService(Store(tmp_path), Settings(home=tmp_path), clock=lambda: now[0])
    body = {"properties": {"computeType": "AmlCompute", "properties": {"scaleSettings": {"maxNodeCount": 1}}}}
    query = {"api-version": "2025-12-01"}
    for name in ("one-cl", "two-cl"):
        assert service.handle(Request("PUT", f"{WS}/computes/{name}", query, body, "http://h"))[0] == 201
    now[0] += 600  # both have settled
    first = service.handle(Request("GET", f"{WS}/computes", query, None, "http://h"))[2]
    second = service.handle(Request("GET", f"{WS}/computes", query, None, "http://h"))[2]
    assert isinstance(first, Page) and isinstance(second, Page)
    assert first == second and first.json_text() == second.json_text() == json.dumps(dict(second))
    assert [c["name"] for c in second["value"]] == ["one-cl", "two-cl"]


# --- how to connect to an instance (issue 13, point 9) ---------------------------------------------

# The keys the service's answers carry (recordings: azure-cli-extensions test_compute_aml.yaml's list and
# azure-powershell Get-AzMLWorkspaceCompute's GET, 2023 and 2024 alike).
RECORDED_APPLICATION_KEYS = {"displayName", "endpointUri"}
RECORDED_ENDPOINT_KEYS = {"publicIpAddress", "privateIpAddress"}
RECORDED_SSH_KEYS = {"sshPublicAccess", "adminUserName", "sshPort", "adminPublicKey"}
SSH_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 user@host"


def test_an_instance_says_how_to_connect_as_the_service_does_through_its_states(tmp_path: Path) -> None:
    """Given an instance created with public SSH access and a key, when it is read while Creating, once
    Running and once Stopped, then it has no addresses, applications or SSH user and port while Creating
    (as recorded), and its Jupyter and Jupyter Lab links, addresses and SSH user and port when Running and
    when Stopped (the recordings list them for stopped instances too)."""
    now = [1_800_000_000.0]
    service = LocalService(Store(tmp_path), Settings(home=tmp_path), clock=lambda: now[0])
    query = {"api-version": "2025-12-01"}
    path = f"{WS}/computes/ssh-ci"

    def inner() -> dict[str, Any]:
        status, _, body = service.handle(Request("GET", path, query, None, "http://h"))
        assert status == 200
        props: dict[str, Any] = body["properties"]["properties"]
        return props

    body = {
        "location": "eastus",
        "properties": {
            "computeType": "ComputeInstance",
            "properties": {
                "vmSize": "Standard_DS3_v2",
                "sshSettings": {"sshPublicAccess": "Enabled", "adminPublicKey": SSH_KEY},
            },
        },
    }
    assert service.handle(Request("PUT", path, query, body, "http://h"))[0] == 201
    creating = inner()
    assert creating["state"] == "Creating"
    assert creating["applications"] == []
    assert creating["connectivityEndpoints"] == {"publicIpAddress": None, "privateIpAddress": None}
    assert creating["sshSettings"] == {"sshPublicAccess": "Enabled", "adminPublicKey": SSH_KEY}

    now[0] += 600
    running = inner()
    assert running["state"] == "Running"
    assert running["applications"] == [
        {"displayName": "Jupyter", "endpointUri": "https://ssh-ci.eastus.instances.azureml.ms/tree/"},
        {"displayName": "Jupyter Lab", "endpointUri": "https://ssh-ci.eastus.instances.azureml.ms/lab"},
    ]
    assert all(set(app) == RECORDED_APPLICATION_KEYS for app in running["applications"])
    assert set(running["connectivityEndpoints"]) == RECORDED_ENDPOINT_KEYS
    assert running["connectivityEndpoints"]["publicIpAddress"] == "127.0.0.1"  # loopback: never a real host
    assert set(running["sshSettings"]) == RECORDED_SSH_KEYS
    ssh = running["sshSettings"]
    assert (ssh["sshPublicAccess"], ssh["adminUserName"], ssh["sshPort"]) == ("Enabled", "azureuser", 50000)

    assert service.handle(Request("POST", f"{path}/stop", query, None, "http://h"))[0] == 202
    now[0] += 600
    stopped = inner()
    assert stopped["state"] == "Stopped"
    for key in ("applications", "connectivityEndpoints", "sshSettings"):
        assert stopped[key] == running[key], key
