"""Control back: how long `Workspace.create`, `delete` and `start` take to return their Operation, at 0 and
200 ms per request, next to azure-ai-ml's `MLClient.compute.begin_create_or_update` against the same server.

The local workspace runs in this process (a fresh state folder); every request it serves waits the injected
latency first (the `latency:ms=N` fault, set through its control endpoint). Warm: imports done, connections
open, the workspace's region already read; each sample is one call, and the next call starts once the
previous operation's request was accepted (so samples do not queue behind each other). "accepted" is how
long the background checks and the write then took: what a call took to return before control came back
at once. Goal: control back p95 under 50 ms at 200 ms per request.

The peer runs in a subprocess with its own interpreter (`--peer-python`, else $AZURE_AI_ML_PYTHON), pointed
at the same server: base URL by AZUREML_DEV_URL_MFE, the local workspace's token by a credential object, and
azure-core's https-only check for bearer tokens turned off (the server is plain http on loopback). It makes
two sequential requests before returning its poller (a workspace GET for the region, then the PUT).
Run: python bench/control_back.py [--samples 30] [--latencies 0 200] [--peer-python PATH]
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
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

PEER_PROBE = r"""
import json, os, sys, time
url, token, sub, rg, ws, latency, samples = sys.argv[1:8]
os.environ["AZUREML_DEV_URL_MFE"] = url
import azure.core.pipeline.policies._authentication as authentication
authentication._enforce_https = lambda request: None  # plain http on loopback
from azure.core.credentials import AccessToken
from azure.ai.ml import MLClient
from azure.ai.ml.entities import AmlCompute

class Token:
    def get_token(self, *scopes, **kwargs):
        return AccessToken(token, int(time.time()) + 3600)

client = MLClient(Token(), sub, rg, ws, enable_telemetry=False, show_progress=False)
def create(name):
    return client.compute.begin_create_or_update(AmlCompute(name=name, size="Standard_D2_v3", max_instances=1))
for i in range(2):  # warm: imports, connections
    create(f"pw{latency}-{i}x")
seconds = []
for i in range(int(samples)):
    started = time.perf_counter()
    create(f"pe{latency}-{i:03d}x")
    seconds.append(time.perf_counter() - started)
print(json.dumps(seconds))
"""
NOT_INSTALLED = "azure-ai-ml: not installed (pip install azure-ai-ml)"


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    cuts = statistics.quantiles(samples, n=20, method="inclusive")
    return statistics.median(samples) * 1000, cuts[18] * 1000


class Bench:
    def __init__(self, samples: int) -> None:
        from jupyter_compute.local.access import local_token
        from jupyter_compute.local.store import default_home
        from jupyter_compute.service.workspace import Workspace

        self.samples = samples
        from jupyter_compute.local.server import ensure_running

        self.ws = Workspace.local()
        self.url = self.ws.ref.base_url() or ensure_running()  # the local workspace is reached by its server
        self.token = local_token(default_home())
        self.ws.location()  # warm: the region is read once per workspace

    def latency(self, ms: int) -> None:
        request = urllib.request.Request(
            f"{self.url}/_emulator/faults",
            data=json.dumps({"faults": f"latency:ms={ms}" if ms else ""}).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback control endpoint
            answer.read()

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

    def peer(self, python: str, ms: int) -> list[float]:
        from jupyter_compute.service.ref import LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION, LOCAL_WORKSPACE

        args = [self.url, self.token, LOCAL_SUBSCRIPTION, LOCAL_RESOURCE_GROUP, LOCAL_WORKSPACE, str(ms)]
        done = subprocess.run(
            [python, "-c", PEER_PROBE, *args, str(self.samples)], capture_output=True, text=True, timeout=1800
        )
        if done.returncode != 0:
            raise SystemExit(f"bench: the azure-ai-ml probe failed:\n{done.stderr[-2000:]}")
        seconds: list[float] = json.loads(done.stdout.strip().splitlines()[-1])
        return seconds

    def clean_peer(self) -> None:
        ops = [self.ws.delete(c.name) for c in self.ws.list() if c.name.startswith(("pe", "pw"))]
        for op in ops:
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
    python = given or os.environ.get("AZURE_AI_ML_PYTHON")
    if not python:
        return None
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
    args = parser.parse_args()
    os.environ["JUPYTER_COMPUTE_HOME"] = tempfile.mkdtemp(prefix="control-back-")
    os.environ.setdefault("JUPYTER_COMPUTE_SPEED", "500")  # operations end in well under a second
    os.environ.pop("JUPYTER_COMPUTE_FAULTS", None)
    python = peer_python(args.peer_python)
    quiet_resets()

    from jupyter_compute import AmlComputeSpec

    bench = Bench(args.samples)
    n = args.samples
    bench.instances([f"ci{ms}-{i:03d}x" for ms in args.latencies for i in range(n)])
    print(f"{'call':<44} {'ms/request':>10} {'p50 ms':>8} {'p95 ms':>8} {'accepted p50':>13} {'p95':>7}")

    def row(label: str, ms: int, back: list[float], accepted: list[float] | None = None) -> None:
        p50, p95 = percentiles(back)
        tail = ""
        if accepted is not None:
            a50, a95 = percentiles(accepted)
            tail = f" {a50:13.0f} {a95:7.0f}"
        print(f"{label:<44} {ms:>10} {p50:8.1f} {p95:8.1f}{tail}", flush=True)

    for ms in args.latencies:
        bench.latency(ms)
        for i in range(2):  # warm at this latency
            bench.ws.create(AmlComputeSpec.from_keywords(name=f"w{ms}-{i}x", size="Standard_D1_v2")).wait(600)
            bench.ws.delete(f"w{ms}-{i}x").wait(600)

        def create(i: int, ms: int = ms) -> Any:
            spec = AmlComputeSpec.from_keywords(name=f"cb{ms}-{i:03d}x", size="Standard_D1_v2", max_instances=1)
            return bench.ws.create(spec)

        row("jupyter-compute Workspace.create", ms, *bench.timed(create))
        row("jupyter-compute Workspace.delete", ms, *bench.timed(lambda i, ms=ms: bench.ws.delete(f"cb{ms}-{i:03d}x")))
        row("jupyter-compute Workspace.start", ms, *bench.timed(lambda i, ms=ms: bench.ws.start(f"ci{ms}-{i:03d}x")))
        if python is None:
            print(NOT_INSTALLED, flush=True)
        else:
            row("azure-ai-ml compute.begin_create_or_update", ms, bench.peer(python, ms))
            bench.latency(0)
            bench.clean_peer()
    if not args.no_kernel:
        for ms, back, trips in kernel_magic(n, args.latencies):
            row("%compute create in a kernel (statement)", ms, back)
            row("%compute create in a kernel (cell round trip)", ms, trips)
    print(
        f"\n{n} samples per row, warm. Control back: until the call returned its Operation (the peer: its poller). "
        "Accepted: until the background checks and the write were done (what a call took before)."
    )


if __name__ == "__main__":
    main()
