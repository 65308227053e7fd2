"""Kernel responsiveness with and without 20 operations in flight, and comm messages per second per bar.

Starts a real kernel (jupyter_client), times the round trip of a trivial cell (execute_request to
execute_reply) while idle, then again while 20 `%compute create` operations are followed by the shared
poller and their progress bars update. Goal: p99 within 20 ms of idle; at most 5 messages/s per bar.
Run: python bench/kernel_lag.py [--operations 20] [--samples 200]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from kernel_helpers import Kernel, running_kernel  # noqa: E402


def round_trips(kernel: Kernel, samples: int) -> list[float]:
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        kernel.execute("pass")
        times.append((time.perf_counter() - start) * 1000)
    return times


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=20)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="kernel-lag-"))
    # speed 1.5: each cluster takes about 35 s (create, then two nodes prepare), longer than the busy samples;
    # the poll interval is the default for that speed (5 s / 1.5)
    with running_kernel(home, JUPYTER_COMPUTE_SPEED="1.5", JUPYTER_COMPUTE_POLL_INTERVAL="") as kernel:
        kernel.execute("%load_ext jupyter_compute")
        round_trips(kernel, 20)
        idle = round_trips(kernel, args.samples)
        kernel.execute(
            "ops = [get_ipython().run_line_magic('compute', f'create cluster lag-{i:02d}x --size Standard_D1_v2 "
            f"--min-instances 2 --max-instances 2') for i in range({args.operations})]"
        )
        first = time.time()
        busy = round_trips(kernel, args.samples)
        in_flight = kernel.execute("print(sum(not op.done() for op in ops))")
        still_running = kernel.text(in_flight).strip()
        kernel.execute("[op.wait(300) for op in ops]")
        last = time.time()
        kernel.collect(1.0)
        bars = [cid for cid, s in kernel.widget_states().items() if s.get("_model_name") == "FloatProgressModel"]
        rates = []
        for cid in bars:
            sent = [m["sent"] for m in kernel.updates(cid)]
            rates.append(max((sum(1 for t in sent if s <= t < s + 1) for s in sent), default=0))
            per_bar_avg = len(sent) / max(last - first, 1e-9)
        failed = kernel.text(kernel.execute("print(sum(op.status != 'Succeeded' for op in ops))")).strip()
    print(f"trivial cell round trip over {args.samples} samples (ms)")
    print(f"  idle:                          p50 {pct(idle, 0.5):6.2f}   p99 {pct(idle, 0.99):6.2f}")
    print(
        f"  {args.operations} operations in flight:       p50 {pct(busy, 0.5):6.2f}   p99 {pct(busy, 0.99):6.2f}"
        f"   (still running after the samples: {still_running})"
    )
    print(f"  p99 difference: {pct(busy, 0.99) - pct(idle, 0.99):+.2f} ms (goal: within 20 ms)")
    print(
        f"progress bars: {len(bars)}; comm updates per bar: busiest second {max(rates, default=0)} "
        f"(goal <= 5), average {per_bar_avg:.2f}/s over {last - first:.0f} s; failed operations: {failed}"
    )


if __name__ == "__main__":
    main()
