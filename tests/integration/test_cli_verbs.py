"""Every verb end to end from `jupyter compute …` subprocesses: on the local workspace, and against the same
server addressed as an ordinary Azure workspace, with and without injected faults. Processes share state
through the workspace, as a user's shell, kernels and panel do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from jupyter_compute import settings
from jupyter_compute.local.server import LocalServer, Logged
from jupyter_compute.settings import Settings

from conftest import Cli as SubprocessCli
from kinds import ADLA_ID, AKS_ID, DBX_ID, HDI_ID, SUB, SYN_ID, UAI, VM_ID

AZ_SUB = "11111111-2222-3333-4444-555555555555"


@dataclass
class Cli(SubprocessCli):
    """`jupyter compute` as a subprocess with ``env``, or (for the long fault matrix) its main() in this process,
    under the settings the test installed (``settings.override``)."""

    inprocess: bool = False

    def slowly(self, *args: str, speed: float = 5) -> None:
        """Run a command whose operation takes longer (about 3 s at speed 5), wherever the server runs (this
        process or the CLI's)."""
        with settings.override(speed=speed):
            self.with_env(JUPYTER_COMPUTE_SPEED=str(speed))(*args)

    def run(self, words: list[str]) -> subprocess.CompletedProcess[str]:
        return run_inprocess(words) if self.inprocess else super().run(words)


def run_inprocess(words: list[str]) -> subprocess.CompletedProcess[str]:
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from jupyter_compute.frontends import cli

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(words)
    return subprocess.CompletedProcess(words, code, out.getvalue(), err.getvalue())


@pytest.fixture
def env(isolated_state: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The CLI's environment, with the secrets the attach commands name (which the in-process CLI reads from
    this process's environment: a secret's variable is the user's input, not a setting)."""
    monkeypatch.setenv("VM_PASSWORD", "vm-pass-9")
    monkeypatch.setenv("DBX_TOKEN", "dbx-token-9")
    return dict(os.environ)


@pytest.fixture
def emulator(isolated_state: Path) -> Iterator[LocalServer]:
    server = LocalServer(home=isolated_state / "emulator").start()
    yield server
    server.stop()


def azure_cli(env: dict[str, str], server: LocalServer) -> Cli:
    return Cli(
        {**env, "JUPYTER_COMPUTE_ARM_ENDPOINT": server.url, "JUPYTER_COMPUTE_ACCESS_TOKEN": server.token},
        ["--subscription", AZ_SUB, "--resource-group", "ml-rg", "--workspace", "ml-ws"],
    )


def find(listing: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(c for c in listing if c["name"] == name)


def every_verb(cli: Cli) -> None:
    """The whole grammar, as a user would run it, with the checks that show each verb worked."""
    sizes = cli.json("sizes")
    assert any(s["name"] == "Standard_DS3_v2" for s in sizes)
    usage = cli.json("usage")
    assert any("Dedicated" in u["name"]["value"] for u in usage)

    cli(
        "create",
        "cluster",
        "cpu-cl",
        "--size",
        "Standard_DS3_v2",
        "--min-instances",
        "1",
        "--max-instances",
        "2",
        "--idle-time-before-scale-down",
        "60",
    )
    again = cli(
        "create",
        "cluster",
        "cpu-cl",
        "--size",
        "Standard_DS3_v2",
        "--min-instances",
        "1",
        "--max-instances",
        "2",
        "--idle-time-before-scale-down",
        "60",
        "-o",
        "json",
    )
    assert "already exists" in json.loads(again.stdout)["note"]
    differs = cli("create", "cluster", "cpu-cl", "--size", "Standard_DS3_v2", "--max-instances", "3", code=1)
    assert "ComputeExists" in differs.stderr and "max_instances asked 3, exists with 2" in differs.stderr
    assert "the service refused" not in differs.stderr, "found here, before a PUT that would replace it"

    cluster = find(cli.json("list"), "cpu-cl")
    assert cluster["properties"]["provisioningState"] == "Succeeded"
    assert cluster["properties"]["properties"]["currentNodeCount"] == 1
    assert "cpu-cl" in cli("list", "--type", "cluster").stdout
    assert "vmSize: Standard_DS3_v2" in cli("show", "cpu-cl", "-o", "yaml").stdout
    assert len(cli.json("nodes", "cpu-cl")) == 1

    cli("resize", "cpu-cl", "--min-nodes", "2", "--max-nodes", "2")
    assert [n["nodeState"] for n in cli.json("nodes", "cpu-cl")] == ["idle", "idle"]
    cli("identity", "cpu-cl", "--system-assigned")
    assert cli.json("show", "cpu-cl")["identity"]["type"] == "SystemAssigned"

    cli("create", "instance", "ci-box", "--size", "Standard_DS3_v2")
    assert cli.json("show", "ci-box")["properties"]["properties"]["state"] == "Running"
    cli("stop", "ci-box")
    assert cli.json("show", "ci-box")["properties"]["properties"]["state"] == "Stopped"
    cli("start", "ci-box")
    cli("restart", "ci-box")
    assert cli.json("show", "ci-box")["properties"]["properties"]["state"] == "Running"

    attached = {
        "a-vm": ["vm", "--resource-id", VM_ID, "--admin-username", "azureuser", "--password-env", "VM_PASSWORD"],
        "a-hdi": ["hdinsight", "--resource-id", HDI_ID, "--admin-username", "sshuser", "--password-env", "VM_PASSWORD"],
        "a-dbx": ["databricks", "--resource-id", DBX_ID, "--access-token-env", "DBX_TOKEN"],
        "a-adla": ["adla", "--resource-id", ADLA_ID],
        "a-syn": ["synapse", "--resource-id", SYN_ID, "--identity-type", "system_assigned"],
        "a-k8s": ["kubernetes", "--resource-id", AKS_ID, "--namespace", "ml"],
    }
    for name, (kind, *options) in attached.items():
        cli("attach", kind, name, *options)
    listing = cli.json("list")
    for name in attached:
        assert find(listing, name)["properties"]["isAttachedCompute"] is True
    refused = cli("delete", "a-vm", "--yes", code=2)
    assert "detach it" in refused.stderr
    # A Synapse pool takes one kind of identity, as its spec says: adding the other is refused before sending.
    both = cli("identity", "a-syn", "--user-assigned", UAI, code=2)
    assert "a synapse takes a system-assigned or user-assigned identity, not both" in both.stderr
    assert "applies to compute instances" in cli("start", "a-k8s", code=2).stderr
    assert "applies to compute clusters" in cli("resize", "a-adla", "--max-nodes", "2", code=2).stderr
    for name in attached:
        cli("detach", name)

    started = cli.json("create", "cluster", "later-cl", "--max-instances", "1", "--no-wait")
    assert started["status"] == "InProgress" and started["id"]
    cli("wait", "later-cl")
    assert find(cli.json("list"), "later-cl")["properties"]["provisioningState"] == "Succeeded"
    # a slow create (speed 1: about a minute) is still running when another process asks for ops
    cli.slowly("create", "instance", "slow-ci", "--no-wait")
    in_flight = cli.json("ops")
    assert any(op["name"] == "slow-ci" and op["action"] == "create" for op in in_flight), in_flight
    cli("delete", "slow-ci", "--yes")

    cli("delete", "later-cl", "--yes", "--no-wait")
    cli("delete", "cpu-cl", "--yes")
    cli("delete", "ci-box", "--yes")
    assert [c["name"] for c in cli.json("list")] == []


def service_failures(cli: Cli) -> None:
    """Failures the service reports exit 1 with the ARM code and message."""
    quota = cli(
        "create",
        "cluster",
        "huge-cl",
        "--size",
        "Standard_ND96asr_v4",
        "--max-instances",
        "100",
        "--skip-preflight",
        code=1,
    )
    assert "QuotaExceeded" in quota.stderr and "Maximum allowed: 96" in quota.stderr
    preflight = cli("create", "cluster", "huge-two", "--size", "Standard_ND96asr_v4", "--max-instances", "100", code=1)
    assert "needs 9600 vCPUs" in preflight.stderr and "Nothing was created" in preflight.stderr
    assert "error: huge-two needs 9600 vCPUs" in preflight.stderr, "found before sending: the service refused nothing"
    assert "(QuotaExceeded)" in preflight.stderr
    bad_size = cli("create", "cluster", "odd-cl", "--size", "Standard_Nope_v9", "--skip-preflight", code=1)
    assert "BadRequest" in bad_size.stderr and "Standard_Nope_v9 is not supported" in bad_size.stderr
    cli("create", "instance", "ci-two")
    # A start while the instance is stopping is refused. Should a loaded machine start the next command only
    # after the stop has ended (the start then succeeds), the instance stops again, slower.
    for speed in (5, 1.5, 0.5):
        cli.slowly("stop", "ci-two", "--no-wait", speed=speed)  # still stopping below
        busy = cli("start", "ci-two", code=None)
        if busy.returncode != 0:
            break
    assert busy.returncode == 1, (busy.stdout, busy.stderr)
    assert "error: the service refused: ci-two is busy (Stopping); try again when that has finished (Conflict" in (
        busy.stderr
    )
    cli("wait", "ci-two")
    wrong_state = cli("stop", "ci-two", code=1)  # a refusal reads as a sentence, its code kept at the end
    assert (
        "error: the service refused: ci-two is already stopped (StopComputeInstanceOnlyAllowedInRunningState, "
        "request id: " in wrong_state.stderr
    )
    cli("start", "ci-two")
    running = cli("start", "ci-two", code=1)
    assert "ci-two is already running (StartComputeInstanceOnlyAllowedInStoppedState, request id: " in running.stderr
    missing = cli("show", "no-such", code=1)
    assert "NotFound" in missing.stderr


def test_every_verb_on_the_local_workspace(env: dict[str, str]) -> None:
    every_verb(Cli(env))


def test_service_failures_on_the_local_workspace(env: dict[str, str]) -> None:
    service_failures(Cli(env))


def test_every_verb_against_an_azure_style_workspace(env: dict[str, str], emulator: LocalServer) -> None:
    cli = azure_cli(env, emulator)
    every_verb(cli)
    service_failures(cli)
    paths = {logged.path for logged in emulator.request_log}
    assert all(f"/subscriptions/{AZ_SUB}/" in p for p in paths), "every request addressed the Azure workspace"
    assert all(not p.startswith("/subscriptions/00000000-0000-0000-0000-000000000000") for p in paths)


FAULTS = {
    "throttle": "throttle:every=9:retry_after=1",
    "error500": "error500:every=5",
    "error503": "error503:every=6",
    "latency": "latency:ms=60",
    "drop": "drop:every=6",
    "unauthorized": "unauthorized:every=7",
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("mode", ["local", "azure"])
def test_every_verb_completes_under_faults(fault: str, mode: str, env: dict[str, str], isolated_state: Path) -> None:
    """The CLI's main() in this process (the matrix is long), reading the settings a CLI process would read from
    its environment, for the whole run: the poller goes on working after each main() returns."""
    env = {**env, "JUPYTER_COMPUTE_SPEED": "100"}  # the fault matrix is long: run its timeline faster
    if mode == "local":
        cli = Cli({**env, "JUPYTER_COMPUTE_FAULTS": FAULTS[fault]}, inprocess=True)
        with settings.override(Settings.from_env(cli.env)):
            every_verb(cli)
            from jupyter_compute import Workspace

            ws = Workspace.local()  # the server main() started in this process, with the settings' faults
            assert ws._client().get(f"{ws.ref.base_url()}/_emulator/faults").body["rules"][0]["fired"] > 0
        return
    server = LocalServer(home=isolated_state / "emulator", faults=FAULTS[fault]).start()
    try:
        cli = azure_cli(env, server)
        cli.inprocess = True
        with settings.override(Settings.from_env(cli.env)):
            every_verb(cli)
        fired = server.faults.snapshot()["rules"][0]["fired"]
        assert fired > 0
        if fault == "throttle":
            assert_retry_after_honoured(server.request_log, 1.0)
    finally:
        server.stop()


def assert_retry_after_honoured(log: list[Logged], seconds: float) -> None:
    """After each 429, the retry of that same request (the same x-ms-client-request-id: urllib3 resends the
    same headers) came at least Retry-After later. Another caller's request for the same path (the poller's
    list) has its own id, so it is not taken for a retry; a client that sent a new id per retry would leave
    nothing to check, and fails here too."""
    checked = 0
    for i, throttled in enumerate(log):
        if throttled.status != 429:
            continue
        assert throttled.client_request_id, f"{throttled.method} {throttled.path} came without a request id"
        retry = next((later for later in log[i + 1 :] if later.client_request_id == throttled.client_request_id), None)
        if retry is None:
            continue
        assert (retry.method, retry.path) == (throttled.method, throttled.path)
        waited = retry.t - throttled.t
        assert waited >= seconds * 0.98, f"retried {retry.method} {retry.path} after {waited:.2f}s"
        checked += 1
    assert checked > 0, "no throttled request was retried under the same request id"


def test_the_retry_after_check_catches_a_client_that_ignores_it(emulator: LocalServer) -> None:
    """Given a server that throttles every second request with Retry-After: 1, when a client retries at once
    (same request id, Retry-After ignored), then assert_retry_after_honoured fails; when it waits, it passes."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    emulator.faults.configure("throttle:every=2:retry_after=1")
    url = f"{emulator.url}/subscriptions/{AZ_SUB}/resourceGroups/rg/providers/Microsoft.MachineLearningServices"
    url += "/workspaces/ws/computes?api-version=2024-10-01"
    for honour in (False, True):
        emulator.request_log.clear()
        with requests.Session() as session:
            retry = Retry(total=3, status_forcelist=[429], respect_retry_after_header=honour, backoff_factor=0)
            session.mount("http://", HTTPAdapter(max_retries=retry))
            for _ in range(2):
                headers = {"Authorization": f"Bearer {emulator.token}", "x-ms-client-request-id": str(uuid.uuid4())}
                assert session.get(url, headers=headers, timeout=30).status_code == 200
        if honour:
            assert_retry_after_honoured(emulator.request_log, 1.0)
        else:
            with pytest.raises(AssertionError, match="retried GET"):
                assert_retry_after_honoured(emulator.request_log, 1.0)


def test_a_second_process_sees_the_same_state(env: dict[str, str]) -> None:
    cli = Cli(env)
    cli("create", "cluster", "shared-cl", "--min-instances", "1", "--max-instances", "1", "--no-wait")
    first = find(cli.json("list"), "shared-cl")["properties"]
    second = find(cli.json("list"), "shared-cl")["properties"]
    assert first["createdOn"] == second["createdOn"]
    cli("wait", "shared-cl")
    states = {
        json.dumps(find(cli.json("list"), "shared-cl")["properties"]["properties"]["nodeStateCounts"]) for _ in range(2)
    }
    assert len(states) == 1


def test_killed_mid_create_leaves_a_usable_store(env: dict[str, str], isolated_state: Path) -> None:
    """SIGKILL a process that is creating computes; the next process opens the store and serves it."""
    script = (
        "from jupyter_compute import Workspace, AmlComputeSpec\n"
        "ws = Workspace.local()\n"
        "for i in range(200):\n"
        "    spec = AmlComputeSpec.from_keywords(name=f'kill-{i:03d}x', max_instances=1)\n"
        "    ws.create(spec, preflight=False).submitted()\n"
        "    print(i, flush=True)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for _ in range(5):
        proc.stdout.readline()
    proc.kill()
    proc.wait()
    proc.stdout.close()
    cli = Cli(env)
    listing = cli.json("list")
    assert len(listing) >= 5
    assert all(c["properties"]["computeType"] == "AmlCompute" for c in listing)
    cli("create", "cluster", "after-kill", "--max-instances", "1")
    assert any(c["name"] == "after-kill" for c in cli.json("list"))
    import sqlite3

    db = sqlite3.connect(isolated_state / "local-workspace.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_paging_follows_next_link(env: dict[str, str]) -> None:
    from jupyter_compute import AmlComputeSpec, Workspace

    with settings.override(local_page_size=3):
        ws = Workspace.local()
        ops = [
            ws.create(AmlComputeSpec.from_keywords(name=f"page-{i}x", max_instances=1), preflight=False).submitted()
            for i in range(8)
        ]
        assert len(ws.list()) == 8
        raw = ws._client().get(ws.ref.computes_url()).body
        assert len(raw["value"]) == 3 and raw["nextLink"]
        for op in ops:
            op.wait(30)


def test_delete_asks_for_confirmation_without_yes(env: dict[str, str]) -> None:
    cli = Cli(env)
    cli("create", "cluster", "keep-me", "--max-instances", "1")
    refused = cli("delete", "keep-me", code=2)
    assert "--yes" in refused.stderr
    assert find(cli.json("list"), "keep-me")


def test_wait_stops_following_at_its_timeout(env: dict[str, str]) -> None:
    """Given an instance still being created (minutes at speed 1), `wait NAME --timeout 1` stops following
    it and exits 1 with its state so far, while the create goes on."""
    cli = Cli({**env, "JUPYTER_COMPUTE_SPEED": "1"})
    cli("create", "instance", "slow-wait", "--no-wait")
    followed = cli("wait", "slow-wait", "--timeout", "1", "-o", "json", code=1)
    assert json.loads(followed.stdout)["status"] == "InProgress"
    assert find(cli.json("list"), "slow-wait")["properties"]["provisioningState"] == "Creating"


def test_workspace_from_config_json(env: dict[str, str], emulator: LocalServer, isolated_state: Path) -> None:
    folder = isolated_state.parent / "project" / "notebooks"
    folder.mkdir(parents=True)
    (folder.parent / ".azureml").mkdir()
    (folder.parent / ".azureml" / "config.json").write_text(
        json.dumps({"subscription_id": AZ_SUB, "resource_group": "cfg-rg", "workspace_name": "cfg-ws"})
    )
    cli_env = {**env, "JUPYTER_COMPUTE_ARM_ENDPOINT": emulator.url, "JUPYTER_COMPUTE_ACCESS_TOKEN": emulator.token}
    result = subprocess.run(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", "workspace", "-o", "json"],
        cwd=folder,
        capture_output=True,
        text=True,
        env=cli_env,
        timeout=60,
    )
    chosen = json.loads(result.stdout)
    assert chosen["workspace_name"] == "cfg-ws" and chosen["origin"] == "config" and not chosen["local"]
    env_only = {
        **cli_env,
        "AZUREML_ARM_SUBSCRIPTION": AZ_SUB,
        "AZUREML_ARM_RESOURCEGROUP": "env-rg",
        "AZUREML_ARM_WORKSPACE_NAME": "env-ws",
    }
    result = subprocess.run(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", "workspace", "-o", "json"],
        cwd=isolated_state.parent,
        capture_output=True,
        text=True,
        env=env_only,
        timeout=60,
    )
    assert json.loads(result.stdout)["origin"] == "environment"
    local = subprocess.run(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", "workspace", "-o", "json"],
        cwd=isolated_state.parent,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert json.loads(local.stdout)["local"] is True
    assert "using the local workspace" in local.stderr


def test_sovereign_cloud_endpoints() -> None:
    from jupyter_compute.service.ref import WorkspaceRef

    ref = WorkspaceRef.azure(SUB, "rg", "ws1", cloud_name="AzureChinaCloud")
    assert ref.computes_url().startswith("https://management.chinacloudapi.cn/subscriptions/")
    assert ref.cloud.scope == "https://management.chinacloudapi.cn/.default"
    assert WorkspaceRef.azure(SUB, "rg", "ws1", cloud_name="usgov").cloud.authority_host == "login.microsoftonline.us"


def test_emulator_runs_in_the_foreground(env: dict[str, str], isolated_state: Path) -> None:
    """Given `jupyter compute emulator --data DIR`, then it says where it listens and how to point a client at
    it (the token file, never the token), its health endpoint needs that token, and a client that follows the
    hint lists the workspace."""
    state = isolated_state / "fg"
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", "emulator", "--data", str(state)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.split(" on ")[1].split()[0]
        hint = proc.stdout.readline()
        token = (state / "local-workspace.token").read_text().strip()
        assert f"JUPYTER_COMPUTE_ARM_ENDPOINT={url}" in hint and str(state / "local-workspace.token") in hint
        assert token not in line + hint
        import requests

        assert requests.get(f"{url}/_emulator/health", timeout=10).status_code == 401
        health = requests.get(f"{url}/_emulator/health", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert health.json()["status"] == "ok"
        client = Cli(
            {**env, "JUPYTER_COMPUTE_ARM_ENDPOINT": url, "JUPYTER_COMPUTE_ACCESS_TOKEN": token},
            ["--subscription", AZ_SUB, "--resource-group", "local", "--workspace", "local"],
        )
        assert client.json("list") == []
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout:
            proc.stdout.close()


def test_a_token_refused_twice_says_to_sign_in_again(env: dict[str, str], emulator: LocalServer) -> None:
    """Given a service that refuses every token (401 even after the one refresh), then the command exits 1
    with one paragraph that says to run %compute login, and no traceback."""
    emulator.faults.configure("unauthorized")
    result = azure_cli(env, emulator)("list", code=1)
    assert "refused the access token" in result.stderr and "%compute login" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert [logged.status for logged in emulator.request_log] == [401, 401], "one refresh, then stop"


def test_no_azure_sign_in_is_one_paragraph(env: dict[str, str]) -> None:
    """Given an Azure workspace and no sign-in (no token, no sign-in, no managed identity here), when a command
    needs a token, then it exits 1 with one line saying how to sign in: not azure-identity's list of every
    credential it tried, which its logger would otherwise dump on stderr."""
    result = Cli(env, ["--subscription", AZ_SUB, "--resource-group", "ml-rg", "--workspace", "ml-ws"])("list", code=1)
    assert "%compute login" in result.stderr and "JUPYTER_COMPUTE_ACCESS_TOKEN" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
