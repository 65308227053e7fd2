"""How the local workspace renders a compute as an ARM resource, and keeps secrets out of its store.

The service never stores nor returns a secret it was sent (passwords, keys, tokens): they are
nulled, as Azure ML does. Managed identities get stable ids derived from the resource path, so
every reader sees the same principal.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from typing import Any

from .routes import PROVIDER, Scope
from .simulation import iso

SECRET_KEYS = frozenset(
    {
        "adminUserPassword",
        "password",
        "privateKeyData",
        "databricksAccessToken",
        "relayConnectionString",
        "serviceBusConnectionString",
    }
)
TENANT = "00000000-0000-0000-0000-0000000000aa"


def render(
    name: str,
    body: dict[str, Any],
    scope: Scope,
    location: str,
    submitted_at: float | None = None,
    latest_image: str | None = None,
) -> dict[str, Any]:
    """The resource for a derived ``body`` (taken over: the caller hands in a fresh copy).
    ``submitted_at``: the answer to the write made then, which ARM gives as still "Creating";
    ``latest_image``: the latest OS image the service has (an instance on another one is not the latest)."""
    path = scope.compute_path(name)
    props = body.setdefault("properties", {})
    resource: dict[str, Any] = {
        "id": path,
        "name": name,
        "type": f"{PROVIDER}/workspaces/computes",
        "location": body.get("location") or location,
        "tags": body.get("tags") or {},
        "properties": props,
    }
    if body.get("identity"):
        resource["identity"] = _identity(body["identity"], path)
    props.setdefault("computeLocation", resource["location"])
    props.setdefault("resourceId", None)
    props.setdefault("provisioningErrors", None)
    props.setdefault("description", None)
    if submitted_at is not None:
        props["provisioningState"] = "Creating"
        props["modifiedOn"] = iso(submitted_at)
    image = (props.get("properties") or {}).get("osImageMetadata")
    if latest_image and isinstance(image, dict):
        image["latestImageVersion"] = latest_image
        image["isLatestOsImageVersion"] = image.get("currentImageVersion") == latest_image
    null_secrets(props)
    return resource


def _identity(given: Mapping[str, Any], path: str) -> dict[str, Any]:
    identity = dict(given)
    if "SystemAssigned" in identity.get("type", ""):
        identity["principalId"] = str(uuid.uuid5(uuid.NAMESPACE_URL, path))
        identity["tenantId"] = TENANT
    if identity.get("userAssignedIdentities"):
        identity["userAssignedIdentities"] = {
            k: {
                "principalId": str(uuid.uuid5(uuid.NAMESPACE_URL, k)),
                "clientId": str(uuid.uuid5(uuid.NAMESPACE_DNS, k)),
            }
            for k in identity["userAssignedIdentities"]
        }
    return identity


def without_secrets(body: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``body`` with every secret nulled: what the store keeps."""
    copied = copy.deepcopy(dict(body))
    null_secrets(copied)
    return copied


def null_secrets(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in SECRET_KEYS and value is not None:
                node[key] = None
            else:
                null_secrets(value)
    elif isinstance(node, list):
        for item in node:
            null_secrets(item)
