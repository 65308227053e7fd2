"""All the figures the package's speed and memory goals are judged by, in one run.

Runs each benchmark in its own process, one after another (so they do not load the machine for each
other), and prints its output under a heading:
- control back: p50/p95 of create/delete/start at 0 and 200 ms per request, next to azure-ai-ml's
  ``begin_create_or_update`` (with ``--peer-python`` or $AZURE_AI_ML_PYTHON; else said to be absent);
- import time and the time until a client can send a request, next to azure-ai-ml's;
- polling: requests per minute with K = 1, 10, 50 operations in flight in a workspace of 1000 computes, with
  and without a visible panel, next to azure-ai-ml's pollers (a model: one GET per operation per 30 s);
- the first magic: ``%load_ext`` and the first create in a fresh kernel, and the imports that cost;
- the leak check: widget models, operations and RSS after creating and deleting 200 computes;
- a big workspace: fill time, CPU per list tick, warm create and kernel p99 while ticking over
  200/500/1000 computes.
``--quick`` runs smaller versions of each (a few minutes in all). At the end, one table: every figure that
has a peer with the ratio ours / peer (below 1: ours is less), and which figures have no peer.
Run: python bench/report.py [--quick] [--peer-python PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def plan(quick: bool, peer: str | None) -> list[tuple[str, list[str]]]:
    peer_args = ["--peer-python", peer] if peer else []
    return [
        ("Control back", ["control_back.py", "--samples", "15" if quick else "30", *peer_args]),
        ("Import time", ["import_time.py", "--runs", "3" if quick else "7"]),
        ("Polling", ["poll_load.py", "--minutes", "4" if quick else "10"]),
        ("First magic", ["first_magic.py", "--kernels", "3" if quick else "5", "--profiled", "1" if quick else "3"]),
        ("Leak check", ["leak.py", "--computes", "60" if quick else "200"]),
        ("Big workspace", ["big_workspace.py", *(["--quick"] if quick else [])]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs of each benchmark")
    parser.add_argument("--peer-python", help="an interpreter with azure-ai-ml installed, for the peer figures")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")]))}
    failed = []
    figures: dict[str, list[dict[str, Any]]] = {}
    folder = Path(tempfile.mkdtemp(prefix="bench-report-"))
    for title, command in plan(args.quick, args.peer_python):
        print(f"\n=== {title} ({' '.join(command)}) ===", flush=True)
        start = time.monotonic()
        written = folder / f"{command[0]}.json"
        extra = ["--json", str(written)] if command[0] in WITH_FIGURES else []
        done = subprocess.run([sys.executable, str(HERE / command[0]), *command[1:], *extra], env=env, check=False)
        if written.exists():
            figures[title] = json.loads(written.read_text())
        print(f"--- {title}: {time.monotonic() - start:.0f} s{'' if done.returncode == 0 else ', FAILED'}", flush=True)
        if done.returncode:
            failed.append(title)
    print(summary(figures, [title for title, command in plan(args.quick, args.peer_python)]))
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


WITH_FIGURES = ("control_back.py", "import_time.py", "poll_load.py")  # they write --json figures


def summary(figures: dict[str, list[dict[str, Any]]], titles: list[str]) -> str:
    """Every figure beside its peer's with the ratio ours / peer; then which figures have no peer."""
    lines = [
        "",
        "=== Ratio to the peer (azure-ai-ml) ===",
        f"{'figure':<70} {'ours':>10} {'peer':>10} {'ours/peer':>10}",
    ]
    alone: list[str] = []
    for title in titles:
        for f in figures.get(title, []):
            name = f"{title}: {f['figure']} ({f['unit']})"
            if f["peer"] is None:
                alone.append(name)
                continue
            ratio = f"{f['ours'] / f['peer']:.3g}x" if f["peer"] else "n/a"
            lines.append(f"{name:<70} {f['ours']:10.1f} {f['peer']:10.1f} {ratio:>10}")
    lines.append("")
    lines.append("No peer for these figures:")
    lines += [f"- {name}" for name in alone]
    lines += [
        f"- {title}: every figure (the peer has no such thing to measure)"
        for title in titles
        if title not in figures and title in NO_PEER
    ]
    missing = [title for title in titles if title not in figures and title not in NO_PEER]
    if missing:
        lines.append(f"(no figures written by: {', '.join(missing)})")
    return "\n".join(lines)


NO_PEER = ("First magic", "Leak check", "Big workspace")


if __name__ == "__main__":
    main()
