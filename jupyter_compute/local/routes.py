"""What an ARM path names, and the shape of requests, answers and ARM failures of the local workspace.

:func:`resolve` reads a path into a :class:`Target`: which route it is (``subscriptions``, ``workspaces``
of a subscription or resource group, ``workspace``, ``computes``, ``compute``, ``action``, ``location``,
``operation_status``), the subscription (empty for ``subscriptions``), the workspace as a
:class:`Scope`, and the route's other parts. The service keeps the table of which handler answers
which (method, route).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

PROVIDER = "Microsoft.MachineLearningServices"
_WS = (
    rf"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/{PROVIDER}"
    r"/workspaces/(?P<ws>[^/]+)"
)
_LOC = rf"^/subscriptions/(?P<sub>[^/]+)/providers/{PROVIDER}/locations/(?P<location>[^/]+)"
ROUTES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("subscriptions", re.compile(r"^/subscriptions$", re.I)),
    (
        "workspaces",
        re.compile(
            rf"^/subscriptions/(?P<sub>[^/]+)(?:/resourceGroups/(?P<group>[^/]+))?/providers/{PROVIDER}/workspaces$",
            re.I,
        ),
    ),
    ("workspace", re.compile(_WS + "$", re.I)),
    ("computes", re.compile(_WS + "/computes$", re.I)),
    ("compute", re.compile(_WS + "/computes/(?P<name>[^/]+)$", re.I)),
    (
        "action",
        re.compile(
            _WS
            + "/computes/(?P<name>[^/]+)/(?P<action>"
            + "listNodes|listKeys|start|stop|restart|resize|updateIdleShutdownSetting|customServices|enableSso)$",
            re.I,
        ),
    ),
    ("location", re.compile(_LOC + "/(?P<what>vmSizes|usages|quotas)$", re.I)),
    ("operation_status", re.compile(_LOC + "/computeOperationsStatus/(?P<operation>[^/]+)$", re.I)),
)

Answer = tuple[int, dict[str, str], Any]


class Page(dict[str, Any]):
    """A list answer, ``{"value": [...], "nextLink": ...}``, that also knows its JSON text: each item's text
    is given with it (kept from earlier answers), so sending a page of computes that have not changed costs
    a join, not an encoding. ``json_text()`` is exactly ``json.dumps`` of the dict."""

    def __init__(self, items: Sequence[tuple[dict[str, Any], str]], next_link: str | None = None) -> None:
        super().__init__(value=[item for item, _ in items])
        if next_link is not None:
            self["nextLink"] = next_link
        self._texts = [text for _, text in items]

    def json_text(self) -> str:
        tail = f', "nextLink": {json.dumps(self["nextLink"])}' if "nextLink" in self else ""
        return '{"value": [' + ", ".join(self._texts) + "]" + tail + "}"


@dataclass(frozen=True)
class Scope:
    """A workspace, as its path spells it; ``key`` is how the store files it (case does not matter in ARM)."""

    sub: str
    rg: str
    ws: str

    @property
    def path(self) -> str:
        return f"/subscriptions/{self.sub}/resourceGroups/{self.rg}/providers/{PROVIDER}/workspaces/{self.ws}"

    @property
    def key(self) -> str:
        return self.path.lower()

    def compute_path(self, name: str) -> str:
        return f"{self.path}/computes/{name}"


@dataclass(frozen=True)
class Target:
    """What a path names. ``scope`` is set on workspace routes; ``action`` and ``what`` are lower case."""

    route: str
    sub: str
    scope: Scope | None = None
    name: str = ""
    action: str = ""
    location: str = ""
    what: str = ""
    operation: str = ""
    group: str = ""

    @property
    def workspace(self) -> Scope:
        assert self.scope is not None, f"the {self.route} route names no workspace"
        return self.scope


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    base_url: str


class ArmFailure(Exception):
    """A refusal, answered as an ARM error envelope."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details = details or []
        self.headers = headers or {}

    def answer(self) -> Answer:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        return self.status, dict(self.headers), {"error": error}


def resolve(path: str) -> Target | None:
    """The target of ``path``, or None if no route matches."""
    for route, pattern in ROUTES:
        match = pattern.match(path)
        if match:
            parts = match.groupdict()
            scope = Scope(parts["sub"], parts["rg"], parts["ws"]) if "ws" in parts else None
            return Target(
                route,
                parts.get("sub") or "",
                scope,
                name=parts.get("name") or "",
                action=(parts.get("action") or "").lower(),
                location=parts.get("location") or "",
                what=(parts.get("what") or "").lower(),
                operation=parts.get("operation") or "",
                group=parts.get("group") or "",
            )
    return None


def not_found(name: str) -> ArmFailure:
    return ArmFailure(404, "NotFound", f"The compute {name} was not found in this workspace.")


def busy(name: str, action: str) -> ArmFailure:
    return ArmFailure(
        409,
        "Conflict",
        f"The compute {name} is busy with another operation ({action}); try again when it has finished.",
    )


def method_not_allowed(request: Request) -> ArmFailure:
    return ArmFailure(405, "MethodNotAllowed", f"{request.method} is not allowed on {request.path}.")


def bad_request(message: str, code: str = "BadRequest") -> ArmFailure:
    return ArmFailure(400, code, message)
