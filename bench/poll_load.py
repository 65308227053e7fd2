"""HTTP requests per minute while N creates are in flight (N = 1, 10, 50), at the default poll interval.

One poller per workspace lists the workspace once per tick, whatever N is, and makes one status
request per operation when it ends; so the rate should not grow with N. The peer figure is what
azure-ai-ml's pollers would send for the same N: each `begin_create_or_update` poller GETs its own
operation status every 30 s (azure-mgmt-core ARMPolling's default interval, also what the recorded
traffic shows), so N polls per 30 s.

The local workspace server runs in this process; the client addresses it as an ordinary Azure workspace
(its endpoint, and its token as the access-token setting), exactly as against Azure.
Run: python bench/poll_load.py [--counts 1 10 50] [--speed 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

PEER_INTERVAL = 30.0  # seconds between status polls of one azure-ai-ml LRO poller


def run(count: int, speed: float) -> dict[str, float]:
    home = Path(tempfile.mkdtemp(prefix="poll-load-"))
    from jupyter_compute import AmlComputeSpec, settings
    from jupyter_compute.local.server import LocalServer
    from jupyter_compute.service.ref import WorkspaceRef
    from jupyter_compute.service.workspace import Workspace

    settings.reset()  # this run's speed and token, whatever an earlier run read
    server = LocalServer(home=home).start()
    # This process's settings: the simulated service's speed, the default poll interval, this server's token.
    with settings.override(speed=speed, poll_interval=None, access_token=server.token):
        sub = "11111111-2222-3333-4444-555555555555"
        ref = WorkspaceRef.azure(sub, "bench-rg", f"bench-{count}", endpoint=server.url)
        ws = Workspace.shared(ref)
        try:
            ops = [
                ws.create(
                    AmlComputeSpec.from_keywords(name=f"load-{i:03d}x", size="Standard_D1_v2", max_instances=1),
                    preflight=False,
                )
                for i in range(count)
            ]
            submitted = len(server.request_log)
            start = time.monotonic()
            for op in ops:
                op.wait(600)
            elapsed = time.monotonic() - start
            polling = server.request_log[submitted:]
            lists = sum(1 for logged in polling if logged.method == "GET" and logged.path.endswith("/computes"))
            status = sum(1 for logged in polling if "computeOperationsStatus" in logged.path)
            failed = sum(1 for op in ops if op.status != "Succeeded")
            return {
                "n": count,
                "seconds": elapsed,
                "requests": len(polling),
                "lists": lists,
                "status": status,
                "per_minute": len(polling) / elapsed * 60,
                "list_per_minute": lists / elapsed * 60,
                "interval": ws.poller.interval,
                "failed": failed,
                "peer_per_minute": count * 60 / PEER_INTERVAL,
            }
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--speed", type=float, default=1.0, help="JUPYTER_COMPUTE_SPEED of the simulated service")
    args = parser.parse_args()
    print(
        f"{'N':>4} {'in flight (s)':>13} {'requests':>9} {'polls':>6} {'poll req/min':>13} {'end checks':>11} "
        f"{'peer req/min':>13} {'peer/ours':>10}"
    )
    for count in args.counts:
        r = run(count, args.speed)
        ratio = r["peer_per_minute"] / r["list_per_minute"] if r["list_per_minute"] else float("inf")
        print(
            f"{r['n']:>4} {r['seconds']:13.1f} {r['requests']:9d} {r['lists']:6d} {r['list_per_minute']:13.1f} "
            f"{r['status']:11d} {r['peer_per_minute']:13.1f} {ratio:9.1f}x"
            + (f"  ({r['failed']} failed)" if r["failed"] else ""),
            flush=True,
        )
    print(
        f"\npoll interval {r['interval']:.0f} s. 'polls': one list request per tick for all N operations; "
        "'end checks': one status request per operation as it ends. Peer: one status GET per operation every "
        f"{PEER_INTERVAL:.0f} s."
    )


if __name__ == "__main__":
    sys.exit(main())
