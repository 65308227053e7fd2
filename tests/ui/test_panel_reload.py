"""After a page reload the Compute tab comes back, every time (issue 13, point 4).

The restored layout reopens the tab at page load; the panel reconnects to its running kernel, whose
widgets a new widget manager restores while the panel's code runs. One ``jupyter lab`` for the module.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from lab_helpers import PANEL, READY, Lab, chromium, open_panel, row, running_lab, shot

pytestmark = pytest.mark.ui
RELOADS = 30
# The panel is back, or its output area gave up on a widget ("Error displaying widget: model not found").
SETTLED = f"""() => document.querySelector("{READY}") !== null ||
  [...document.querySelectorAll("{PANEL} .jupyter-widgets")].some(e => /Error displaying widget/.test(e.textContent))"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with running_lab(tmp_path_factory.mktemp("lab"), {"JUPYTER_COMPUTE_SPEED": "50"}) as server:
        yield server


def test_view_compute_opens_the_panel_in_jupyterlab(lab: Lab) -> None:
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
        page.goto(lab.url("lab", reset=""))
        page.locator(".lm-MenuBar-itemLabel:text-is('View')").click()
        page.locator(".lm-Menu-item:visible .lm-Menu-itemLabel:text-is('Compute')").click()
        page.wait_for_selector(READY, state="visible", timeout=60_000)
        shot(page, "lab-view-compute")


def test_thirty_reloads_bring_the_panel_back_thirty_times(lab: Lab, tmp_path: Any) -> None:
    cli = [sys.executable, "-m", "jupyter_compute.frontends.cli", "create", "cluster", "reloaded"]
    subprocess.run(cli, env=lab.env, check=True, capture_output=True)
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
        page.goto(lab.url("lab", reset=""))
        open_panel(page)
        kernel = lab.panel_sessions()[0]["kernel"]["id"]
        panels, failures = 0, []
        for attempt in range(RELOADS):
            page.reload()  # no ?reset: the layout restorer reopens the Compute tab at load
            page.wait_for_function(SETTLED, timeout=60_000)
            if page.locator(f"{READY} .jupyter-compute-header").count():
                panels += 1
            else:
                failures.append(attempt)
                shot(page, f"reload-failed-{attempt}")
        # Live rows after the last reload. The panel was rebuilt every time (counted above); whether the
        # sidebar is expanded is the restored layout's to say (a reload right after another can restore it
        # collapsed), so show it if it is not.
        open_panel(page)
        row(page, "reloaded").wait_for(timeout=30_000)
        header = page.locator(f"{READY} .jupyter-compute-header").inner_text()
        path = tmp_path / "after-30-reloads.png"
        page.screenshot(path=str(path))
        shot(page, "reload-30")
        sessions = lab.panel_sessions()
    assert panels == RELOADS, f"reloads {failures} showed no panel"
    assert header.startswith("Compute · 1 compute")
    assert len(sessions) == 1 and sessions[0]["kernel"]["id"] == kernel, "every reload reconnected to one kernel"
