"""What the local workspace answers about the subscriptions and workspaces its user sees: the recorded
shapes (``count``, the tenant reads header, ``kind`` Default/Hub/Project), paging by ``$skip``, and the
403 envelope of a subscription that refuses; computes stay in the workspace they were made in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from jupyter_compute.local.routes import Request
from jupyter_compute.local.service import LocalService
from jupyter_compute.local.store import Store
from jupyter_compute.settings import Settings

API = {"api-version": "2025-12-01"}
BASE = "http://127.0.0.1:1"
PROVIDER = "providers/Microsoft.MachineLearningServices"
LOCAL_SUB = "00000000-0000-0000-0000-000000000000"
RESEARCH = "10000000-0000-4000-8000-000000000001"
REFUSING = "10000000-0000-4000-8000-000000000002"
RECORDINGS = Path("recordings") / "more-2026-12" / "subscriptions-workspaces"


def service(tmp_path: Path, page_size: int = 100) -> LocalService:
    settings = Settings(home=tmp_path, local_page_size=page_size)
    return LocalService(Store(tmp_path), settings, clock=lambda: 1_800_000_000.0)


def get(svc: LocalService, path: str, query: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    return svc.handle(Request("GET", path, {**API, **(query or {})}, None, BASE))


def every_page(svc: LocalService, path: str) -> tuple[list[dict[str, Any]], int]:
    """Every item of a list, following nextLink as a client does; and how many pages it took."""
    items: list[dict[str, Any]] = []
    query: dict[str, str] = {}
    pages = 0
    while True:
        status, _, body = get(svc, path, query)
        assert status == 200, body
        pages += 1
        items += body["value"]
        if "nextLink" not in body:
            return items, pages
        link = urlsplit(body["nextLink"])
        assert link.path == path and body["nextLink"].startswith(BASE)
        query = dict(parse_qsl(link.query))


def test_subscriptions_are_listed_as_arm_lists_them(tmp_path: Path) -> None:
    status, headers, body = get(service(tmp_path), "/subscriptions")
    assert status == 200
    assert headers["x-ms-ratelimit-remaining-tenant-reads"]
    assert body["count"] == {"type": "Total", "value": len(body["value"])}
    states = {s["displayName"]: s["state"] for s in body["value"]}
    assert states["Archive (local)"] == "Disabled" and states["Local subscription"] == "Enabled"
    first = body["value"][0]
    assert first["id"] == f"/subscriptions/{first['subscriptionId']}"
    assert set(first) == {
        "id",
        "authorizationSource",
        "managedByTenants",
        "subscriptionId",
        "tenantId",
        "displayName",
        "state",
        "subscriptionPolicies",
    }


def test_the_recorded_shapes_are_the_ones_served(tmp_path: Path, reference: Path) -> None:
    """Every key the local workspace sends in a subscription or workspace item is one the service sent in the
    recordings (it sends fewer properties, never others), and the 403 is the recorded template."""
    folder = reference / RECORDINGS
    recorded_sub = json.loads((folder / "azure-sdk-for-python_test_subscriptions_2023.entry.json").read_text())
    sub_keys = set(recorded_sub["ResponseBody"]["value"][0])
    lists = json.loads((folder / "azure-powershell_Get-AzMLWorkspace.workspace-lists.json").read_text())
    recorded = [
        json.loads(entry["Content"]) for entry in lists.values() if isinstance(entry, dict) and "Content" in entry
    ]
    ws_keys = {k for page in recorded for item in page["value"] for k in item}
    prop_keys = {k for page in recorded for item in page["value"] for k in item["properties"]}
    svc = service(tmp_path)
    subs = get(svc, "/subscriptions")[2]["value"]
    assert set().union(*map(set, subs)) <= sub_keys
    workspaces, _ = every_page(svc, f"/subscriptions/{RESEARCH}/{PROVIDER}/workspaces")
    assert set().union(*map(set, workspaces)) <= ws_keys
    assert set().union(*(set(w["properties"]) for w in workspaces)) <= prop_keys
    template = (folder / "authorizationfailed-403.md").read_text()
    assert "does not have authorization to perform action" in template
    message = get(svc, f"/subscriptions/{REFUSING}/{PROVIDER}/workspaces")[2]["error"]["message"]
    assert "does not have authorization to perform action 'Microsoft.MachineLearningServices/workspaces/read'" in (
        message
    )
    assert message.endswith("or the scope is invalid. If access was recently granted, please refresh your credentials.")


@pytest.mark.parametrize("page_size", [1, 2, 100])
def test_workspace_lists_page_by_skip_and_hold_every_kind_and_several_regions(tmp_path: Path, page_size: int) -> None:
    svc = service(tmp_path, page_size)
    workspaces, pages = every_page(svc, f"/subscriptions/{RESEARCH}/{PROVIDER}/workspaces")
    assert pages == -(-len(workspaces) // page_size)
    assert len(workspaces) == 5 and len({w["id"] for w in workspaces}) == 5
    assert {w["kind"] for w in workspaces} == {"Default", "Hub", "Project"}
    assert len({w["location"] for w in workspaces}) >= 3
    by_name = {w["name"]: w for w in workspaces}
    hub, project = by_name["vision-hub"], by_name["vision-project"]
    assert project["properties"]["hubResourceId"] == hub["id"]
    assert hub["properties"]["associatedWorkspaces"] == [project["id"]]
    in_group, _ = every_page(svc, f"/subscriptions/{RESEARCH}/resourceGroups/FORECAST/{PROVIDER}/workspaces")
    assert sorted(w["name"] for w in in_group) == ["forecasting", "forecasting-dev"]
    status, _, body = get(svc, f"/subscriptions/{RESEARCH}/{PROVIDER}/workspaces", {"$skip": "x"})
    assert status == 400 and "$skip" in body["error"]["message"]


def test_a_refusing_subscription_answers_403_on_everything_under_it(tmp_path: Path) -> None:
    svc = service(tmp_path)
    ws = f"/subscriptions/{REFUSING}/resourceGroups/finance/{PROVIDER}/workspaces/risk-models"
    for path, scope in (
        (f"/subscriptions/{REFUSING}/{PROVIDER}/workspaces", f"/subscriptions/{REFUSING}"),
        (ws, ws),
        (f"{ws}/computes", ws),
    ):
        status, _, body = get(svc, path)
        assert status == 403 and body["error"]["code"] == "AuthorizationFailed", path
        assert f"over scope '{scope}'" in body["error"]["message"]
    status, _, body = svc.handle(Request("PUT", f"{ws}/computes/cpu", API, {}, BASE))
    assert status == 403 and "/workspaces/write'" in body["error"]["message"]


def test_the_default_workspace_keeps_its_ids_and_computes_stay_where_they_were_made(tmp_path: Path) -> None:
    svc = service(tmp_path)
    local = f"/subscriptions/{LOCAL_SUB}/resourceGroups/local/{PROVIDER}/workspaces/local"
    status, _, body = get(svc, local)
    assert status == 200 and (body["id"], body["kind"], body["location"]) == (local, "Default", svc.location)
    put = {"properties": {"computeType": "AmlCompute", "properties": {"vmSize": "Standard_DS3_v2"}}}
    assert svc.handle(Request("PUT", f"{local}/computes/cpu", API, put, BASE))[0] == 201
    hub = f"/subscriptions/{RESEARCH}/resourceGroups/vision/{PROVIDER}/workspaces/vision-hub"
    assert get(svc, hub)[2]["location"] == "westeurope"
    assert get(svc, f"{hub}/computes")[2]["value"] == []
    assert [c["name"] for c in get(svc, f"{local}/computes")[2]["value"]] == ["cpu"]
    other = f"/subscriptions/{LOCAL_SUB}/resourceGroups/rg/{PROVIDER}/workspaces/any-name"
    assert get(svc, other)[0] == 200  # a workspace the directory does not list still answers, as before
