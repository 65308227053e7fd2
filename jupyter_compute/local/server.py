"""The local workspace's HTTP server: ARM on 127.0.0.1, in-process on first use or in the foreground.

``ensure_running()`` starts one server per process (a daemon thread, random port) over the
shared SQLite store and returns its base URL; ``serve(port, data)`` is ``jupyter compute
emulator``. The server applies fault injection (see ``faults.py``) before the ARM logic and
exposes ``/_emulator/faults`` and ``/_emulator/health`` for tests and tools. With
``$JUPYTER_COMPUTE_ACCESS_LOG`` set, every request is appended to that file (method, path, status).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .faults import Faults
from .service import LocalService, Request
from .store import Store, default_home

_lock = threading.Lock()
_running: dict[Path, LocalServer] = {}


class LocalServer:
    def __init__(
        self, port: int = 0, home: Path | None = None, faults: str | None = None, record_bodies: bool = False
    ) -> None:
        self.store = Store(home)
        self.service = LocalService(self.store)
        self.faults = Faults(os.environ.get("JUPYTER_COMPUTE_FAULTS", "") if faults is None else faults)
        self.requests = 0
        self.request_log: list[tuple[float, str, str, int]] = []  # (arrival, method, path, status)
        # Tests compare what front ends really send; off by default (bodies may carry secrets).
        self.bodies: list[tuple[str, str, Any]] | None = [] if record_bodies else None
        handler = type("Handler", (_Handler,), {"server_ref": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread: threading.Thread | None = None

    def start(self) -> LocalServer:
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="jupyter-compute-local", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def ensure_running() -> str:
    """The base URL of this process's local workspace server for $JUPYTER_COMPUTE_HOME, started if needed."""
    home = default_home()
    with _lock:
        if home not in _running:
            _running[home] = LocalServer(home=home).start()
        return _running[home].url


class _Handler(BaseHTTPRequestHandler):
    server_ref: LocalServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        if os.environ.get("JUPYTER_COMPUTE_EMULATOR_LOG"):
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def do_GET(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        server = self.server_ref
        server.requests += 1
        self._arrived = time.monotonic()
        split = urlsplit(self.path)
        raw = self._read_body()
        if split.path.startswith("/_emulator/"):
            self._control(split.path, raw)
            return
        for fault in server.faults.pick(self.command, split.path):
            if fault.kind == "latency":
                time.sleep(fault.ms / 1000)
            elif fault.kind == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            elif fault.kind == "throttle":
                self._send(
                    429,
                    {"Retry-After": _seconds(fault.retry_after)},
                    {
                        "error": {
                            "code": "TooManyRequests",
                            "message": f"The request was throttled. Retry after {fault.retry_after} seconds.",
                        }
                    },
                )
                return
            elif fault.kind in ("error500", "error503"):
                status = int(fault.kind[-3:])
                headers = {"Retry-After": "1"} if status == 503 else {}
                self._send(
                    status,
                    headers,
                    {
                        "error": {
                            "code": "InternalServerError" if status == 500 else "ServiceUnavailable",
                            "message": "Injected server error.",
                        }
                    },
                )
                return
            elif fault.kind == "unauthorized":
                self._send(
                    401,
                    {"WWW-Authenticate": 'Bearer error="invalid_token"'},
                    {
                        "error": {
                            "code": "ExpiredAuthenticationToken",
                            "message": "The access token expiry UTC time is earlier than current UTC time.",
                        }
                    },
                )
                return
        if not self.headers.get("Authorization", "").startswith("Bearer "):
            self._send(
                401,
                {},
                {
                    "error": {
                        "code": "AuthenticationFailed",
                        "message": "Authentication failed. The 'Authorization' header is missing.",
                    }
                },
            )
            return
        try:
            body = json.loads(raw) if raw else None
            if server.bodies is not None:
                server.bodies.append((self.command, split.path, body))
        except ValueError:
            self._send(400, {}, {"error": {"code": "InvalidRequestContent", "message": "The body is not JSON."}})
            return
        host = self.headers.get("Host") or f"127.0.0.1:{server.httpd.server_address[1]}"
        request = Request(
            self.command, split.path, dict(parse_qsl(split.query, keep_blank_values=True)), body, f"http://{host}"
        )
        try:
            status, headers, answer = server.service.handle(request)
        except Exception as exc:  # a bug in the emulator must still answer like ARM
            status, headers, answer = 500, {}, {"error": {"code": "InternalServerError", "message": repr(exc)}}
        self._send(status, headers, answer)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _control(self, path: str, raw: bytes) -> None:
        faults = self.server_ref.faults
        if path == "/_emulator/health":
            self._send(200, {}, {"status": "ok", "requests": self.server_ref.requests})
        elif path == "/_emulator/requests":
            self._send(
                200, {}, [{"t": t, "method": m, "path": p, "status": s} for t, m, p, s in self.server_ref.request_log]
            )
        elif path == "/_emulator/faults" and self.command == "POST":
            try:
                faults.configure(json.loads(raw or b"{}").get("faults", ""))
            except ValueError as exc:
                self._send(400, {}, {"error": {"code": "BadRequest", "message": str(exc)}})
                return
            self._send(200, {}, faults.snapshot())
        elif path == "/_emulator/faults" and self.command == "DELETE":
            faults.configure("")
            self._send(200, {}, faults.snapshot())
        elif path == "/_emulator/faults":
            self._send(200, {}, faults.snapshot())
        else:
            self._send(404, {}, {"error": {"code": "NotFound", "message": path}})

    def _send(self, status: int, headers: dict[str, str], body: Any) -> None:
        log = self.server_ref.request_log
        path = urlsplit(self.path).path
        log.append((getattr(self, "_arrived", time.monotonic()), self.command, path, status))
        del log[:-10_000]
        access_log = os.environ.get("JUPYTER_COMPUTE_ACCESS_LOG")
        if access_log:  # every process's server appends here: what all front ends sent (paths only, no bodies)
            line = f"{time.strftime('%Y-%m-%dT%H:%M:%S')} pid={os.getpid()} {self.command} {path} {status}\n"
            with open(access_log, "a", encoding="utf-8") as out:
                out.write(line)
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-ms-request-id", str(uuid.uuid4()))
        self.send_header("x-ms-ratelimit-remaining-subscription-reads", "11999")
        self.send_header("x-aml-cluster", "local-workspace")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def serve(port: int = 0, data: str | None = None) -> None:
    """Run the local workspace server in the foreground (``jupyter compute emulator``)."""
    server = LocalServer(port, Path(data).expanduser() if data else None)
    print(f"Local Azure ML workspace (ARM) on {server.url}  state: {server.store.path}", flush=True)
    print(
        f"Point a client at it: JUPYTER_COMPUTE_ARM_ENDPOINT={server.url} JUPYTER_COMPUTE_ACCESS_TOKEN=local "
        "jupyter compute list --subscription 00000000-0000-0000-0000-000000000000 --resource-group local "
        "--workspace local",
        flush=True,
    )
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
