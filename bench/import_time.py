"""Import time and memory of `import jupyter_compute`, next to azure-ai-ml's `from azure.ai.ml.entities import
AmlCompute`, and for both sides the time from a fresh interpreter until the client can send a request (ours:
a Workspace's ARM client built; the peer: an MLClient built; nothing is sent), measured in the same run.

azure-ai-ml is never a dependency of the package: the peer is this interpreter when it has azure-ai-ml
(`pip install azure-ai-ml` into a bench venv, or the pyproject extra `bench`), else bench/.venv-peer.
Run: python bench/import_time.py [--runs 7] [--no-peer] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEER_VENV = HERE / ".venv-peer"
PROBE = """
import json, resource, sys, time
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
{statement}
elapsed = time.perf_counter() - t
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"seconds": elapsed, "rss_kb": after, "rss_growth_kb": after - before, "modules": len(sys.modules)}}))
"""


def measure(python: str, statement: str, runs: int, env: dict[str, str] | None = None) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [python, "-X", "frozen_modules=on", "-c", PROBE.format(statement=statement)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
        )
        samples.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "seconds_median": statistics.median(s["seconds"] for s in samples),
        "rss_mb_median": statistics.median(s["rss_kb"] for s in samples) / 1024,
        "modules": samples[0]["modules"],
    }


SUB, RG, WS = "11111111-2222-3333-4444-555555555555", "bench-rg", "bench-ws"
# A loopback port nothing listens on and a token of the settings: the client is built, nothing is sent.
OURS_ENV = {"JUPYTER_COMPUTE_ARM_ENDPOINT": "http://127.0.0.1:9", "JUPYTER_COMPUTE_ACCESS_TOKEN": "bench-token"}
OURS_CLIENT = f"from jupyter_compute import Workspace; Workspace.azure({SUB!r}, {RG!r}, {WS!r})._client()"
PEER_CLIENT = (
    "from azure.ai.ml import MLClient; from azure.core.credentials import AccessToken\n"
    "class Token:\n"
    "    def get_token(self, *scopes, **kwargs): return AccessToken('bench-token', 2**31)\n"
    f"MLClient(Token(), {SUB!r}, {RG!r}, {WS!r}, enable_telemetry=False)"
)


def peer_python() -> str | None:
    if subprocess.run([sys.executable, "-c", "import azure.ai.ml"], capture_output=True).returncode == 0:
        return sys.executable
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        venv.create(PEER_VENV, with_pip=True)
    check = subprocess.run([str(python), "-c", "import azure.ai.ml"], capture_output=True)
    if check.returncode != 0:
        install = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "azure-ai-ml"], capture_output=True, text=True
        )
        if install.returncode != 0:
            print(f"could not install azure-ai-ml in {PEER_VENV}: {install.stderr[-500:]}", file=sys.stderr)
            return None
    return str(python)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--json", help="also write the figures, each with its peer's, to this file")
    args = parser.parse_args()
    ours = measure(sys.executable, "import jupyter_compute", args.runs)
    ours_spec = measure(
        sys.executable,
        "from jupyter_compute import AmlComputeSpec; AmlComputeSpec.from_keywords(name='cpu', max_instances=4)",
        args.runs,
    )
    ours_client = measure(sys.executable, OURS_CLIENT, args.runs, OURS_ENV)
    baseline = measure(sys.executable, "pass", args.runs)
    peer = None if args.no_peer else peer_python()
    peer_import = measure(peer, "from azure.ai.ml.entities import AmlCompute", args.runs) if peer else None
    peer_client = measure(peer, PEER_CLIENT, args.runs) if peer else None
    rows = [
        ("python -c pass", baseline),
        ("import jupyter_compute", ours),
        ("jupyter_compute: build a cluster spec", ours_spec),
        ("jupyter_compute: a client ready to send", ours_client),
    ]
    if peer_import is not None and peer_client is not None:
        rows += [
            ("peer: from azure.ai.ml.entities import AmlCompute", peer_import),
            ("peer: an MLClient ready to send", peer_client),
        ]
    print(f"{'what':48} {'time (ms)':>10} {'max RSS (MB)':>13} {'modules':>8}")
    for label, row in rows:
        print(f"{label:48} {row['seconds_median'] * 1000:10.1f} {row['rss_mb_median']:13.1f} {row['modules']:8d}")
    figures = [
        figure("import", ours, peer_import, "seconds_median", "ms", 1000),
        figure("import, max RSS", ours, peer_import, "rss_mb_median", "MB", 1),
        figure("a client ready to send", ours_client, peer_client, "seconds_median", "ms", 1000),
        figure("a client ready to send, max RSS", ours_client, peer_client, "rss_mb_median", "MB", 1),
        figure("build a cluster spec", ours_spec, None, "seconds_median", "ms", 1000),
    ]
    if peer is None:
        print("\nazure-ai-ml: not installed (pip install azure-ai-ml): no peer figures")
    if args.json:
        Path(args.json).write_text(json.dumps(figures))


def figure(
    name: str, ours: dict[str, float], peer: dict[str, float] | None, key: str, unit: str, scale: float
) -> dict[str, object]:
    """One figure of the report (bench/report.py): ours, the peer's (None: no peer), in ``unit``."""
    return {
        "figure": name,
        "unit": unit,
        "ours": ours[key] * scale,
        "peer": None if peer is None else peer[key] * scale,
    }


if __name__ == "__main__":
    main()
