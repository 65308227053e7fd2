"""What the first ``%compute`` costs in a fresh kernel: ``%load_ext jupyter_compute``, then the first
``%compute create cluster`` (local workspace, bar displayed), median of a few fresh kernels.

Each step is timed inside the kernel (the cell's own overhead is not counted), as wall time and as the
CPU time of the kernel's main thread (less sensitive to a busy machine; the local workspace's server
threads are not in it). Compiled bytecode is
used as an installed package has it: the kernels keep theirs under one cache folder outside the tree
(``PYTHONPYCACHEPREFIX``), filled by a first kernel that is not counted. ``--profiled`` more
kernels run with ``-X importtime``: for each step, the median time spent importing, and the modules it
imported grouped by package, the most costly first (self time; importtime slows imports a little).
Run: python bench/first_magic.py [--kernels 5] [--profiled 3] [--top 15]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from jupyter_client.manager import KernelManager

MARK = "jupyter-compute-bench-step"
STEPS = (
    ("load_ext", "get_ipython().run_line_magic('load_ext', 'jupyter_compute')"),
    ("first create", "op = get_ipython().run_line_magic('compute', 'create cluster first-cl --max-instances 1')"),
    ("second create", "op2 = get_ipython().run_line_magic('compute', 'create cluster second-cl --max-instances 1')"),
)
CELL = """
import json, sys, time
_before = set(sys.modules)
print('{mark} {name}', file=sys.__stderr__, flush=True)
_t, _cpu = time.perf_counter(), time.thread_time()
{code}
_elapsed, _cpu = time.perf_counter() - _t, time.thread_time() - _cpu
print('{mark} end', file=sys.__stderr__, flush=True)
print(json.dumps({{"seconds": _elapsed, "cpu": _cpu, "modules": len(set(sys.modules) - _before)}}))
"""
PYCACHE = Path(tempfile.gettempdir()) / "jupyter-compute-bench-pycache"
LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def execute(kc: Any, code: str, timeout: float = 120) -> str:
    msg_id = kc.execute(code)
    out = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=0.5)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
            out += msg["content"]["text"]
        elif msg["msg_type"] == "error":
            raise RuntimeError("\n".join(msg["content"]["traceback"]))
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return out
    raise TimeoutError(code)


def fresh_kernel(profile: bool) -> dict[str, Any]:
    """One fresh kernel: each step's figures, and the kernel's stderr (importtime lines when profiling)."""
    home = Path(tempfile.mkdtemp(prefix="first-magic-"))
    (home / "ipython").mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "PYTHONPYCACHEPREFIX": str(PYCACHE),
        "JUPYTER_COMPUTE_HOME": str(home),
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTER_COMPUTE_SPEED": "40",
    }
    if profile:
        env["PYTHONPROFILEIMPORTTIME"] = "1"
    stderr_path = home / "stderr.txt"
    km = KernelManager(kernel_name="python3")
    with open(stderr_path, "w") as stderr:
        km.start_kernel(env=env, cwd=str(home), stderr=stderr)
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
            steps = {}
            for name, code in STEPS:
                printed = execute(kc, CELL.format(mark=MARK, name=name, code=code))
                steps[name] = json.loads(printed.strip().splitlines()[-1])
            execute(kc, "op.wait(60); op2.wait(60)")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    return {"steps": steps, "stderr": stderr_path.read_text()}


def imports_by_step(stderr: str) -> dict[str, list[tuple[str, int, int]]]:
    """Step name -> (module, self µs, indent) of each import it made."""
    found: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    step = None
    for line in stderr.splitlines():
        if line.startswith(MARK):
            name = line[len(MARK) + 1 :]
            step = None if name == "end" else name
            continue
        match = LINE.match(line)
        if match and step is not None:
            found[step].append((match.group(4), int(match.group(1)), len(match.group(3))))
    return found


def package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "jupyter_compute" else parts[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", type=int, default=5)
    parser.add_argument("--profiled", type=int, default=3)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    fresh_kernel(profile=False)  # fills the bytecode cache
    runs = [fresh_kernel(profile=False) for _ in range(args.kernels)]
    profiled = [imports_by_step(fresh_kernel(profile=True)["stderr"]) for _ in range(args.profiled)]
    print(
        f"{'step (fresh kernel, median of ' + str(args.kernels) + ')':40} {'wall (ms)':>10} {'CPU (ms)':>9} "
        f"{'imports (ms)':>13} {'modules':>8}"
    )
    for name, _ in STEPS:
        seconds = statistics.median(r["steps"][name]["seconds"] for r in runs)
        cpu = statistics.median(r["steps"][name]["cpu"] for r in runs)
        modules = statistics.median(r["steps"][name]["modules"] for r in runs)
        imports = statistics.median(sum(us for _, us, _ in p.get(name, [])) for p in profiled)
        print(f"{name:40} {seconds * 1000:10.1f} {cpu * 1000:9.1f} {imports / 1000:13.1f} {modules:8.0f}")
    total = statistics.median(sum(r["steps"][n]["seconds"] for n, _ in STEPS[:2]) for r in runs)
    total_cpu = statistics.median(sum(r["steps"][n]["cpu"] for n, _ in STEPS[:2]) for r in runs)
    print(f"{'load_ext + first create':40} {total * 1000:10.1f} {total_cpu * 1000:9.1f}")
    for name, _ in STEPS[:2]:
        by_package: dict[str, int] = defaultdict(int)
        count: dict[str, int] = defaultdict(int)
        for module, self_us, _indent in profiled[0].get(name, []):
            by_package[package(module)] += self_us
            count[package(module)] += 1
        print(f"\nimports during {name} (one importtime kernel, self time by package):")
        for pkg, us in sorted(by_package.items(), key=lambda item: -item[1])[: args.top]:
            print(f"  {pkg:40} {us / 1000:8.1f} ms  {count[pkg]:4d} modules")


if __name__ == "__main__":
    main()
