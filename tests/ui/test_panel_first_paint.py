"""The Compute tab's first paint (issue 13, point 8): while a new panel kernel starts, the list is drawn
from the server extension's rows (jupyter_compute/frontends/server.py) by the list's own front end, its
actions held; the kernel's panel replaces it, keeping what was typed in the search.

The panel's kernel is held at start by an IPython startup file that waits for a gate file, so "the
kernel is not up yet" is a condition the test opens, not a race it hopes to win.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lab_helpers import PANEL, READY, TAB, browser_page, launcher_settled, open_panel, row, running_lab, shot

pytestmark = pytest.mark.ui
FIRST = f"{PANEL} .jupyter-compute-first-paint"
NAMES = ("alpha-one", "alpha-two", "beta-one")
GATE_WAIT = """\
import os, pathlib, time
gate, deadline = pathlib.Path(os.environ["JC_TEST_GATE"]), time.monotonic() + 120
while not gate.exists() and time.monotonic() < deadline:  # the test opens it once it has seen the first paint
    time.sleep(0.05)
"""


def test_the_list_is_drawn_while_the_kernel_starts_and_the_kernels_panel_takes_over(tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-gate.py").write_text(GATE_WAIT)
    with running_lab(tmp_path, {"JUPYTER_COMPUTE_SPEED": "50", "JC_TEST_GATE": str(gate)}) as lab:
        for name in NAMES:
            cli = [sys.executable, "-m", "jupyter_compute.frontends.cli", "create", "cluster", name]
            subprocess.run(cli, env=lab.env, check=True, capture_output=True, timeout=120)
        with browser_page(viewport=(1200, 800)) as page:
            page.goto(lab.url("lab", reset=""))
            page.wait_for_selector(TAB, timeout=60_000)
            # Under load the Launcher could take the focus after the row below was given it (seen once).
            launcher_settled(page)
            page.click(TAB)
            page.wait_for_function(
                f"() => document.querySelectorAll('{FIRST} .jupyter-compute-row').length === {len(NAMES)}",
                timeout=60_000,
            )
            panel = page.locator(PANEL)
            assert panel.get_attribute("data-state") == "starting"  # the kernel is held at the gate
            status = panel.locator(".jupyter-compute-status").inner_text()
            assert status in ("Starting the Compute panel…", "Loading the Compute panel…")
            header = page.locator(f"{FIRST} .jupyter-compute-header")
            assert header.inner_text() == "Compute · 3 computes"
            first = page.locator(f"{FIRST} .jupyter-compute-row[data-name='beta-one']")
            assert "Succeeded" in first.inner_text() or "Running" in first.inner_text()
            # Searchable at once; its actions wait for the kernel's panel (a click is never lost or sent twice).
            page.locator(f"{FIRST} .jupyter-compute-search").fill("alpha")
            page.wait_for_function(
                f"() => document.querySelectorAll('{FIRST} .jupyter-compute-rows > .jupyter-compute-row').length === 2"
            )
            alpha = page.locator(f"{FIRST} .jupyter-compute-row[data-name='alpha-one']")
            alpha.locator(".jupyter-compute-row-summary").click()
            actions = alpha.locator(".jupyter-compute-actions button")
            assert actions.count() >= 2
            assert all(actions.nth(i).is_disabled() for i in range(actions.count()))
            # Held in words, not a tooltip: aria-disabled (they keep focus) and described by the visible line.
            held = alpha.locator(".jupyter-compute-held")
            assert held.inner_text() == "Actions wait until the panel has started."
            assert all(actions.nth(i).get_attribute("aria-disabled") == "true" for i in range(actions.count()))
            assert actions.first.get_attribute("aria-describedby") == held.get_attribute("id")
            summary = alpha.locator(".jupyter-compute-row-summary")
            summary.focus()
            assert summary.evaluate("e => e === document.activeElement")
            shot(page, "first-paint-held")

            gate.write_text("open")
            page.wait_for_selector(f"{READY} .jupyter-compute-row[data-name='alpha-one']", timeout=60_000)
            page.wait_for_selector(FIRST, state="detached", timeout=10_000)
            # The focus is on the same row's line in the kernel's list (not dropped to the page's body).
            focused = page.evaluate(
                "() => { const a = document.activeElement; const r = a && a.closest('.jupyter-compute-row');"
                " return [a.className, r ? r.dataset.name : null, !!a.closest('.jupyter-compute-first-paint')]; }"
            )
            assert focused == ["jupyter-compute-row-summary", "alpha-one", False], focused
            # The search typed in the first paint is the kernel's list's now.
            assert page.locator(f"{READY} .jupyter-compute-search").input_value() == "alpha"
            assert page.locator(f"{READY} .jupyter-compute-rows > .jupyter-compute-row").count() == 2
            live = row(page, "alpha-one")
            live.locator(".jupyter-compute-row-summary").click()
            assert live.locator(".jupyter-compute-action-delete").is_enabled()
            shot(page, "first-paint-replaced")

            # A reload finds the panel's kernel running: it reconnects, with no first paint of the
            # configured workspace in between (the panel may show another one).
            page.reload()
            open_panel(page)
            assert page.locator(PANEL).get_attribute("data-first-paint") is None
            assert page.locator(FIRST).count() == 0
            assert not [e for e in page.console_errors if "first paint" in e]
