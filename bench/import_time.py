"""Import time and memory of `import jupyter_compute`, next to azure-ai-ml's `from azure.ai.ml.entities import
AmlCompute`, measured in the same run.

azure-ai-ml is installed only in this benchmark's own virtual environment (bench/.venv-peer), never as a
dependency of the package. Run: python bench/import_time.py [--runs 7] [--no-peer]
"""

from __future__ import annotations

import argparse
import json
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


def measure(python: str, statement: str, runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [python, "-X", "frozen_modules=on", "-c", PROBE.format(statement=statement)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        samples.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "seconds_median": statistics.median(s["seconds"] for s in samples),
        "rss_mb_median": statistics.median(s["rss_kb"] for s in samples) / 1024,
        "modules": samples[0]["modules"],
    }


def peer_python() -> str | None:
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
    args = parser.parse_args()
    ours = measure(sys.executable, "import jupyter_compute", args.runs)
    ours_spec = measure(
        sys.executable,
        "from jupyter_compute import AmlComputeSpec; AmlComputeSpec.from_keywords(name='cpu', max_instances=4)",
        args.runs,
    )
    baseline = measure(sys.executable, "pass", args.runs)
    rows = [
        ("python -c pass", baseline),
        ("import jupyter_compute", ours),
        ("jupyter_compute: build a cluster spec", ours_spec),
    ]
    peer = None if args.no_peer else peer_python()
    if peer:
        rows.append(
            (
                "peer: from azure.ai.ml.entities import AmlCompute",
                measure(peer, "from azure.ai.ml.entities import AmlCompute", args.runs),
            )
        )
    print(f"{'what':48} {'time (ms)':>10} {'max RSS (MB)':>13} {'modules':>8}")
    for label, row in rows:
        print(f"{label:48} {row['seconds_median'] * 1000:10.1f} {row['rss_mb_median']:13.1f} {row['modules']:8d}")
    if peer:
        peer_row = rows[-1][1]
        print(
            f"\nimport time ratio (azure-ai-ml / jupyter_compute): "
            f"{peer_row['seconds_median'] / ours['seconds_median']:.0f}x; "
            f"memory ratio: {peer_row['rss_mb_median'] / ours['rss_mb_median']:.1f}x"
        )


if __name__ == "__main__":
    main()
