"""The server extension's first paint (jupyter_compute/frontends/server.py) in a real ``jupyter lab``:
what ``GET jupyter-compute/rows`` answers, to whom, and for which workspace.

The rows are the panel's own (:func:`jupyter_compute.ui.rows.row_of`); a workspace that cannot be listed
answers 503 with the reason and never the ARM token; the route wants the server's token like every API,
refuses the folders the contents API refuses (hidden, or outside the root through a symlink), and lists on
a bounded pool of its own with a deadline, so slow workspaces never hold up the server's other APIs.
"""

from __future__ import annotations

import json
import os
import re
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

from arm_script import COMPUTES, RG, SUB, WS, Reply, Seen, compute, listing, scripted
from conftest import until
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


def test_a_hidden_folder_is_refused_as_the_contents_api_refuses_it(lab: Lab) -> None:
    """Given a hidden folder whose config.json holds values (here an invalid one the notice would quote),
    when the panel's rows are asked for a kernel there, then the answer is the contents API's: 404, and
    nothing of the file is in it."""
    hidden = lab.root / ".hidden"
    hidden.mkdir()
    marker = "hidden-value-5d1e"
    (hidden / "config.json").write_text(
        json.dumps({"subscription_id": marker, "resource_group": "g", "workspace_name": "w"}), encoding="utf-8"
    )
    with pytest.raises(urllib.error.HTTPError) as contents:
        lab.api("contents/.hidden/config.json")
    contents.value.close()
    assert contents.value.code == 404
    for path in (".hidden", ".hidden/panel"):
        status, body = rows(lab, path)
        assert status == 404, (path, body)
        assert marker not in body and "subscription" not in body


def test_a_folder_that_leaves_the_root_through_a_symlink_is_refused(lab: Lab, tmp_path: Path) -> None:
    """Given a link under the root to a folder outside it, with a config.json, when the rows are asked for
    a kernel in the link, then they are refused (404) and nothing of the outside folder is read."""
    outside = tmp_path / "outside"
    outside.mkdir()
    marker = "outside-value-93c2"
    (outside / "config.json").write_text(
        json.dumps({"subscription_id": marker, "resource_group": "g", "workspace_name": "w"}), encoding="utf-8"
    )
    (lab.root / "way-out").symlink_to(outside, target_is_directory=True)
    (lab.root / "inside").mkdir(exist_ok=True)
    (lab.root / "way-in").symlink_to(lab.root / "inside", target_is_directory=True)
    try:
        status, body = rows(lab, "way-out/panel")
        assert status == 404 and marker not in body
        status, paint = rows(lab, "way-in/panel")  # a link that stays under the root is followed
        assert status == 200 and [row["name"] for row in paint["rows"]] == ["paint-cpu", "paint-gpu"]
    finally:
        (lab.root / "way-out").unlink()
        (lab.root / "way-in").unlink()


LISTINGS = 3  # the route's bound in the next test (--ComputeRows.listings)


def test_slow_workspaces_never_hold_up_the_servers_own_apis(tmp_path: Path) -> None:
    """Given a workspace whose list answers only when the test lets it, and more panels asking for rows
    than the event loop's default executor has threads, when the route has as many listings under way as
    its bound, then more answer 503 at once, /api/kernelspecs still answers while every listing waits,
    each listing answers 503 once past its deadline, and the route lists again once the workspace answers."""
    release = threading.Event()
    held: list[Seen] = []

    def slow_list(seen: Seen) -> Reply:
        held.append(seen)
        release.wait(120)
        return Reply(200, {"value": [compute("slow-cpu")]})

    default_workers = min(32, (os.cpu_count() or 1) + 4)  # asyncio's default executor, in the lab as here
    asked = max(default_workers, LISTINGS + 1)
    limits = ["--ComputeRows.listings=3", "--ComputeRows.deadline=2", "--ContentsManager.allow_hidden=True"]
    with scripted() as arm:
        arm.on("GET", r"/computes$", slow_list)
        env = {"JUPYTER_COMPUTE_ARM_ENDPOINT": arm.url, "JUPYTER_COMPUTE_ACCESS_TOKEN": ARM_TOKEN}
        try:
            with running_lab(tmp_path, env, jupyter=[sys.executable, "-m", "jupyterlab", *limits]) as lab:
                (lab.root / "config.json").write_text(
                    json.dumps({"subscription_id": SUB, "resource_group": RG, "workspace_name": WS}),
                    encoding="utf-8",
                )
                # allow_hidden: a hidden folder is listed (its invalid config.json: the local workspace, said so)
                (lab.root / ".hidden").mkdir()
                (lab.root / ".hidden" / "config.json").write_text("{not json", encoding="utf-8")
                status, paint = rows(lab, ".hidden/panel")
                assert status == 200 and "config.json is not valid JSON" in paint["notice"]

                answers: dict[int, tuple[int, Any]] = {}

                def ask(i: int) -> None:
                    (lab.root / f"p{i}").mkdir(exist_ok=True)
                    answers[i] = rows(lab, f"p{i}/panel")

                first = [threading.Thread(target=ask, args=(i,)) for i in range(LISTINGS)]
                for thread in first:
                    thread.start()
                until(lambda: len(held) == LISTINGS, 60)
                more = [threading.Thread(target=ask, args=(i,)) for i in range(LISTINGS, asked)]
                for thread in more:
                    thread.start()
                # Every ask is either waiting at the workspace or answered (beyond the bound: at once).
                until(lambda: len(held) + len([i for i in answers if i >= LISTINGS]) == asked, 60)

                specs: list[Any] = []
                asker = threading.Thread(target=lambda: specs.append(lab.api("kernelspecs")))
                asker.start()
                asker.join(60)
                assert specs and "python3" in specs[0]["kernelspecs"], "kernelspecs waited for the listings"
                assert not release.is_set() and not [i for i, (status, _) in answers.items() if status == 200]

                for thread in (*first, *more):
                    thread.join(60)
                busy = [answers[i] for i in range(LISTINGS, asked)]
                assert all(status == 503 and "listings are under way" in body for status, body in busy), busy
                late = [answers[i] for i in range(LISTINGS)]
                assert all(status == 503 and "did not answer within 2 s" in body for status, body in late), late
                assert len(held) == LISTINGS, "no listing beyond the bound reached the workspace"

                release.set()
                done: list[tuple[int, Any]] = []
                until(lambda: done.append(rows(lab, "p0/panel")) or done[-1][0] == 200, 60)
                assert [row["name"] for row in done[-1][1]["rows"]] == ["slow-cpu"]
                log = (lab.base / "lab.log").read_text()
        finally:
            release.set()
    assert "Traceback" not in log and ARM_TOKEN not in log
    assert re.search(r"ComputeRows.*not recognized", log) is None


def test_an_answer_of_the_wrong_shape_answers_503_with_the_one_error_not_a_500(tmp_path: Path) -> None:
    """A node count as a string in the list: the route says what the CLI says (issue 22), no traceback in the log."""
    with scripted("127.0.0.1") as arm:
        arm.on("GET", COMPUTES + "$", listing(compute("c1", currentNodeCount="three")))
        env = {"JUPYTER_COMPUTE_ARM_ENDPOINT": arm.url, "JUPYTER_COMPUTE_ACCESS_TOKEN": ARM_TOKEN}
        with running_lab(tmp_path, env) as lab:
            config = {"subscription_id": SUB, "resource_group": RG, "workspace_name": WS}
            (lab.root / "config.json").write_text(json.dumps(config), encoding="utf-8")
            status, body = rows(lab)
            log = (lab.base / "lab.log").read_text()
    assert status == 503, body
    message = json.loads(body)["message"]
    assert message.startswith(f"unexpected answer from the service for GET {arm.url}{COMPUTES}: "), message
    assert "currentNodeCount" in message and "(request id: req-" in message
    assert "Traceback" not in log and ARM_TOKEN not in body + log
