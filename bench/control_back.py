"""Control back and accepted: for a create, how long each side takes to give control back, and how long until
the service has accepted its PUT (the server's own time of that answer), cold and warm, at 0 and 200 ms per
request; jupyter-compute's `Workspace.create` beside azure-ai-ml's `MLClient.compute.begin_create_or_update`
against the same server, interleaved A B A B. Medians and p95. Delete and start (no peer) and the magic in a
real kernel follow.

The local workspace runs in this process (a fresh state folder); every request it serves waits the injected
latency first (the `latency:ms=N` fault). Cold: a new client object (ours: a new Workspace, so no region, sizes
or usages kept and no connection open; the peer: a new MLClient) in a process whose imports are done. Warm:
the same client again. "Accepted" is measured on one clock for both sides (CLOCK_MONOTONIC: the peer's
process reports when its call started): from the call to the server's answer to the PUT of that compute.
Each sample's compute is deleted before the next pair (not timed), so quota never refuses one.

The peer runs in a subprocess (`--peer-python`, else $AZURE_AI_ML_PYTHON, else this interpreter when it has
azure-ai-ml) pointed at the same server: base URL by AZUREML_DEV_URL_MFE, the local workspace's token by a
credential object, azure-core's https-only check for bearer tokens turned off (the server is plain http).
Run: python bench/control_back.py [--samples 30] [--latencies 0 200] [--peer-python PATH] [--no-kernel]
"""

from __future__ import annotations

import argparse
import json
import os
import socketserver
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyter_compute import AmlComputeSpec

PEER_PROBE = r"""
import json, os, sys, time
url, token, sub, rg, ws = sys.argv[1:6]
os.environ["AZUREML_DEV_URL_MFE"] = url
import azure.core.pipeline.policies._authentication as authentication
authentication._enforce_https = lambda request: None  # plain http on loopback
from azure.core.credentials import AccessToken
from azure.ai.ml import MLClient
from azure.ai.ml.entities import AmlCompute

class Token:
    def get_token(self, *scopes, **kwargs):
        return AccessToken(token, int(time.time()) + 3600)

def client():
    return MLClient(Token(), sub, rg, ws, enable_telemetry=False, show_progress=False)

warm = client()
print("ready", flush=True)
for line in sys.stdin:
    mode, name = line.split()
    started = time.monotonic()
    use = client() if mode == "cold" else warm
    use.compute.begin_create_or_update(AmlCompute(name=name, size="Standard_D1_v2", max_instances=1))
    print(json.dumps({"started": started, "back": time.monotonic() - started}), flush=True)
"""
NOT_INSTALLED = "azure-ai-ml: not installed (pip install azure-ai-ml)"


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    cuts = statistics.quantiles(samples, n=20, method="inclusive")
    return statistics.median(samples) * 1000, cuts[18] * 1000


class Peer:
    """azure-ai-ml in a subprocess of its own, creating on request (one line per create)."""

    def __init__(self, python: str, url: str, token: str) -> None:
        from jupyter_compute.service.ref import LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION, LOCAL_WORKSPACE

        args = [url, token, LOCAL_SUBSCRIPTION, LOCAL_RESOURCE_GROUP, LOCAL_WORKSPACE]
        self.process = subprocess.Popen(
            [python, "-c", PEER_PROBE, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None and self.process.stdin is not None
        if self.process.stdout.readline().strip() != "ready":
            raise SystemExit("bench: the azure-ai-ml probe did not start")

    def create(self, mode: str, name: str) -> tuple[float, float]:
        """(when the call started, seconds until control came back), on CLOCK_MONOTONIC."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{mode} {name}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit("bench: the azure-ai-ml probe ended")
        answer = json.loads(line)
        return float(answer["started"]), float(answer["back"])

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(60)


class Bench:
    def __init__(self, samples: int) -> None:
        from jupyter_compute.local import server
        from jupyter_compute.service.workspace import Workspace

        self.samples = samples
        self.ws = Workspace.local()
        self.ws.list()  # starts the local workspace's server in this process
        self.server = next(iter(server._running.values()))
        self.url = self.server.url
        self.token = self.server.token

    def latency(self, ms: int) -> None:
        self.server.faults.configure(f"latency:ms={ms}" if ms else "")

    def accepted_at(self, name: str) -> float:
        """When the server answered the PUT of compute ``name`` (CLOCK_MONOTONIC)."""
        suffix = f"/computes/{name}"
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            for logged in reversed(self.server.request_log):
                if logged.method == "PUT" and logged.path.endswith(suffix) and logged.status < 300:
                    return float(logged.answered)
            time.sleep(0.005)
        raise SystemExit(f"bench: no accepted PUT of {name}")

    def ours(self, mode: str, name: str) -> tuple[float, float]:
        """Control back and accepted (seconds) of one Workspace.create; cold: a new Workspace."""
        from jupyter_compute import AmlComputeSpec
        from jupyter_compute.service.ref import WorkspaceRef
        from jupyter_compute.service.workspace import Workspace

        ws = Workspace(WorkspaceRef.local_workspace()) if mode == "cold" else self.ws
        spec = AmlComputeSpec.from_keywords(name=name, size="Standard_D1_v2", max_instances=1)
        started = time.monotonic()
        op = ws.create(spec)
        back = time.monotonic() - started
        op.submitted(600)
        if op.refused:
            raise SystemExit(f"bench: {op!r} was refused: {op.error}")
        return back, self.accepted_at(name) - started

    def peer(self, peer: Peer, mode: str, name: str) -> tuple[float, float]:
        started, back = peer.create(mode, name)
        return back, self.accepted_at(name) - started

    def clean(self, names: list[str]) -> None:
        """Delete ``names`` (at no latency, not timed) so quota never refuses a later sample."""
        ops = [self.ws.delete(name) for name in names]
        for op in ops:
            op.wait(600)

    def timed(self, call: Callable[[int], Any]) -> tuple[list[float], list[float]]:
        """Control back and time until accepted, per sample; every operation then waited to its end."""
        back, accepted, ops = [], [], []
        for i in range(self.samples):
            started = time.perf_counter()
            op = call(i)
            back.append(time.perf_counter() - started)
            op.submitted(600)
            accepted.append(time.perf_counter() - started)
            ops.append(op)
        for op in ops:
            op.wait(600)
            if op.status != "Succeeded":
                raise SystemExit(f"bench: {op!r} did not succeed")
        return back, accepted

    def instances(self, names: list[str]) -> None:
        """Stopped compute instances to start (made at 0 ms latency)."""
        from jupyter_compute import ComputeInstanceSpec

        ops = [self.ws.create(ComputeInstanceSpec.from_keywords(name=n, size="Standard_DS1_v2")) for n in names]
        for op in ops:
            op.wait(600)
        for op in [self.ws.stop(n) for n in names]:
            op.wait(600)


def quiet_resets() -> None:
    """The peer's process exits with its pollers' connections open: the server's thread then sees a reset,
    which socketserver would print as a traceback. Nothing is wrong; say nothing."""
    default = socketserver.BaseServer.handle_error

    def handle_error(self: socketserver.BaseServer, request: Any, address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionResetError):
            default(self, request, address)

    socketserver.BaseServer.handle_error = handle_error  # type: ignore[method-assign]


def peer_python(given: str | None) -> str | None:
    python = given or os.environ.get("AZURE_AI_ML_PYTHON") or sys.executable
    check = subprocess.run([python, "-c", "import azure.ai.ml"], capture_output=True)
    return python if check.returncode == 0 else None


KERNEL_SETUP = r"""
import json, time, urllib.request
from jupyter_compute import settings
from jupyter_compute.local.access import local_token
from jupyter_compute.local.server import ensure_running
_url, _token, _ops, _back = ensure_running(), local_token(settings.current().home), [], []
def _latency(ms):
    body = json.dumps({"faults": f"latency:ms={ms}" if ms else ""}).encode()
    headers = {"Authorization": f"Bearer {_token}", "Content-Type": "application/json"}
    request = urllib.request.Request(f"{_url}/_emulator/faults", data=body, headers=headers, method="POST")
    urllib.request.urlopen(request, timeout=30).read()
"""


def kernel_magic(samples: int, latencies: list[int]) -> list[tuple[int, list[float], list[float]]]:
    """``op = %compute create cluster …`` in a warm kernel (its bar displayed): the statement's own time,
    measured in the kernel, and the cell's round trip seen by the client, per latency."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from kernel_helpers import running_kernel

    results = []
    with tempfile.TemporaryDirectory() as tmp, running_kernel(Path(tmp) / "home", JUPYTER_COMPUTE_SPEED="500") as k:
        for cell in ("%load_ext jupyter_compute", KERNEL_SETUP):
            reply = k.execute(cell)
            if reply["content"]["status"] != "ok":
                raise SystemExit(f"bench: the kernel refused its set-up: {reply['content']}")
        for ms in latencies:
            k.execute(f"_latency({ms}); _back.clear()")
            for i in range(2):  # warm at this latency
                k.execute(f"op = %compute create cluster kw{ms}-{i}x --max-instances 1\nop.submitted(600)")
            trips = []
            for i in range(samples):
                started = time.perf_counter()
                k.execute(
                    "_t = time.perf_counter()\n"
                    f"op = %compute create cluster km{ms}-{i:03d}x --max-instances 1\n"
                    "_back.append(time.perf_counter() - _t); _ops.append(op)"
                )
                trips.append(time.perf_counter() - started)
                k.execute("op.submitted(600)")  # the next sample does not queue behind this one's requests
            k.execute("for o in _ops: o.wait(600)\nassert all(o.status == 'Succeeded' for o in _ops), _ops")
            k.execute("print(json.dumps(_back))")
            printed = [m["content"]["text"] for m in k.messages if m.get("msg_type") == "stream"]
            back = json.loads(printed[-1].strip().splitlines()[-1])
            results.append((ms, back, trips))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--latencies", type=int, nargs="+", default=[0, 200], help="ms per request")
    parser.add_argument("--peer-python", help="an interpreter with azure-ai-ml (default: $AZURE_AI_ML_PYTHON)")
    parser.add_argument("--no-kernel", action="store_true", help="skip the %%compute rows in a real kernel")
    parser.add_argument("--json", help="also write the figures, each with its peer's, to this file")
    args = parser.parse_args()
    figures: list[dict[str, Any]] = []
    os.environ["JUPYTER_COMPUTE_HOME"] = tempfile.mkdtemp(prefix="control-back-")
    os.environ.setdefault("JUPYTER_COMPUTE_SPEED", "500")  # operations end in well under a second
    os.environ.pop("JUPYTER_COMPUTE_FAULTS", None)
    python = peer_python(args.peer_python)
    quiet_resets()

    bench = Bench(args.samples)
    n = args.samples
    peer = Peer(python, bench.url, bench.token) if python else None
    print(f"{'call':<46} {'ms/req':>6} {'back p50':>9} {'p95':>7} {'accepted p50':>13} {'p95':>7}")

    def row(label: str, ms: int, back: list[float], accepted: list[float] | None = None) -> None:
        p50, p95 = percentiles(back)
        if "no peer" in label or "%compute" in label:
            figures.append(
                {"figure": f"{label}, {ms} ms/request, control back p50", "unit": "ms", "ours": p50, "peer": None}
            )
        tail = ""
        if accepted is not None:
            a50, a95 = percentiles(accepted)
            tail = f" {a50:13.1f} {a95:7.1f}"
        print(f"{label:<46} {ms:>6} {p50:9.1f} {p95:7.1f}{tail}", flush=True)

    for ms in args.latencies:
        for mode in ("cold", "warm"):
            results: dict[str, tuple[list[float], list[float]]] = {"ours": ([], []), "peer": ([], [])}
            for i in range(n + 1):  # the first pair warms this latency and mode up; it is not counted
                names = [f"o{mode[0]}{ms}-{i:03d}x", f"p{mode[0]}{ms}-{i:03d}x"]
                bench.latency(ms)
                order = ["ours", "peer"] if peer is not None else ["ours"]
                for side in order if i % 2 == 0 else order[::-1]:  # A B, B A: neither always goes first
                    if side == "ours":
                        back, accepted = bench.ours(mode, names[0])
                    else:
                        assert peer is not None
                        back, accepted = bench.peer(peer, mode, names[1])
                    if i:
                        results[side][0].append(back)
                        results[side][1].append(accepted)
                bench.latency(0)
                bench.clean(names if peer is not None else names[:1])
            row(f"jupyter-compute Workspace.create, {mode}", ms, *results["ours"])
            if peer is not None:
                row(f"azure-ai-ml begin_create_or_update, {mode}", ms, *results["peer"])
            for index, what in enumerate(("control back", "accepted")):
                ours = percentiles(results["ours"][index])
                theirs = percentiles(results["peer"][index]) if peer is not None else None
                for cut, label in enumerate(("p50", "p95")):
                    figures.append(
                        {
                            "figure": f"create {what}, {mode}, {ms} ms/request, {label}",
                            "unit": "ms",
                            "ours": ours[cut],
                            "peer": None if theirs is None else theirs[cut],
                        }
                    )
        if peer is None:
            print(NOT_INSTALLED, flush=True)
    if peer is not None:
        peer.close()
    bench.instances([f"ci{ms}-{i:03d}x" for ms in args.latencies for i in range(n)])
    for ms in args.latencies:
        bench.latency(ms)
        for i in range(n):  # clusters to delete
            bench.ws.create(AmlComputeSpec.from_keywords(name=f"cb{ms}-{i:03d}x", size="Standard_D1_v2"))
        for op in bench.ws.poller.in_flight():
            op.wait(600)
        row(
            "jupyter-compute Workspace.delete (no peer)",
            ms,
            *bench.timed(lambda i, ms=ms: bench.ws.delete(f"cb{ms}-{i:03d}x")),
        )
        row(
            "jupyter-compute Workspace.start (no peer)",
            ms,
            *bench.timed(lambda i, ms=ms: bench.ws.start(f"ci{ms}-{i:03d}x")),
        )
    bench.latency(0)
    if not args.no_kernel:
        for ms, back, trips in kernel_magic(n, args.latencies):
            row("%compute create in a kernel (statement)", ms, back)
            row("%compute create in a kernel (cell round trip)", ms, trips)
    print(
        f"\n{n} samples per row (after one not counted), both sides interleaved A B / B A. Control back: until the "
        "call returned (ours: its Operation; the peer: its poller). Accepted: until the server answered the PUT."
    )
    if args.json:
        Path(args.json).write_text(json.dumps(figures))


if __name__ == "__main__":
    main()
