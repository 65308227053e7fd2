"""The local workspace's HTTP server: ARM on 127.0.0.1, in-process on first use or in the foreground.

``ensure_running()`` starts one server per process (a daemon thread, random port) over the
shared SQLite store and returns its base URL; ``serve(port, data)`` is ``jupyter compute
emulator``. The server applies fault injection (see ``faults.py``) before the ARM logic and
exposes ``/_emulator/faults``, ``/_emulator/requests``, ``/_emulator/health``, ``/_emulator/images`` (publish a
newer OS image) and ``/_emulator/jobs`` (mark a cluster's nodes busy with a job) for tests, demos and tools.
With ``Settings.access_log`` ($JUPYTER_COMPUTE_ACCESS_LOG) set, every served request is appended to that
file (method, path, status).

Each answer leaves in one write with Nagle's algorithm off: written as headers then body, the
second small segment would wait for the client's delayed ACK (about 40 ms per request after a
connection's first).

It is closed as Jupyter Server is, in this order, before anything is read or changed:

1. ``Content-Length`` must be a plain number up to 4 MiB (else 400).
2. ``Host`` must be a loopback name or address (else 400): a DNS-rebinding page reaches 127.0.0.1 under its own name.
3. An ``Origin`` header must name this server (else 403): browsers send it on cross-site writes.
4. ``Authorization: Bearer <token>`` must carry the state folder's token (else 401; see ``access.py``).
   This covers the ``/_emulator/*`` endpoints too. Only the prices stand-in (``GET /_prices/…``, see
   ``prices.py``) is served without it: the API it stands in for is public, and clients send it no token.

Refused requests change nothing: no state, no fault counters, no request log. They are only counted in
``LocalServer.refused``.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import logging
import os
import re
import shlex
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from .. import settings as settings_module
from ..errors import LocalStoreError, ValidationError
from ..settings import Settings
from . import prices as prices_standin
from .access import TOKEN_FILE, local_token, same_token
from .faults import Delay, Drop, Faults
from .routes import ArmFailure, Page, Request, resolve
from .service import LocalService
from .store import Store

log = logging.getLogger(__name__)

MAX_BODY = 4 * 1024 * 1024  # ARM compute bodies are a few KB; anything near this is not ours
LOOPBACK_NAMES = frozenset({"localhost"})
STORE_FAILURE_STATUS = 507  # Insufficient Storage: not in the clients' retry list, since retrying cannot help

_lock = threading.Lock()
_running: dict[Path, LocalServer] = {}


class Logged(NamedTuple):
    """One served request: when it arrived, what it asked, the answer, and the client's request id
    (``x-ms-client-request-id``; urllib3 resends the same headers when it retries, so a retry keeps it)."""

    t: float
    method: str
    path: str
    status: int
    client_request_id: str | None
    answered: float = 0.0  # when its answer was written (time.monotonic, as ``t``): e.g. when a PUT was accepted


class Refused(NamedTuple):
    method: str
    path: str
    status: int
    reason: str


class LocalServer:
    """The server over the store in ``home`` (default: the settings' home). ``token`` is what clients must
    send (tests that address it as an Azure workspace set ``JUPYTER_COMPUTE_ACCESS_TOKEN=server.token``).
    ``settings``: the knobs to use (default: ``settings.current()``, asked when needed); ``faults``
    overrides theirs. Raises LocalStoreError when the state folder cannot serve, and OSError when ``port``
    cannot be bound."""

    def __init__(
        self,
        port: int = 0,
        home: Path | None = None,
        faults: str | None = None,
        record_bodies: bool = False,
        settings: Settings | None = None,
    ) -> None:
        self._settings = settings
        self.store = Store(home or self.settings.home)
        self.token = local_token(self.store.home)
        self.token_file = self.store.home / TOKEN_FILE
        self.service = LocalService(self.store, settings)
        self.faults = Faults(self.settings.faults if faults is None else faults)
        self.requests = 0
        self.request_log: list[Logged] = []
        self.refused: list[Refused] = []
        # Tests compare what front ends really send; off by default (bodies may carry secrets).
        self.bodies: list[tuple[str, str, Any]] | None = [] if record_bodies else None
        handler = type("Handler", (_Handler,), {"server_ref": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread: threading.Thread | None = None

    def __repr__(self) -> str:  # never the token
        return f"LocalServer({self.url}, state={self.store.path})"

    @property
    def settings(self) -> Settings:
        return self._settings if self._settings is not None else settings_module.current()

    def start(self) -> LocalServer:
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="jupyter-compute-local", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def ensure_running() -> str:
    """The base URL of this process's local workspace server for the settings' home, started if needed.
    Raises LocalStoreError (which file, what to do) if the state folder cannot serve."""
    home = settings_module.current().home
    with _lock:
        if home not in _running:
            _running[home] = LocalServer(home=home).start()
        return _running[home].url


def loopback_host(host: str | None) -> bool:
    """Whether a ``Host`` header names this machine: a loopback address or ``localhost``, any port."""
    if not host:
        return False
    match = re.match(r"^(.*?)(:\d+)?$", host.strip())
    name = (match.group(1) if match else host).lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return name in LOOPBACK_NAMES


class _Handler(BaseHTTPRequestHandler):
    server_ref: LocalServer
    protocol_version = "HTTP/1.1"
    timeout = 60  # a client that announces a body and never sends it does not hold a thread forever
    wbufsize = -1  # buffered: an answer's headers and body leave together, flushed once per request
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        if self.server_ref.settings.emulator_log:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def handle_expect_100(self) -> bool:
        answered = super().handle_expect_100()
        self.wfile.flush()  # the client waits for it before sending the body
        return answered

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

    def do_OPTIONS(self) -> None:  # a browser's CORS preflight: refused as cross-site like any other request
        self._serve()

    def _serve(self) -> None:
        self._arrived = time.monotonic()
        if not self._admitted():
            return
        server = self.server_ref
        server.requests += 1
        split = urlsplit(self.path)
        raw = self.rfile.read(self._length) if self._length else b""
        if split.path.startswith("/_emulator/"):
            self._control(split.path, raw)
            return
        if split.path == prices_standin.PATH and self.command == "GET":
            query = dict(parse_qsl(split.query, keep_blank_values=True))
            self._send(*prices_standin.answer(query, f"http://{self.headers['Host']}"))
            return
        if self._inject_faults(split.path):
            return
        limits, allowed = server.faults.take(self.command)
        if not allowed:
            message = "The subscription's request budget is used up. Retry after the time in Retry-After."
            self._send(429, limits, _error("TooManyRequests", message))
            return
        try:
            body = json.loads(raw) if raw else None
            if server.bodies is not None:
                server.bodies.append((self.command, split.path, body))
        except ValueError:
            self._send(400, {}, _error("InvalidRequestContent", "The body is not JSON."))
            return
        request = Request(
            self.command,
            split.path,
            dict(parse_qsl(split.query, keep_blank_values=True)),
            body,
            f"http://{self.headers['Host']}",
        )
        try:
            status, headers, answer = server.service.handle(request)
        except LocalStoreError as failure:
            status, headers, answer = STORE_FAILURE_STATUS, {}, _error(failure.code, failure.message)
        except Exception as exc:  # a bug in the emulator must still answer like ARM
            log.exception("the local workspace failed on %s %s", self.command, split.path)
            status, headers, answer = 500, {}, _error("InternalServerError", repr(exc))
        self._send(status, {**headers, **limits}, answer)

    def _admitted(self) -> bool:
        """Checks 1-4 of the module docstring; a refusal is answered here and closes the connection
        (its body, if any, is never read)."""
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            return self._refuse(400, "InvalidContentLength", "Send the body with a Content-Length, not chunked.")
        if length is not None and not (length.strip().isdigit() and length.isascii()):
            return self._refuse(400, "InvalidContentLength", "Content-Length must be a non-negative whole number.")
        self._length = int(length or 0)
        if self._length > MAX_BODY:
            return self._refuse(
                400, "InvalidContentLength", f"The body is larger than the local workspace accepts ({MAX_BODY} bytes)."
            )
        host = self.headers.get("Host")
        if not loopback_host(host):
            return self._refuse(
                400,
                "InvalidHost",
                "The local workspace answers only requests addressed to 127.0.0.1, [::1] or localhost.",
            )
        origin = self.headers.get("Origin")
        if origin is not None and urlsplit(origin.lower()).netloc != str(host).lower():
            return self._refuse(403, "CrossOriginRequestRefused", "The local workspace refuses cross-site requests.")
        if urlsplit(self.path).path == prices_standin.PATH and self.command == "GET":
            return True  # public, as the API it stands in for
        given = self.headers.get("Authorization", "")
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "bearer" or not same_token(token.strip(), self.server_ref.token):
            return self._refuse(
                401,
                "AuthenticationFailed",
                f"The local workspace needs its token: send 'Authorization: Bearer' with the token in "
                f"{self.server_ref.token_file}.",
                {"WWW-Authenticate": 'Bearer realm="jupyter-compute-local"'},
            )
        return True

    def _refuse(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> bool:
        server = self.server_ref
        server.refused.append(Refused(self.command, urlsplit(self.path).path, status, code))
        del server.refused[:-1000]
        self.log_message("refused %s %s: %s", self.command, urlsplit(self.path).path, code)
        self.close_connection = True
        self._write(status, {**(headers or {}), "Connection": "close"}, _error(code, message))
        return False

    def _inject_faults(self, path: str) -> bool:
        """Apply the configured faults (latency first); True if one of them answered the request."""
        for fault in self.server_ref.faults.pick(self.command, path):
            action = fault.action()
            if isinstance(action, Delay):
                time.sleep(action.seconds)
            elif isinstance(action, Drop):
                self.close_connection = True
                self.connection.shutdown(2)
                return True
            else:
                self._send(action.status, action.headers, _error(action.code, action.message))
                return True
        return False

    def _control(self, path: str, raw: bytes) -> None:
        faults = self.server_ref.faults
        if path == "/_emulator/health":
            self._send(200, {}, {"status": "ok", "requests": self.server_ref.requests})
        elif path == "/_emulator/requests":
            self._send(200, {}, [entry._asdict() for entry in self.server_ref.request_log])
        elif path == "/_emulator/faults" and self.command == "POST":
            try:
                faults.configure(json.loads(raw or b"{}").get("faults", ""))
            except (ValueError, AttributeError) as exc:
                self._send(400, {}, _error("BadRequest", str(exc)))
                return
            self._send(200, {}, faults.snapshot())
        elif path == "/_emulator/faults" and self.command == "DELETE":
            faults.configure("")
            self._send(200, {}, faults.snapshot())
        elif path == "/_emulator/faults":
            self._send(200, {}, faults.snapshot())
        elif path in ("/_emulator/images", "/_emulator/jobs"):
            self._after_creation(path, raw)
        else:
            self._send(404, {}, _error("NotFound", path))

    def _after_creation(self, path: str, raw: bytes) -> None:
        """``/_emulator/images``: GET the latest OS image, POST ``{"latest": "YY.MM.DD"}`` to publish a newer
        one. ``/_emulator/jobs``: POST ``{"compute": ARM id, "runId": "…", "nodes": N}`` marks N idle nodes of
        that cluster busy with the job (``"runId": null`` clears them); answers its nodes."""
        computes = self.server_ref.service.computes
        try:
            given = json.loads(raw or b"{}")
            if not isinstance(given, dict):
                raise ValueError("the body must be a JSON object")
            if path == "/_emulator/images":
                if self.command == "POST":
                    computes.publish_image(str(given.get("latest") or ""))
                with self.server_ref.store.read() as db:
                    self._send(200, {}, {"latest": computes.latest_image(db)})
                return
            target = resolve(str(given.get("compute") or ""))
            if self.command != "POST" or target is None or target.route != "compute":
                raise ValueError('POST {"compute": "<the cluster\'s ARM id>", "runId": "...", "nodes": N}')
            run = given.get("runId")
            nodes = computes.mark_jobs(
                target.workspace, target.name, None if run is None else str(run), int(given.get("nodes") or 1)
            )
            self._send(200, {}, {"nodes": nodes})
        except (ValueError, TypeError) as exc:
            self._send(400, {}, _error("BadRequest", str(exc)))
        except ArmFailure as failure:
            self._send(*failure.answer())

    def _send(self, status: int, headers: dict[str, str], body: Any) -> None:
        """Answer an admitted request, and log it."""
        log = self.server_ref.request_log
        path = urlsplit(self.path).path
        log.append(
            Logged(
                self._arrived, self.command, path, status, self.headers.get("x-ms-client-request-id"), time.monotonic()
            )
        )
        del log[:-10_000]
        access_log = self.server_ref.settings.access_log
        if access_log:  # every process's server appends here: what all front ends sent (paths only, no bodies)
            line = f"{time.strftime('%Y-%m-%dT%H:%M:%S')} pid={os.getpid()} {self.command} {path} {status}\n"
            with open(access_log, "a", encoding="utf-8") as out:
                out.write(line)
        self._write(status, headers, body)

    def _write(self, status: int, headers: dict[str, str], body: Any) -> None:
        text = body.json_text() if isinstance(body, Page) else json.dumps(body) if body is not None else ""
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-ms-request-id", str(uuid.uuid4()))
        self.send_header("x-aml-cluster", "local-workspace")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def serve(port: int = 0, data: str | None = None) -> None:
    """Run the local workspace server in the foreground (``jupyter compute emulator``).

    Raises ValidationError for a ``--port`` outside 0-65535, taken, or not allowed to this user (CLI exit 2),
    and LocalStoreError when the state folder cannot serve (exit 1)."""
    if not 0 <= port <= 65535:
        raise ValidationError.one("--port", f"{port} is not a TCP port; give 1 to 65535, or 0 for a free one")
    try:
        server = LocalServer(port, Path(data).expanduser() if data else None)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            why = "is already in use on 127.0.0.1 (another program, or another emulator, listens there)"
        elif exc.errno == errno.EACCES:
            why = "is not allowed to this user (ports below 1024 need privileges)"
        else:
            why = f"cannot be opened on 127.0.0.1 ({exc.strerror or exc})"
        raise ValidationError.one("--port", f"{port} {why}; choose another port, or 0 for a free one") from None
    token = shlex.quote(str(server.token_file))
    print(f"Local Azure ML workspace (ARM) on {server.url}  state: {server.store.path}", flush=True)
    print(
        f"Point a client at it: JUPYTER_COMPUTE_ARM_ENDPOINT={server.url} "
        f'JUPYTER_COMPUTE_ACCESS_TOKEN="$(cat {token})" '
        "jupyter compute list --subscription 00000000-0000-0000-0000-000000000000 --resource-group local "
        "--workspace local",
        flush=True,
    )
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        log.debug("the emulator was interrupted; stopping")
    finally:
        server.httpd.server_close()
