"""Widget models, operations and memory left in a kernel after creating and deleting many computes.

Starts a real kernel (jupyter_client), loads the extension and warms it up with one create and delete,
then creates and deletes ``--computes`` clusters with ``%compute`` in batches, every bar displayed, each
batch waited for. Prints the open ipywidgets models and the kernel's RSS before and after, and how many
of the operations are still alive (weak references). Goal: the models return to the baseline (plus the
status regions ended bars keep for later ones, at most a batch: ui/progress_bar.py), no operation stays
alive, RSS grows by under 10 MB for 200 computes.
Run: python bench/leak.py [--computes 200] [--batch 10] [--speed 400]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from kernel_helpers import Kernel, running_kernel  # noqa: E402

SETUP = """
import gc, json, time, weakref
from ipywidgets.widgets.widget import _instances
from jupyter_compute.ui.progress_bar import REGIONS

refs = []

def rss_mb():
    with open('/proc/self/status') as status:
        return next(int(line.split()[1]) for line in status if line.startswith('VmRSS:')) / 1024

def settle(seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        gc.collect()
        if not any(r() is not None for r in refs) and len(_instances) - len(REGIONS) <= base_models:
            return
        time.sleep(0.05)

def batch(words, names):
    ops = [get_ipython().run_line_magic('compute', f'{words} {name}') for name in names]
    refs.extend(weakref.ref(op) for op in ops)
    failed = [op.target for op in ops if not op.wait(120).done() or op.status != 'Succeeded']
    return failed

def figures():
    gc.collect()
    return {'models': len(_instances), 'kept': len(REGIONS), 'rss_mb': rss_mb(),
            'alive': sum(r() is not None for r in refs)}
"""


def run(kernel: Kernel, code: str, timeout: float = 300) -> dict[str, object]:
    reply = kernel.execute(code, timeout=timeout)
    text = kernel.text(reply)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(text)
    return dict(json.loads(text.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--computes", type=int, default=200)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--speed", default="400")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="leak-"))
    started = time.monotonic()
    with running_kernel(home, JUPYTER_COMPUTE_SPEED=args.speed, JUPYTER_COMPUTE_POLL_INTERVAL="0.05") as kernel:
        kernel.execute("%load_ext jupyter_compute")
        kernel.execute(SETUP)
        # warm up: imports, the local server, the first widgets' classes
        run(
            kernel,
            "base_models = 10**9\nprint(json.dumps({'failed': batch('create cluster --max-instances 1', ['warmx'])"
            " + batch('delete', ['warmx'])}))",
        )
        run(
            kernel,
            "refs.clear(); time.sleep(1); base_models = len(_instances) - len(REGIONS); settle(5)\n"
            "print(json.dumps({}))",
        )
        before = run(kernel, "before = figures(); print(json.dumps(before))")
        failed: list[str] = []
        for first in range(0, args.computes, args.batch):
            names = [f"leak{i:04d}x" for i in range(first, min(first + args.batch, args.computes))]
            failed += run(kernel, f"print(json.dumps(batch('create cluster --max-instances 1', {names!r})))")  # type: ignore[arg-type]
            failed += run(kernel, f"print(json.dumps(batch('delete', {names!r})))")  # type: ignore[arg-type]
        after = run(kernel, "settle(); print(json.dumps(figures()))")
        version = run(kernel, "import jupyter_compute; print(json.dumps({'from': jupyter_compute.__file__}))")
    elapsed = time.monotonic() - started
    print(f"package: {version['from']}")
    print(f"computes created and deleted: {args.computes} (batches of {args.batch}, speed {args.speed})")
    print(f"operations that did not succeed: {len(failed)}")
    print(
        f"open widget models: before {before['models']}, after {after['models']} "
        f"(status regions kept for later bars: before {before['kept']}, after {after['kept']})"
    )
    print(f"operations still alive: {after['alive']} of {2 * args.computes}")
    rss_before, rss_after = float(str(before["rss_mb"])), float(str(after["rss_mb"]))
    print(f"kernel RSS: before {rss_before:.1f} MB, after {rss_after:.1f} MB, growth {rss_after - rss_before:+.1f} MB")
    print(f"run time: {elapsed:.0f} s")


if __name__ == "__main__":
    main()
