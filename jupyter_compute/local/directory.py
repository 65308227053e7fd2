"""The subscriptions and workspaces the local workspace's user can see, answered as ARM does.

``GET /subscriptions`` (with ``count`` and the tenant-scoped reads header, as recorded), and the
workspace lists of a subscription or a resource group (``kind`` Default, Hub or Project, the recorded
item shape). Lists page by ``$skip`` in ``nextLink`` at the settings' local page size (Azure answers
in one page today, but the API allows pages and the client follows them). A subscription marked
``refuses`` answers every request under it with ARM's 403 ``AuthorizationFailed`` envelope, the
template ARM uses for every provider. The directory is shipped data (``data/directory.json``); the
computes of each workspace live in the store as before, so the local workspace holds several.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

from ..data import catalogue
from ..settings import Settings
from .routes import PROVIDER, Answer, ArmFailure, Page, Request, Scope, Target

# What ARM sends on tenant-level reads (recorded: 11999 in 2023, 2199 in 2025); the local workspace has no limit.
TENANT_READS = "11999"


class Directory:
    """The handlers of the discovery routes, and what a workspace's own GET answers. ``settings``: asked
    on each request (the page size); ``default_location``: the region of workspaces that name none."""

    def __init__(self, settings: Callable[[], Settings], default_location: str) -> None:
        data = catalogue.directory()
        self.settings = settings
        self.tenant = str(data["tenant"])
        self.user = str(data["user"])
        self.default_location = default_location
        self._subscriptions: list[dict[str, Any]] = list(data["subscriptions"])
        self._workspaces: list[dict[str, Any]] = list(data["workspaces"])
        self._refusing = {s["subscriptionId"].lower() for s in self._subscriptions if s.get("refuses")}

    def refuse_if_barred(self, target: Target, action: str) -> None:
        """403 AuthorizationFailed for anything under a subscription that refuses this user."""
        if target.sub.lower() in self._refusing:
            scope = target.scope.path if target.scope is not None else f"/subscriptions/{target.sub}"
            raise ArmFailure(
                403,
                "AuthorizationFailed",
                f"The client '{self.user}' with object id '{_object_id(self.user)}' does not have authorization "
                f"to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was "
                "recently granted, please refresh your credentials.",
            )

    # --- routes ----------------------------------------------------------------------------------

    def subscriptions(self, request: Request, target: Target) -> Answer:
        items = [self._subscription(s) for s in self._subscriptions]
        status, headers, page = self._page(request, items)
        page["count"] = {"type": "Total", "value": len(items)}
        return status, {**headers, "x-ms-ratelimit-remaining-tenant-reads": TENANT_READS}, page

    def workspaces(self, request: Request, target: Target) -> Answer:
        """The workspaces of a subscription, or of one of its resource groups (``target.group``)."""
        self.refuse_if_barred(target, f"{PROVIDER}/workspaces/read")
        group = target.group.lower()
        items = [
            self.workspace_body(w)
            for w in self._workspaces
            if w["subscription"].lower() == target.sub.lower() and (not group or w["resourceGroup"].lower() == group)
        ]
        return self._page(request, items)

    # --- bodies ----------------------------------------------------------------------------------

    def find(self, scope: Scope) -> dict[str, Any] | None:
        """The directory's entry for a workspace path, if it lists it."""
        return next((w for w in self._workspaces if _scope(w).key == scope.key), None)

    def workspace_body(self, entry: dict[str, Any]) -> dict[str, Any]:
        """A workspace as the service lists and reads it (the recorded keys, fewer properties)."""
        scope = _scope(entry)
        location = entry.get("location") or self.default_location
        workspace_id = str(uuid.uuid5(uuid.NAMESPACE_URL, scope.key))
        properties: dict[str, Any] = {
            "friendlyName": entry["name"],
            "description": "jupyter-compute local workspace",
            "tenantId": self.tenant,
            "provisioningState": "Succeeded",
            "workspaceId": workspace_id,
            "discoveryUrl": f"https://{location}.api.azureml.ms/discovery",
            "publicNetworkAccess": "Enabled",
        }
        if entry["kind"] == "Hub":
            properties["associatedWorkspaces"] = [
                _scope(w).path for w in self._workspaces if w.get("hub") == entry["name"]
            ]
            properties["workspaceHubConfig"] = {"defaultWorkspaceResourceGroup": entry["resourceGroup"]}
        hub = next((w for w in self._workspaces if w["name"] == entry.get("hub")), None)
        if hub is not None:
            properties["hubResourceId"] = _scope(hub).path
            properties["allowRoleAssignmentOnRG"] = False
        return {
            "id": scope.path,
            "name": entry["name"],
            "type": f"{PROVIDER}/workspaces",
            "location": location,
            "tags": {},
            "etag": None,
            "properties": properties,
            "identity": {"type": "SystemAssigned", "principalId": _object_id(scope.key), "tenantId": self.tenant},
            "kind": entry["kind"],
            "sku": {"name": "Basic", "tier": "Basic"},
        }

    def _subscription(self, entry: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": f"/subscriptions/{entry['subscriptionId']}",
            "authorizationSource": "RoleBased",
            "managedByTenants": [],
            "subscriptionId": entry["subscriptionId"],
            "tenantId": self.tenant,
            "displayName": entry["displayName"],
            "state": entry["state"],
            "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "spendingLimit": "Off"},
        }

    def _page(self, request: Request, items: Sequence[dict[str, Any]]) -> tuple[int, dict[str, str], Page]:
        """The page of ``items`` that ``$skip`` asks for, with a ``nextLink`` when more follow."""
        skip = request.query.get("$skip") or "0"
        if not skip.isdigit():
            raise ArmFailure(400, "InvalidQueryParameterValue", f"$skip must be a whole number; got {skip!r}.")
        start, size = int(skip), self.settings().local_page_size
        shown = items[start : start + size]
        link = None
        if start + size < len(items):
            query = {"api-version": request.query["api-version"], "$skip": str(start + size)}
            link = f"{request.base_url}{request.path}?{urlencode(query)}"
        return 200, {}, Page([(item, json.dumps(item)) for item in shown], link)


def _scope(entry: dict[str, Any]) -> Scope:
    return Scope(entry["subscription"], entry["resourceGroup"], entry["name"])


def _object_id(seed: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, seed.lower()))
