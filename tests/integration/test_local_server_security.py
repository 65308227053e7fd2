"""The local workspace server is as closed as Jupyter Server: without the token in the state folder, from a
name that is not loopback, or from a web page on another origin, a request changes nothing (no compute, no
fault rule, no entry in the request log) and is only counted as refused."""

from __future__ import annotations

import http.client
import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from jupyter_compute import AmlComputeSpec, Workspace
from jupyter_compute.local.server import LocalServer

AZ_SUB = "11111111-2222-3333-4444-555555555555"
WS = f"/subscriptions/{AZ_SUB}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws"
COMPUTES = f"{WS}/computes"
API = "?api-version=2024-10-01"
CLUSTER = {
    "location": "eastus",
    "properties": {"computeType": "AmlCompute", "properties": {"vmSize": "STANDARD_D1_V2"}},
}


@pytest.fixture
def server(isolated_state: Path) -> Iterator[LocalServer]:
    srv = LocalServer(home=isolated_state / "server").start()
    yield srv
    srv.stop()


def raw(
    server: LocalServer, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int, dict[str, Any]]:
    """One request exactly as given (http.client adds only Host, unless given, and Content-Length)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.httpd.server_address[1], timeout=30)
    try:
        connection.putrequest(method, path, skip_host="Host" in headers, skip_accept_encoding=True)
        for key, value in headers.items():
            connection.putheader(key, value)
        if body is not None and "Content-Length" not in headers:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


def authorized(server: LocalServer, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token}", **extra}


def snapshot(server: LocalServer) -> tuple[Any, ...]:
    """Everything a request could change: stored computes, fault rules and counters, the request log."""
    with server.store.read() as db:
        rows = db.execute("SELECT workspace, name, body FROM computes ORDER BY name").fetchall()
    return rows, json.dumps(server.faults.snapshot()), list(server.request_log), server.requests


def test_the_state_folder_token_and_store_are_private_to_the_user(isolated_state: Path) -> None:
    """Given a fresh state folder, when the local workspace is first used, then the folder is 0700 and the
    token, the SQLite store and its WAL files are 0600; an existing 0755 folder is narrowed to 0700."""
    isolated_state.mkdir(mode=0o755)
    os.chmod(isolated_state, 0o755)
    ws = Workspace.local()
    ws.create(AmlComputeSpec.from_keywords(name="private-cl", max_instances=1), preflight=False).wait(30)
    assert stat.S_IMODE(isolated_state.stat().st_mode) == 0o700
    reader = sqlite3.connect(isolated_state / "local-workspace.sqlite3")  # while open, its -wal and -shm exist
    try:
        assert reader.execute("SELECT count(*) FROM computes").fetchone() == (1,)
        entries = list(isolated_state.rglob("*"))
        files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in entries if p.is_file()}
        folders = {p.name: stat.S_IMODE(p.stat().st_mode) for p in entries if p.is_dir()}  # the prices cache
    finally:
        reader.close()
    assert {"local-workspace.token", "local-workspace.sqlite3", "local-workspace.sqlite3-wal"} <= set(files)
    assert {name: 0o600 for name in files} == files
    assert {name: 0o700 for name in folders} == folders
    assert len((isolated_state / "local-workspace.token").read_text().strip()) >= 40


def test_the_token_is_one_per_state_folder_and_never_shown(server: LocalServer, isolated_state: Path) -> None:
    """Given a server over a state folder, then a second server over the same folder uses the same token (one
    per home), another folder gets another one, and the server's repr does not show it."""
    again = LocalServer(home=isolated_state / "server")
    other = LocalServer(home=isolated_state / "elsewhere")
    try:
        assert again.token == server.token != other.token
        assert server.token not in repr(server)
    finally:
        again.httpd.server_close()
        other.httpd.server_close()


def test_another_process_without_the_token_changes_nothing(server: LocalServer) -> None:
    """Given a server with one compute, when another process sends ARM and control requests with no token, a
    wrong one, or the old fixed local token, then each is refused with 401 and nothing changed."""
    status, _ = raw(server, "PUT", f"{COMPUTES}/kept{API}", authorized(server), json.dumps(CLUSTER).encode())
    assert status == 201
    before = snapshot(server)
    script = textwrap.dedent(
        f"""
        import json, requests
        url = {server.url!r}
        put = json.dumps({CLUSTER!r})
        answers = []
        for auth in ({{}}, {{"Authorization": "Bearer local-workspace"}}, {{"Authorization": "Bearer " + "x" * 43}},
                     {{"Authorization": "Basic dXNlcjpwYXNz"}}):
            for method, path, body in (
                ("GET", {COMPUTES + API!r}, None),
                ("PUT", {COMPUTES + "/intruder" + API!r}, put),
                ("DELETE", {COMPUTES + "/kept" + API!r}, None),
                ("POST", "/_emulator/faults", json.dumps({{"faults": "error500"}})),
                ("DELETE", "/_emulator/faults", None),
                ("GET", "/_emulator/requests", None),
                ("GET", "/_emulator/health", None),
            ):
                answer = requests.request(method, url + path, data=body, headers=auth, timeout=30)
                answers.append(answer.status_code)
        print(json.dumps(answers))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)) == {401}
    assert snapshot(server) == before
    assert len(server.refused) == 28 and {r.status for r in server.refused} == {401}


def test_a_request_for_another_host_name_is_refused(server: LocalServer) -> None:
    """Given a DNS-rebinding page (its own name resolved to 127.0.0.1), when a request arrives with that
    Host, even with the token, then it is refused with 400 and nothing changed; loopback names are served."""
    port = server.httpd.server_address[1]
    before = snapshot(server)
    for host in (f"attacker.example:{port}", "attacker.example", f"127.0.0.1.nip.io:{port}", f"10.0.0.5:{port}", ""):
        status, body = raw(server, "GET", COMPUTES + API, authorized(server, Host=host))
        assert status == 400 and body["error"]["code"] == "InvalidHost", host
        status, _ = raw(server, "POST", "/_emulator/faults", authorized(server, Host=host), b'{"faults": "drop"}')
        assert status == 400
    assert snapshot(server) == before
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}", f"127.0.0.2:{port}"):
        status, _ = raw(server, "GET", COMPUTES + API, authorized(server, Host=host))
        assert status == 200, host


def test_a_cross_site_origin_is_refused(server: LocalServer) -> None:
    """Given a request that carries an Origin other than the server itself (a web page), then it is refused
    with 403 even with the token; the server's own origin is served."""
    port = server.httpd.server_address[1]
    before = snapshot(server)
    for origin in ("http://127.0.0.2:8000", "null", f"http://localhost:{port + 1}", f"https://127.0.0.1:{port}x"):
        status, body = raw(server, "PUT", f"{COMPUTES}/x{API}", authorized(server, Origin=origin), b"{}")
        assert status == 403 and body["error"]["code"] == "CrossOriginRequestRefused", origin
    assert snapshot(server) == before
    status, _ = raw(server, "GET", COMPUTES + API, authorized(server, Origin=f"http://127.0.0.1:{port}"))
    assert status == 200


def test_a_bad_content_length_is_400_without_a_traceback(isolated_state: Path) -> None:
    """Given `jupyter compute emulator`, when requests announce a negative, non-numeric or huge
    Content-Length, then each gets 400, the server prints no traceback and goes on serving."""
    state = isolated_state / "emulator"
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", "emulator", "--data", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split(" on ")[1].split()[0]
        port = int(url.rsplit(":", 1)[1])
        token = (state / "local-workspace.token").read_text().strip()
        for length in ("-1", "abc", "12a", "1e3", " ", "99999999999999999999", str(64 * 1024 * 1024)):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.putrequest("PUT", f"{COMPUTES}/x{API}")
                connection.putheader("Authorization", f"Bearer {token}")
                connection.putheader("Content-Length", length)
                connection.endheaders()
                response = connection.getresponse()
                assert response.status == 400, length
                assert json.loads(response.read())["error"]["code"] == "InvalidContentLength"
            finally:
                connection.close()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", COMPUTES + API, headers={"Authorization": f"Bearer {token}"})
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=10)
    assert "Traceback" not in stderr and "Error" not in stderr, stderr


ATTACK_PAGE = """<!doctype html><title>a page on another origin</title><script>
const target = "TARGET";
const put = JSON.stringify(CLUSTER);
const shots = [
  ["GET", "COMPUTES?api-version=2024-10-01", null],
  ["POST", "COMPUTES/intruder?api-version=2024-10-01", put],
  ["POST", "/_emulator/faults", JSON.stringify({faults: "error500"})],
  ["GET", "/_emulator/requests", null],
];
async function fire() {
  const done = [];
  for (const [method, path, body] of shots) {
    try {
      await fetch(target + path, {method, body, mode: "no-cors", credentials: "include"});
      done.push("sent " + method + " " + path);
    } catch (e) { done.push("failed " + method + " " + path + ": " + e); }
  }
  try {  // a CORS PUT needs a preflight, which the server refuses: the PUT itself is never sent
    await fetch(target + "COMPUTES/intruder2?api-version=2024-10-01",
                {method: "PUT", body: put, headers: {"Content-Type": "application/json"}});
    done.push("PUT answered");
  } catch (e) { done.push("PUT blocked"); }
  const form = document.createElement("form");  // a form post: no script needed at all
  form.method = "POST"; form.enctype = "text/plain"; form.target = "sink";
  form.action = target + "/_emulator/faults";
  const field = document.createElement("input");
  field.name = '{"faults": "drop", "x": "'; field.value = '"}';
  form.appendChild(field); document.body.appendChild(form); form.submit();
  return done;
}
</script><iframe name="sink"></iframe>"""


class _Page(BaseHTTPRequestHandler):
    page = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(self.page)))
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.ui
def test_a_web_page_on_another_origin_changes_nothing(server: LocalServer) -> None:
    """Given a page served from another loopback origin (127.0.0.2) open in Chromium, when it fires no-cors
    fetches (GET, POST), a CORS PUT and a form post at the local workspace and its control endpoints, then the
    requests arrive and are refused (401 without the token, 403 for a cross-site Origin), and no compute,
    fault rule or request-log entry appears."""
    pytest.importorskip("playwright")
    from lab_helpers import chromium

    before = snapshot(server)
    page_source = (
        ATTACK_PAGE.replace("TARGET", server.url).replace("COMPUTES", COMPUTES).replace("CLUSTER", json.dumps(CLUSTER))
    )
    handler = type("Page", (_Page,), {"page": page_source.encode()})
    site = ThreadingHTTPServer(("127.0.0.2", 0), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        with chromium() as browser:
            page = browser.new_page()
            page.goto(f"http://127.0.0.2:{site.server_address[1]}/")
            done = page.evaluate("fire()")
            assert all(line.startswith("sent") for line in done[:4]), done
            assert done[4] == "PUT blocked", done
            deadline = time.monotonic() + 15
            while len(server.refused) < 6 and time.monotonic() < deadline:  # the form post loads in the iframe
                page.wait_for_timeout(100)
    finally:
        site.shutdown()
        site.server_close()
    refused = {(r.method, r.path, r.status) for r in server.refused}
    assert ("GET", COMPUTES, 401) in refused  # no-cors GET: no Origin, but no token either
    assert ("POST", f"{COMPUTES}/intruder", 403) in refused  # no-cors POST: cross-site Origin
    assert [(r.method, r.path, r.status) for r in server.refused].count(("POST", "/_emulator/faults", 403)) == 2
    assert ("GET", "/_emulator/requests", 401) in refused
    assert ("OPTIONS", f"{COMPUTES}/intruder2", 403) in refused  # the preflight; the PUT never came
    assert not any(r.method == "PUT" for r in server.refused)
    assert snapshot(server) == before
