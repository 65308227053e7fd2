"""The requests Azure and az ml users expect (issue 11, points 7, 10 and 11).

Given az ml compute YAML (the reference docs' examples, what `az ml compute show -o yaml` writes, what our own
`show -o yaml` writes), when it is fed to `create/attach --file`, then it is read as az ml reads it; every
create and attach PUT carries the workspace's region as az ml sends it; durations too long to represent are
one-paragraph errors. Real parts: the CLI as a subprocess, the local server on loopback, and, where the sent
bodies must be seen, a recording HTTP proxy in front of it.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from shell_helpers import no_history

from jupyter_compute.errors import ValidationError
from jupyter_compute.local.server import LocalServer
from jupyter_compute.model.documents import spec_from_yaml
from jupyter_compute.model.specs import AmlComputeSpec, ComputeInstanceSpec

from conftest import Cli
from kinds import ADLA_ID, AKS_ID, DBX_ID, HDI_ID, SUB, SYN_ID, VM_ID

EXAMPLES = Path(__file__).parent.parent / "data" / "azml-examples"
AZURE = ["--subscription", SUB, "--resource-group", "rg", "--workspace", "ws1"]
REGION = "eastus"  # the local server's region

# One create/attach line per kind, with the ids the local workspace accepts (secrets from the environment).
KIND_LINES = {
    "cluster": ["create", "cluster", "rt-cl", "--max-instances", "2", "--idle-time-before-scale-down", "300"],
    "instance": ["create", "instance", "rt-ci", "--idle-time-before-shutdown-minutes", "45"],
    "vm": ["attach", "vm", "rt-vm", "--resource-id", VM_ID, "--admin-username", "me", "--password-env", "PW"],
    "hdinsight": ["attach", "hdinsight", "rt-hdi", "--resource-id", HDI_ID, "--admin-username", "me"]
    + ["--password-env", "PW"],
    "databricks": ["attach", "databricks", "rt-dbx", "--resource-id", DBX_ID, "--access-token-env", "PW"],
    "adla": ["attach", "adla", "rt-adla", "--resource-id", ADLA_ID],
    "synapse": ["attach", "synapse", "rt-syn", "--resource-id", SYN_ID, "--identity-type", "system_assigned"],
    "kubernetes": ["attach", "kubernetes", "rt-k8s", "--resource-id", AKS_ID, "--namespace", "ml"],
}
# The secret flags an attach needs again: `show` never prints a secret, so a file from it has none.
SECRET_AGAIN = {"vm": ["--password-env", "PW"], "hdinsight": ["--password-env", "PW"]}
SECRET_AGAIN["databricks"] = ["--access-token-env", "PW"]


@pytest.fixture
def access_log(isolated_state: Path) -> Path:
    return isolated_state.parent / "access.log"


@pytest.fixture
def cli(isolated_state: Path, access_log: Path) -> Cli:
    return Cli({**os.environ, "PW": "pw-never-shown-3319", "JUPYTER_COMPUTE_ACCESS_LOG": str(access_log)})


def puts(access_log: Path) -> list[str]:
    """The PUT lines of the access log ("… METHOD PATH STATUS")."""
    if not access_log.exists():
        return []
    return [line for line in access_log.read_text().splitlines() if " PUT " in line]


# --- point 11: valid az ml YAML is accepted as az ml accepts it ---------------------------------------


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yml") if not p.name.startswith("show-")))
def test_the_reference_docs_examples_load(example: str) -> None:
    """Given each YAML example of azure-ai-ml's compute reference docs, when it is read, then it gives a spec
    whose request carries what the file says."""
    document = yaml.safe_load((EXAMPLES / example).read_text())
    overrides = {}
    if document["type"] == "virtualmachine":  # the docs' VM example has no credentials; an attach needs them
        from jupyter_compute.model.secrets import Secret

        overrides = {"admin_username": "azureuser", "admin_password": Secret("pw-1")}
    spec = spec_from_yaml(document, **overrides)
    assert spec.name == document["name"]
    assert spec.YAML_TYPE == str(document["type"]).lower()
    if "location" in document:
        assert spec.location == document["location"]
    if "idle_time_before_scale_down" in document:
        assert isinstance(spec, AmlComputeSpec) and spec.idle_time_before_scale_down == 120


def test_flags_supply_what_the_docs_vm_example_lacks(cli: Cli) -> None:
    """Given the docs' VM example (no credentials), when attached with the credential flags, then the file and
    the flags make one request: the rules are checked on the merged settings, not on the file alone."""
    result = cli(
        "attach",
        "--file",
        str(EXAMPLES / "vm-attach.yml"),
        "--admin-username",
        "azureuser",
        "--password-env",
        "PW",
        "--dry-run",
        "-o",
        "json",
    )
    body = json.loads(result.stdout)["body"]["properties"]
    assert body["resourceId"].endswith("/virtualMachines/vm1")
    assert body["properties"]["administratorAccount"] == {"username": "azureuser", "password": "***"}
    assert "pw-never-shown-3319" not in result.stdout + result.stderr


def test_private_nodes_need_no_subnet() -> None:
    """Given enable_node_public_ip: false without a subnet (a managed network), then it is accepted and sent."""
    ctx = __import__("jupyter_compute.model.specs", fromlist=["WireContext"]).WireContext(SUB, "rg", "ws")
    for text in (
        "name: private-cl\ntype: amlcompute\nenable_node_public_ip: false\n",
        "name: private-ci\ntype: computeinstance\nenable_node_public_ip: false\n",
    ):
        body = spec_from_yaml(text).to_arm(ctx)
        assert body["properties"]["properties"]["enableNodePublicIp"] is False
        assert "subnet" not in body["properties"]["properties"]


@pytest.mark.parametrize(
    "text,sent",
    [
        ("idle_time_before_shutdown: PT20M\n", "PT20M"),
        ("idle_time_before_shutdown: PT1H30M\n", "PT1H30M"),
        ("idle_time_before_shutdown_minutes: 30\n", "PT30M"),
        ("idle_time_before_shutdown: PT20M\nidle_time_before_shutdown_minutes: 30\n", "PT30M"),
        ("idle_time_before_shutdown_minutes: 30\nidle_time_before_shutdown: PT20M\n", "PT30M"),
    ],
)
def test_idle_time_before_shutdown_iso_and_minutes(text: str, sent: str) -> None:
    """Given the ISO key, the minutes key or both, then the request says what az ml sends: the minutes win."""
    spec = spec_from_yaml("name: idle-ci\ntype: computeinstance\n" + text)
    assert isinstance(spec, ComputeInstanceSpec) and spec.idle_time_before_shutdown == sent


def test_a_did_you_mean_never_names_a_key_the_file_has() -> None:
    """Given a misspelt key next to the key it resembles, then the error does not suggest the key already there."""
    with pytest.raises(ValidationError) as caught:
        spec_from_yaml("name: cpu\ntype: amlcompute\nmin_instances: 0\nmin_instance: 1\n")
    problem = next(p for p in caught.value.problems if p.field == "min_instance")
    assert "did you mean 'min_instances'" not in problem.message


def test_what_az_ml_show_writes_loads_with_one_note() -> None:
    """Given `az ml compute show -o yaml` output (read-only keys and all), then it loads and one note names
    the keys that were ignored."""
    instance = spec_from_yaml((EXAMPLES / "show-instance.yml").read_text())
    assert isinstance(instance, ComputeInstanceSpec)
    assert instance.idle_time_before_shutdown == "PT60M" and instance.ssh_public_access_enabled is False
    assert len(instance.notes) == 1 and "\n" not in instance.notes[0]
    for key in ("id", "provisioning_state", "state", "last_operation", "created_on", "services"):
        assert key in instance.notes[0]
    assert "ssh_settings.admin_username" in instance.notes[0]
    cluster = spec_from_yaml((EXAMPLES / "show-cluster.yml").read_text())
    assert isinstance(cluster, AmlComputeSpec) and cluster.max_instances == 2
    assert "provisioning_state" in cluster.notes[0]
    pool = spec_from_yaml((EXAMPLES / "show-synapse.yml").read_text())
    assert "spark_version" in pool.notes[0] and "identity.principal_id" in pool.notes[0]


def test_a_preview_only_setting_is_refused_unless_it_is_the_default() -> None:
    """Given enable_root_access: false (not in API 2025-12-01), then it is refused, naming the key."""
    with pytest.raises(ValidationError) as caught:
        spec_from_yaml("name: ci-root\ntype: computeinstance\nenable_root_access: false\n")
    assert caught.value.problems[0].field == "enable_root_access"
    assert "2025-12-01" in caught.value.problems[0].message


def test_the_read_only_note_is_printed_once(cli: Cli, tmp_path: Path) -> None:
    """Given an az ml show file, when it is created with --dry-run, then stderr has the one-line note."""
    result = cli("create", "--file", str(EXAMPLES / "show-instance.yml"), "--dry-run", "-o", "json")
    notes = [line for line in result.stderr.splitlines() if line.startswith("note: ignored")]
    assert len(notes) == 1 and "last_operation" in notes[0]
    assert json.loads(result.stdout)["body"]["properties"]["properties"]["idleTimeBeforeShutdown"] == "PT60M"


@pytest.mark.parametrize("kind", sorted(KIND_LINES))
def test_show_yaml_fed_back_sends_nothing_new(kind: str, cli: Cli, access_log: Path, tmp_path: Path) -> None:
    """Given a compute of each kind, when `show NAME -o yaml` is written to a file and fed to create/attach
    --file, then it already exists with these settings and no second PUT is sent."""
    line = KIND_LINES[kind]
    cli(*line)
    name = line[2]
    shown = tmp_path / f"{name}.yml"
    shown.write_text(cli("show", name, "-o", "yaml").stdout)
    assert len(puts(access_log)) == 1
    again = cli(line[0], "--file", str(shown), *SECRET_AGAIN.get(kind, []), "-o", "json")
    assert "already exists with these settings" in json.loads(again.stdout)["note"], again.stdout
    assert len(puts(access_log)) == 1, puts(access_log)
    assert "pw-never-shown-3319" not in again.stdout + again.stderr


def test_az_ml_show_output_fed_back_sends_nothing_new(cli: Cli, access_log: Path) -> None:
    """Given an instance created from az ml show output, when the same file is given again, then nothing is sent."""
    first = cli("create", "--file", str(EXAMPLES / "show-instance.yml"), "-o", "json")
    assert json.loads(first.stdout)["status"] == "Succeeded"
    again = cli("create", "--file", str(EXAMPLES / "show-instance.yml"), "-o", "json")
    assert "already exists with these settings" in json.loads(again.stdout)["note"]
    assert len(puts(access_log)) == 1


# --- point 7: durations too long to represent ----------------------------------------------------------


@pytest.mark.parametrize("value", ["P99999999999D", "PT9999999999999999999S", "P1" + "0" * 400 + "D"])
def test_a_duration_too_long_is_a_range_error(value: str) -> None:
    """Given an ISO duration no timedelta can hold, then the error names the key and the allowed range."""
    with pytest.raises(ValidationError) as caught:
        spec_from_yaml(f"name: cpu\ntype: amlcompute\nidle_time_before_scale_down: {value}\n")
    assert caught.value.problems[0].field == "idle_time_before_scale_down"
    assert "allowed: 0 to 604800 seconds" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        spec_from_yaml(f"name: ci-idle\ntype: computeinstance\nidle_time_before_shutdown: {value}\n")
    assert caught.value.problems[0].field == "idle_time_before_shutdown"
    assert "15 minutes to 3 days" in str(caught.value)


def test_a_duration_too_long_through_the_cli(cli: Cli, access_log: Path, tmp_path: Path) -> None:
    """Given the same durations as a flag and in a file, then the CLI exits 2 with one paragraph, sending nothing."""
    flag = cli("create", "cluster", "cpu", "--idle-time-before-scale-down", "P99999999999D", code=2)
    assert "--idle-time-before-scale-down" in flag.stderr and "0 to 604800 seconds" in flag.stderr
    path = tmp_path / "long.yml"
    path.write_text("name: cpu\ntype: amlcompute\nidle_time_before_scale_down: PT9999999999999999999S\n")
    filed = cli("create", "--file", str(path), code=2)
    assert "0 to 604800 seconds" in filed.stderr and len(filed.stderr.strip().splitlines()) <= 2
    resized = cli("resize", "nope-cl", "--idle-time-before-scale-down", "P99999999999D", code=2)
    assert "0 to 604800 seconds" in resized.stderr
    assert puts(access_log) == []
    assert not access_log.exists() or "/computes/nope-cl " not in access_log.read_text(), "nothing was asked"


def test_a_duration_too_long_through_the_magic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given the duration in a %compute line and a %%compute cell, then the magic reports it, no traceback."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    ip = InteractiveShell.instance(config=no_history())
    try:
        ip.run_line_magic("load_ext", "jupyter_compute")
        with capture_output() as captured:
            line = ip.run_line_magic("compute", "create cluster cpu --idle-time-before-scale-down P99999999999D")
            cell = ip.run_cell_magic(
                "compute",
                "create",
                "name: cpu\ntype: amlcompute\nidle_time_before_scale_down: PT9999999999999999999S\n",
            )
        assert line is None and cell is None
        assert captured.stderr.count("0 to 604800 seconds") == 2, captured.stderr
        assert "Traceback" not in captured.stderr + captured.stdout
    finally:
        InteractiveShell.clear_instance()


# --- point 10: the workspace's region in every create and attach PUT ---------------------------------------


class RecordingProxy:
    """An HTTP proxy on loopback in front of the local server that keeps every request's method, path and body."""

    def __init__(self, target: str) -> None:
        self.requests: list[tuple[str, str, Any]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else None
                proxy.requests.append((self.command, self.path.split("?")[0], json.loads(data) if data else None))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                request = urllib.request.Request(target + self.path, data=data, headers=headers, method=self.command)
                try:
                    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - loopback only
                        status, answer_headers, body = answer.status, answer.headers, answer.read()
                except urllib.error.HTTPError as refused:
                    status, answer_headers, body = refused.code, refused.headers, refused.read()
                self.send_response(status)
                for key, value in answer_headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                        self.send_header(key, value.replace(target, proxy.url))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = _forward

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def proxied(isolated_state: Path) -> Iterator[tuple[Cli, RecordingProxy]]:
    server = LocalServer(home=isolated_state / "emulator").start()
    proxy = RecordingProxy(server.url)
    env = {
        **os.environ,
        "PW": "pw-never-shown-3319",
        "JUPYTER_COMPUTE_ARM_ENDPOINT": proxy.url,
        "JUPYTER_COMPUTE_ACCESS_TOKEN": server.token,
    }
    yield Cli(env, AZURE), proxy
    proxy.stop()
    server.stop()


def test_every_create_and_attach_put_carries_the_workspace_region(proxied: tuple[Cli, RecordingProxy]) -> None:
    """Given an Azure workspace and no location in the spec, when each kind is created or attached, then the
    workspace is read first and every PUT body carries its region, as the dry run shows it."""
    cli, proxy = proxied
    for kind, line in KIND_LINES.items():
        preview = json.loads(cli(*line, "--dry-run", "-o", "json").stdout)
        cli(*line)
        sent = [body for method, path, body in proxy.requests if method == "PUT" and path.endswith(f"/{line[2]}")]
        assert len(sent) == 1, (kind, proxy.requests)
        assert sent[0]["location"] == REGION, kind
        assert preview["body"]["location"] == REGION, kind
        assert "pw-never-shown-3319" not in json.dumps(preview)
    workspace = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws1"
    methods = [(m, p) for m, p, _ in proxy.requests]
    assert methods.index(("GET", workspace)) < methods.index(next(r for r in methods if r[0] == "PUT"))


def test_a_location_the_spec_names_wins(proxied: tuple[Cli, RecordingProxy]) -> None:
    cli, proxy = proxied
    cli("create", "--file", str(EXAMPLES / "cluster-location.yml"), "--skip-preflight", "--no-wait")
    sent = [body for method, _, body in proxy.requests if method == "PUT"]
    assert sent[0]["location"] == "westus"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_dry_run_of_an_unreachable_workspace_says_the_region_comes_later(cli: Cli) -> None:
    """Given an Azure workspace that cannot be reached, when --dry-run, then the body has no location and one
    line says the workspace's region will be filled in when sent (exit 0)."""
    env = {"JUPYTER_COMPUTE_ARM_ENDPOINT": f"http://127.0.0.1:{closed_port()}", "JUPYTER_COMPUTE_ACCESS_TOKEN": "t"}
    result = Cli({**cli.env, **env}, AZURE)(*KIND_LINES["cluster"], "--dry-run", "-o", "json")
    assert "location" not in json.loads(result.stdout)["body"]
    assert "the workspace's region will be filled in when sent" in result.stderr


class Unavailable:
    """An ARM endpoint on loopback that answers every request 503 (what would make the transport retry)."""

    def __init__(self) -> None:
        self.count = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                outer.count += 1
                body = b'{"error": {"code": "ServiceUnavailable", "message": "try later"}}'
                self.send_response(503)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def test_dry_run_asks_for_the_region_once_without_retries(cli: Cli) -> None:
    """Given a workspace that answers 503, when --dry-run, then it asked once (no retry backoff) and says so."""
    down = Unavailable()
    try:
        env = {"JUPYTER_COMPUTE_ARM_ENDPOINT": down.url, "JUPYTER_COMPUTE_ACCESS_TOKEN": "t"}
        result = Cli({**cli.env, **env}, AZURE)(*KIND_LINES["vm"], "--dry-run", "-o", "json")
        assert down.count == 1
        assert "region will be filled in when sent" in result.stderr and "ServiceUnavailable" in result.stderr
        assert "location" not in json.loads(result.stdout)["body"]
    finally:
        down.httpd.shutdown()
        down.httpd.server_close()
