"""The front end's pure functions (the panel list's ``arrange`` and link check) have unit tests of their own,
run with Node's built-in test runner (labextension/test/*.test.mjs); this runs them with the Python ones."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_front_ends_unit_tests_pass_under_node() -> None:
    node = shutil.which("node")
    assert node, "Node.js builds the lab extension and runs its unit tests (./dev setup)"
    tests = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "labextension" / "test").glob("*.test.mjs"))
    assert tests, "no front-end unit tests found"
    run = subprocess.run([node, "--test", *tests], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout and "# pass 0" not in run.stdout
