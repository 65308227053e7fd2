"""The Compute panel's bill and edit pane in a real JupyterLab and Chromium: the header shows the
workspace's $/h and how many instances run without idle shutdown; a row's edit pane (a main-area tab of its
own, where there is room) sets an instance's idle shutdown, its details then show it, and the header's count
drops.

One ``jupyter lab`` for the module over the local workspace (and its prices stand-in). Screenshots go to
test-artifacts/browser/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import until
from lab_helpers import READY, Lab, act, lab_page, open_panel, row, running_lab, shot

pytestmark = pytest.mark.ui
HEADER = f"{READY} .jupyter-compute-header"
EDIT_TAB = ".jp-ComputeEditTab[data-state='ready']"
CURRENT_TAB = ".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current"


def edit_tab(page: Any, name: str) -> Any:
    """The main-area tab editing ``name`` (its pane drawn)."""
    tab = page.locator(f"{EDIT_TAB}[data-compute='{name}']")
    tab.locator(".jupyter-compute-edit").wait_for(timeout=30_000)
    return tab


def idle_changes(lab: Lab, name: str) -> list[str]:
    """The idle-shutdown changes the local workspace was sent for instance ``name`` (its access log)."""
    return [line for line in lab.access_log() if " POST " in line and f"/computes/{name}/updateIdleShutdown" in line]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    knobs = {"JUPYTER_COMPUTE_SPEED": "8", "JUPYTER_COMPUTE_POLL_INTERVAL": "1"}
    with running_lab(tmp_path_factory.mktemp("lab"), knobs) as server:
        yield server


@pytest.fixture(scope="module")
def page(lab: Lab) -> Iterator[Any]:
    with lab_page(lab) as page:
        yield page


def test_the_header_bills_and_the_edit_pane_sets_idle_shutdown(lab: Lab, page: Any) -> None:
    lab.cli("create", "instance", "cost-ci")  # no idle shutdown, no schedule: flagged
    open_panel(page)
    header = page.locator(HEADER)
    header.locator(".jupyter-compute-bill:has-text('1 without idle shutdown')").wait_for(timeout=60_000)
    bill = header.locator(".jupyter-compute-bill").inner_text()
    assert re.fullmatch(r"\$\d+\.\d{2,3}/h now \(emulated\) · 1 without idle shutdown", bill), bill
    assert bill != "$0.00/h now (emulated) · 1 without idle shutdown", "a running instance costs something"
    assert "cost-ci" in str(header.locator(".jupyter-compute-bill").get_attribute("title"))
    shot(page, "panel-costs-header")

    instance = row(page, "cost-ci")
    instance.locator(".jupyter-compute-state:text-is('Running')").wait_for(timeout=60_000)
    act(instance, "edit")
    tools = edit_tab(page, "cost-ci")
    pane = tools.locator(".jupyter-compute-edit")
    assert "it is Running: stop it first" in pane.locator(".jupyter-compute-edit-size-why").inner_text()
    idle = pane.locator(".widget-text:has(> label:text-is('idle shutdown')) input")
    idle.fill("5")
    pane.locator(".jupyter-compute-edit-apply").click()
    tools.locator("text=is out of range; allowed: 15 minutes to 3 days. Nothing was sent.").wait_for(timeout=30_000)
    idle.fill("45")
    pane.locator(".jupyter-compute-edit-apply").click()
    tools.locator("text=update of cost-ci: done.").wait_for(timeout=60_000)
    shot(page, "panel-costs-edit")
    tools.locator(".jupyter-compute-edit-cancel").click()  # the tab goes
    tools.wait_for(state="detached", timeout=10_000)

    # the count drops once a listing has the change (the same listing the details are drawn from)
    header.locator(".jupyter-compute-bill:not(:has-text('without idle shutdown'))").wait_for(timeout=60_000)
    act(instance, "details")
    details = page.locator(f"{READY} .jupyter-compute-details")
    details.wait_for(timeout=30_000)
    assert "idleTimeBeforeShutdown: PT45M" in details.inner_text()
    shot(page, "panel-costs-details")
    assert not page.console_errors, page.console_errors


IN_VIEW_JS = """
(el) => {
  const tab = el.closest('.jp-ComputeEditTab').getBoundingClientRect();
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.top >= tab.top && r.bottom <= tab.bottom &&
    r.left >= tab.left && r.right <= tab.right;
}
"""


def edit_a_new_instance(lab: Lab, page: Any, name: str) -> tuple[Any, Any]:
    """Create instance ``name`` (60-minute idle shutdown), wait for its row to say Running, click its edit: the
    row, and the locator of the main-area tab its edit pane opens in (not waited for)."""
    lab.cli("create", "instance", name, "--idle-time-before-shutdown-minutes", "60")
    open_panel(page)
    instance = row(page, name)
    instance.locator(".jupyter-compute-state:text-is('Running')").wait_for(timeout=60_000)
    act(instance, "edit")
    return instance, page.locator(f"{EDIT_TAB}[data-compute='{name}']")


def test_the_edit_pane_opens_in_view_and_says_the_current_values_in_words(lab: Lab, page: Any) -> None:
    """Issue 22, point 15: given a list longer than the sidebar and an instance with a 60-minute idle shutdown
    at its end, when its "edit" is clicked at the default sidebar width, then its edit pane opens in a
    main-area tab where there is room, with its Apply button in view, and it says the current idle shutdown
    in words."""
    for i in range(14):
        lab.cli("create", "cluster", f"fill{i:02d}x", "--max-instances", "1", "--no-wait")
    edit_a_new_instance(lab, page, "zz-words-ci")
    try:
        pane = edit_tab(page, "zz-words-ci")
    finally:
        shot(page, "panel-edit-opened")
    apply = pane.locator(".jupyter-compute-edit-apply")
    page.wait_for_function(IN_VIEW_JS, arg=apply.element_handle(), timeout=10_000)
    assert page.locator(".jp-ComputePanel").bounding_box()["width"] < 300, "the default sidebar width"
    assert page.locator(f"{READY} .jupyter-compute-edit").count() == 0, "no edit pane under the list"
    assert "idle shutdown after 60 minutes of inactivity" in pane.locator(".jupyter-compute-edit-now").inner_text()
    assert pane.locator(".widget-text:has(> label:text-is('idle shutdown')) input").input_value() == "60"
    shot(page, "panel-edit-in-view")
    pane.locator(".jupyter-compute-edit-cancel").click()
    pane.wait_for(state="detached", timeout=10_000)


def test_the_edit_pane_turns_single_sign_on_off_with_its_checkbox(lab: Lab, page: Any) -> None:
    """Issue 26, point 3: the edit pane's single sign-on checkbox shows what the service reports (on by default);
    unticked and applied, it is sent (enableSso), and the details then say it is off."""
    instance, pane = edit_a_new_instance(lab, page, "sso-ci")
    pane.wait_for(timeout=30_000)
    box = pane.locator(".jupyter-compute-edit-sso input[type=checkbox]")
    assert box.is_checked() and "single sign-on" in pane.locator(".jupyter-compute-edit-sso").inner_text()
    box.uncheck()
    pane.locator(".jupyter-compute-edit-apply").click()
    try:
        pane.locator("text=update of sso-ci: done.").wait_for(timeout=60_000)
    finally:
        shot(page, "panel-edit-sso")
    log = lab.access_log()
    (sent,) = [i for i, line in enumerate(log) if " POST " in line and "/computes/sso-ci/enableSso" in line]
    assert log[sent].endswith(" 200")  # the log has paths only: the api-version is checked by the server (400 else)

    def listed_since() -> bool:  # the panel's rows (and so its details) are drawn from a listing after the change
        return any(" GET " in line and line.split()[3].endswith("/computes") for line in lab.access_log()[sent + 1 :])

    until(listed_since)
    act(instance, "details")
    # its own details: another compute's may still be open under the list (the edit pane no longer replaces them)
    details = page.locator(f"{READY} .jupyter-compute-details:has-text('sso-ci (instance')")
    details.wait_for(timeout=30_000)
    assert "Single sign-on: off (`update sso-ci --enable-sso` turns it on)." in details.inner_text()
    assert not page.console_errors, page.console_errors


def test_edit_in_the_sidebar_opens_a_main_area_tab_whose_apply_changes_that_compute(lab: Lab, page: Any) -> None:
    """Issue 22, point 15: a row's "edit" in the sidebar opens a main-area tab titled with the compute it
    edits, its first field focused; a second click shows that tab again rather than a second one; Apply
    there sends one change of that compute to the workspace, and the tab says how it ended."""
    lab.cli("create", "instance", "tab-edit-ci")
    open_panel(page)
    instance = row(page, "tab-edit-ci")
    instance.locator(".jupyter-compute-state:text-is('Running')").wait_for(timeout=60_000)
    act(instance, "edit")
    tab = edit_tab(page, "tab-edit-ci")
    assert page.locator(CURRENT_TAB).inner_text().strip() == "Edit tab-edit-ci"
    assert tab.locator(".jupyter-compute-edit-tab b").first.inner_text() == "edit tab-edit-ci"
    idle = tab.locator(".widget-text:has(> label:text-is('idle shutdown')) input")
    page.wait_for_function("(e) => document.activeElement === e", arg=idle.element_handle(), timeout=10_000)

    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab:has-text('Launcher')").click()  # another tab in front
    instance.locator(".jupyter-compute-action-edit").press("Enter")  # from the keyboard; the row is still expanded
    page.wait_for_function(
        "(s) => document.querySelector(s)?.textContent.trim() === 'Edit tab-edit-ci'", arg=CURRENT_TAB, timeout=10_000
    )
    assert page.locator(f"{EDIT_TAB}[data-compute='tab-edit-ci']").count() == 1, "shown again, not a second one"

    before = len(idle_changes(lab, "tab-edit-ci"))
    idle.fill("30")
    tab.locator(".jupyter-compute-edit-apply").press("Enter")  # from the keyboard
    tab.locator("text=update of tab-edit-ci: done.").wait_for(timeout=60_000)
    outcome = tab.locator(".jupyter-compute-tools-message")
    assert (outcome.get_attribute("role"), outcome.get_attribute("aria-live")) == ("status", "polite")
    shot(page, "panel-edit-tab-applied")
    assert len(idle_changes(lab, "tab-edit-ci")) == before + 1, lab.access_log()[-5:]
    idle_now = "__import__('jupyter_compute').Workspace.local().get('tab-edit-ci').spec.idle_time_before_shutdown"
    assert lab.panel_value(idle_now) == "'PT30M'"
    tab.locator(".jupyter-compute-edit-cancel").click()
    tab.wait_for(state="detached", timeout=10_000)
    assert not page.console_errors, page.console_errors
