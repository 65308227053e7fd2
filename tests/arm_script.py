"""A scripted ARM-protocol HTTP server for transport and polling tests.

Each :class:`ScriptedArm` binds one loopback address (``127.0.0.1``, ``127.0.0.2``, …) on a random
port, records every request it receives (method, path, headers) and answers from a script: a
route is a method and a path regular expression, answered by a list of responses (taken in turn,
the last one repeated) or by a function of the request (which sees its body). A reply's body is sent as JSON,
or as it is when it is bytes. Unknown paths get an ARM 404 envelope.
Every answer carries an ``x-ms-request-id`` (``req-<n>``) unless the script sets its own headers.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

SUB = "00000000-0000-0000-0000-000000000001"
RG, WS = "rg", "ws-scripted"
WS_PATH = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.MachineLearningServices/workspaces/{WS}"
COMPUTES = f"{WS_PATH}/computes"
TOKEN = "scripted-token-5f0c"


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""

    @property
    def token(self) -> str | None:
        return self.headers.get("authorization")


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Responder = Callable[[Seen], Reply]


class ScriptedArm:
    """One scripted ARM server on ``host``; ``url`` is its base, ``seen`` what it received."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.seen: list[Seen] = []
        self._routes: list[tuple[str, re.Pattern[str], Responder]] = []
        self._lock = threading.Lock()
        self._count = 0
        handler = type("Handler", (_Handler,), {"script": self})
        self.httpd = ThreadingHTTPServer((host, 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        self.on("GET", re.escape(WS_PATH) + "$", Reply(200, {"name": WS, "location": "westeurope"}))

    def on(self, method: str, path: str, *replies: Reply | Responder) -> ScriptedArm:
        """Answer ``method`` on paths matching ``path`` with ``replies`` in turn (the last repeats);
        a later route for the same request wins."""
        queue = list(replies)

        def respond(seen: Seen) -> Reply:
            with self._lock:
                reply = queue.pop(0) if len(queue) > 1 else queue[0]
            return reply(seen) if callable(reply) else reply

        self._routes.insert(0, (method, re.compile(path), respond))
        return self

    def requests_to(self, path_part: str) -> list[Seen]:
        return [s for s in self.seen if path_part in s.path]

    def answer(self, seen: Seen) -> Reply:
        path = urlsplit(seen.path).path
        for method, pattern, respond in self._routes:
            if method == seen.method and pattern.search(path):
                return respond(seen)
        return Reply(404, {"error": {"code": "NotFound", "message": f"no script for {seen.method} {path}"}})

    def next_request_id(self) -> str:
        with self._lock:
            self._count += 1
            return f"req-{self._count}"

    def start(self) -> ScriptedArm:
        threading.Thread(target=self.httpd.serve_forever, name="scripted-arm", daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    script: ScriptedArm
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        sent = self.rfile.read(length) if length else b""
        seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, sent)
        self.script.seen.append(seen)
        reply = self.script.answer(seen)
        if isinstance(reply.body, bytes):  # sent as they are (JSON too deep for json.dumps, or no JSON at all)
            data = reply.body
        else:
            data = json.dumps(reply.body).encode() if reply.body is not None else b""
        self.send_response(reply.status)
        headers = {"x-ms-request-id": self.script.next_request_id(), **reply.headers}
        for key, value in headers.items():
            if value:
                self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = _serve


@contextmanager
def scripted(host: str = "127.0.0.1") -> Iterator[ScriptedArm]:
    server = ScriptedArm(host).start()
    try:
        yield server
    finally:
        server.stop()


def compute(name: str, state: str = "Succeeded", compute_type: str = "AmlCompute", **inner: Any) -> dict[str, Any]:
    """A compute resource body as ARM lists it."""
    body_inner: dict[str, Any] = {}
    if compute_type == "AmlCompute":
        body_inner = {
            "vmSize": "STANDARD_DS3_V2",
            "allocationState": "Steady",
            "currentNodeCount": 0,
            "targetNodeCount": 0,
            "scaleSettings": {"minNodeCount": 0, "maxNodeCount": 2},
        }
    body_inner.update(inner)
    return {
        "id": f"{WS_PATH}/computes/{name}",
        "name": name,
        "type": "Microsoft.MachineLearningServices/workspaces/computes",
        "location": "westeurope",
        "properties": {"computeType": compute_type, "provisioningState": state, "properties": body_inner},
    }


# One VM size as the region's vmSizes lists it.
SIZE = {
    "name": "Standard_DS3_v2",
    "family": "standardDSv2Family",
    "vCPUs": 4,
    "gpus": 0,
    "memoryGB": 14.0,
    "supportedComputeTypes": ["AmlCompute", "ComputeInstance"],
}


def listing(*computes: dict[str, Any], next_link: str | None = None) -> Reply:
    body: dict[str, Any] = {"value": list(computes)}
    if next_link:
        body["nextLink"] = next_link
    return Reply(200, body)
