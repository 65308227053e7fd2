"""Nothing leaves by a side door (issue 22, points 6 and 7).

Two scripted ARM servers on different loopback addresses: the workspace's endpoint (127.0.0.1) and another
host (127.0.0.2) that the first one redirects to. The other host must receive nothing, neither a request nor
the VM password the PUT carries. A hostile endpoint that quotes the request body in its error messages (at
once, or later in the operation's status) gets its quotes printed with the password masked, in the CLI and
in the magic. The prices client follows the same rules with two scripted prices servers."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_compute.service.prices import PriceBook

from arm_script import COMPUTES, RG, SUB, WS, Reply, ScriptedArm, Seen, compute, listing, scripted
from kinds import VM_ID
from prices_server import item, page, serving

PASSWORD = "Vm-pa55word-that-must-stay-home-7731"
WORKSPACE = ["--subscription", SUB, "--resource-group", RG, "--workspace", WS]
ATTACH = ["attach", "vm", "vm-one", "--resource-id", VM_ID, "--ssh-port", "22", "--admin-username", "me"]
STATUS = f"/subscriptions/{SUB}/providers/Microsoft.MachineLearningServices/locations/westeurope/operationsStatus/op-7"


@pytest.fixture
def other() -> Iterator[ScriptedArm]:
    with scripted("127.0.0.2") as server:
        yield server


def attach_vm(*extra: str) -> subprocess.CompletedProcess[str]:
    """`jupyter compute attach vm vm-one … --password-env PW` as a process, against the ``arm`` fixture's endpoint."""
    import sys

    return subprocess.run(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", *ATTACH, "--password-env", "PW", *extra, *WORKSPACE],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PW": PASSWORD},
    )


def echo(seen: Seen) -> Reply:
    """A 400 whose message quotes the request body, as some services' validation errors do."""
    return Reply(400, {"error": {"code": "BadRequest", "message": f"Invalid body: {seen.body.decode()}"}})


# --- 6. no redirect to another origin -----------------------------------------------------------------------


def test_a_307_to_another_host_is_not_followed_and_the_password_stays_home(
    arm: ScriptedArm, other: ScriptedArm
) -> None:
    arm.on("PUT", re.escape(COMPUTES) + "/vm-one$", Reply(307, None, {"Location": f"{other.url}{COMPUTES}/vm-one"}))
    result = attach_vm()
    assert other.seen == []
    assert [s.method for s in arm.requests_to(f"{COMPUTES}/vm-one")] == ["GET", "PUT"]  # the PUT went only home
    assert PASSWORD.encode() in arm.requests_to(f"{COMPUTES}/vm-one")[1].body
    assert result.returncode == 1, result
    line = result.stderr.strip()
    assert "redirect (HTTP 307)" in line and "127.0.0.2" in line and "not followed" in line, line
    assert "Traceback" not in line and PASSWORD not in result.stdout + result.stderr


def test_the_magic_refuses_the_same_redirect(arm: ScriptedArm, other: ScriptedArm, shell: Any, capsys: Any) -> None:
    arm.on("PUT", re.escape(COMPUTES) + "/vm-one$", Reply(307, None, {"Location": f"{other.url}{COMPUTES}/vm-one"}))
    os.environ["PW"] = PASSWORD
    try:
        shell.run_line_magic("compute", " ".join([*ATTACH, "--password-env", "PW", *WORKSPACE]))
    finally:
        del os.environ["PW"]
    err = capsys.readouterr().err
    assert other.seen == []
    assert "redirect (HTTP 307)" in err and "127.0.0.2" in err and PASSWORD not in err, err


def test_a_same_origin_redirect_is_followed_a_few_times_at_most(arm: ScriptedArm) -> None:
    from jupyter_compute import Workspace
    from jupyter_compute.errors import TransportError

    arm.on("GET", re.escape(COMPUTES) + "$", Reply(307, None, {"Location": "/moved/computes?api-version=1"}))
    arm.on("GET", "^/moved/computes$", listing(compute("c1")))
    assert Workspace.azure(SUB, RG, WS).list().names() == ["c1"]
    arm.on("GET", "^/loop$", Reply(302, None, {"Location": "/loop"}))
    arm.on("GET", re.escape(COMPUTES) + "$", Reply(307, None, {"Location": "/loop"}))
    with pytest.raises(TransportError, match="redirected more than 3 times"):
        Workspace.azure(SUB, RG, WS).list()
    assert len(arm.requests_to("/loop")) == 3


def test_the_prices_client_follows_no_redirect_to_another_origin(tmp_path: Path) -> None:
    with serving(lambda path, server: (200, page([item(armRegionName="westeurope")]))) as elsewhere:
        with serving(lambda path, server: (307, b"", {"Location": elsewhere.endpoint})) as prices:
            found = PriceBook(prices.endpoint, tmp_path / "a").region("westeurope")
    assert elsewhere.seen == [] and len(prices.seen) == 1
    assert not found.known and "redirected off" in found.problem, found.problem


def test_the_prices_client_follows_a_same_origin_redirect_a_few_times_at_most(tmp_path: Path) -> None:
    priced = page([item(armRegionName="westeurope")])

    def answer(path: str, server: Any) -> tuple[int, bytes, dict[str, str]]:
        if path.startswith("/api/retail/prices"):
            return 307, b"", {"Location": "/moved/prices?page=1"}
        return 200, priced, {}

    with serving(answer) as prices:
        found = PriceBook(prices.endpoint, tmp_path / "b").region("westeurope")
        assert found.known, found.problem
        assert [path.split("?")[0] for path, _ in prices.seen] == ["/api/retail/prices", "/moved/prices"]
        prices.answer = lambda path, server: (302, b"", {"Location": "/again"})
        looping = PriceBook(prices.endpoint, tmp_path / "c").region("westeurope")
    assert not looping.known and "redirected more than 3 times" in looping.problem


# --- 7. secrets we sent are masked in what the service sends back -------------------------------------------


def test_an_error_quoting_the_request_body_prints_the_password_masked(arm: ScriptedArm) -> None:
    arm.on("PUT", re.escape(COMPUTES) + "/vm-one$", echo)
    result = attach_vm()
    assert result.returncode == 1, result
    assert PASSWORD.encode() in arm.requests_to(f"{COMPUTES}/vm-one")[1].body  # it was sent, and quoted back
    assert PASSWORD not in result.stdout + result.stderr
    assert '"password": "***"' in result.stderr and "Invalid body" in result.stderr, result.stderr


def test_the_magic_masks_the_quoted_password_too(arm: ScriptedArm, shell: Any, capsys: Any) -> None:
    arm.on("PUT", re.escape(COMPUTES) + "/vm-one$", echo)
    os.environ["PW"] = PASSWORD
    try:
        shell.run_line_magic("compute", " ".join([*ATTACH, "--password-env", "PW", *WORKSPACE]))
    finally:
        del os.environ["PW"]
    captured = capsys.readouterr()
    assert "Invalid body" in captured.err and '"password": "***"' in captured.err, captured.err
    assert PASSWORD not in captured.out + captured.err


def test_an_operation_status_quoting_the_password_later_is_masked_too(arm: ScriptedArm) -> None:
    accepted = compute("vm-one", "Creating", "VirtualMachine")
    arm.on("PUT", re.escape(COMPUTES) + "/vm-one$", Reply(201, accepted, {"Azure-AsyncOperation": arm.url + STATUS}))
    arm.on("GET", re.escape(COMPUTES) + "$", listing(compute("vm-one", "Failed", "VirtualMachine")))
    failed = {"status": "Failed", "error": {"code": "SshFailed", "message": f"ssh me@vm1 with {PASSWORD}: denied"}}
    arm.on("GET", re.escape(STATUS) + "$", Reply(200, failed))
    result = attach_vm()
    assert arm.requests_to(STATUS), "the status was asked for"
    assert result.returncode == 1, result
    assert "SshFailed" in result.stderr and "ssh me@vm1 with ***: denied" in result.stderr, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
