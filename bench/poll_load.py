"""Requests per minute the poller sends with K operations in flight (K = 1, 10, 50) in a workspace of 1000
computes, with no panel and with a visible panel, beside the azure-ai-ml model.

Each running operation GETs its own compute (after 1, 2 and 2 ticks of 5 s, then every 30 s); a visible panel
adds one listing of the workspace (1000 computes: 10 pages) every 30 s; a hidden panel adds nothing. The peer
figure is what azure-ai-ml's pollers would send for the same K: each `begin_create_or_update` poller GETs its
own operation status every 30 s (azure-mgmt-core ARMPolling's default interval, also what the recorded traffic
shows), so 2 per operation per minute, and it has no panel.

The local workspace server runs in this process; the client addresses it as an ordinary Azure workspace (its
endpoint, and its token as the access-token setting), exactly as against Azure. Time is the poller's injected
clock, ticked every 5 s for --minutes simulated minutes (the simulated service is slowed so nothing ends):
requests are counted at the server, so the figures are the poller's schedule, not this machine's speed.
Run: python bench/poll_load.py [--counts 1 10 50] [--computes 1000] [--minutes 10]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PEER_INTERVAL = 30.0  # seconds between status polls of one azure-ai-ml LRO poller
TICK = 5.0
SUB = "11111111-2222-3333-4444-555555555555"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def fill(server: Any, ref: Any, computes: int) -> None:
    """``computes`` clusters in the workspace: the PUTs a create sends, on one connection, nothing followed."""
    from jupyter_compute import AmlComputeSpec
    from jupyter_compute.service.workspace import Workspace

    ws = Workspace(ref)  # the access-token setting is the server's token
    client = ws._client()
    for i in range(computes):
        spec = AmlComputeSpec.from_keywords(name=f"big-{i:04d}x", size="Standard_D1_v2", max_instances=1)
        client.send(ws.plan_create(spec))
    client.close()


def run(server: Any, ref: Any, count: int, panel: bool, minutes: int, run_id: str) -> dict[str, Any]:
    from jupyter_compute import AmlComputeSpec
    from jupyter_compute.service.connection import TrackerSource
    from jupyter_compute.service.tracker import Poller
    from jupyter_compute.service.workspace import Workspace

    ws = Workspace(ref)  # a fresh one: its own poller, its region not read yet
    clock = Clock()
    poller = Poller(TrackerSource(ws._connection), TICK, clock=clock, list_every=6 * TICK, pace=ws._connection.pace)
    poller._start_locked = lambda: None  # type: ignore[method-assign]  # this bench ticks
    ws._poller = poller
    if panel:
        poller.add_listener(lambda listed: None)
    ops = [
        ws.create(
            AmlComputeSpec.from_keywords(name=f"l{run_id}-{i:03d}x", size="Standard_D1_v2", max_instances=1),
            preflight=False,
        )
        for i in range(count)
    ]
    for op in ops:
        op.submitted(600)
    per_minute: list[int] = []
    lists = 0
    for _ in range(minutes):
        before = len(server.request_log)
        for _ in range(int(60 / TICK)):
            clock.now += TICK
            poller.tick()
        minute = server.request_log[before:]
        per_minute.append(len(minute))
        lists += sum(1 for logged in minute if logged.method == "GET" and logged.path.endswith("/computes"))
    ended = sum(1 for op in ops if op.done())
    for op in ops:
        op.cancel()
    steady = per_minute[1:] or per_minute
    return {
        "k": count,
        "panel": panel,
        "first": per_minute[0],
        "steady": sum(steady) / len(steady),
        "lists": lists,
        "peer": count * 60 / PEER_INTERVAL,
        "ended": ended,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--computes", type=int, default=1000)
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--json", help="also write the figures, each with the peer model's, to this file")
    args = parser.parse_args()
    figures: list[dict[str, Any]] = []
    home = Path(tempfile.mkdtemp(prefix="poll-load-"))
    from jupyter_compute import settings
    from jupyter_compute.local.server import LocalServer
    from jupyter_compute.service.ref import WorkspaceRef

    settings.reset()
    server = LocalServer(home=home).start()
    try:
        with settings.override(speed=0.0001, poll_interval=None, list_interval=None, access_token=server.token):
            ref = WorkspaceRef.azure(SUB, "bench-rg", "bench-big", endpoint=server.url)
            started = time.perf_counter()
            fill(server, ref, args.computes)
            print(f"{args.computes} computes filled in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            print(
                f"{'K':>4} {'panel':>7} {'1st min':>8} {'req/min':>8} {'listings':>9} {'peer req/min':>13} "
                f"{'ours/peer':>10}"
            )
            for count in args.counts:
                for panel in (False, True):
                    r = run(server, ref, count, panel, args.minutes, f"{count}{'p' if panel else 'n'}")
                    ratio = r["steady"] / r["peer"]
                    shown = "a visible panel" if panel else "no panel"
                    figures.append(
                        {
                            "figure": f"polling, K={count} in flight, {shown} (peer: azure-ai-ml's model)",
                            "unit": "requests/min",
                            "ours": r["steady"],
                            "peer": r["peer"],
                        }
                    )
                    print(
                        f"{r['k']:>4} {'visible' if panel else 'none':>7} {r['first']:8d} {r['steady']:8.1f} "
                        f"{r['lists']:9d} {r['peer']:13.1f} {ratio:9.2f}x"
                        + (f"  ({r['ended']} ended)" if r["ended"] else ""),
                        flush=True,
                    )
    finally:
        server.stop()
    print(
        f"\n{args.minutes} simulated minutes per row, one tick every {TICK:.0f} s of the poller's clock, "
        f"a workspace of {args.computes} computes. 'req/min': minutes 2..{args.minutes}; 'listings': list "
        f"pages over all minutes (a visible panel lists every {6 * TICK:.0f} s). Peer: one status GET per "
        f"operation every {PEER_INTERVAL:.0f} s, no panel."
    )
    if args.json:
        Path(args.json).write_text(json.dumps(figures))


if __name__ == "__main__":
    sys.exit(main())
