"""A local workspace whose store cannot serve (not SQLite, truncated, on a read-only or full disk, in a folder
that cannot exist), and an emulator port that cannot be had, each give one paragraph that names the file (or
flag) and says what to do: through `jupyter compute` (exit 1 for the store: the command was right, the
workspace could not serve it; exit 2 for --port: the flag's value is the problem) and through `%compute`. No
traceback, no retries for minutes, and no state lost: once the condition is gone, the computes are there.

The read-only and full disks are real: a small tmpfs, remounted read-only or filled up (needs mount rights,
as root on CI; skipped otherwise)."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from conftest import Knobs

STORE = "local-workspace.sqlite3"


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def one_paragraph(text: str) -> str:
    """The error paragraph (after the one-line notice that the local workspace is used, if there is one)."""
    assert "Traceback" not in text
    text = "\n".join(line for line in text.strip().splitlines() if "using the local workspace" not in line)
    assert "Traceback" not in text and "\n\n" not in text and len(text.splitlines()) == 1, text
    return text


@dataclass
class Broken:
    """A state folder in some bad condition, with one compute ("kept-cl") stored before it went bad."""

    home: Path
    code: str  # the ARM error code the user sees
    advice: str  # a phrase of what to do
    repair: Callable[[], None]  # undo the condition (the user's fix); the computes must then be there
    lost_ok: bool = False  # a damaged file: the fix is to move it aside, so "kept-cl" is gone with it


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MB filesystem (tmpfs) at tmp_path/disk."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"a real small or read-only disk needs mount rights: {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


def with_a_kept_compute(home: Path) -> None:
    env = {**os.environ, "JUPYTER_COMPUTE_HOME": str(home)}
    made = cli(env, "create", "cluster", "kept-cl", "--max-instances", "1", "--no-wait")
    assert made.returncode == 0, made.stderr


def not_sqlite(tmp_path: Path) -> Broken:
    home = tmp_path / "state"
    home.mkdir()
    (home / STORE).write_bytes(b"these are my notes, not a database\n" * 100)
    return Broken(home, "LocalStoreCorrupt", "move it aside", lambda: (home / STORE).rename(home / "aside"), True)


def truncated(tmp_path: Path) -> Broken:
    home = tmp_path / "state"
    with_a_kept_compute(home)
    data = (home / STORE).read_bytes()
    assert len(data) > 8192 and not (home / f"{STORE}-wal").exists()
    (home / STORE).write_bytes(data[: len(data) // 2])
    return Broken(home, "LocalStoreCorrupt", "restore it", lambda: (home / STORE).write_bytes(data))


def read_only(disk: Path) -> Broken:
    with_a_kept_compute(disk / "state")
    return read_only_now(disk)


def read_only_now(disk: Path) -> Broken:
    """Remount the disk read-only. A file open for writing (a request of the kernel's poller in flight) makes
    the remount fail with EBUSY for a moment, so it is tried until a deadline."""
    deadline = time.monotonic() + 30
    while subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True).returncode != 0:
        assert time.monotonic() < deadline, "the disk stayed busy for 30 s"
        time.sleep(0.1)
    repair = lambda: subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)  # noqa: E731
    return Broken(disk / "state", "LocalStoreReadOnly", "writable", repair)


def full(disk: Path) -> Broken:
    with_a_kept_compute(disk / "state")
    return fill(disk)


def fill(disk: Path) -> Broken:
    home = disk / "state"
    with open(disk / "filler", "wb", buffering=0) as filler:
        with pytest.raises(OSError, match="No space left"):
            while True:
                filler.write(b"\0" * 65536)
    return Broken(home, "LocalStoreFull", "Free space", lambda: (disk / "filler").unlink())


def folder_cannot_exist(tmp_path: Path) -> Broken:
    (tmp_path / "a-file").write_text("not a folder")
    home = tmp_path / "a-file" / "state"
    return Broken(home, "LocalStoreUnavailable", "JUPYTER_COMPUTE_HOME", lambda: None, True)


CONDITIONS = {
    "not-sqlite": not_sqlite,
    "truncated": truncated,
    "read-only": read_only,
    "full": full,
    "folder-cannot-exist": folder_cannot_exist,
}


@pytest.fixture(params=sorted(CONDITIONS))
def broken(request: pytest.FixtureRequest, tmp_path: Path) -> Broken:
    make = CONDITIONS[request.param]
    where = request.getfixturevalue("disk") if request.param in ("read-only", "full") else tmp_path
    return make(where)


def fingerprint(home: Path) -> str | None:
    store = home / STORE
    return hashlib.sha256(store.read_bytes()).hexdigest() if store.is_file() else None


def assert_names_the_file(text: str, broken: Broken) -> None:
    assert broken.code in text and broken.advice in text, text
    assert str(broken.home) in text, text


def assert_nothing_was_lost(broken: Broken, env: dict[str, str], before: str | None) -> None:
    """The file is as it was (never replaced or deleted for the user); after the user's fix, the workspace
    serves again with "kept-cl" (unless the fix was to move the damaged file aside)."""
    assert fingerprint(broken.home) == before
    broken.repair()
    listed = cli(env, "list", "-o", "json")
    if broken.code == "LocalStoreUnavailable":
        return
    assert listed.returncode == 0, listed.stderr
    names = [c["name"] for c in json.loads(listed.stdout)]
    assert names == ([] if broken.lost_ok else ["kept-cl"])


def test_the_cli_says_which_file_and_what_to_do(broken: Broken, tmp_path: Path) -> None:
    """Given a broken store, when `jupyter compute list` and `create` run, then each exits 1 with one paragraph
    naming the store and the fix, sends each request once (no minutes of retries), and loses nothing."""
    access_log = tmp_path / "access.log"
    env = {**os.environ, "JUPYTER_COMPUTE_HOME": str(broken.home), "JUPYTER_COMPUTE_ACCESS_LOG": str(access_log)}
    before = fingerprint(broken.home)
    for words in (["list"], ["create", "cluster", "new-cl", "--max-instances", "1"]):
        result = cli(env, *words)
        if words == ["list"] and broken.code == "LocalStoreFull" and result.returncode == 0:
            # A read of a full disk's store may need no new block: SQLite needs one only to create its
            # -wal/-shm files, which an earlier process may have left. Then the list is simply right.
            assert "kept-cl" in result.stdout, result.stdout
            continue
        assert result.returncode == 1, (words, result.stdout, result.stderr)
        assert_names_the_file(one_paragraph(result.stderr), broken)
    sent = access_log.read_text().splitlines() if access_log.exists() else []
    requests = [line.split()[2:4] for line in sent]
    assert len(requests) == len({tuple(r) for r in requests}) <= 1, sent
    assert_nothing_was_lost(broken, env, before)


def test_the_magic_says_which_file_and_what_to_do(
    broken: Broken, shell: InteractiveShell, capsys: pytest.CaptureFixture[str], knobs: Knobs
) -> None:
    """Given a broken store, when `%compute list` and `%compute create` run in IPython, then each prints one
    paragraph naming the store and the fix, no traceback, and nothing is lost."""
    knobs(home=broken.home)
    before = fingerprint(broken.home)
    for line in ("list", "create cluster new-cl --max-instances 1"):
        capsys.readouterr()
        result = shell.run_cell(f"_ = %compute {line}")
        assert result.error_in_exec is None and result.error_before_exec is None
        shown = capsys.readouterr()
        assert "Traceback" not in shown.out
        if line == "list" and broken.code == "LocalStoreFull" and not shown.err.strip():
            # the read needed no new block (see the CLI test above): then the list is right
            assert [c.name for c in shell.user_ns["_"]] == ["kept-cl"]
            continue
        assert_names_the_file(one_paragraph(shown.err), broken)
    assert_nothing_was_lost(broken, {**os.environ, "JUPYTER_COMPUTE_HOME": str(broken.home)}, before)


def test_an_emulator_port_out_of_range_or_taken_is_one_paragraph(tmp_path: Path) -> None:
    """Given `jupyter compute emulator --port 80000`, or a port another program listens on, then it exits 2
    with one paragraph naming --port and the allowed values, without a traceback."""
    env = {**os.environ, "JUPYTER_COMPUTE_HOME": str(tmp_path / "state")}
    for port in ("80000", "-1"):
        result = cli(env, "emulator", "--port", port)
        assert result.returncode == 2, result
        text = one_paragraph(result.stderr)
        assert "--port" in text and port in text and "65535" in text, text
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = cli(env, "emulator", "--port", port)
    assert result.returncode == 2, result
    text = one_paragraph(result.stderr)
    assert "--port" in text and port in text and "in use" in text and "0 for a free one" in text, text


def test_an_emulator_on_a_broken_store_is_one_paragraph(tmp_path: Path) -> None:
    """Given `jupyter compute emulator --data DIR` over a file that is not SQLite, then it exits 1 with one
    paragraph naming the file, and leaves the file as it was."""
    data = tmp_path / "data"
    data.mkdir()
    (data / STORE).write_bytes(b"x" * 5000)
    result = cli({**os.environ}, "emulator", "--data", str(data))
    assert result.returncode == 1
    text = one_paragraph(result.stderr)
    assert "LocalStoreCorrupt" in text and str(data / STORE) in text
    assert (data / STORE).read_bytes() == b"x" * 5000


@pytest.mark.parametrize("condition", ["full", "read-only"])
def test_a_disk_that_fills_or_turns_read_only_while_the_server_runs(
    condition: str,
    disk: Path,
    tmp_path: Path,
    shell: InteractiveShell,
    capsys: pytest.CaptureFixture[str],
    knobs: Knobs,
) -> None:
    """Given `%compute` using the local workspace (its server already running in the kernel), when the disk
    fills up or turns read-only, then `%compute create` prints one paragraph naming the store, each request is
    answered once (the server's answer is not retried for minutes), and after the fix the compute made before
    is still there and creating works."""
    home, access_log = disk / "state", tmp_path / "access.log"
    knobs(home=home, access_log=access_log)
    assert shell.run_line_magic("compute", "create cluster kept-cl --max-instances 1").status == "Succeeded"
    broken = (fill if condition == "full" else read_only_now)(disk)
    access_log.write_text("")
    capsys.readouterr()
    shell.run_cell("_ = %compute create cluster new-cl --max-instances 1")
    assert_names_the_file(one_paragraph(capsys.readouterr().err), broken)
    requests = [line.split()[2:4] for line in access_log.read_text().splitlines()]
    assert requests and len(requests) == len({tuple(r) for r in requests}), requests
    assert {line.split()[-1] for line in access_log.read_text().splitlines()} == {"507"}
    broken.repair()
    assert shell.run_line_magic("compute", "list").names() == ["kept-cl"]
    assert shell.run_line_magic("compute", "create cluster new-cl --max-instances 1").status == "Succeeded"
