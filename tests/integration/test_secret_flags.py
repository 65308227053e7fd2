"""Given a secret typed after a flag in a way the grammar does not accept (an unknown or misspelt secret
flag, `--flag=VALUE`, the rest of an unquoted value, a flag of another verb), then the one-paragraph usage
error names the flag and shows `***`: the value is in no output, exception, chained exception or usage text.
`--admin-password` (az ml's name) attaches a VM with the inline-secret warning. In a kernel that cannot
take input, a missing password is an error naming the options to use; a wrong YAML key is reported
before anyone is asked for a password."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from jupyter_compute.errors import UsageError, ValidationError
from jupyter_compute.frontends.grammar import parse

from kernel_helpers import running_kernel
from kinds import VM_ID

SECRET = "Zq-distinctive-s3cret-5150"
TAIL = "tailword-5150"

# case -> (words, what the error must say instead)
REFUSED = {
    "unknown secret flag": (f"create cluster cpu-one --my-token {SECRET}", "unrecognized arguments: --my-token ***"),
    "unknown flag with =": (f"create cluster cpu-one --api-key={SECRET}", "unrecognized arguments: --api-key=***"),
    "misspelt --admin-password": (
        f"create cluster cpu-one --admin-username me --admin-pasword {SECRET}",
        "unrecognized arguments: --admin-pasword ***",
    ),
    "abbreviated --admin-password": (
        f"create cluster cpu-one --admin-username me --admin-pass {SECRET}",
        "unrecognized arguments: --admin-pass ***",
    ),
    "a flag of another verb": (f"show cpu-one --password {SECRET}", "unrecognized arguments: --password ***"),
    "rest of an unquoted value": (
        f"create cluster cpu-one --admin-username me --admin-password {SECRET} {TAIL}",
        "unrecognized arguments: *** (a value with spaces needs quotes)",
    ),
    "secret flag on a kind without it": (
        f"create instance ci-one --access-token {SECRET}",
        "unrecognized arguments: --access-token ***",
    ),
}


def run_cli(words: str, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", *words.split()],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


def chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_cli_never_echoes_a_secret_value(case: str) -> None:
    """When the words are refused, the CLI exits 2 with a one-paragraph error naming the flag, value masked."""
    words, expected = REFUSED[case]
    result = run_cli(words + " --dry-run")
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert SECRET not in result.stdout + result.stderr and TAIL not in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2, "the error and a one-line usage"


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_the_exception_never_holds_a_secret_value(case: str) -> None:
    """The UsageError (what IPython could show) holds no secret: not in args, text, usage or its chain."""
    words, expected = REFUSED[case]
    with pytest.raises(UsageError) as caught:
        parse(words)
    for exc in chain(caught.value):
        shown = repr(exc.args) + str(exc) + getattr(exc, "usage", "") + repr(getattr(exc, "problems", ""))
        assert SECRET not in shown and TAIL not in shown
    assert caught.value.__context__ is None and caught.value.__cause__ is None
    assert expected in str(caught.value)


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_magic_never_echoes_a_secret_value(
    case: str, shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    words, expected = REFUSED[case]
    before = getattr(sys, "last_value", None)
    result = shell.run_line_magic("compute", words)
    out, err = capsys.readouterr()
    assert result is None
    assert expected in err and SECRET not in out + err and "Traceback" not in out + err
    assert getattr(sys, "last_value", None) is before, "no exception escaped the magic"


def test_admin_password_attaches_a_vm_with_the_inline_warning() -> None:
    """Given az ml's --admin-password for a VM, the dry run masks it and warns that it was inline."""
    result = run_cli(
        f"attach vm remote-vm --resource-id {VM_ID} --admin-username me --admin-password {SECRET} --dry-run -o json"
    )
    assert result.returncode == 0, result.stderr
    assert '"password": "***"' in result.stdout
    assert "a secret was given inline" in result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_a_password_starting_with_a_dash_is_the_value(shell: InteractiveShell) -> None:
    """`--admin-password -x…` takes `-x…` as the password (argparse would call it a flag), masked."""
    command = parse(f"attach vm remote-vm --resource-id {VM_ID} --admin-username me --admin-password -{SECRET}")
    assert command.spec is not None and command.spec.admin_password is not None
    assert command.spec.admin_password.reveal() == f"-{SECRET}"
    assert SECRET not in repr(command)


def test_equals_form_keeps_the_value_for_a_known_flag() -> None:
    command = parse(f"create cluster cpu-one --admin-username me --admin-password={SECRET}")
    assert command.spec is not None and command.spec.admin_password is not None
    assert command.spec.admin_password.reveal() == SECRET
    assert command.inline_secrets == ("--admin-password",)


def test_a_name_after_a_secret_value_is_still_the_name() -> None:
    command = parse(f"create cluster --admin-username me --admin-password {SECRET} cpu-one")
    assert command.name == "cpu-one"


def test_plain_flags_still_show_their_values() -> None:
    """Masking is for secret-like flags only: a wrong --tier still says what was given."""
    with pytest.raises(ValidationError, match="'spot' is not allowed"):
        parse("create cluster cpu-one --tier spot")


@pytest.mark.kernel
def test_no_stdin_kernel_names_the_options_and_shows_no_traceback(isolated_state: Path) -> None:
    """Given a kernel whose front end does not take input, when an attach needs a password, then the cell
    prints which options give it, no traceback, and nothing is sent."""
    log = isolated_state / "access.log"
    with running_kernel(isolated_state, JUPYTER_COMPUTE_ACCESS_LOG=str(log)) as kernel:
        kernel.execute("%load_ext jupyter_compute")
        reply = kernel.execute(
            f"result = %compute attach vm nostdin-vm --resource-id {VM_ID} --admin-username me\nprint(repr(result))"
        )
        text = kernel.text(reply)
        assert reply["content"]["status"] == "ok", text
        assert not [m for m in kernel.outputs(reply) if m["msg_type"] == "error"]
        assert "Traceback" not in text and "StdinNotImplementedError" not in text
        assert "cannot ask" in text and "--password-env VAR" in text and "--ssh-private-key-file F" in text
        assert "None" in text
    assert not _writes(log)


@pytest.mark.kernel
def test_yaml_keys_are_checked_before_the_password_prompt(isolated_state: Path) -> None:
    """Given a YAML cell with a misspelt key and no password, the key is reported and no prompt is shown."""
    body = f"resource_id: {VM_ID}\nssh_settings:\n  admin_username: me\n  admin_pasword_typo: x\n"
    with running_kernel(isolated_state) as kernel:
        kernel.execute("%load_ext jupyter_compute")
        reply = kernel.execute(f"%%compute attach vm typo-vm\n{body}", answers=[SECRET])
        text = kernel.text(reply)
        assert kernel.prompts == [], "asked for a password before reporting the key"
        assert "ssh_settings.admin_pasword_typo" in text and "Traceback" not in text


def _writes(log: Path) -> list[str]:
    lines = log.read_text().splitlines() if log.exists() else []
    return [line for line in lines if line.split()[2:3] and line.split()[2] in ("PUT", "POST", "PATCH", "DELETE")]
