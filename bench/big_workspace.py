"""The local workspace with many computes: fill time, CPU per list tick, warm create, kernel lag while polled.

For each size (200, 500, 1000 computes; --quick: 200, 500) it prints:
- the time to fill the workspace up to that size (PUTs on one kept-alive connection, as a client sends them)
  and the median PUT round trip;
- the CPU of one list tick (every page), in the local server alone and through the client (HTTP, parsing);
- the return time of a warm ``Workspace.create`` (its requests: the existence check, pre-flight, PUT);
- a trivial cell's round trip (p50/p99) in a real kernel whose poller lists the workspace, at the local
  workspace's default interval and every second, next to the same kernel idle. Goal: p99 within 20 ms of
  idle at 1000 computes.
The kernel and this process share the state folder, as two processes of one user do.
Run: python bench/big_workspace.py [--quick] [--sizes 200 500 1000] [--seconds 12]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from kernel_helpers import Kernel, running_kernel  # noqa: E402

API = "2025-12-01"
CLUSTER = {
    "location": "eastus",
    "properties": {
        "computeType": "AmlCompute",
        "properties": {"vmSize": "Standard_D1_v2", "scaleSettings": {"minNodeCount": 0, "maxNodeCount": 1}},
    },
}
FAST_POLL = 1.0  # seconds: the harsher of the two poll intervals measured
KERNEL_SETUP = """
%load_ext jupyter_compute
import time
from jupyter_compute import Workspace
ws = Workspace.local()
ticks = []
def heard(rows):
    ticks.append((time.monotonic(), len(rows)))
"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def round_trips(kernel: Kernel, seconds: float) -> list[float]:
    """Trivial cells back to back for ``seconds``; each one's execute_request -> execute_reply, in ms."""
    times = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        kernel.execute("pass")
        times.append((time.perf_counter() - start) * 1000)
    return times


class Local:
    """This process's side: the local workspace server (in process, as the kernel has its own) and a client."""

    def __init__(self, home: Path) -> None:
        os.environ["JUPYTER_COMPUTE_HOME"] = str(home)
        os.environ["JUPYTER_COMPUTE_SPEED"] = "1"
        import requests

        from jupyter_compute import Workspace
        from jupyter_compute.local import server
        from jupyter_compute.service.ref import WorkspaceRef

        self.ws = Workspace.local()
        self.ws.list()  # starts the server
        self.server = next(iter(server._running.values()))
        self.path = WorkspaceRef.local_workspace().arm_path
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {self.server.token}"
        self.count = 0

    def fill(self, size: int) -> tuple[float, float]:
        """Create clusters until there are ``size``; (seconds taken, median PUT in ms)."""
        took = []
        start = time.perf_counter()
        while self.count < size:
            url = f"{self.server.url}{self.path}/computes/big-{self.count:04d}x?api-version={API}"
            sent = time.perf_counter()
            answer = self.session.put(url, json=CLUSTER, timeout=120)
            took.append((time.perf_counter() - sent) * 1000)
            assert answer.status_code == 201, answer.text
            self.count += 1
        return time.perf_counter() - start, statistics.median(took) if took else 0.0

    def tick_cpu(self, repeat: int = 3) -> tuple[float, float]:
        """CPU seconds of one whole list: (the server's handling of every page, the client's list over HTTP)."""
        from urllib.parse import parse_qsl, urlsplit

        from jupyter_compute.local.service import Request

        server_cpu = []
        for _ in range(repeat):
            query: dict[str, str] = {"api-version": API}
            start = time.process_time()
            while True:
                _, _, body = self.server.service.handle(
                    Request("GET", f"{self.path}/computes", query, None, self.server.url)
                )
                if not body.get("nextLink"):
                    break
                query = dict(parse_qsl(urlsplit(body["nextLink"]).query))
            server_cpu.append(time.process_time() - start)
        client_cpu = []
        for _ in range(repeat):
            start = time.process_time()
            listed = self.ws.list()
            client_cpu.append(time.process_time() - start)
        assert len(listed) >= self.count, (len(listed), self.count)
        return statistics.median(server_cpu), statistics.median(client_cpu)

    def warm_create(self, samples: int) -> float:
        """Median return time (ms) of ``Workspace.create`` on warm connections."""
        from jupyter_compute import AmlComputeSpec

        took = []
        for _ in range(samples + 1):
            spec = AmlComputeSpec.from_keywords(name=f"warm-{self.count:04d}x", size="Standard_D1_v2", max_instances=1)
            start = time.perf_counter()
            self.ws.create(spec)
            took.append((time.perf_counter() - start) * 1000)
            self.count += 1
        return statistics.median(took[1:])


def polled(kernel: Kernel, seconds: float, interval: float) -> tuple[list[float], list[int]]:
    """Round trips while the kernel's poller lists the workspace every ``interval`` seconds; the rows each
    tick listed."""
    kernel.execute(
        f"ticks.clear(); ws.poller.interval = ws.poller.list_every = {interval}; ws.poller.add_listener(heard); "
        "ws.poller.poll_now()"
    )
    deadline = time.monotonic() + 120
    while kernel.text(kernel.execute("print(len(ticks))")).strip() == "0":  # the first tick has listed
        assert time.monotonic() < deadline, "the kernel's poller never ticked"
        time.sleep(0.2)
    lags = round_trips(kernel, seconds)
    kernel.execute("ws.poller.remove_listener(heard)")
    rows = kernel.text(kernel.execute("print(' '.join(str(n) for _, n in ticks))")).split()
    return lags, [int(n) for n in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes 200 and 500, 4 s of cells per size")
    parser.add_argument("--sizes", type=int, nargs="+")
    parser.add_argument("--seconds", type=float, help="seconds of trivial cells per measurement")
    args = parser.parse_args()
    sizes = args.sizes or ([200, 500] if args.quick else [200, 500, 1000])
    seconds = args.seconds or (4.0 if args.quick else 12.0)
    home = Path(tempfile.mkdtemp(prefix="big-workspace-"))
    local = Local(home)
    results: list[dict[str, Any]] = []
    with running_kernel(home, JUPYTER_COMPUTE_SPEED="1", JUPYTER_COMPUTE_POLL_INTERVAL="") as kernel:
        kernel.execute(KERNEL_SETUP)
        default_poll = float(kernel.text(kernel.execute("print(ws.poller.interval)")))
        round_trips(kernel, 1.0)
        idle = round_trips(kernel, seconds)
        filled = 0.0
        for size in sizes:
            took, put_ms = local.fill(size)
            filled += took
            server_cpu, client_cpu = local.tick_cpu()
            create_ms = local.warm_create(3 if args.quick else 5)
            lags, rows = polled(kernel, seconds, default_poll)
            fast, fast_rows = polled(kernel, seconds, FAST_POLL)
            results.append(
                {
                    "size": size,
                    "filled": filled,
                    "put_ms": put_ms,
                    "server_cpu": server_cpu,
                    "client_cpu": client_cpu,
                    "create_ms": create_ms,
                    "p50": pct(lags, 0.5),
                    "p99": pct(lags, 0.99),
                    "fast_p50": pct(fast, 0.5),
                    "fast_p99": pct(fast, 0.99),
                    "ticks": f"{len(rows)}/{len(fast_rows)}",
                    "rows": min(max(rows, default=0), max(fast_rows, default=0)),
                }
            )
            print(f"  filled {size} computes", flush=True, file=sys.stderr)
    base = pct(idle, 0.99)
    print(
        f"trivial cell round trip (ms), {seconds:.0f} s of cells each; idle: p50 {pct(idle, 0.5):.2f}  p99 {base:.2f}"
    )
    print(
        f"{'computes':>8} {'fill (s)':>9} {'PUT (ms)':>9} {'tick CPU':>9} {'+client':>8} {'create (ms)':>12}"
        f"  {'polled every ' + format(default_poll, 'g') + ' s: p50/p99/-idle':>34}"
        f"  {'every ' + format(FAST_POLL, 'g') + ' s: p50/p99/-idle':>27} {'ticks':>6}"
    )
    for r in results:
        print(
            f"{r['size']:>8} {r['filled']:9.1f} {r['put_ms']:9.1f} {r['server_cpu']:9.3f} {r['client_cpu']:8.3f} "
            f"{r['create_ms']:12.1f}  {r['p50']:15.2f} {r['p99']:8.2f} {r['p99'] - base:+9.2f}"
            f"  {r['fast_p50']:8.2f} {r['fast_p99']:8.2f} {r['fast_p99'] - base:+9.2f} {r['ticks']:>6}"
            + ("" if r["rows"] >= r["size"] else f"  (a tick listed only {r['rows']})")
        )
    print("tick CPU: seconds of CPU for one whole list, in the server alone and with the client (HTTP, parsing)")
    print("goal: p99 within 20 ms of idle at 1000 computes")


if __name__ == "__main__":
    main()
