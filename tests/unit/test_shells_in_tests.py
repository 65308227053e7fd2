"""Every IPython shell a test makes in this process keeps its history in memory (shell_helpers.no_history):
one with a history file under tmp_path prints a traceback after pytest's last line, when IPython's atexit
hook writes to a folder that is gone."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
IN_PROCESS = re.compile(r"^\s*\w+ = InteractiveShell\.instance\((?P<args>.*)\)\s*$", re.M)


def test_every_in_process_shell_has_no_history_file() -> None:
    found = {
        f"{path.relative_to(TESTS)}: {m.group(0).strip()}"
        for path in TESTS.rglob("*.py")
        for m in IN_PROCESS.finditer(path.read_text())
        if "no_history()" not in m.group("args")
    }
    assert not found, found
