"""Every sample notebook runs top to bottom on the local workspace (fast speed) without an error output."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT
from kernel_helpers import kernel_env

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
pytestmark = pytest.mark.kernel


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_clean(path: Path, isolated_state: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute(
        env=kernel_env(isolated_state, JUPYTER_COMPUTE_SPEED="40")  # the kernel's environment
    )
    tagged = [c for c in nb.cells if "expected-error" in c.get("metadata", {}).get("tags", [])]
    checked = [c for c in nb.cells if c not in tagged]
    errors = [o for c in checked for o in c.get("outputs", []) if o.get("output_type") == "error"]
    stderr = [
        o["text"]
        for c in checked
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stderr" and "error:" in o["text"]
    ]
    assert not errors and not stderr, (errors, stderr)
    for cell in tagged:  # a cell that shows a refusal on purpose must show it
        assert any("error:" in o.get("text", "") for o in cell.get("outputs", [])), cell.source
