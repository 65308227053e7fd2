"""Open all day: does anything grow with the operations the page, the server, the kernels and the store see?

The issue-29 soak in a shorter form. A real ``jupyter lab`` on loopback over a local workspace of
``--computes`` clusters (``--speed`` times faster than typical), opened in Debian chromium with the
Compute tab shown; a notebook whose one cell starts a loop (a thread of its kernel) of batches of
``%compute`` creates, resizes and deletes, every bar displayed in that cell; and this process, as a second
client, creating and deleting through the Python API. Every ``--every`` seconds for ``--minutes`` minutes
(default 5; longer with ``--minutes``) it prints one line:

- the page's JavaScript heap after a forced garbage collection (Chromium's CDP: HeapProfiler.collectGarbage,
  Runtime.getHeapUsage) and its element count;
- the resident memory of the Jupyter server and of both kernels (the panel's, the notebook's), from /proc;
- the widget models open in each kernel (ipywidgets' ``_instances``, asked over a second connection);
- the messages a second the page received on the panel kernel's WebSocket since the last line, and on the
  notebook kernel's; and how far behind the page is in handling the notebook's (a kernel_info round trip
  from the page, which waits for every message before it: "page lag s", capped at 30);
- the local store's size on disk (the SQLite file and its WAL);
- a trivial cell's round trip on the notebook's kernel (``1``, over a second connection);
- the operations done so far.

At the end, the slope per hour of each figure (least squares over the samples), the page's heap per
1,000 operations, and, once both loops have stopped and their last operations ended (and the bars' grace
passed) and the page has caught up with the notebook's messages (its lag under a second; ``--drain`` minutes
at most),
the page's heap after GC again: whether it returns near its start. With ``--snapshots DIR`` it
also writes Chromium heap snapshots (after GC) there: ``1.heapsnapshot`` at the second sample,
``2.heapsnapshot`` at the last, ``3.heapsnapshot`` once the operations are done; ``bench/heap_diff.py``
compares two of them. Run:

    python bench/soak.py [--minutes 5] [--every 60] [--computes 200] [--speed 50] [--rate R] [--snapshots DIR]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the browser test harness
sys.path.insert(0, str(Path(__file__).resolve().parent))

from comm_log import INSTALL as COMM_LOG
from comm_log import REPORT as COMM_REPORT
from panel_open import fill_workspace, kernel_memory_mb, settle  # noqa: E402

from lab_helpers import EXPOSED_LAB, READY, Lab, browser_page, open_panel, running_lab  # noqa: E402

# Counts the messages each WebSocket receives, and the sockets opened (a reconnect opens another), by URL (the
# panel's kernel is one of them).
COUNT_WS = """
(() => {
  const Native = window.WebSocket;
  window.__wsCounts = {};
  window.__wsOpened = {};
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      const key = String(url).split('?')[0];
      window.__wsOpened[key] = (window.__wsOpened[key] || 0) + 1;
      this.addEventListener('message', () => { window.__wsCounts[key] = (window.__wsCounts[key] || 0) + 1; });
    }
  };
})();
"""

# The notebook's loop: batches of creates, resizes and deletes through the magics, each bar displayed.
LOOP = """
%load_ext jupyter_compute
import itertools, threading, time
soak_stop = threading.Event()
soak_done = [0]
def soak_loop(batch={batch}, rate={rate}):
    ip = get_ipython()
    counter = itertools.count()
    started = time.monotonic()
    while not soak_stop.is_set():
        if rate:  # at most `rate` operations a second on average
            soak_stop.wait(max(0.0, started + soak_done[0] / rate - time.monotonic()))
        names = [f"nb{{next(counter):05d}}x" for _ in range(batch)]
        for words in ("create cluster {{}} --max-instances 2", "resize {{}} --min-nodes 1", "delete {{}} --yes"):
            ops = [ip.run_line_magic("compute", words.format(name)) for name in names]
            for op in ops:
                if op is not None:
                    op.wait(300)
            soak_done[0] += len(ops)
import ipywidgets
soak_comms = {{}}  # comm id -> model name and classes, as the kernel opened them (bench/comm_log.py reports)
def _soak_recording(open_=ipywidgets.Widget.open):
    def open(self):
        open_(self)
        if self.comm is not None:
            soak_comms[self.comm.comm_id] = " ".join([self._model_name, *getattr(self, "_dom_classes", ())])
    return open
ipywidgets.Widget.open = _soak_recording()
threading.Thread(target=soak_loop, name="soak", daemon=True).start()
"""

GC_HEAP = "() => document.getElementsByTagName('*').length"

# Seconds until the page has handled everything the notebook's kernel sent before now: the page handles a
# kernel's messages one after another, a kernel_info reply among them (capped at ``limit`` seconds).
PAGE_LAG = """async (limit) => {
  const nb = [...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.context.path === 'soak.ipynb');
  const kernel = nb && nb.sessionContext.session && nb.sessionContext.session.kernel;
  if (!kernel) return -1;
  const started = performance.now();
  await Promise.race([kernel.requestKernelInfo(), new Promise(done => setTimeout(done, limit * 1000))]);
  return (performance.now() - started) / 1000;
}"""


def heap_snapshot(cdp: object, path: Path) -> None:
    """A heap snapshot of the page (after a forced GC) written to ``path``, streamed from CDP in chunks."""
    chunks: list[str] = []
    handler = lambda params: chunks.append(params["chunk"])  # noqa: E731
    cdp.on("HeapProfiler.addHeapSnapshotChunk", handler)  # type: ignore[attr-defined]
    try:
        cdp.send("HeapProfiler.collectGarbage")  # type: ignore[attr-defined]
        cdp.send("HeapProfiler.takeHeapSnapshot", {"reportProgress": False})  # type: ignore[attr-defined]
    finally:
        cdp.remove_listener("HeapProfiler.addHeapSnapshotChunk", handler)  # type: ignore[attr-defined]
    path.write_text("".join(chunks))
    step(f"heap snapshot {path} ({path.stat().st_size / 2**20:.0f} MB)")


def step(what: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {what}", file=sys.stderr, flush=True)


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")) / 1024


def ask(lab: Lab, kernel_id: str, expression: str) -> tuple[str, float]:
    """``expression``'s repr in a kernel over a second connection, and the round trip in ms."""
    from jupyter_client.blocking import BlockingKernelClient

    client = BlockingKernelClient()
    client.load_connection_file(str(Path(lab.env["JUPYTER_RUNTIME_DIR"]) / f"kernel-{kernel_id}.json"))
    client.start_channels()
    try:
        # A new connection's IOPub subscription reaches the kernel a moment later (ZMQ's slow joiner): an
        # execute sent before it loses its idle status and waits out the timeout. kernel_info until IOPub speaks.
        client.wait_for_ready(timeout=60)
        started = time.perf_counter()
        reply = client.execute_interactive(
            "", silent=True, user_expressions={"v": expression}, timeout=60, output_hook=lambda _m: None
        )
        took = (time.perf_counter() - started) * 1000
    finally:
        client.stop_channels()
    value = reply["content"]["user_expressions"]["v"]
    return (str(value["data"]["text/plain"]) if value.get("status") == "ok" else "?"), took


def slope_per_hour(times: list[float], values: list[float]) -> float:
    n = len(times)
    if n < 2:
        return 0.0
    mt, mv = sum(times) / n, sum(values) / n
    var = sum((t - mt) ** 2 for t in times)
    return 0.0 if var == 0 else sum((t - mt) * (v - mv) for t, v in zip(times, values, strict=True)) / var * 3600


class Peer(threading.Thread):
    """The second process's work (this one, as the CLI would): create a cluster, then delete it, again."""

    def __init__(self) -> None:
        super().__init__(name="peer", daemon=True)
        self.stop = threading.Event()
        self.done = 0

    def run(self) -> None:
        from jupyter_compute import AmlComputeSpec, Workspace

        ws = Workspace.local()
        for i in range(10**9):
            if self.stop.is_set():
                return
            name = f"peer{i:05d}x"
            ws.create(AmlComputeSpec.from_keywords(name=name, max_instances=1), preflight=False).wait(300)
            ws.delete(name).wait(300)
            self.done += 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="how long to run (a longer soak: more)")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between samples")
    parser.add_argument("--computes", type=int, default=200)
    parser.add_argument("--speed", default="50")
    parser.add_argument("--batch", type=int, default=5, help="computes per batch of the notebook's loop")
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="at most this many of the notebook's operations a second (0: as fast as they go; the issue's soak "
        "saw 4.5 a second in all)",
    )
    parser.add_argument("--drain", type=float, default=10.0, help="minutes to wait at most for the page to catch up")
    parser.add_argument("--snapshots", type=Path, help="a folder for heap snapshots (bench/heap_diff.py reads them)")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="soak-"))
    env = {"JUPYTER_COMPUTE_SPEED": args.speed}
    os.environ.update(env)
    jupyter = EXPOSED_LAB  # PAGE_LAG reads the app
    with running_lab(base, env, jupyter) as lab:
        step(f"lab up; filling the workspace with {args.computes} computes")
        fill_workspace(lab.env, args.computes)
        settle(args.computes, seconds=600)
        step("settled")
        store = Path(lab.env["JUPYTER_COMPUTE_HOME"]) / "local-workspace.sqlite3"
        notebook = Path(lab.root) / "soak.ipynb"
        notebook.write_text(
            json.dumps(
                {
                    "cells": [
                        {
                            "cell_type": "code",
                            "execution_count": None,
                            "metadata": {},
                            "outputs": [],
                            "source": LOOP.format(batch=args.batch, rate=args.rate),
                        }
                    ],
                    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                    "nbformat": 4,
                    "nbformat_minor": 5,
                }
            )
        )
        with browser_page() as page:
            errors: Counter[str] = Counter()  # the page's console errors, by their first words (ids left out)
            head = lambda text: re.sub(r"[0-9a-f]{32}", "…", " ".join(text.split()[:6]))  # noqa: E731
            page.on("console", lambda m: m.type == "error" and errors.update([head(m.text)]))
            page.add_init_script(COUNT_WS)
            page.goto(lab.url("lab/tree/soak.ipynb", reset=""))
            open_panel(page, timeout=180_000)
            page.wait_for_function(
                f'() => document.querySelectorAll("{READY} .jupyter-compute-row").length >= {args.computes}',
                timeout=180_000,
            )
            page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']")
            page.locator(".jp-NotebookPanel .jp-CodeCell").first.locator(".jp-InputArea-editor").click()
            page.evaluate(  # every connection's comms, logged (bench/comm_log.py): which ones "Comm not found" is about
                "(install) => { const nb = [...window.jupyterapp.shell.widgets('main')].find(w => w.context && "
                "w.context.path === 'soak.ipynb'); eval(install)(nb.sessionContext.session.kernel); }",
                COMM_LOG,
            )
            page.keyboard.press("Escape")
            page.keyboard.press("Shift+Enter")
            step("panel drawn; the notebook's loop started")
            cdp = page.context.new_cdp_session(page)
            cdp.send("HeapProfiler.enable")
            (panel,) = lab.panel_sessions()
            panel_kernel = panel["kernel"]["id"]
            (nb,) = [s for s in lab.api("sessions") if s.get("path") == "soak.ipynb"]
            nb_kernel = nb["kernel"]["id"]
            peer = Peer()
            peer.start()
            columns = (
                "min",
                "heap MB",
                "elements",
                "server MB",
                "panel MB",
                "nb MB",
                "panel models",
                "nb models",
                "panel msg/s",
                "nb msg/s",
                "page lag s",
                "store KB",
                "cell ms",
                "ops",
            )
            print(" | ".join(columns))
            samples: list[list[float]] = []
            last_count, last_nb, last_t = 0, 0, time.monotonic()
            started = time.monotonic()
            while True:
                step("sampling")
                cdp.send("HeapProfiler.collectGarbage")
                heap = cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20
                elements = float(page.evaluate(GC_HEAP))
                counts = page.evaluate("() => window.__wsCounts || {}")
                now = time.monotonic()
                panel_count = sum(v for k, v in counts.items() if panel_kernel in k)
                nb_count = sum(v for k, v in counts.items() if nb_kernel in k)
                rate = (panel_count - last_count) / (now - last_t)
                nb_rate = (nb_count - last_nb) / (now - last_t)
                last_count, last_nb, last_t = panel_count, nb_count, now
                lag = float(page.evaluate(PAGE_LAG, 30))
                step("page measured; asking the kernels")
                panel_models, _ = ask(lab, panel_kernel, "len(__import__('ipywidgets').widgets.widget._instances)")
                nb_models, cell_ms = ask(lab, nb_kernel, "len(__import__('ipywidgets').widgets.widget._instances)")
                done, _ = ask(lab, nb_kernel, "soak_done[0] if 'soak_done' in globals() else 0")
                wal = store.with_name(store.name + "-wal")
                size = sum(p.stat().st_size for p in (store, wal) if p.exists()) / 1024
                row = [
                    (now - started) / 60,
                    heap,
                    elements,
                    rss_mb(lab.process.pid),
                    kernel_memory_mb(panel_kernel)[0],
                    kernel_memory_mb(nb_kernel)[0],
                    float(panel_models) if panel_models.isdigit() else -1,
                    float(nb_models) if nb_models.isdigit() else -1,
                    rate,
                    nb_rate,
                    lag,
                    size,
                    cell_ms,
                    float(done) + peer.done if done.isdigit() else peer.done,
                ]
                samples.append(row)
                print(" | ".join(f"{v:.1f}" for v in row), flush=True)
                last = now - started >= args.minutes * 60
                if args.snapshots and (len(samples) == 2 or (last and len(samples) > 2)):
                    args.snapshots.mkdir(parents=True, exist_ok=True)
                    heap_snapshot(cdp, args.snapshots / f"{1 if len(samples) == 2 else 2}.heapsnapshot")
                if last:
                    break
                time.sleep(max(0.0, args.every - (time.monotonic() - now)))
            peer.stop.set()
            ask(lab, nb_kernel, "soak_stop.set()")
            step("stopping both loops; waiting for their last operations to end")
            peer.join(600)
            deadline = time.monotonic() + 600
            loop_alive = "any(t.name == 'soak' and t.is_alive() for t in __import__('threading').enumerate())"
            while ask(lab, nb_kernel, loop_alive)[0] != "False" and time.monotonic() < deadline:
                time.sleep(1)
            time.sleep(10)  # the bars' grace (progress_bar.END_GRACE) and the panel's last redraws
            step("waiting for the page to catch up with the notebook's messages")
            caught_up = time.monotonic()
            while (lag := float(page.evaluate(PAGE_LAG, 60))) > 1 and time.monotonic() - caught_up < args.drain * 60:
                step(f"page lag {lag:.1f} s")
            step(f"caught up in {time.monotonic() - caught_up:.0f} s")
            times = [s[0] * 60 for s in samples]
            print(
                "slope per hour: "
                + ", ".join(
                    f"{name} {slope_per_hour(times, [s[i] for s in samples]):+.1f}"
                    for i, name in enumerate(columns)
                    if i > 0
                )
            )
            operations = samples[-1][-1] - samples[0][-1]
            if operations > 0:
                per_k = (samples[-1][1] - samples[0][1]) / operations * 1000
                print(f"page heap: {per_k:+.2f} MB per 1,000 operations ({operations:.0f} operations)")
            cdp.send("HeapProfiler.collectGarbage")
            done_heap = cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20
            print(
                f"page heap once the operations are done: {done_heap:.1f} MB "
                f"(first sample {samples[0][1]:.1f} MB, last {samples[-1][1]:.1f} MB); "
                f"elements {float(page.evaluate(GC_HEAP)):.0f}"
            )
            if args.snapshots:
                heap_snapshot(cdp, args.snapshots / "3.heapsnapshot")
            print("page console errors: " + (", ".join(f"{n} × {text}" for text, n in errors.most_common()) or "none"))
            opened = page.evaluate("() => window.__wsOpened || {}")
            sockets = {
                name: sum(v for k, v in opened.items() if kid in k)
                for name, kid in (("panel", panel_kernel), ("notebook", nb_kernel))
            }
            print(
                "kernel WebSockets opened (more than 1: the page reconnected): "
                + ", ".join(f"{k} {v}" for k, v in sockets.items())
            )
            sent = ast.literal_eval(ask(lab, nb_kernel, "__import__('json').dumps(soak_comms)")[0])
            report = page.evaluate(
                COMM_REPORT, {"names": {panel_kernel: "panel", nb_kernel: "notebook"}, "sent": json.loads(sent)}
            )
            print(
                f"comms the notebook's kernel opened: {report.get('sent', 0)}, of which the page handled the open of "
                f"{report.get('handled', 0)}"
            )
            for title, part in (
                ("messages for comms the page did not have", "unknown"),
                ("comms the page closed itself", "pageClosed"),
            ):
                print(
                    f"{title}: "
                    + (
                        ", ".join(f"{n} × {k}" for k, n in sorted(report.get(part, {}).items(), key=lambda kv: -kv[1]))
                        or "none"
                    )
                )


if __name__ == "__main__":
    main()
