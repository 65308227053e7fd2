"""The server extension's first paint (jupyter_compute/frontends/server.py) in a real ``jupyter lab``:
what ``GET jupyter-compute/rows`` answers, to whom, and for which workspace.

The rows are the panel's own (:func:`jupyter_compute.ui.rows.row_of`); a workspace that cannot be listed
answers 503 with the reason and never the ARM token; the route wants the server's token like every API.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from lab_helpers import Lab, running_lab

pytestmark = pytest.mark.integration
PANEL_PATH = "jupyter-compute/panel"
ROW_KEYS = {"name", "kind", "size", "state", "tone", "nodes", "created", "actions", "busy", "confirm", "bar", "message"}
ARM_TOKEN = "first-paint-arm-token-7f3a"


def rows(lab: Lab, path: str = PANEL_PATH, token: str | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{lab.port}/jupyter-compute/rows?path={path}",
        headers={"Authorization": f"token {lab.token if token is None else token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


@contextmanager
def refusing_arm() -> Iterator[tuple[str, list[str]]]:
    """An ARM endpoint on loopback that refuses every request as Azure does a missing role (403)."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.path)
            body = json.dumps(
                {"error": {"code": "AuthorizationFailed", "message": "The client does not have authorization."}}
            ).encode()
            self.send_response(403)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("x-ms-request-id", "req-first-paint")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with running_lab(tmp_path_factory.mktemp("lab"), {"JUPYTER_COMPUTE_SPEED": "50"}) as server:
        for name in ("paint-cpu", "paint-gpu"):
            cli = [sys.executable, "-m", "jupyter_compute.frontends.cli", "create", "cluster", name]
            subprocess.run(cli, env=server.env, check=True, capture_output=True, timeout=120)
        yield server


def test_the_route_answers_the_panels_rows_of_the_configured_workspace(lab: Lab) -> None:
    status, paint = rows(lab)
    assert status == 200
    assert paint["header"] == "Compute · 2 computes"
    assert paint["notice"] == ""
    assert [row["name"] for row in paint["rows"]] == ["paint-cpu", "paint-gpu"]
    for row in paint["rows"]:
        assert ROW_KEYS <= set(row) <= ROW_KEYS | {"links", "ssh", "marks"}
        assert row["kind"] == "cluster" and row["state"] == "Succeeded"
        assert "delete" in row["actions"] and row["confirm"]["delete"].startswith(f"{row['name']} has no nodes")
        assert row["busy"] == "" and row["bar"] is None and row["message"] == ""


def test_the_route_wants_the_servers_token_and_a_path_under_its_root(lab: Lab) -> None:
    status, _ = rows(lab, token="not-the-token")
    assert status == 403
    status, body = rows(lab, path="../../etc")
    assert status == 400
    assert "without '..'" in body


def test_an_invalid_config_json_shows_the_local_workspace_and_says_why(lab: Lab) -> None:
    config = lab.root / "config.json"
    config.write_text("{not json", encoding="utf-8")
    try:
        status, paint = rows(lab)
    finally:
        config.unlink()
    assert status == 200
    assert paint["notice"].startswith("The configured workspace is not usable:")
    assert "config.json is not valid JSON" in paint["notice"]
    assert [row["name"] for row in paint["rows"]] == ["paint-cpu", "paint-gpu"]


def test_a_workspace_that_cannot_be_listed_answers_503_with_the_reason_never_the_token(tmp_path: Path) -> None:
    with refusing_arm() as (url, seen):
        env = {"JUPYTER_COMPUTE_ARM_ENDPOINT": url, "JUPYTER_COMPUTE_ACCESS_TOKEN": ARM_TOKEN}
        with running_lab(tmp_path, env) as lab:
            (lab.root / "config.json").write_text(
                json.dumps(
                    {
                        "subscription_id": "00000000-0000-0000-0000-000000000000",
                        "resource_group": "rg-paint",
                        "workspace_name": "ws-paint",
                    }
                ),
                encoding="utf-8",
            )
            status, body = rows(lab)
            log = (lab.base / "lab.log").read_text()
    assert status == 503
    message = json.loads(body)["message"]
    assert "AuthorizationFailed" in message or "authorization" in message.lower()
    assert any("/workspaces/ws-paint/computes" in path for path in seen)
    assert ARM_TOKEN not in body and ARM_TOKEN not in log
