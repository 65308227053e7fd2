"""A request as it will be sent, and the two ways of printing it: masked (dry run) or revealed (transport)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .schema import API_VERSION as API_VERSION  # re-exported: the shipped spec's version
from .secrets import MASK, Secret

# An instance's resize (POST .../resize) is in no stable api-version (2025-12-01 included): it is sent with
# the preview version whose spec examples document it (examples/2024-10-01-preview/Compute/resize.json).
PREVIEW_API_VERSION = "2024-10-01-preview"
# An instance's single sign-on after creation (POST .../enableSso {"enableSSO": bool}) is in no public spec:
# azure-ai-ml's client for 2024-04-01-preview is the only one that has the route (its vendored
# v2024_04_01_preview ``build_update_sso_settings_request``; azure-ai-ml 1.35 sends it with this version by
# hand), and its 2024-07-01-preview and later clients do not. Sent with this version, for that call only.
SSO_API_VERSION = "2024-04-01-preview"


def masked(value: Any) -> Any:
    """A JSON-able copy with every Secret replaced by '***'."""
    if isinstance(value, Secret):
        return MASK
    if isinstance(value, Mapping):
        return {k: masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [masked(v) for v in value]
    return value


def revealed(value: Any) -> Any:
    """A JSON-able copy with every Secret's value in place. Only the transport calls this."""
    if isinstance(value, Secret):
        return value.reveal()
    if isinstance(value, Mapping):
        return {k: revealed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [revealed(v) for v in value]
    return value


# A secret shorter than this is not looked for in answers: masking it would mask ordinary words (the
# service refuses such passwords anyway).
SHORTEST_MASKED = 4


def secret_values(value: Any) -> frozenset[str]:
    """The values of the resolved Secrets in ``value``, as sent (and as a JSON string would quote them),
    to mask in what the service answers. Only the transport calls this."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Secret):
            try:
                plain = item.reveal()
            except ValueError:  # not resolved: it was not sent
                continue
            found.update(v for v in (plain, json.dumps(plain)[1:-1]) if len(v) >= SHORTEST_MASKED)
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return frozenset(found)


def hidden(value: Any, secrets: frozenset[str]) -> Any:
    """A copy of JSON ``value`` with each of ``secrets`` replaced by '***' wherever a string holds it."""
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in sorted(secrets, key=len, reverse=True):  # a longer one may hold a shorter one
            value = value.replace(secret, MASK)
        return value
    if isinstance(value, Mapping):
        return {hidden(k, secrets): hidden(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [hidden(v, secrets) for v in value]
    return value


@dataclass(frozen=True)
class ArmRequest:
    method: str
    url: str
    body: Mapping[str, Any] | list[Any] | None = None  # a list: customServices takes a JSON array

    def dry_run(self) -> dict[str, Any]:
        """``{"method", "url", "body"}`` with secrets as '***' (DESIGN: --dry-run -o json)."""
        return {"method": self.method, "url": self.url, "body": masked(self.body)}

    def dry_run_json(self) -> str:
        return json.dumps(self.dry_run(), indent=2)
