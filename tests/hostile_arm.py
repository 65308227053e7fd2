"""A scripted ARM server on 127.0.0.1 whose every string is hostile: for the escaping tests.

It answers the few requests the panel, the reprs and the CLI make for one workspace: the workspace,
the compute list, one compute, a power action (202, then a Failed status whose error is hostile),
the region's sizes, and an ARM error envelope for anything else. Compute names, descriptions, tags,
sizes and error messages carry HTML (tags, quotes that would close an attribute, event handlers)
and terminal escape sequences (retitle, clear screen, carriage return, bell).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

SUB = "11111111-2222-3333-4444-555555555555"
RG = "rg"
WS = "ws-1"
TERMINAL = "\x1b]0;pwned\x07\x1b[2J\r\x9b2J"
SCRIPT = "<img src=x onerror=alert(1)>' onmouseover='alert(2)\" onfocus=\"alert(3)"
HOSTILE = f"{SCRIPT}{TERMINAL}"
HOSTILE_NAME = f"c<b onclick=alert(4)>'\"{TERMINAL}"
PROVIDER = "providers/Microsoft.MachineLearningServices"
WORKSPACE_PATH = f"/subscriptions/{SUB}/resourceGroups/{RG}/{PROVIDER}/workspaces/{WS}"
# Any resource group (the tests also send hostile ones, percent-encoded); this subscription and workspace.
WORKSPACE = re.compile(rf"/subscriptions/{SUB}/resourceGroups/[^/]+/{PROVIDER}/workspaces/{WS}(?P<rest>/.*)?")
STATUS_PATH = f"/subscriptions/{SUB}/{PROVIDER}/locations/eastus/computeOperationsStatus/op1"
INSTANCE = "ci1"  # a plain name, so the CLI can act on it; its description and errors are hostile
SCRIPT_LINK = "javascript:alert(1)"
GOOD_LINK = "https://ci1.eastus.instances.azureml.ms/lab"
SSH_USER = "azureuser; touch /tmp/pwned #"


def compute(name: str, compute_type: str, inner: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": f"{WORKSPACE_PATH}/computes/{name}",
        "name": name,
        "type": "Microsoft.MachineLearningServices/workspaces/computes",
        "location": "eastus",
        "tags": {HOSTILE: HOSTILE},
        "properties": {
            "computeType": compute_type,
            "provisioningState": "Succeeded",
            "description": HOSTILE,
            "createdOn": "2026-12-01T10:00:00Z",
            "isAttachedCompute": False,
            "properties": dict(inner),
        },
    }


COMPUTES = [
    compute(
        INSTANCE,
        "ComputeInstance",
        {
            "vmSize": "Standard_DS3_v2",
            "state": "Running",
            # How to connect, crafted: a script link, a link that breaks out of its attribute, one good link
            # with a hostile label, and an SSH user that would run a command in the shell it is pasted into.
            "applications": [
                {"displayName": HOSTILE, "endpointUri": SCRIPT_LINK},
                {"displayName": "Jupyter", "endpointUri": "https://x.example/' onmouseover='alert(5)"},
                {"displayName": HOSTILE, "endpointUri": GOOD_LINK},
            ],
            "connectivityEndpoints": {"publicIpAddress": "20.1.2.3", "privateIpAddress": "10.0.0.4"},
            "sshSettings": {"sshPublicAccess": "Enabled", "adminUserName": SSH_USER, "sshPort": 50000},
        },
    ),
    compute(
        HOSTILE_NAME,
        "AmlCompute",
        {
            "vmSize": HOSTILE,
            "currentNodeCount": 0,
            "targetNodeCount": 0,
            "allocationState": "Steady",
            "scaleSettings": {"minNodeCount": 0, "maxNodeCount": 2, "nodeIdleTimeBeforeScaleDown": "PT120S"},
        },
    ),
]


@dataclass
class HostileArm:
    url: str
    requests: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-ms-request-id", "hostile-request")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _refuse(self, status: int = 404) -> None:
        self._send(status, {"error": {"code": f"Hostile{TERMINAL}", "message": HOSTILE}})

    def _route(self) -> None:
        path = urlsplit(self.path).path
        self.server.seen.append(f"{self.command} {path}")
        matched = WORKSPACE.fullmatch(path)
        rest = (matched.group("rest") or "") if matched else None
        if rest is None:
            self._other(path)
        elif self.command == "GET" and rest == "":
            self._send(200, {"name": WS, "location": "eastus", "properties": {}})
        elif self.command == "GET" and rest == "/computes":
            self._send(200, {"value": COMPUTES})
        elif rest.startswith("/computes/"):
            segment, _, action = rest[len("/computes/") :].partition("/")
            found = next((c for c in COMPUTES if c["name"] == unquote(segment)), None)
            if found is None:
                self._refuse()
            elif self.command == "GET" and not action:
                self._send(200, found)
            elif self.command == "POST" and action in ("start", "stop", "restart"):
                self._send(202, {}, {"Azure-AsyncOperation": f"{self.server.url}{STATUS_PATH}"})
            else:
                self._refuse(400)
        else:
            self._refuse()

    def _other(self, path: str) -> None:
        if path == STATUS_PATH:
            self._send(200, {"status": "Failed", "error": {"code": f"Bad{SCRIPT}", "message": HOSTILE}})
        elif path.endswith("/locations/eastus/vmSizes"):
            self._send(200, {"value": [{"name": HOSTILE, "vCPUs": 2, "memoryGB": 4, "supportedComputeTypes": []}]})
        else:
            self._refuse()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _route


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    seen: list[str]
    url: str


@contextmanager
def hostile_arm() -> Iterator[HostileArm]:
    """The server on 127.0.0.1 (random port) for the block; its URL and the requests it saw."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.seen = []
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield HostileArm(server.url, server.seen)
    finally:
        server.shutdown()
        server.server_close()
