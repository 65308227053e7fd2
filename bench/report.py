"""All the figures the package's speed and memory goals are judged by, in one run.

Runs each benchmark in its own process, one after another (so they do not load the machine for each
other), and prints its output under a heading:
- control back: p50/p95 of create/delete/start at 0 and 200 ms per request, next to azure-ai-ml's
  ``begin_create_or_update`` (with ``--peer-python`` or $AZURE_AI_ML_PYTHON; else said to be absent);
- the first magic: ``%load_ext`` and the first create in a fresh kernel, and the imports that cost;
- the leak check: widget models, operations and RSS after creating and deleting 200 computes;
- a big workspace: fill time, CPU per list tick, warm create and kernel p99 while ticking over
  200/500/1000 computes.
``--quick`` runs smaller versions of each (a few minutes in all).
Run: python bench/report.py [--quick] [--peer-python PATH]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def plan(quick: bool, peer: str | None) -> list[tuple[str, list[str]]]:
    peer_args = ["--peer-python", peer] if peer else []
    return [
        ("Control back", ["control_back.py", "--samples", "15" if quick else "30", *peer_args]),
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
    for title, command in plan(args.quick, args.peer_python):
        print(f"\n=== {title} ({' '.join(command)}) ===", flush=True)
        start = time.monotonic()
        done = subprocess.run([sys.executable, str(HERE / command[0]), *command[1:]], env=env, check=False)
        print(f"--- {title}: {time.monotonic() - start:.0f} s{'' if done.returncode == 0 else ', FAILED'}", flush=True)
        if done.returncode:
            failed.append(title)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
