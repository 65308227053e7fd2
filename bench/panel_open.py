"""How fast the Compute tab shows a workspace of 200 computes, and what the panel's kernel costs.

Starts a real ``jupyter lab`` on loopback over a local workspace holding N computes (150 clusters,
50 instances by default), opens it in Debian chromium, clicks the Compute tab and times until all N
rows are rendered: once with a new kernel in a browser that never opened the panel (cold), once with a
new kernel in a browser that did (the extension starts the panel in the background at page load, so the
click finds it starting or running: "cold, used before"), then after page reloads, when the panel
reconnects to its running kernel (warm); "used before" once more with the click 3 s after the page
loaded (what the start at page load is for). Each open is timed twice: until the rows are shown (while a
new kernel starts they are the server extension's first paint, actions held: jupyter_compute/frontends/
server.py) and until the kernel's panel has drawn them (live). Then reads the panel kernel's resident
memory from /proc.

    python bench/panel_open.py [--computes 200] [--runs 3] [--mid-create]

Goals (issue 13): 200 computes under 1.0 s cold and 0.3 s warm; 1000 computes under 2.5 s cold.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the browser test harness

from lab_helpers import PANEL, READY, TAB, Lab, chromium, isolated_env  # noqa: E402

COLD_GOAL = {200: 1.0, 1000: 2.5}
WARM_GOAL = 0.3
LOOK_SECONDS = 3  # a user who used the panel before looks at the page this long before clicking


def fill_workspace(env: dict[str, str], computes: int) -> None:
    os.environ["JUPYTER_COMPUTE_HOME"] = env["JUPYTER_COMPUTE_HOME"]
    from jupyter_compute import AmlComputeSpec, ComputeInstanceSpec, Workspace

    ws = Workspace.local()
    instances = computes // 4
    for i in range(computes - instances):
        ws.create(AmlComputeSpec.from_keywords(name=f"cluster-{i:03d}x", max_instances=2), preflight=False)
    for i in range(instances):
        ws.create(ComputeInstanceSpec.from_keywords(name=f"instance-{i:03d}x"), preflight=False)


def settle(computes: int, seconds: float = 120) -> None:
    """Wait until no compute is still being created (speed 50): a fixed pause left most of 1000 computes
    mid-create, and the panel then follows each one, which is not the steady list this bench times."""
    from jupyter_compute import Workspace
    from jupyter_compute.model.progress import is_transitional

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        listed = Workspace.local().list_bodies()
        if len(listed) >= computes and not any(is_transitional(body) for body in listed):
            return
        time.sleep(0.5)
    raise RuntimeError(f"the {computes} computes did not settle in {seconds:g} s")


def kernel_memory_mb(kernel_id: str) -> tuple[float, float]:
    """(resident now, peak resident) of the kernel process, in MB."""
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if f"kernel-{kernel_id}.json" in cmdline:
            status = dict(line.split(":", 1) for line in (proc / "status").read_text().splitlines() if ":" in line)
            return (int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024)
    raise RuntimeError(f"no process for kernel {kernel_id}")


@dataclass
class Open:
    shown: float  # click -> all rows drawn (the first paint's, from the server, or the kernel's)
    live: float  # click -> all rows drawn by the kernel's panel (actions live)


def time_open(page, lab: Lab, computes: int, reset: bool, pause: float = 0) -> Open:  # type: ignore[no-untyped-def]
    """Seconds from the click on the Compute tab to all rows drawn, and to all rows drawn by the kernel's
    panel; the click comes the moment the tab is there, or ``pause`` seconds later (a user who looks at
    the page first)."""
    page.goto(lab.url("lab", **({"reset": ""} if reset else {})))
    page.wait_for_selector(TAB, timeout=60_000)
    time.sleep(pause)
    if page.locator(PANEL).is_visible():  # restored open: close it first so the click opens it
        page.click(TAB)
        page.wait_for_selector(PANEL, state="hidden")
    started = time.perf_counter()
    page.click(TAB)
    page.wait_for_function(
        f'() => document.querySelectorAll("{PANEL} .jupyter-compute-row").length >= {computes}',
        timeout=120_000,
        polling="raf",
    )
    shown = time.perf_counter() - started
    page.wait_for_function(
        f'() => document.querySelectorAll("{READY} .jupyter-compute-row").length >= {computes}',
        timeout=120_000,
        polling="raf",
    )
    live = time.perf_counter() - started
    marks = page.evaluate(
        "() => Object.fromEntries(performance.getEntriesByType('mark')"
        ".filter(m => m.name.startsWith('jupyter-compute:')).map(m => [m.name.split(':')[1], m.startTime]))"
    )
    draw = page.evaluate(
        '() => { const t = document.querySelector(".jupyter-compute-table[data-draw-ms]");'
        " return t ? [t.dataset.built, t.dataset.drawMs] : null; }"
    )
    if draw:
        print(f"  the list's last draw: {draw[0]} rows built in {draw[1]} ms")
    if reset and {"start", "kernel-ready", "panel-shown"} <= set(marks):
        steps = ", ".join(
            f"{name} {(marks[name] - marks['start']) / 1000:.2f}s"
            for name in ("first-paint", "kernel-ready", "restored", "panel-shown")
            if name in marks
        )
        print(f"{'prestarted at load' if 'prestart' in marks else 'started by the click'}: after the start, {steps}")
    return Open(shown, live)


def forget_panel_kernel(lab: Lab) -> None:
    """Shut the panel's kernel down, so that the next page load finds none (a new kernel, as cold)."""
    for session in lab.panel_sessions():
        lab.api(f"sessions/{session['id']}", "DELETE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--computes", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3, help="warm opens (page reloads) to time")
    parser.add_argument(
        "--mid-create",
        action="store_true",
        help="open 2 s after creating the computes, most of them still being created (the panel follows each)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root = base / "notebooks"
        root.mkdir()
        env = isolated_env(base, {"JUPYTER_COMPUTE_SPEED": "50"})
        started = time.perf_counter()
        fill_workspace(env, args.computes)
        print(f"workspace: {args.computes} computes created in {time.perf_counter() - started:.1f}s")
        if args.mid_create:
            time.sleep(2)
        else:
            settle(computes=args.computes)  # the list is steady, as a user would find it
        lab = Lab(root, base, env)
        try:
            with chromium() as browser:
                page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
                cold = time_open(page, lab, args.computes, reset=True)
                warm = [time_open(page, lab, args.computes, reset=False) for _ in range(args.runs)]
                forget_panel_kernel(lab)
                used_before = time_open(page, lab, args.computes, reset=True)
                forget_panel_kernel(lab)
                used_before_later = time_open(page, lab, args.computes, reset=True, pause=LOOK_SECONDS)
                kernel_id = lab.panel_sessions()[0]["kernel"]["id"]
                rss, peak = kernel_memory_mb(kernel_id)
        finally:
            lab.stop()
    print(f"{'open (click -> ' + str(args.computes) + ' rows)':<34}{'shown':>7}{'live':>7}{'goal':>7}")
    goal = COLD_GOAL.get(args.computes)
    shown = f"{goal:>7.1f}" if goal else f"{'':>7}"
    for label, result in (
        ("cold (new kernel, first use)", cold),
        ("cold (new kernel, used before)", used_before),
        (f"  the same, clicked {LOOK_SECONDS:g} s after load", used_before_later),
    ):
        print(f"{label:<34}{result.shown:>7.2f}{result.live:>7.2f}{shown}")
    label = "warm (reload, running kernel)"
    print(
        f"{label:<34}{statistics.median(w.shown for w in warm):>7.2f}{statistics.median(w.live for w in warm):>7.2f}"
        f"{WARM_GOAL:>7.1f}  (median of {len(warm)})"
    )
    print("shown: the rows are drawn (the server's first paint while a new kernel starts, actions held);")
    print("live: the kernel's panel has drawn them (actions work). The goals are for shown.")
    print(f"panel kernel memory: {rss:.0f} MB resident, {peak:.0f} MB peak")


if __name__ == "__main__":
    main()
