"""Given bad input of every class (a file we read that is not UTF-8, a parent folder's config.json that is not,
YAML nested thousands deep, a billion-laughs YAML, YAML over 1 MB, an unclosed quote in a magic line), when
it goes through `jupyter compute` or `%compute`, then the answer is one paragraph naming the flag or file,
exit status 2, no traceback, and nothing is sent to the workspace. A UTF-8 file with a byte-order mark works."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from IPython.core.interactiveshell import InteractiveShell

from jupyter_compute import settings as jc_settings
from jupyter_compute.errors import ValidationError
from jupyter_compute.frontends.grammar import parse

from kinds import VM_ID

HIDDEN = "pw-5150-never-shown"
NOT_UTF8 = b"\xff\xfe\x00" + HIDDEN.encode() + b"\xc3\x28"  # UTF-16's BOM, then an invalid UTF-8 pair
LOCAL_NOTICE = "jupyter-compute: no Azure workspace configured; using the local workspace (offline).\n"
VM = f"attach vm bad-vm --resource-id {VM_ID} --admin-username me"


def billion_laughs() -> str:
    """Nine levels of nine aliases each: 9**9 (387 million) strings once expanded, 1 KB as text."""
    lines = ["type: amlcompute", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def deeply_nested() -> str:
    return "type: amlcompute\nmax_instances: " + "[" * 5000 + "]" * 5000 + "\n"


@dataclass
class Case:
    """Words (with {dir} for the test's folder), files to write there, an optional cell body, and what the
    one paragraph must say; ``cwd`` is the folder the command runs in."""

    words: str
    files: dict[str, bytes]
    needles: tuple[str, ...]
    cell: str | None = None
    cwd: str = "."
    cli: bool = True


CASES: dict[str, Case] = {
    "--file not UTF-8": Case(
        "create cluster --file {dir}/c.yml",
        {"c.yml": b"name: cpu\nmax_instances: \xe9\n"},
        ("--file", "c.yml", "UTF-8"),
    ),
    "--password-file not UTF-8": Case(
        f"{VM} --password-file {{dir}}/pw.txt --no-wait", {"pw.txt": NOT_UTF8}, ("pw.txt", "not UTF-8")
    ),
    "--ssh-private-key-file not UTF-8": Case(
        f"{VM} --ssh-private-key-file {{dir}}/id_rsa --no-wait", {"id_rsa": NOT_UTF8}, ("id_rsa", "not UTF-8")
    ),
    "--config not UTF-8": Case("workspace --config {dir}/ws.json", {"ws.json": NOT_UTF8}, ("ws.json", "not UTF-8")),
    "config.json of a parent folder not UTF-8": Case(
        "list",
        {"config.json": NOT_UTF8, "project/notes.txt": b""},
        ("config.json", "not UTF-8", "found from the current folder upwards", "--local"),
        cwd="project",
    ),
    "YAML nested thousands deep (file)": Case(
        "create cluster cpu --file {dir}/deep.yml",
        {"deep.yml": deeply_nested().encode()},
        ("--file", "deep.yml", "nested more than 64 levels"),
    ),
    "YAML nested thousands deep (cell)": Case(
        "create cluster cpu", {}, ("yaml", "nested more than 64 levels"), cell=deeply_nested(), cli=False
    ),
    "billion laughs (file)": Case(
        "create cluster lol --file {dir}/lol.yml",
        {"lol.yml": billion_laughs().encode()},
        ("--file", "lol.yml", "values once its aliases are expanded"),
    ),
    "billion laughs (cell)": Case(
        "create cluster lol", {}, ("yaml", "values once its aliases are expanded"), cell=billion_laughs(), cli=False
    ),
    "YAML over 1 MB": Case(
        "create cluster cpu --file {dir}/big.yml",
        {"big.yml": b"type: amlcompute\ndescription: " + b"x" * 1_100_000 + b"\n"},
        ("--file", "big.yml", "larger than 1 MB"),
    ),
    "YAML alias to itself": Case(
        "create cluster cpu --file {dir}/loop.yml",
        {"loop.yml": b"type: amlcompute\ntags: &t {a: *t}\n"},
        ("--file", "loop.yml", "alias refers to a collection that contains it"),
    ),
    "unclosed quote in a magic line": Case('create cluster "cpu --max-instances 2', {}, ("unclosed quote",), cli=False),
}


def materialise(case: Case, base: Path) -> tuple[str, Path]:
    for name, data in case.files.items():
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_bytes(data)
    cwd = base / case.cwd
    cwd.mkdir(parents=True, exist_ok=True)
    return case.words.replace("{dir}", str(base)), cwd


def writes(log: Path) -> list[str]:
    """The PUT/POST/PATCH/DELETE lines of the local workspace's access log ("… METHOD PATH STATUS")."""
    lines = log.read_text().splitlines() if log.exists() else []
    return [line for line in lines if len(line.split()) > 2 and line.split()[2] in ("PUT", "POST", "PATCH", "DELETE")]


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.cli))
def test_cli_refuses_in_one_paragraph_and_sends_nothing(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    words, cwd = materialise(case, tmp_path / "files")
    log = tmp_path / "access.log"
    result = subprocess.run(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", *words.split()],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "JUPYTER_COMPUTE_ACCESS_LOG": str(log)},
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    stderr = result.stderr.replace(LOCAL_NOTICE, "")
    assert stderr.startswith("error: ") and len(stderr.strip().splitlines()) == 1, result.stderr
    for needle in case.needles:
        assert needle in result.stderr
    assert HIDDEN not in result.stdout + result.stderr
    assert writes(log) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_magic_refuses_in_one_paragraph_and_sends_nothing(
    name: str,
    tmp_path: Path,
    shell: InteractiveShell,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = CASES[name]
    words, cwd = materialise(case, tmp_path / "files")
    log = tmp_path / "access.log"
    monkeypatch.chdir(cwd)
    before = getattr(sys, "last_value", None)
    with jc_settings.override(access_log=log):
        result = (
            shell.run_cell_magic("compute", words, case.cell)
            if case.cell is not None
            else shell.run_line_magic("compute", words)
        )
    out, err = capsys.readouterr()
    err = err.replace(LOCAL_NOTICE, "")
    assert result is None
    assert getattr(sys, "last_value", None) is before, "an exception escaped the magic"
    assert "Traceback" not in out + err
    assert err.startswith("error: ") and len(err.strip().splitlines()) <= 2, err
    for needle in case.needles:
        assert needle in err
    assert HIDDEN not in out + err
    assert writes(log) == []


# A variable's bad value, and what the paragraph says the variable accepts.
BAD_VARIABLES = {
    "JUPYTER_COMPUTE_POLL_INTERVAL": ("abc", "at least 0.05"),
    "JUPYTER_COMPUTE_SPEED": ("0", "greater than 0"),
}


@pytest.mark.parametrize("name", sorted(BAD_VARIABLES))
def test_a_bad_variable_stops_the_cli_in_one_paragraph_naming_it(name: str, tmp_path: Path) -> None:
    """Given a variable jupyter-compute reads set to a value it cannot use, when any command runs, then it exits
    2 with one paragraph naming the variable, its value and what it accepts, before any request."""
    value, accepted = BAD_VARIABLES[name]
    log = tmp_path / "access.log"
    result = subprocess.run(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, name: value, "JUPYTER_COMPUTE_ACCESS_LOG": str(log)},
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert name in result.stderr and repr(value) in result.stderr and accepted in result.stderr, result.stderr
    assert result.stdout == "" and not log.exists(), "nothing was sent"
    helped = subprocess.run(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, name: value},
    )
    assert helped.returncode == 0 and "create" in helped.stdout, "help needs no settings"


@pytest.mark.parametrize("name", sorted(BAD_VARIABLES))
def test_a_bad_variable_stops_the_magic_in_one_paragraph_naming_it(
    name: str, shell: InteractiveShell, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a kernel whose environment has a bad value, then each `%compute` prints one paragraph naming the
    variable and returns None, with no traceback; once the variable is fixed, the next one works."""
    value, accepted = BAD_VARIABLES[name]
    monkeypatch.setenv(name, value)
    jc_settings.reset()  # this process reads its environment afresh, as a new kernel does
    before = getattr(sys, "last_value", None)
    for _ in range(2):
        assert shell.run_line_magic("compute", "list") is None
        out, err = capsys.readouterr()
        assert getattr(sys, "last_value", None) is before, "an exception escaped the magic"
        assert "Traceback" not in out + err
        assert err.startswith("error: ") and len(err.strip().splitlines()) == 1, err
        assert name in err and repr(value) in err and accepted in err, err
    assert shell.run_line_magic("compute", "--help") is None and "create" in capsys.readouterr().out
    monkeypatch.delenv(name)
    assert shell.run_line_magic("compute", "list").names() == []


def test_billion_laughs_is_refused_fast_and_small(tmp_path: Path) -> None:
    """The refusal is in the parser: well under a second and a few MB (asserted against generous bounds)."""
    path = tmp_path / "lol.yml"
    path.write_text(billion_laughs())
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ValidationError, match="aliases are expanded"):
        parse(["create", "cluster", "lol", "--file", str(path)])
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"billion laughs refused in {seconds * 1000:.1f} ms, peak {peak / 1e6:.2f} MB traced")
    assert seconds < 10 and peak < 50e6, "goal: under 1 s and 50 MB; these bounds only catch a blow-up"


def test_deep_nesting_is_refused_without_recursion(tmp_path: Path) -> None:
    path = tmp_path / "deep.yml"
    path.write_text("type: amlcompute\ntags:\n  " + "- " * 3000 + "x\n")  # block style: 3000 nested lists
    with pytest.raises(ValidationError, match="nested more than 64 levels"):
        parse(["create", "cluster", "cpu", "--file", str(path)])


def test_utf8_with_a_byte_order_mark_still_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files saved by editors that write a BOM: the YAML file and the password file both read."""
    yml = tmp_path / "c.yml"
    yml.write_bytes("\ufeffname: bom-cluster\ntype: amlcompute\nmax_instances: 2\ndescription: café\n".encode())
    command = parse(["create", "--file", str(yml)])
    assert command.spec is not None and command.spec.name == "bom-cluster"
    assert command.spec.description == "café"
    pw = tmp_path / "pw.txt"
    pw.write_bytes("\ufeffpässword".encode())
    vm = parse([*VM.split(), "--password-file", str(pw)])
    assert vm.spec is not None and vm.spec.admin_password is not None
    assert vm.spec.admin_password.resolve("admin_password").reveal() == "pässword"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200))
def test_any_bytes_in_a_yaml_file_give_a_command_or_one_validation_error(data: bytes, tmp_path: Path) -> None:
    """Whatever the bytes, parse returns a Command or raises ValidationError: never UnicodeDecodeError,
    RecursionError or another exception a front end would show as a traceback."""
    path = tmp_path / "any.yml"
    path.write_bytes(data)
    try:
        parse(["create", "cluster", "any-one", "--file", str(path)])
    except ValidationError:
        pass


@settings(max_examples=40, deadline=None)
@given(depth=st.integers(min_value=1, max_value=3000), brackets=st.sampled_from(["[]", "{}"]))
def test_any_nesting_gives_a_command_or_one_validation_error(depth: int, brackets: str) -> None:
    opening, closing = brackets
    body = "type: amlcompute\nname: nest-one\ntags: " + opening * depth + closing * depth + "\n"
    try:
        parse("create", yaml_body=body)
    except ValidationError as exc:
        assert depth < 64 or "nested more than 64 levels" in str(exc), "deeper than the cap yet not refused as such"
