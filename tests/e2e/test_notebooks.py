"""Every sample notebook runs top to bottom on the local workspace (fast speed) without an error output."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT
from kernel_helpers import kernel_env
from signin_server import USER, azure_stand_ins

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
pytestmark = pytest.mark.kernel

# What some cells must show (and must not), by notebook and cell id: a notebook that tells a story checks it.
SHOWS: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "09-costs.ipynb": {
        "sizes": (("USD/h", "LOW PRIORITY", "$0.23", "emulated: the local workspace's stand-in"), ("'family':",)),
        "dry-run": (("up to 4 nodes × $0.23/h = $0.92/h; 1 node always on = $0.23/h while idle (USD, emulated)",), ()),
        "create-unguarded": (
            ("idle-box has no idle shutdown and no stop schedule", "$0.23/h while running (USD, emulated)"),
            (),
        ),
        "bill": (
            ("Total now: $0.23/h (USD, emulated)", "! idle-box has run", "`update idle-box --idle-shutdown 60`"),
            (),
        ),
        "bill-python": (("['idle-box']",), ()),
        "show-fixed": (("after 60 minutes of inactivity", "by a user"), ()),
        "bill-after": (("Total now: $0.23/h (USD, emulated)",), ("has run", "idle-box has")),
        "flagged-after": (("[]",), ()),
    },
    "11-after-creation.ipynb": {
        "doctor": (
            ("dev-box (instance, Running)", "neither idle shutdown nor a stop schedule", "1 needs attention"),
            ("cpu (cluster",),
        ),
        "doctor-fixed": (("dev-box (instance, Running): nothing needs attention.",), ()),
        "outdated": (("dev-box",), ("cpu",)),
        "doctor-image": (("runs OS image 25.11.01; the latest is 26.01.15", "does not update an instance's image"), ()),
        "start-note": (("not the latest (26.01.15); a start keeps its image",), ()),
        "nodes": (("train-42",), ()),
        "show-cluster": (("2 of 2 nodes busy",), ()),
        "costs": (("dev-box stops at", "by schedule, in ", "more"), ()),
    },
    "10-real-workspace.ipynb": {
        "wait": ((f"user='{USER}'",), ()),
        "workspaces": (("vision-hub", "westeurope", "Project", "not listed: Finance (local, no access)"), ()),
        "config": (('"workspace_name": "local"', '"resource_group": "local"'), ()),
        "all": (("nb-box", "across 6 workspaces", "local: ! nb-box", "neither idle shutdown nor a stop schedule"), ()),
        "all-flagged": (("[('local', 'nb-box')]",), ()),
        "cleanup": ((f"Signed out {USER}",), ()),
    },
}
# A notebook whose cells wait out long simulated times runs faster: 02's resize waits for a node to leave after
# its cluster's 30 minutes of idle time before scale-down (45 s at speed 40).
SPEEDS = {"02-clusters.ipynb": "400"}
# Notebooks that reach "Azure": they run against local stand-ins (the local workspace as the ARM endpoint, a
# sign-in service), in a folder of their own (they save a config.json where they run).
WITH_AZURE = frozenset({"10-real-workspace.ipynb"})


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_clean(path: Path, isolated_state: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    with ExitStack() as stack:
        env = kernel_env(isolated_state, JUPYTER_COMPUTE_SPEED=SPEEDS.get(path.name, "40"))  # the kernel's environment
        folder = path.parent
        if path.name in WITH_AZURE:
            env.update(stack.enter_context(azure_stand_ins(isolated_state / "stand-ins")))
            folder = isolated_state / "project"
            folder.mkdir()
        NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute(
            env=env
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
    cells = {c.get("id"): c for c in nb.cells}
    for cell_id, (present, absent) in SHOWS.get(path.name, {}).items():
        shown = _shown(cells[cell_id])
        assert all(p in shown for p in present) and not any(a in shown for a in absent), (cell_id, shown)


def _shown(cell: nbformat.NotebookNode) -> str:
    """Everything a cell's outputs say: streams, and each display's text and HTML."""
    parts = []
    for o in cell.get("outputs", []):
        parts.append(o.get("text", ""))
        for mime in ("text/plain", "text/html"):
            parts.append(str(o.get("data", {}).get(mime, "")))
    return "\n".join(parts)
