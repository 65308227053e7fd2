"""The %compute magics in a real IPython InteractiveShell: every verb, YAML cells, return values, errors,
and byte-identical requests with `jupyter compute` for the same words (every v1 alias included)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from shell_helpers import no_history

from jupyter_compute import settings
from jupyter_compute.local.server import LocalServer

from kinds import ADLA_ID, AKS_ID, DBX_ID, HDI_ID, SUB, SYN_ID, UAI, VM_ID

LOCAL_NOTICE = "jupyter-compute: no Azure workspace configured; using the local workspace (offline).\n"
AZURE = f"--subscription {SUB} --resource-group rg --workspace ws1"


@pytest.fixture
def shell(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("VM_PW", "vm-secret-5521")
    monkeypatch.setenv("DBX_TOKEN", "dbx-secret-5521")
    ip = InteractiveShell.instance(config=no_history())
    ip.run_line_magic("load_ext", "jupyter_compute")
    yield ip
    InteractiveShell.clear_instance()


def magic(ip: InteractiveShell, line: str, cell: str | None = None) -> Any:
    return ip.run_cell_magic("compute", line, cell) if cell is not None else ip.run_line_magic("compute", line)


def test_every_verb_through_the_magic(shell: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    from jupyter_compute.model.resource import ComputeList
    from jupyter_compute.service.operation import Operation

    op = magic(shell, "create cluster mag-cl --min-instances 1 --max-instances 2")
    assert isinstance(op, Operation) and op.status == "Succeeded"
    listing = magic(shell, "list")
    assert isinstance(listing, ComputeList) and listing.names() == ["mag-cl"]
    shown, _ = shell.display_formatter.format(listing)  # what a notebook shows for it
    assert "<table" in shown["text/html"] and "mag-cl" in shown["text/html"]
    assert "mag-cl" in str(listing) and "mag-cl" in shown["text/plain"]
    assert magic(shell, "show mag-cl").state == "Succeeded"
    assert len(magic(shell, "nodes mag-cl")) == 1
    assert magic(shell, "resize mag-cl --min-nodes 2").status == "Succeeded"
    assert magic(shell, "identity mag-cl --system-assigned").status == "Succeeded"
    sizes = magic(shell, "sizes")
    assert any(s["name"] == "Standard_DS3_v2" for s in sizes)  # the service's sizes, as a list
    shown, _ = shell.display_formatter.format(sizes)  # a notebook shows the priced table, not the dicts
    assert "<table" in shown["text/html"] and "USD/h" in shown["text/html"] and "emulated" in shown["text/html"]
    assert "LOW PRIORITY" in shown["text/plain"] and "'family':" not in shown["text/plain"]
    assert magic(shell, "usage")
    yaml_op = magic(shell, "create --max-instances 3", "name: from-cell\ntype: amlcompute\nmax_instances: 1\n")
    assert yaml_op.status == "Succeeded"
    assert magic(shell, "show from-cell").spec.max_instances == 3, "flags on the first line override the body"
    magic(shell, "create instance mag-ci")
    for verb in ("stop", "start", "restart"):
        assert magic(shell, f"{verb} mag-ci").status == "Succeeded"
    magic(shell, f"attach databricks mag-dbx --resource-id {DBX_ID} --access-token-env DBX_TOKEN")
    assert magic(shell, "detach mag-dbx").status == "Succeeded"
    later = magic(shell, "create cluster mag-later --max-instances 1 --no-wait")
    assert magic(shell, "wait mag-later").target == "mag-later"
    later.wait(30)
    assert magic(shell, "ops") == [] or all(o.done() for o in magic(shell, "ops"))
    for name in ("mag-cl", "from-cell", "mag-ci", "mag-later"):
        assert magic(shell, f"delete {name}").status == "Succeeded"
    capsys.readouterr()
    assert magic(shell, "list -o json") is None
    assert json.loads(capsys.readouterr().out) == []
    ws = magic(shell, f"workspace {AZURE}")
    assert ws.ref.workspace_name == "ws1" and not ws.ref.local
    assert magic(shell, "workspace").ref.workspace_name == "ws1", "the choice holds for the session"
    assert magic(shell, "workspace --local").ref.local


def test_help(shell: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    magic(shell, "--help")
    assert "attach vm|hdinsight|databricks|adla|synapse|kubernetes NAME" in capsys.readouterr().out
    magic(shell, "create cluster --help")
    out = capsys.readouterr().out
    assert "--min-instances" in out and "--min-nodes" in out
    magic(shell, "resize --help")
    assert "--idle-time-before-scale-down" in capsys.readouterr().out


@pytest.mark.parametrize(
    "line,needles",
    [
        ("create cluster cpu-cluster-1", ["NAME", "not ending in '-' followed by digits"]),
        ("create cluster cpu --max-instances 0 --tier spot", ["--max-instances", "--tier", "allowed: dedicated"]),
        ("attach batch b1", ["no longer accepts Batch"]),
        ("delete no-such-one", ["NotFound"]),
        ("frobnicate", ["is not a verb"]),
    ],
)
def test_bad_input_is_one_paragraph_without_traceback(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str], line: str, needles: list[str]
) -> None:
    assert magic(shell, line) is None
    # the once-per-process local-workspace notice may come first, whichever test runs first
    err = capsys.readouterr().err.removeprefix(LOCAL_NOTICE)
    assert "Traceback" not in err
    assert err.startswith("error: ") and len(err.strip().split("\n\n")) == 1
    for needle in needles:
        assert needle in err
    assert shell.run_cell("x = 1 + 1").success and shell.user_ns["x"] == 2


def test_inline_secret_warns_and_never_prints(shell: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    preview = magic(shell, f"attach vm rv1 --resource-id {VM_ID} --admin-username me --password s3cr3t-x --dry-run")
    captured = capsys.readouterr()
    assert "warning: a secret was given inline (--password)" in captured.err
    assert "s3cr3t-x" not in repr(preview) + captured.out + captured.err


def test_yaml_cell_errors_name_the_keys(shell: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    magic(shell, "create", "name: cpu\ntype: amlcompute\nmax_instance: 2\nssh_settings: {admin_usrname: me}\n")
    err = capsys.readouterr().err
    assert "did you mean 'max_instances'" in err and "did you mean 'ssh_settings.admin_username'" in err


# Lines whose requests must be byte-identical through the magic and the CLI: every option with a v1 alias
# appears both ways.
ALIASED = [
    ("create cluster al-cl --size Standard_D2_v2", "create cluster al-cl --vm-size Standard_D2_v2"),
    ("create cluster al-cl --tier low_priority", "create cluster al-cl --vm-priority lowpriority"),
    ("create cluster al-cl --min-instances 1 --max-instances 3", "create cluster al-cl --min-nodes 1 --max-nodes 3"),
    (
        "create cluster al-cl --idle-time-before-scale-down 1800",
        "create cluster al-cl --idle-seconds-before-scaledown 1800",
    ),
    (
        "create cluster al-cl --vnet-name v1 --subnet s1 --vnet-resource-group net",
        "create cluster al-cl --vnet-name v1 --subnet-name s1 --vnet-resourcegroup-name net",
    ),
    (
        "create instance al-ci --size Standard_DS3_v2 --idle-time-before-shutdown-minutes 30",
        "create instance al-ci --vm-size Standard_DS3_v2 --idle-time-before-shutdown PT30M",
    ),
    (
        f"attach vm al-vm --resource-id {VM_ID} --admin-username me --password-env VM_PW",
        f"attach vm al-vm --resource-id {VM_ID} --username me --password-env VM_PW",
    ),
    (
        f"attach hdinsight al-hdi --resource-id {HDI_ID} --admin-username me --password-env VM_PW",
        f"attach hdinsight al-hdi --resource-id {HDI_ID} --username me --password-env VM_PW",
    ),
]
PLAIN = [
    f"create cluster pl-cl --identity-type user_assigned --user-assigned-identities {UAI} --tags a=1 b=2",
    "create cluster pl-cl --ssh-public-access-enabled false --admin-username me --admin-password-env VM_PW",
    f"attach databricks pl-dbx --resource-id {DBX_ID} --access-token-env DBX_TOKEN",
    "attach databricks pl-dbx --target-resource-group rg --workspace-name dbx1 --access-token-env DBX_TOKEN",
    f"attach adla pl-adla --resource-id {ADLA_ID}",
    "attach adla pl-adla --target-resource-group rg --account-name adla1",
    f"attach synapse pl-syn --resource-id {SYN_ID} --identity-type system_assigned",
    f"attach kubernetes pl-k8s --resource-id {AKS_ID} --namespace ml --default-instance-type small",
    "delete some-cl",
    "detach some-vm",
    "stop some-ci",
    "start some-ci",
    "restart some-ci",
]


@pytest.fixture(scope="module")
def azure_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    server = LocalServer(home=tmp_path_factory.mktemp("azure")).start()
    yield server
    server.stop()


@pytest.fixture
def azure(azure_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The Azure workspace of these lines is a local server on loopback (a dry run reads its region): this
    process's settings, and variables for the CLI processes."""
    monkeypatch.setenv("JUPYTER_COMPUTE_ARM_ENDPOINT", azure_server.url)
    monkeypatch.setenv("JUPYTER_COMPUTE_ACCESS_TOKEN", azure_server.token)
    with settings.override(arm_endpoint=azure_server.url, access_token=azure_server.token):
        yield


def cli_dry_run(line: str) -> str:
    words = [*line.split(), "--dry-run", "-o", "json", *AZURE.split()]
    env = {**os.environ, "VM_PW": "vm-secret-5521", "DBX_TOKEN": "dbx-secret-5521"}
    result = subprocess.run(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", *words],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.rstrip("\n")


@pytest.mark.parametrize("pair", ALIASED, ids=[p[1].split(" --", 1)[1][:40] for p in ALIASED])
def test_aliases_give_byte_identical_requests_in_both_front_ends(
    shell: InteractiveShell, pair: tuple[str, str], azure: None
) -> None:
    outputs = set()
    for line in pair:
        outputs.add(repr(magic(shell, f"{line} --dry-run -o json {AZURE}")))
        outputs.add(cli_dry_run(line))
    assert len(outputs) == 1, outputs


@pytest.mark.parametrize("line", PLAIN, ids=[p[:40] for p in PLAIN])
def test_other_lines_give_byte_identical_requests(shell: InteractiveShell, line: str, azure: None) -> None:
    assert repr(magic(shell, f"{line} --dry-run -o json {AZURE}")) == cli_dry_run(line)


def test_cancel_stops_watching_and_wait_follows_again(shell: InteractiveShell) -> None:
    with settings.override(speed=8):  # about 2.5 s to create
        op = magic(shell, "create cluster cancel-cl --max-instances 1 --no-wait")
    message = op.cancel()
    assert op.done() and op.status == "InProgress" and "goes on in the service" in message
    again = magic(shell, "wait cancel-cl")
    assert again is not op and again.status == "Succeeded"


def test_an_operation_can_be_awaited() -> None:
    import asyncio

    from jupyter_compute import AmlComputeSpec, Workspace

    async def main() -> str:
        op = Workspace.local().create(AmlComputeSpec.from_keywords(name="await-cl", max_instances=1))
        done = await op
        return done.status

    assert asyncio.run(main()) == "Succeeded"


def test_ctrl_c_in_the_cli_detaches_and_the_create_goes_on(tmp_path: Any) -> None:
    import signal

    env = {**os.environ, "JUPYTER_COMPUTE_SPEED": "2"}  # about 10 s to create
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter_compute.frontends.cli",
            "create",
            "cluster",
            "ctrlc-cl",
            "--max-instances",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A runner started in the background (nohup, `cmd &`) hands on SIGINT ignored, and Python then never
        # raises KeyboardInterrupt: give the command the terminal's default, as a user's shell does.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stderr is not None
    # Interrupt once the text bar is drawn (the command is following the operation), however slow the start.
    before = []
    while not before or not before[-1].startswith("["):  # the bar's line (its name may be cut to the width)
        line = proc.stderr.readline()
        assert line, f"the command ended before drawing its bar: {''.join(before)}"
        before.append(line)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    err = "".join(before) + err
    assert "Stopped watching create of ctrlc-cl" in err and "Traceback" not in err
    listing = subprocess.run(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", "wait", "ctrlc-cl", "-o", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(listing.stdout)["status"] == "Succeeded"


def test_a_refusal_reads_as_a_sentence(shell: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    """Starting a running instance: the service's code becomes a sentence naming the instance; the code and
    the request id stay at the end, for support."""
    assert magic(shell, "create instance said-ci").status == "Succeeded"
    capsys.readouterr()
    assert magic(shell, "start said-ci") is None
    err = capsys.readouterr().err.removeprefix(LOCAL_NOTICE)
    assert err.startswith(
        "error: the service refused: said-ci is already running (StartComputeInstanceOnlyAllowedInStoppedState, "
        "request id: "
    ), err


# --- issue 22, point 14: the magic's outputs are as good as the CLI's ------------------------------


def test_nodes_is_a_table_with_the_job_on_each_node(
    shell: InteractiveShell, arm: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """Given a cluster whose nodes the service lists with the run on one of them, when `%compute nodes` runs,
    then a notebook shows a table (as `list` does) with a JOB column, not the service's dicts, and the value
    is still the service's list; the CLI prints the same table."""
    from arm_script import COMPUTES, RG, SUB, WS, Reply

    nodes = [
        {
            "nodeId": "tvmps_1",
            "privateIpAddress": "10.0.0.4",
            "publicIpAddress": "20.1.2.3",
            "port": 50000,
            "nodeState": "running",
            "runId": "train-run-42",
        },
        {"nodeId": "tvmps_2", "privateIpAddress": "10.0.0.5", "port": 50001, "nodeState": "idle", "runId": None},
    ]
    arm.on("POST", f"{COMPUTES}/gpu/listNodes$", Reply(200, {"computeType": "AmlCompute", "nodes": nodes}))
    where = f"--subscription {SUB} --resource-group {RG} --workspace {WS}"
    found = magic(shell, f"nodes gpu {where}")
    assert [n["nodeId"] for n in found] == ["tvmps_1", "tvmps_2"]
    shown, _ = shell.display_formatter.format(found)
    assert "<table" in shown["text/html"] and "train-run-42" in shown["text/html"]
    lines = shown["text/plain"].splitlines()
    assert lines[0].split() == ["NODE", "STATE", "JOB", "PRIVATE", "IP", "PUBLIC", "IP", "PORT"]
    assert lines[1].split() == ["tvmps_1", "running", "train-run-42", "10.0.0.4", "20.1.2.3", "50000"]
    assert lines[2].split() == ["tvmps_2", "idle", "10.0.0.5", "50001"] and "'nodeId'" not in shown["text/plain"]
    printed = subprocess.run(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", "nodes", "gpu", *where.split()],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )
    assert printed.returncode == 0 and printed.stdout.strip() == shown["text/plain"].strip()


def test_nodes_of_a_cluster_without_nodes_says_so(shell: InteractiveShell) -> None:
    magic(shell, "create cluster bare-cl --max-instances 1")
    shown, _ = shell.display_formatter.format(magic(shell, "nodes bare-cl"))
    assert shown["text/plain"] == "bare-cl has no nodes right now." and "no nodes right now" in shown["text/html"]


@pytest.mark.parametrize("words", ["delete ghost", "stop ghost", "update ghost --idle-shutdown 60"])
def test_a_name_that_never_existed_is_said_so_not_just_deleted(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str], words: str
) -> None:
    capsys.readouterr()
    assert magic(shell, words) is None
    err = capsys.readouterr().err
    assert "no compute named ghost in the local workspace" in err
    assert "no longer exists" not in err and "just been deleted" not in err and "Traceback" not in err
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter_compute.frontends.cli",
            *words.split(),
            *(["--yes"] if "delete" in words else []),
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )
    assert cli.returncode == 1 and "no compute named ghost in the local workspace" in cli.stderr


def test_the_cli_prints_its_version() -> None:
    from jupyter_compute import __version__

    done = subprocess.run(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", "--version"], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout.strip()) == (0, f"jupyter compute {__version__}")
