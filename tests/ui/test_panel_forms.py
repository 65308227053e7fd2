"""The "New …" forms in JupyterLab main-area tabs, driven in Debian chromium as a user would.

One ``jupyter lab`` server on loopback for the module, one page whose context may use the clipboard.
Each form opens from the command palette (or the sidebar's "New …" button) in its own tab, rendered by
the sidebar's widget manager in the sidebar's kernel. Screenshots go to the module's pytest tmp dir.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lab_helpers import OVERFLOW_JS, Lab, browser_page, first_code_cell, open_panel, row, run_cell, running_lab

pytestmark = pytest.mark.ui
TAB = ".jp-ComputeFormTab[data-state='ready']"


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    knobs = {"JUPYTER_COMPUTE_SPEED": "8", "JUPYTER_COMPUTE_POLL_INTERVAL": "1"}
    with running_lab(tmp_path_factory.mktemp("lab"), knobs) as server:
        yield server


@pytest.fixture(scope="module")
def page(lab: Lab) -> Iterator[Any]:
    with browser_page(clipboard_for=lab) as page:
        page.goto(lab.url("lab", reset=""))
        open_panel(page)  # the sidebar's kernel is what renders the forms
        yield page


def run_command(page: Any, label: str) -> None:
    page.evaluate("document.activeElement?.blur()")  # a widget's input keeps Lab's shortcuts to itself
    page.keyboard.press("Control+Shift+C")
    page.wait_for_selector(".lm-CommandPalette-input:visible", timeout=10_000)
    page.keyboard.type(label, delay=20)
    page.keyboard.press("Enter")


def open_form(page: Any, command: str) -> Any:
    """Run a "New …" command and return the new tab's form (the last one opened)."""
    before = page.locator(TAB).count()
    run_command(page, command)
    page.wait_for_function("([s, n]) => document.querySelectorAll(s).length > n", arg=[TAB, before], timeout=30_000)
    tab = page.locator(TAB).last
    tab.locator(".jupyter-compute-form").wait_for(timeout=30_000)
    return tab


def field(tab: Any, label: str, widget: str = "widget-text") -> Any:
    tag = "select" if widget == "widget-dropdown" else "input"
    return tab.locator(f".{widget}:has(> label:text-is('{label}')) {tag}").first


def error_of(tab: Any, label: str) -> Any:
    return tab.locator(f".jupyter-compute-field:has(> .widget-inline-hbox > label:text-is('{label}'))").locator(
        ".jupyter-compute-field-error"
    )


def test_new_compute_cluster_opens_a_main_area_tab_with_readable_labels(page: Any, shots: Path) -> None:
    tab = open_form(page, "New compute cluster")
    assert page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current").inner_text().strip() == (
        "New compute cluster"
    )
    for label in ("Name", "Size", "Min nodes", "Max nodes", "Idle before scale-down"):
        assert field(tab, label, "widget-dropdown" if label == "Size" else "widget-text").count() == 1, label
    assert "max_instances" not in tab.inner_text()
    size = field(tab, "Size", "widget-dropdown")
    assert size.evaluate("e => e.options[0].text.replace(/\\u00a0/g, ' ')") == "Standard_DS3_v2 (default)"
    tab.locator(".jupyter-compute-advanced-toggle").click()
    tab.locator(".jupyter-compute-advanced").wait_for()
    advanced = field(tab, "Admin password").bounding_box()
    assert advanced is not None and advanced["width"] > 300, "Advanced fields are full width"
    page.screenshot(path=str(shots / "form-tab-cluster.png"))
    assert tab.evaluate(OVERFLOW_JS) == []


def test_two_bad_fields_show_two_errors_at_once(page: Any) -> None:
    tab = open_form(page, "New compute cluster")
    field(tab, "Name").fill("cluster-1")
    field(tab, "Max nodes").fill("0")
    error_of(tab, "Name").get_by_text("not ending in '-' followed by digits", exact=False).wait_for(timeout=10_000)
    error_of(tab, "Max nodes").get_by_text("out of range", exact=False).wait_for(timeout=10_000)
    assert tab.locator(".jupyter-compute-invalid").count() == 2


def test_tab_reaches_the_advanced_fields(page: Any) -> None:
    tab = open_form(page, "New compute cluster")
    tab.locator(".jupyter-compute-advanced").wait_for(state="hidden")
    field(tab, "Name").focus()
    for _ in range(20):  # the main fields, then the Advanced toggle
        page.keyboard.press("Tab")
        if tab.locator(".jupyter-compute-advanced-toggle:focus").count():
            break
    assert tab.locator(".jupyter-compute-advanced-toggle:focus").count() == 1
    page.keyboard.press("Space")
    tab.locator(".jupyter-compute-advanced").wait_for()
    page.keyboard.press("Tab")
    assert tab.evaluate("t => t.querySelector('.jupyter-compute-advanced').contains(document.activeElement)")


def test_enter_submits_and_the_form_clears(page: Any) -> None:
    tab = open_form(page, "New compute cluster")
    field(tab, "Name").fill("tab-cluster")
    field(tab, "Max nodes").fill("1")
    field(tab, "Max nodes").press("Enter")
    tab.locator(".jupyter-compute-output").get_by_text("tab-cluster: submitted", exact=False).wait_for(timeout=20_000)
    page.wait_for_function(
        "t => [...t.querySelectorAll('input')].every(i => i.value === '')", arg=tab.element_handle(), timeout=10_000
    )
    field(tab, "Name").fill("next-one")  # editing for the next one: the line about the last request goes
    page.wait_for_function(
        "t => !t.querySelector('.jupyter-compute-output').textContent.includes('submitted')",
        arg=tab.element_handle(),
        timeout=10_000,
    )
    open_panel(page)
    row(page, "tab-cluster").wait_for(timeout=30_000)


def test_copy_as_magic_puts_the_line_on_the_clipboard_without_the_secret(page: Any) -> None:
    tab = open_form(page, "New compute cluster")
    field(tab, "Name").fill("copied-cluster")
    tab.locator(".jupyter-compute-advanced-toggle").click()
    tab.locator(".jupyter-compute-advanced").wait_for()
    field(tab, "Admin username").fill("azureuser")
    field(tab, "Admin password").fill("Secret-Pa55-word")
    tab.locator(".jupyter-compute-copy[data-ready='yes']").wait_for(timeout=10_000)  # the valid form's texts
    tab.locator(".jupyter-compute-copy-as-magic").click()
    status = tab.locator(".jupyter-compute-copy-status")
    status.get_by_text("Copied the %compute line to the clipboard").wait_for(timeout=10_000)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("%compute create cluster copied-cluster")
    assert "azureuser" in copied and "Secret-Pa55-word" not in copied
    tab.locator(".jupyter-compute-copy-as-yaml").click()
    page.wait_for_function("async () => (await navigator.clipboard.readText()).startsWith('%%compute create')")
    assert "Secret-Pa55-word" not in page.evaluate("navigator.clipboard.readText()")
    status.get_by_text("Copied the cell to the clipboard").wait_for(timeout=10_000)
    assert tab.get_by_text("Copied", exact=False).count() == 1, "said once, next to the buttons"


def test_the_attach_form_says_attach(page: Any) -> None:
    tab = open_form(page, "Attach compute")
    assert tab.locator(".jupyter-compute-create").inner_text().strip() == "Attach"
    field(tab, "Name").fill("my-vm")
    error_of(tab, "Admin password").get_by_text("enter an admin password or an SSH private key file").wait_for(
        timeout=10_000
    )
    assert "--password-env" not in tab.inner_text()


def test_the_instance_form_has_schedules_and_setup_scripts(page: Any, shots: Path) -> None:
    tab = open_form(page, "New compute instance")
    tab.locator(".jupyter-compute-advanced-toggle").click()
    tab.locator(".jupyter-compute-advanced").wait_for()
    for label in ("Start at", "Stop at", "Time zone", "Creation script", "Startup script"):
        assert field(tab, label).is_visible(), label
    field(tab, "Start at").fill("8 o'clock")
    # the parts of a field share its error line
    error_of(tab, "Start at").get_by_text("is neither a time", exact=False).wait_for(timeout=10_000)
    field(tab, "Start at").fill("08:00 on Monday Friday")
    field(tab, "Name").fill("scheduled-vm")
    tab.locator(".jupyter-compute-copy[data-ready='yes']").wait_for(timeout=10_000)
    tab.locator(".jupyter-compute-copy-as-yaml").click()
    page.wait_for_function("async () => (await navigator.clipboard.readText()).includes('compute_start_stop')")
    page.screenshot(path=str(shots / "form-tab-instance.png"))
    assert tab.evaluate(OVERFLOW_JS) == []


def test_the_sidebars_new_button_opens_the_chosen_form_in_a_tab(page: Any) -> None:
    open_panel(page)
    sidebar = page.locator(".jp-ComputePanel[data-state='ready'] .jupyter-compute-panel")
    sidebar.locator(".jupyter-compute-kind select").select_option(label="Compute instance")
    button = sidebar.locator(".jupyter-compute-open-form")  # the kind is read from the menu, not a class
    page.wait_for_selector(".jp-ComputePanel[data-forms]", state="attached", timeout=30_000)
    assert "form-kind" not in (button.get_attribute("class") or "")
    before = page.locator(TAB).count()
    button.click()
    page.wait_for_function("([s, n]) => document.querySelectorAll(s).length > n", arg=[TAB, before], timeout=30_000)
    assert page.locator(TAB).last.get_attribute("data-kind") == "instance"
    assert page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current").inner_text().strip() == (
        "New compute instance"
    )


def test_the_tab_title_follows_the_kind_chosen_in_its_form(page: Any, shots: Path) -> None:
    """Issue 22, point 15: given a "New compute cluster" tab, when its menu switches to a compute instance,
    then the tab is titled "New compute instance" (and says so in its data-kind)."""
    tab = open_form(page, "New compute cluster")
    current = ".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current"
    assert page.locator(current).inner_text().strip() == "New compute cluster"
    tab.locator(".jupyter-compute-kind select").select_option(label="Compute instance")
    page.wait_for_function(
        "(s) => document.querySelector(s)?.textContent.trim() === 'New compute instance'", arg=current, timeout=30_000
    )
    assert tab.get_attribute("data-kind") == "instance"
    page.screenshot(path=str(shots / "form-tab-kind-switched.png"))


def test_closing_a_form_tab_frees_its_widgets_in_the_kernel(lab: Lab, page: Any) -> None:
    """A form is about two hundred models in the sidebar's kernel: closing its tab closes them there too
    (counted in the kernel over a second connection; other tests' progress bars may come and go)."""
    models = "len(__import__('ipywidgets.widgets.widget', fromlist=['_instances'])._instances)"
    before = int(lab.panel_value(models))
    tab = open_form(page, "New compute cluster")
    opened = int(lab.panel_value(models))
    assert opened >= before + 50, (before, opened)
    tab_id = tab.evaluate("t => t.closest(\"[id^='jupyter-compute-form-']\").id")
    page.locator(f".lm-DockPanel-tabBar .lm-TabBar-tab[data-id='{tab_id}'] .lm-TabBar-tabCloseIcon").click()
    page.locator(f"[id='{tab_id}']").wait_for(state="detached", timeout=10_000)
    deadline = time.monotonic() + 30
    while (now := int(lab.panel_value(models))) > before + 5 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert now <= before + 5, f"{opened - before} models with the tab, {now - before} after it was closed"


def test_in_a_notebook_the_form_stays_under_the_list_and_copies(lab: Lab, page: Any, shots: Path) -> None:
    """`%compute panel`: wide enough there, so the form is inline; its copy buttons (an anywidget, from
    anywidget's own lab extension in a notebook) copy too."""
    import nbformat

    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("%load_ext jupyter_compute\n%compute panel")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(notebook, str(Path(lab.root) / "inline-form.ipynb"))
    page.goto(lab.url("lab/tree/inline-form.ipynb", reset=""))
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    run_cell(page, first_code_cell(page))
    inline = page.locator(".jp-NotebookPanel .jupyter-compute-panel")
    inline.locator(".jupyter-compute-form").wait_for(timeout=60_000)
    assert not inline.locator(".jupyter-compute-open-form").count(), "no tab to open: the form is here"
    inline.locator(".widget-text:has(> label:text-is('Name')) input").fill("inline-cluster")
    inline.locator(".jupyter-compute-copy[data-ready='yes']").wait_for(timeout=10_000)
    inline.locator(".jupyter-compute-copy-as-magic").click()
    inline.locator(".jupyter-compute-copy-status").get_by_text("Copied").wait_for(timeout=10_000)
    assert page.evaluate("navigator.clipboard.readText()") == "%compute create cluster inline-cluster"
    page.screenshot(path=str(shots / "form-in-a-notebook.png"))
