"""Given every attach kind with a known secret, when it is built, shown, validated, logged, dry-run
and really sent, then the secret appears nowhere: not in reprs, errors, logs, output or stored state."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_compute.errors import ValidationError
from jupyter_compute.frontends.command import Session
from jupyter_compute.frontends.grammar import parse
from jupyter_compute.frontends.verbs import execute
from jupyter_compute.model.secrets import Secret
from jupyter_compute.render.bars import bar_html
from jupyter_compute.render.spec import spec_line, spec_yaml
from jupyter_compute.render.tables import computes_html, computes_text
from jupyter_compute.render.text import bar_line, final_line, summary

from kinds import DBX_ID, HDI_ID, SUB, VM_ID

SECRET = "Xy-super-secret-value-4821"
KEY_TEXT = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA-secret-key-body-4821\n"
    "-----END OPENSSH PRIVATE KEY-----\n"
)

ATTACH_LINES = {
    "vm password env": f"attach vm remote-vm --resource-id {VM_ID} --admin-username azureuser --password-env PW",
    "vm password file": f"attach vm remote-vm --resource-id {VM_ID} --admin-username azureuser --password-file PWFILE",
    "vm inline": f"attach vm remote-vm --resource-id {VM_ID} --admin-username azureuser --password {SECRET}",
    "vm private key": f"attach vm remote-vm --resource-id {VM_ID} --admin-username azureuser "
    "--ssh-private-key-file KEYFILE",
    "hdinsight": f"attach hdinsight hdi-spark --resource-id {HDI_ID} --admin-username sshuser --password-env PW",
    "databricks": f"attach databricks dbx --resource-id {DBX_ID} --access-token-env PW",
    "databricks file": f"attach databricks dbx --resource-id {DBX_ID} --access-token-file PWFILE",
    "cluster admin": "create cluster cpu-cluster --size Standard_DS3_v2 --admin-username me --admin-password-env PW",
}


@pytest.fixture
def secret_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    pw = tmp_path / "password.txt"
    pw.write_text(SECRET)
    key = tmp_path / "id_rsa"
    key.write_text(KEY_TEXT)
    monkeypatch.setenv("PW", SECRET)
    return {"PWFILE": str(pw), "KEYFILE": str(key)}


def leaked(text: str) -> bool:
    return SECRET in text or "secret-key-body-4821" in text


@pytest.mark.parametrize("case", sorted(ATTACH_LINES))
def test_secret_never_shows_in_python_surfaces(
    case: str, secret_files: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    line = ATTACH_LINES[case]
    for placeholder, path in secret_files.items():
        line = line.replace(placeholder, path)
    command = parse(line)
    spec = command.spec
    assert spec is not None
    resolved = spec.resolve_secrets()
    surfaces = [
        repr(spec),
        str(spec),
        repr(resolved),
        str(resolved),
        spec_yaml(resolved),
        spec_line(resolved),
        repr(command),
        f"{resolved}",
        repr(resolved.secret_fields()),
    ]
    outcome = execute(parse(line + " --dry-run -o json"), Session())
    surfaces.append(outcome.render("json"))
    surfaces.append(outcome.render("yaml"))
    # a validation error raised next to a secret must not carry it
    with pytest.raises(ValidationError) as exc:
        parse(line + " --description " + "x" * 2000)
    surfaces.append(str(exc.value))
    # really send it to the local workspace, with debug logging of the HTTP stack on
    op = execute(parse(line), Session()).operation
    op.wait(30)
    compute = op.result()
    assert compute is not None
    surfaces += [repr(op), summary(op), bar_line(op), final_line(op), str(bar_html(op)), repr(compute)]
    surfaces += [str(compute), computes_text(compute), str(computes_html(compute))]
    surfaces += [r.getMessage() for r in caplog.records]
    assert not any(leaked(text) for text in surfaces), [t for t in surfaces if leaked(t)][:1]
    # and the local workspace never stored it (nor the prices cache beside it)
    for file in Path(os.environ["JUPYTER_COMPUTE_HOME"]).rglob("*"):
        if file.is_file():
            assert SECRET.encode() not in file.read_bytes()


def test_secret_reveals_only_on_purpose() -> None:
    secret = Secret(SECRET)
    assert SECRET not in f"{secret!r} {secret} {secret!s} {[secret]} {dict(a=secret)}"
    assert secret.reveal() == SECRET
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(secret)


def test_missing_env_secret_names_the_variable_not_a_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOPE", raising=False)
    command = parse(f"attach databricks dbx --resource-id {DBX_ID} --access-token-env NOPE")
    assert command.spec is not None
    with pytest.raises(ValidationError, match="environment variable NOPE is not set"):
        command.spec.resolve_secrets()


@pytest.mark.parametrize("case", sorted(ATTACH_LINES))
def test_cli_dry_run_output_is_masked(case: str, secret_files: dict[str, str], tmp_path: Path) -> None:
    line = ATTACH_LINES[case]
    for placeholder, path in secret_files.items():
        line = line.replace(placeholder, path)
    env = dict(os.environ, PW=SECRET)
    args = [
        sys.executable,
        "-m",
        "jupyter_compute.frontends.cli",
        *line.split(),
        "--dry-run",
        "-o",
        "json",
        "--subscription",
        SUB,
        "--resource-group",
        "rg",
        "--workspace",
        "ws1",
    ]
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert '"***"' in result.stdout
    assert not leaked(result.stdout + result.stderr)
