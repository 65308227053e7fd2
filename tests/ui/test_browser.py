"""The Compute tab in a real JupyterLab, driven in Debian chromium as a user would.

One ``jupyter lab`` server on loopback for the module (its kernels share one local workspace, at a
speed where operations last a few seconds), one browser page. Screenshots of every step are written
to test-artifacts/browser/.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from jupyter_compute.panel import forms

from lab_helpers import (
    OVERFLOW_JS,
    PANEL,
    READY,
    Lab,
    act,
    browser_page,
    first_code_cell,
    open_panel,
    row,
    run_cell,
    running_lab,
    shot,
)

pytestmark = pytest.mark.ui
POLL_SECONDS = 1.0


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    # The panel lists every poll here (30 s by default, 6 polls): a cluster another kernel creates in a few
    # seconds at this speed is then listed while it is being created, as it would be at the service's speed.
    knobs = {
        "JUPYTER_COMPUTE_SPEED": "8",
        "JUPYTER_COMPUTE_POLL_INTERVAL": str(POLL_SECONDS),
        "JUPYTER_COMPUTE_LIST_INTERVAL": str(POLL_SECONDS),
    }
    with running_lab(tmp_path_factory.mktemp("lab"), knobs) as server:
        yield server


@pytest.fixture(scope="module")
def page(lab: Lab) -> Iterator[Any]:
    with browser_page() as page:
        heartbeats: list[float] = []

        def watch(socket: Any) -> None:
            def sent(payload: Any) -> None:
                data = payload if isinstance(payload, bytes | str) else b""
                if (b'"alive"' if isinstance(data, bytes) else '"alive"') in data:
                    heartbeats.append(time.monotonic())

            socket.on("framesent", sent)

        page.on("websocket", watch)
        page.heartbeats = heartbeats
        page.goto(lab.url("lab", reset=""))
        yield page


def puts(lab: Lab) -> list[str]:
    return [line for line in lab.access_log() if " PUT " in line or " POST " in line or " PATCH " in line]


FORM_TAB = ".jp-ComputeFormTab[data-state='ready']"


def open_form(page: Any, command: str) -> Any:
    """Run a "New …" palette command: its form opens in a new main-area tab (returned)."""
    before = page.locator(FORM_TAB).count()
    run_command(page, command)
    page.wait_for_function(
        "([s, n]) => document.querySelectorAll(s).length > n", arg=[FORM_TAB, before], timeout=30_000
    )
    tab = page.locator(FORM_TAB).last
    tab.locator(".jupyter-compute-form").wait_for(timeout=30_000)
    return tab


def form_field(tab: Any, label: str, widget: str = "widget-text") -> Any:
    tag = "select" if widget == "widget-dropdown" else "input"
    return tab.locator(f".{widget}:has(> label:text-is('{label}')) {tag}").first


def wait_state(page: Any, name: str, state: str, timeout: float = 60_000) -> None:
    row(page, name).locator(f".jupyter-compute-state:text-is('{state}')").wait_for(timeout=timeout)


def test_the_compute_tab_opens_the_panel_without_a_notebook(lab: Lab, page: Any) -> None:
    started = time.monotonic()
    open_panel(page)
    opened = time.monotonic() - started
    shot(page, "01-panel-open")
    assert page.locator(f"{READY} .jupyter-compute-header").inner_text().startswith("Compute · 0 computes")
    workspace = page.locator(f"{READY} .widget-dropdown:has(> label:text-is('Workspace')) select")
    assert workspace.evaluate("e => e.selectedOptions[0].text.replace(/\\u00a0/g, ' ')") == "local (offline)"
    assert not page.locator(f"{PANEL} .jp-OutputArea-prompt:visible").count(), "no [1]: prompt in the sidebar"
    assert "using the local workspace" not in page.locator(PANEL).inner_text()
    assert len(lab.panel_sessions()) == 1
    assert not [e for e in page.console_errors if "jupyter" in e.lower() or "widget" in e.lower()]
    assert page.heartbeats, "the list's view tells the panel's kernel it is shown"
    assert opened < 60


def test_an_invalid_name_shows_the_field_error_and_nothing_is_sent(lab: Lab, page: Any) -> None:
    open_panel(page)
    before = puts(lab)
    tab = open_form(page, "New compute cluster")
    form_field(tab, "Name").fill("cluster-1")
    error = tab.locator(".widget-vbox:has(> .widget-text > label:text-is('Name')) .jupyter-compute-field-error")
    error.get_by_text("not ending in '-' followed by digits", exact=False).wait_for(timeout=10_000)
    tab.locator(".jupyter-compute-create").click()
    tab.locator(".jupyter-compute-output").get_by_text("nothing was sent").wait_for(timeout=10_000)
    shot(page, "02-invalid-name")
    assert puts(lab) == before


def test_fill_the_cluster_form_create_and_watch_the_bar_reach_succeeded(lab: Lab, page: Any) -> None:
    open_panel(page)
    tab = open_form(page, "New compute cluster")
    form_field(tab, "Name").fill("ui-cluster")
    size = form_field(tab, "Size", "widget-dropdown")
    size.select_option(
        label=next(o for o in size.locator("option").all_inner_texts() if "Standard_DS3_v2" in o and "vCPU" in o)
    )
    form_field(tab, "Max nodes").fill("2")
    form_field(tab, "Min nodes").fill("1")
    tab.locator(".jupyter-compute-create").click()
    shot(page, "03-cluster-submitted")
    cluster = row(page, "ui-cluster")
    cluster.wait_for(timeout=30_000)
    cluster.locator(".jupyter-compute-progress .progress-bar").wait_for(timeout=30_000)
    shot(page, "04-cluster-in-progress")
    cluster.locator(".jupyter-compute-progress .progress-bar-success").wait_for(timeout=60_000)
    assert "Succeeded" in cluster.locator(".jupyter-compute-phase").inner_text()
    wait_state(page, "ui-cluster", "Succeeded")
    shot(page, "05-cluster-succeeded")
    sent = [line for line in puts(lab) if "/computes/ui-cluster" in line]
    assert len(sent) == 1 and sent[0].endswith(" 201")


def test_create_an_instance_then_stop_and_start_it(lab: Lab, page: Any) -> None:
    open_panel(page)
    tab = open_form(page, "New compute instance")
    form_field(tab, "Name").fill("ui-instance")
    tab.locator(".jupyter-compute-create").click()
    wait_state(page, "ui-instance", "Running")
    shot(page, "06-instance-running")
    instance = row(page, "ui-instance")
    act(instance, "stop")
    wait_state(page, "ui-instance", "Stopping", timeout=20_000)
    shot(page, "07-instance-stopping")
    wait_state(page, "ui-instance", "Stopped")
    act(instance, "start")
    wait_state(page, "ui-instance", "Running")
    shot(page, "08-instance-started-again")
    assert [line.split()[2] for line in puts(lab) if "/computes/ui-instance/" in line] == ["POST", "POST"]


def test_resize_and_details_from_a_row(lab: Lab, page: Any) -> None:
    open_panel(page)
    cluster = row(page, "ui-cluster")
    act(cluster, "details")
    details = page.locator(f"{READY} .jupyter-compute-details")
    details.wait_for(timeout=10_000)
    assert "Standard_DS3_v2" in details.inner_text()
    act(cluster, "resize")
    tools = page.locator(f"{READY} .jupyter-compute-resize")
    tools.locator(".widget-text:has(> label:text-is('max nodes')) input").fill("3")
    tools.locator(".jupyter-compute-resize-apply").click()
    cluster.locator(".jupyter-compute-row-summary").get_by_text("(1-3) nodes", exact=False).wait_for(timeout=30_000)
    shot(page, "09-cluster-resized")
    assert any(" PATCH " in line and "/computes/ui-cluster " in line + " " for line in puts(lab))


def test_delete_a_compute(lab: Lab, page: Any) -> None:
    open_panel(page)
    act(row(page, "ui-cluster"), "delete")
    row(page, "ui-cluster").locator(".jupyter-compute-confirm-yes").click()  # the panel asks first
    row(page, "ui-cluster").wait_for(state="detached", timeout=60_000)
    shot(page, "10-cluster-deleted")
    assert any(" DELETE " in line and "/computes/ui-cluster" in line for line in lab.access_log())


def test_a_magic_in_a_notebook_shows_up_in_the_panel_within_one_poll(lab: Lab, page: Any) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell("%load_ext jupyter_compute\n%compute create cluster nb-cluster --max-instances 1")
    ]
    nbformat.write(notebook, Path(lab.root) / "magic.ipynb")
    page.goto(lab.url("lab/tree/magic.ipynb"))
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    open_panel(page)
    page.evaluate(FIRST_ROW_JS, "nb-cluster")
    run_first_cell(page)
    try:
        page.locator(".jp-NotebookPanel .jp-OutputArea-output .jupyter-compute-progress").wait_for(timeout=60_000)
    finally:
        shot(page, "11-magic-ran")
    row(page, "nb-cluster").locator(".jupyter-compute-progress").wait_for(timeout=30_000)
    shot(page, "12-magic-shows-in-panel")
    # The panel's first listing that has the cluster draws its row with the bar: never a row without one
    # (a bar only on a later poll). Checked on the DOM, not on the clock.
    assert page.evaluate("() => window.__firstRowHadBar") is True
    row(page, "nb-cluster").locator(".progress-bar-success").wait_for(timeout=60_000)


FIRST_ROW_JS = """
(name) => {
  window.__firstRowHadBar = null;
  const look = () => {
    const found = [...document.querySelectorAll('.jupyter-compute-row')].find((r) => r.dataset.name === name);
    if (found && window.__firstRowHadBar === null) {
      window.__firstRowHadBar = found.querySelector('.jupyter-compute-progress') !== null;
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(look);
  observer.observe(document.body, { childList: true, subtree: true });
  look();
}
"""


def run_first_cell(page: Any) -> None:
    run_cell(page, first_code_cell(page))


def run_command(page: Any, label: str) -> None:
    page.evaluate("document.activeElement?.blur()")  # a widget's input keeps Lab's shortcuts to itself
    page.keyboard.press("Control+Shift+C")
    page.wait_for_selector(".lm-CommandPalette-input:visible", timeout=10_000)
    page.keyboard.type(label, delay=30)
    page.keyboard.press("Enter")


def kill_kernel(kernel_id: str) -> None:
    """SIGKILL the kernel process of ``kernel_id`` (found by its connection file), as a crash would."""
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if f"kernel-{kernel_id}.json" in cmdline and "ipykernel" in cmdline:
            os.kill(int(proc.name), signal.SIGKILL)
            return
    raise AssertionError(f"no process for kernel {kernel_id}")


def test_palette_commands_open_the_forms(page: Any) -> None:
    """The "New …" commands are built from the kind menu the panel's kernel gives (the kinds table)."""
    listed = page.wait_for_selector(f"{PANEL}[data-forms]", state="attached", timeout=30_000)
    assert listed.get_attribute("data-forms") == " ".join(form["kind"] for form in forms())
    for label, expected in (
        ("New compute instance", "Compute instance"),
        ("Attach compute", "Attach a VM"),
        ("New compute cluster", "Compute cluster"),
    ):
        kind = open_form(page, label).locator(".jupyter-compute-kind select")  # in a main-area tab
        assert kind.evaluate("e => e.selectedOptions[0].text.replace(/\\u00a0/g, ' ')") == expected
        assert kind.is_visible()
    shot(page, "13-palette-attach-form")


def test_usable_in_a_320px_sidebar(page: Any) -> None:
    open_panel(page)
    page.locator(f"{READY} .jupyter-compute-open-form").wait_for()  # the forms open in tabs, not here
    left = page.locator("#jp-left-stack").bounding_box()
    handle = page.evaluate(
        """() => {
          const stack = document.querySelector('#jp-left-stack').getBoundingClientRect();
          const handles = [...document.querySelectorAll('#jp-main-split-panel > .lm-SplitPanel-handle')];
          const h = handles.map(e => e.getBoundingClientRect())
                           .find(r => r.width > 0 && Math.abs(r.left - stack.right) < 8);
          return h && {x: h.left + h.width / 2, y: h.top + h.height / 2};
        }"""
    )
    assert handle, "the sidebar's split handle"
    page.mouse.move(handle["x"], handle["y"])
    page.mouse.down()
    page.mouse.move(left["x"] + 320, handle["y"], steps=8)
    page.mouse.up()
    width = page.locator("#jp-left-stack").bounding_box()["width"]
    assert abs(width - 320) <= 4, width
    problems = page.locator(PANEL).evaluate(OVERFLOW_JS)
    shot(page, "14-sidebar-320px")
    assert problems == []


def test_the_panel_survives_a_reload_and_a_kernel_restart(lab: Lab, page: Any) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter_compute.frontends.cli",
            "create",
            "cluster",
            "survivor",
            "--max-instances",
            "1",
        ],
        env=lab.env,
        check=True,
        capture_output=True,
    )
    open_panel(page)
    kernel_before = lab.panel_sessions()[0]["kernel"]["id"]
    page.goto(lab.url("lab"))  # no ?reset: the layout restorer reopens the Compute tab
    page.wait_for_selector(READY, state="visible", timeout=60_000)
    row(page, "survivor").wait_for(timeout=30_000)
    sessions = lab.panel_sessions()
    assert len(sessions) == 1 and sessions[0]["kernel"]["id"] == kernel_before, "reconnected, no new kernel"
    shot(page, "15-after-reload")
    # A crash: the server restarts the kernel by itself, the panel notices and rebuilds from the workspace.
    renders = int(page.locator(PANEL).get_attribute("data-renders") or 0)
    kill_kernel(kernel_before)
    page.wait_for_selector(f"{PANEL}[data-renders='{renders + 1}']", timeout=60_000)
    row(page, "survivor").wait_for(timeout=30_000)
    # A restart asked for from the command palette.
    run_command(page, "Restart the Compute panel")
    page.wait_for_selector(f"{PANEL}[data-renders='{renders + 2}']", timeout=60_000)
    act(row(page, "survivor"), "details")
    page.locator(f"{READY} .jupyter-compute-details").wait_for(timeout=10_000)  # live widgets again
    shot(page, "16-after-kernel-restart")
    sessions = lab.panel_sessions()
    assert len(sessions) == 1 and sessions[0]["kernel"]["id"] == kernel_before, "the same session, restarted"


def test_the_panel_notebook_shows_the_same_panel_in_a_notebook(lab: Lab, page: Any) -> None:
    """notebooks/06 run in JupyterLab: `%compute panel` draws the list (the extension's widget is
    registered for notebooks too), and the magic's cluster shows in it with its bar."""
    source = Path(__file__).resolve().parents[2] / "notebooks" / "06-the-side-panel.ipynb"
    (Path(lab.root) / source.name).write_text(source.read_text())
    page.goto(lab.url(f"lab/tree/{source.name}", reset=""))  # only this notebook open
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    first = page.locator(".jp-NotebookPanel .jp-CodeCell").first
    for _attempt in range(3):  # again if the kernel was not really there yet (the request is lost)
        first.locator(".jp-InputArea-editor").click()
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        try:
            first.locator(".jp-InputPrompt").get_by_text(re.compile(r"\[(\*|\d+)\]")).wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            continue
    inline = page.locator(".jp-NotebookPanel .jupyter-compute-panel .jupyter-compute-table")
    inline.locator(".jupyter-compute-row:has(b:text-is('panel-demo')) .jupyter-compute-progress").wait_for(
        timeout=60_000
    )
    shot(page, "17-panel-in-a-notebook")
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    outputs = page.locator(".jp-NotebookPanel .jp-OutputArea-output").all_inner_texts()
    assert any("%compute create cluster gpu-cluster" in text for text in outputs)
    assert not page.locator(
        ".jp-NotebookPanel .jp-RenderedText[data-mime-type='application/vnd.jupyter.error']"
    ).count()
