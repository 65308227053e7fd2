"""Whether slow workspaces starve Jupyter Server's own APIs: /api/kernelspecs while the Compute tab's first
paint (jupyter_compute/frontends/server.py) lists N workspaces that do not answer.

Starts a real ``jupyter lab`` whose workspace is a loopback ARM stand-in that holds every list request
until released (at most ``--hold`` seconds), asks for the rows of N panels in different folders at once,
waits until each ask is held at the workspace or answered, then times one /api/kernelspecs.
Before issue 22 the route listed on the event loop's default executor (6 threads on 2 cores), which
kernelspecs shares: it waited for the listings. It now lists on a bounded pool of its own.

    python bench/rows_starvation.py [--asks 6] [--hold 20]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the test harness

from arm_script import RG, SUB, WS, Reply, Seen, compute, scripted  # noqa: E402
from lab_helpers import running_lab  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asks", type=int, default=6)
    parser.add_argument("--hold", type=float, default=20.0)
    args = parser.parse_args()
    release = threading.Event()
    held: list[Seen] = []

    def slow_list(seen: Seen) -> Reply:
        held.append(seen)
        release.wait(args.hold)
        return Reply(200, {"value": [compute("slow-cpu")]})

    import urllib.error
    import urllib.request

    with scripted() as arm, tempfile.TemporaryDirectory() as base:
        arm.on("GET", r"/computes$", slow_list)
        env = {"JUPYTER_COMPUTE_ARM_ENDPOINT": arm.url, "JUPYTER_COMPUTE_ACCESS_TOKEN": "bench-token"}
        with running_lab(Path(base), env) as lab:
            (lab.root / "config.json").write_text(
                json.dumps({"subscription_id": SUB, "resource_group": RG, "workspace_name": WS})
            )
            answered: list[int] = []

            def ask(i: int) -> None:
                (lab.root / f"p{i}").mkdir(exist_ok=True)
                request = urllib.request.Request(
                    f"http://127.0.0.1:{lab.port}/jupyter-compute/rows?path=p{i}/panel",
                    headers={"Authorization": f"token {lab.token}"},
                )
                try:
                    with urllib.request.urlopen(request, timeout=120) as response:
                        answered.append(response.status)
                except urllib.error.HTTPError as exc:
                    answered.append(exc.code)
                    exc.close()

            threads = [threading.Thread(target=ask, args=(i,), daemon=True) for i in range(args.asks)]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 60
            while len(held) + len(answered) < args.asks and time.monotonic() < deadline:
                time.sleep(0.05)
            start = time.perf_counter()
            lab.api("kernelspecs")
            first = time.perf_counter() - start
            done_by_then = answered.count(200)
            release.set()
            for thread in threads:
                thread.join(120)
            print(
                f"{args.asks} asks: {len(held)} held at the workspace, answers {sorted(answered)}; "
                f"/api/kernelspecs took {first:.3f} s ({done_by_then} listings had answered by then)"
            )


if __name__ == "__main__":
    main()
