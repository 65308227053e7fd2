"""`update` end to end against the local workspace: the Python API (idle shutdown, schedules added, replaced
and removed, size refused while running and changed when stopped, a cluster's description and tags), `show`
saying it all, `jupyter compute update` as a subprocess with its exit codes, and `%compute update` (a line
and a YAML cell) in an IPython shell."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

from jupyter_compute import settings
from jupyter_compute.model.specs import AmlComputeSpec, ComputeInstanceSpec
from jupyter_compute.service.operation import Operation
from jupyter_compute.service.workspace import Workspace

from conftest import Cli

STOP = {"action": "stop", "trigger": {"type": "cron", "expression": "0 19 * * 1-5", "time_zone": "UTC"}}
START = {"action": "start", "trigger": {"type": "cron", "expression": "0 8 * * 1-5", "time_zone": "UTC"}}


def done(op: Operation) -> Operation:
    op.wait(60)
    return op


def inner(ws: Workspace, name: str) -> dict[str, Any]:
    return dict(ws.get(name).body["properties"]["properties"])


def expressions(ws: Workspace, name: str) -> list[str]:
    return [s["cron"]["expression"] for s in (inner(ws, name).get("schedules") or {}).get("computeStartStop") or []]


@pytest.fixture
def ws() -> Workspace:
    """The local workspace with a running instance ci1, made at ten times the tests' speed (the update is what
    these tests follow, not the create)."""
    ws = Workspace.local()
    with settings.override(speed=settings.current().speed * 10):
        assert done(ws.create(ComputeInstanceSpec.from_keywords(name="ci1"))).status == "Succeeded"
    return ws


def test_idle_shutdown_and_schedules_change_on_a_running_instance(ws: Workspace) -> None:
    assert done(ws.update("ci1", idle_shutdown=45)).status == "Succeeded"
    assert inner(ws, "ci1")["idleTimeBeforeShutdown"] == "PT45M"
    assert done(ws.update("ci1", add_schedules=[STOP, START])).status == "Succeeded"
    assert expressions(ws, "ci1") == ["0 19 * * 1-5", "0 8 * * 1-5"]
    assert done(ws.update("ci1", remove_schedules=[1])).status == "Succeeded"
    assert expressions(ws, "ci1") == ["0 8 * * 1-5"]
    replaced = {"compute_start_stop": [{**STOP, "trigger": {**STOP["trigger"], "expression": "30 18 * * *"}}]}
    assert done(ws.update("ci1", schedules=replaced)).status == "Succeeded"
    assert expressions(ws, "ci1") == ["30 18 * * *"]
    assert done(ws.update("ci1", schedules=[])).status == "Succeeded"
    assert expressions(ws, "ci1") == []
    computed = inner(ws, "ci1")
    assert computed["state"] == "Running" and computed["idleTimeBeforeShutdown"] == "PT45M"


def test_size_is_refused_while_running_and_changed_when_stopped(ws: Workspace) -> None:
    running = done(ws.update("ci1", size="Standard_DS11_v2"))
    assert running.status == "Failed" and running.error is not None
    assert "only while it is stopped" in str(running.error) and "Nothing was sent" in str(running.error)
    assert ws.get("ci1").size.upper() == "STANDARD_DS3_V2"
    assert done(ws.stop("ci1")).status == "Succeeded"
    resized = done(ws.update("ci1", size="Standard_DS11_v2"))
    assert resized.status == "Succeeded" and resized.action == "resize"
    after = ws.get("ci1")
    assert after.size == "Standard_DS11_v2" and after.state == "Stopped"


def test_a_clusters_description_and_tags(ws: Workspace) -> None:
    assert done(ws.create(AmlComputeSpec.from_keywords(name="cpu", max_instances=2))).status == "Succeeded"
    assert done(ws.update("cpu", description="team A", tags={"team": "a", "cost": "ml"})).status == "Succeeded"
    body = ws.get("cpu").body
    assert body["properties"]["description"] == "team A" and body["tags"] == {"cost": "ml", "team": "a"}
    assert body["properties"]["properties"]["scaleSettings"]["maxNodeCount"] == 2
    refused = done(ws.update("cpu", size="Standard_DS11_v2"))
    assert refused.status == "Failed" and "fixed when it is created" in str(refused.error)


def test_the_cli_updates_and_shows_and_its_exit_codes(ws: Workspace, tmp_path: Path) -> None:
    cli = Cli(dict(os.environ))
    cli("update", "ci1", "--idle-shutdown", "60", "--add-schedule", json.dumps(STOP))
    shown = cli("show", "ci1").stdout
    assert "Idle shutdown     after 60 minutes of inactivity" in shown
    assert "stop cron 0 19 * * 1-5 (UTC) · next" in shown and "Next stop" in shown
    assert "Last operation    Create (Succeeded)" in shown and "by a user" in shown
    bad = cli("update", "ci1", "--idle-shutdown", "5", code=2)
    assert "idle_shutdown" in bad.stderr and "15 minutes" in bad.stderr
    running = cli("update", "ci1", "--size", "Standard_DS11_v2", code=2)
    assert "only while it is stopped" in running.stderr
    schedules = tmp_path / "schedules.yml"
    schedules.write_text(
        "schedules:\n  compute_start_stop:\n  - action: start\n    trigger: {type: cron, expression: 0 7 * * *}\n"
    )
    cli("update", "ci1", "--schedules", str(schedules))
    assert expressions(ws, "ci1") == ["0 7 * * *"]
    dry = json.loads(cli("update", "ci1", "--idle-shutdown", "90", "--dry-run", "-o", "json").stdout)
    assert dry["method"] == "POST" and dry["body"] == {"idleTimeBeforeShutdown": "PT90M"}
    assert cli("update", "nope", "--idle-shutdown", "90", code=1).stderr


def test_the_magic_updates_by_line_and_by_yaml_cell(
    ws: Workspace, shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    op = shell.run_line_magic("compute", "update ci1 --idle-shutdown 30 --wait")
    assert isinstance(op, Operation) and done(op).status == "Succeeded"
    cell = (
        "idle_time_before_shutdown_minutes: 120\n"
        "schedules:\n  compute_start_stop:\n  - action: stop\n"
        "    trigger:\n      type: cron\n      expression: 0 20 * * *\n"
    )
    op = shell.run_cell_magic("compute", "update ci1", cell)
    assert isinstance(op, Operation) and done(op).status == "Succeeded"
    assert inner(ws, "ci1")["idleTimeBeforeShutdown"] == "PT120M" and expressions(ws, "ci1") == ["0 20 * * *"]
    capsys.readouterr()
    assert shell.run_cell_magic("compute", "update ci1", "idle_shutdown_minutes: 20\n") is None
    assert "did you mean 'idle_time_before_shutdown_minutes'" in capsys.readouterr().err
    compute = shell.run_line_magic("compute", "show ci1")
    html = shell.display_formatter.formatters["text/html"](compute)
    assert "Stopping and starting" in html and "after 2 hours of inactivity" in html


def test_the_magic_turns_single_sign_on_off_by_line_and_by_yaml_cell(
    ws: Workspace, shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 26 point 3 in the magic: ``--disable-sso`` on the line, ``enable_sso:`` in a YAML cell; ``show``'s
    HTML then says what the service reports; a cell that mixes it with another change is refused."""
    op = shell.run_line_magic("compute", "update ci1 --disable-sso --wait")
    assert isinstance(op, Operation) and done(op).status == "Succeeded" and inner(ws, "ci1")["enableSSO"] is False
    html = shell.display_formatter.formatters["text/html"](shell.run_line_magic("compute", "show ci1"))
    assert "Single sign-on: off" in html
    op = shell.run_cell_magic("compute", "update ci1", "enable_sso: true\n")
    assert isinstance(op, Operation) and done(op).status == "Succeeded" and inner(ws, "ci1")["enableSSO"] is True
    capsys.readouterr()
    assert shell.run_cell_magic("compute", "update ci1", "enable_sso: false\nsize: Standard_DS11_v2\n") is None
    assert "single sign-on changes by a request of its own" in capsys.readouterr().err
    assert inner(ws, "ci1")["enableSSO"] is True


BAD_SCHEDULES = {"99 99 99 99 99": "minute '99' is outside 0-59", "*/0 * * * *": "minute step '0' must be at least 1"}


@pytest.mark.parametrize(("expression", "reason"), BAD_SCHEDULES.items())
def test_a_schedule_the_service_would_refuse_exits_2_with_nothing_sent(
    ws: Workspace, tmp_path: Path, expression: str, reason: str
) -> None:
    """Given an instance, when `update` is given a cron schedule out of range or stepping by 0 (as a flag or a
    YAML file), or `create` one in its YAML, then each exits 2 saying why and that nothing was sent, and the
    local workspace received no write."""
    log = tmp_path / "access.log"
    cli = Cli({**os.environ, "JUPYTER_COMPUTE_ACCESS_LOG": str(log)})
    entry = {"action": "stop", "trigger": {"type": "cron", "expression": expression}}
    flag = cli("update", "ci1", "--add-schedule", json.dumps(entry), code=2)
    schedules = tmp_path / "schedules.yml"
    schedules.write_text(json.dumps({"schedules": {"compute_start_stop": [entry]}}))
    file = cli("update", "ci1", "--schedules", str(schedules), code=2)
    created = tmp_path / "ci.yml"
    created.write_text(
        json.dumps({"type": "computeinstance", "name": "ci2", "schedules": {"compute_start_stop": [entry]}})
    )
    create = cli("create", "--file", str(created), code=2)
    for refused in (flag, file, create):
        assert reason in refused.stderr and "Nothing was sent" in refused.stderr, refused.stderr
    written = [line for line in (log.read_text().splitlines() if log.exists() else []) if " GET " not in line]
    assert written == [] and expressions(ws, "ci1") == []


def test_the_magic_refuses_a_bad_schedule_in_a_yaml_cell(
    ws: Workspace, shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    cell = "schedules:\n  compute_start_stop:\n  - action: stop\n    trigger: {type: cron, expression: '*/0 * * * *'}\n"
    assert shell.run_cell_magic("compute", "update ci1", cell) is None
    err = capsys.readouterr().err
    assert "minute step '0' must be at least 1" in err and "Nothing was sent" in err
    assert expressions(ws, "ci1") == []
