"""The Compute panel in Notebook 7 (issue 13, point 10): "View › Compute" opens it in the left side
panel, on the file browser page and in a notebook, and it lists the workspace's computes. Notebook 7's
main area shows one widget only: a row's edit pane and a "New …" form open under the sidebar's list there.

One ``jupyter notebook`` server (Notebook 7, the same lab extension) for the module.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from lab_helpers import OVERFLOW_JS, PANEL, READY, Lab, act, axe, chromium, isolated_env, row, shot

pytestmark = pytest.mark.ui
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


@pytest.fixture(scope="module")
def notebook(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    base = tmp_path_factory.mktemp("notebook7")
    root = base / "notebooks"
    root.mkdir()
    cells = [nbformat.v4.new_code_cell("1 + 1")]
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC}), root / "work.ipynb")
    server = Lab(root, base, isolated_env(base, {"JUPYTER_COMPUTE_SPEED": "50"}), [sys.executable, "-m", "notebook"])
    cli = [sys.executable, "-m", "jupyter_compute.frontends.cli", "create", "cluster", "nb7-cluster"]
    subprocess.run(cli, env=server.env, check=True, capture_output=True)
    yield server
    server.stop()


def open_from_the_view_menu(page: Any) -> None:
    page.locator(".lm-MenuBar-itemLabel:text-is('View')").click()
    page.locator(".lm-Menu-item:visible .lm-Menu-itemLabel:text-is('Compute')").click()
    page.wait_for_selector(READY, state="visible", timeout=60_000)


def test_view_compute_opens_the_panel_on_the_tree_page_and_in_a_notebook(notebook: Lab, tmp_path: Path) -> None:
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1300, "height": 850}).new_page()
        page.goto(notebook.url("tree"))
        page.locator(".jp-DirListing-itemName:has-text('work.ipynb')").wait_for(timeout=60_000)
        assert not page.locator(PANEL).is_visible()
        open_from_the_view_menu(page)
        row(page, "nb7-cluster").wait_for(timeout=30_000)
        page.screenshot(path=str(tmp_path / "notebook7-tree.png"))
        shot(page, "notebook7-tree")

        page.goto(notebook.url("notebooks/work.ipynb"))
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
        open_from_the_view_menu(page)
        row(page, "nb7-cluster").wait_for(timeout=30_000)
        header = page.locator(f"{READY} .jupyter-compute-header").inner_text()
        page.screenshot(path=str(tmp_path / "notebook7-notebook.png"))
        shot(page, "notebook7-notebook")
        assert page.locator(".jp-Notebook").is_visible(), "the notebook stays open beside the panel"
        # Notebook 7's main area holds the notebook alone: a row's edit pane opens under the list there
        act(row(page, "nb7-cluster"), "edit")
        page.locator(f"{READY} .jupyter-compute-edit").wait_for(timeout=30_000)
        assert page.locator(".jp-ComputeEditTab").count() == 0
        shot(page, "notebook7-edit-under-the-list")
    assert header.startswith("Compute · 1 compute")
    assert len(notebook.panel_sessions()) == 1, "both pages share the panel's one kernel"


def puts_of(server: Lab, name: str) -> list[str]:
    """The creates of compute ``name`` the local workspace was sent (its access log)."""
    return [
        line
        for line in server.access_log()
        if " PUT " in line and line.split()[3].split("?")[0].endswith(f"/computes/{name}")
    ]


def tab_to(page: Any, selector: str, key: str = "Tab") -> None:
    """Press Tab (or ``key``) until the element matching ``selector`` has the focus, as a keyboard user gets there."""
    for _ in range(40):
        if page.locator(f"{selector}:focus").count():
            return
        page.keyboard.press(key)
    raise AssertionError(f"Tab never reached {selector}")


def test_a_new_form_opens_under_the_sidebar_list_and_creates_from_the_keyboard(notebook: Lab) -> None:
    """Notebook 7 drops a second main-area widget, so "New …" must not open a tab there: the form opens in
    the sidebar, is used with the keyboard alone (Preview, then Create), and the local workspace gets one PUT."""
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1300, "height": 850}).new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(notebook.url("notebooks/work.ipynb"))
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
        open_from_the_view_menu(page)
        row(page, "nb7-cluster").wait_for(timeout=30_000)
        assert puts_of(notebook, "nb7-new") == []
        page.locator(f"{READY} .jupyter-compute-new-line .jupyter-compute-kind select").select_option(
            label="Compute cluster"
        )
        page.locator(f"{READY} .jupyter-compute-open-form").focus()
        page.keyboard.press("Enter")

        form = page.locator(f"{PANEL} .jp-ComputeSidebarForm[data-state='ready']")
        form.locator(".jupyter-compute-form").wait_for(timeout=30_000)
        assert form.locator("h3").inner_text() == "New compute cluster"
        assert page.locator(".jp-ComputeFormTab").count() == 0, "no main-area tab, which Notebook 7 would drop"
        assert page.locator(".jp-Notebook").is_visible(), "the notebook stays in the main area"
        name = form.locator(".widget-text:has(> label:text-is('Name')) input")
        page.wait_for_function("e => document.activeElement === e", arg=name.element_handle(), timeout=10_000)
        page.keyboard.type("nb7-new", delay=10)
        tab_to(page, ".jp-ComputeSidebarForm .widget-text:has(> label:text-is('Max nodes')) input")
        page.keyboard.press("Control+A")
        page.keyboard.type("1")
        tab_to(page, ".jp-ComputeSidebarForm button.jupyter-compute-preview-request")
        page.keyboard.press("Enter")
        output = form.locator(".jupyter-compute-output")
        output.get_by_text('"method": "PUT"', exact=False).wait_for(timeout=20_000)
        assert "/computes/nb7-new" in output.inner_text()
        assert puts_of(notebook, "nb7-new") == [], "Preview sends nothing"
        assert form.evaluate(OVERFLOW_JS) == [], "the form fits the sidebar"
        box, named = form.bounding_box(), name.bounding_box()
        assert box and named and named["width"] > box["width"] / 2, (
            "each field has the sidebar's width, its label above"
        )
        shot(page, "notebook7-new-form-in-the-sidebar")
        assert axe(page, ".jp-ComputeSidebarForm") == []

        tab_to(page, ".jp-ComputeSidebarForm button.jupyter-compute-create")
        page.keyboard.press("Enter")
        output.get_by_text("nb7-new: submitted", exact=False).wait_for(timeout=20_000)
        deadline = time.monotonic() + 30
        while not puts_of(notebook, "nb7-new") and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert len(puts_of(notebook, "nb7-new")) == 1, notebook.access_log()[-5:]
        row(page, "nb7-new").wait_for(timeout=30_000)
        shot(page, "notebook7-new-form-created")

        tab_to(page, ".jp-ComputeSidebarForm-close", "Shift+Tab")  # above the form, beside its heading
        page.keyboard.press("Enter")
        form.wait_for(state="detached", timeout=10_000)
        assert page.locator(f"{READY} .jupyter-compute-open-form:focus").count() == 1, "the focus goes back"

        # The palette's "New …" commands open their form there too, its heading following the kind
        page.evaluate("document.activeElement?.blur()")
        page.keyboard.press("Control+Shift+C")
        page.wait_for_selector(".lm-CommandPalette-input:visible", timeout=10_000)
        page.keyboard.type("New compute instance", delay=20)
        page.keyboard.press("Enter")
        form.locator(".jupyter-compute-form").wait_for(timeout=30_000)
        assert form.locator("h3").inner_text() == "New compute instance"
        form.locator(".jupyter-compute-kind select").select_option(label="Compute cluster")
        form.locator("h3").get_by_text("New compute cluster").wait_for(timeout=10_000)
        assert page.locator(".jp-ComputeSidebarForm").count() == 1
    assert errors == []
