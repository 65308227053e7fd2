"""The Compute panel, its forms and the notebook bars for a keyboard and a screen-reader user, in a real
JupyterLab and Chromium: axe-core (from npm, installed by ./dev setup into labextension/node_modules) finds
nothing critical or serious in our elements in the light and the dark theme; focus is never dropped to the
page's body; buttons are named with their compute; every bar is a progressbar; colours reach 4.5:1 as
rendered (and focus rings 3:1). Screenshots go to test-artifacts/browser/a11y-*.png.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from lab_helpers import (
    ARTIFACTS,
    PANEL,
    READY,
    Lab,
    act,
    axe,
    expand,
    lab_page,
    open_panel,
    row,
    running_lab,
    shot,
)

pytestmark = pytest.mark.ui
FORM_TAB = ".jp-ComputeFormTab[data-state='ready']"
EDIT_TAB = ".jp-ComputeEditTab[data-state='ready']"
NOTEBOOK = "a11y.ipynb"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    knobs = {"JUPYTER_COMPUTE_SPEED": "8", "JUPYTER_COMPUTE_POLL_INTERVAL": "1.0"}
    with running_lab(tmp_path_factory.mktemp("lab"), knobs) as server:
        for words in (("create", "instance", "a11y-ci"), ("create", "cluster", "a11y-cl", "--max-instances", "1")):
            server.cli(*words)
        yield server


@pytest.fixture(scope="module")
def page(lab: Lab) -> Iterator[Any]:
    with lab_page(lab) as page:
        yield page


def theme(page: Any, name: str) -> None:
    page.click(".lm-MenuBar-itemLabel:text-is('Settings')")
    page.hover(".lm-Menu-itemLabel:text-is('Theme')")
    page.click(f".lm-Menu-itemLabel:text-is('{name}')")
    light = "false" if "Dark" in name else "true"
    page.wait_for_selector(f"body[data-jp-theme-light='{light}']", state="attached", timeout=30_000)
    page.wait_for_timeout(500)  # the theme's stylesheet applied (no event to wait on; only a settle)


# Contrast of each element's words with what is behind them, from the rendered colours (WCAG's formula;
# colours as Chromium computes them, rgb() or color(srgb …) for color-mix, composited over the background).
CONTRAST_JS = """
(elements) => {
  const parse = (text) => {
    let m = text.match(/^rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?\\)$/);
    if (m) return [m[1] / 255, m[2] / 255, m[3] / 255, m[4] === undefined ? 1 : Number(m[4])];
    m = text.match(/^color\\(srgb ([\\d.e-]+) ([\\d.e-]+) ([\\d.e-]+)(?: \\/ ([\\d.]+))?\\)$/);
    if (m) return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
    throw new Error('colour not understood: ' + text);
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const behind = (node) => {
    const layers = [];
    for (let n = node; n && n.nodeType === 1; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] === 1) break;
    }
    let colour = [1, 1, 1, 1];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const lum = (c) => {
    const f = (v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  return elements.map((e) => {
    const back = behind(e);
    const style = getComputedStyle(e);
    const word = over(parse(style.color), back);
    const around = behind(e.parentElement); // a ring is drawn outside the element, on its parent's background
    const ring = style.outlineStyle !== 'none' ? ratio(over(parse(style.outlineColor), around), around) : null;
    const what = e.className + ' "' + e.textContent.trim().slice(0, 30) + '"';
    return [what, Math.round(ratio(word, back) * 100) / 100, ring];
  });
}
"""


MEASURED: dict[str, list[list[Any]]] = {}  # written to test-artifacts/browser/a11y-contrast.json


def contrasts(locator: Any, label: str = "") -> list[list[Any]]:
    found = list(locator.evaluate_all(CONTRAST_JS))
    if label:
        MEASURED.setdefault(label, []).extend(found)
        (ARTIFACTS / "a11y-contrast.json").write_text(json.dumps(MEASURED, indent=1))
    return found


def focused(page: Any) -> dict[str, Any]:
    return dict(
        page.evaluate(
            """() => { const a = document.activeElement; const r = a && a.closest('.jupyter-compute-row');
               return {tag: a.tagName, cls: a.className, action: a.dataset ? a.dataset.action || '' : '',
                       row: r ? r.dataset.name : '', label: a.getAttribute('aria-label') || ''}; }"""
        )
    )


def open_form(page: Any, label: str) -> Any:
    page.evaluate("document.activeElement?.blur()")
    page.keyboard.press("Control+Shift+C")
    page.wait_for_selector(".lm-CommandPalette-input:visible", timeout=10_000)
    page.keyboard.type(label, delay=30)
    page.keyboard.press("Enter")
    tab = page.locator(f"{FORM_TAB}:visible").last
    tab.locator(".jupyter-compute-form").wait_for(timeout=30_000)
    return tab


def form_with_errors(page: Any) -> Any:
    tab = open_form(page, "New compute cluster")
    name = tab.locator(".widget-text:has(> label:text-is('Name')) input").first
    page.wait_for_function("() => document.activeElement && document.activeElement.closest('.jupyter-compute-field')")
    assert name.evaluate("e => e === document.activeElement"), "the form tab puts focus in its first field"
    name.fill("cluster-1")
    tab.locator(".jupyter-compute-field-error").get_by_text("not ending in", exact=False).wait_for(timeout=10_000)
    tab.locator(".jupyter-compute-create").click()
    tab.locator(".jupyter-compute-output").get_by_text("nothing was sent").wait_for(timeout=10_000)
    return tab


def sidebar_states(page: Any, label: str) -> None:
    """axe on the sidebar collapsed, with a row expanded, with the delete confirm, and on a form tab with
    errors; the contrast of the state words, the errors and the destructive button."""
    open_panel(page)
    row(page, "a11y-ci").locator(".jupyter-compute-state:text-is('Running')").wait_for(timeout=60_000)
    assert axe(page, PANEL) == [], f"{label}: the sidebar collapsed"
    ci = expand(row(page, "a11y-ci"))
    assert axe(page, PANEL) == [], f"{label}: a row expanded"
    act(ci, "delete")
    ci.locator(".jupyter-compute-confirm").wait_for()
    assert axe(page, PANEL) == [], f"{label}: the delete confirm"
    shot(page, f"a11y-{label}-confirm")
    words = contrasts(page.locator(f"{READY} .jupyter-compute-state, {READY} .jupyter-compute-confirm-yes"), label)
    assert words and all(r >= 4.5 for _w, r, _ring in words), f"{label}: {words}"
    page.keyboard.press("Escape")
    ci.locator(".jupyter-compute-confirm").wait_for(state="detached")
    delete = ci.locator(".jupyter-compute-action-delete")
    assert delete.evaluate("e => e === document.activeElement"), "Escape gives focus back to delete"
    page.keyboard.press("Shift+Tab")  # a keyboard focus: the ring shows (:focus-visible)
    page.keyboard.press("Tab")
    (_word, red, ring), *_ = contrasts(delete, label)
    assert red >= 4.5 and ring is not None and ring >= 3, f"{label}: delete's words {red}, its focus ring {ring}"
    page.locator(f"{READY} .jupyter-compute-kind select").focus()
    page.keyboard.press("Tab")  # to "New …", an ipywidgets button
    (_word, _ratio, ring), *_ = contrasts(page.locator(f"{READY} button.jupyter-compute-open-form"), label)
    assert ring is not None and ring >= 3, f"{label}: the New … button's focus ring {ring}"
    tab = form_with_errors(page)
    assert axe(page, FORM_TAB) == [], f"{label}: a form tab with errors"
    shot(page, f"a11y-{label}-form-errors")
    errors = contrasts(tab.locator(".jupyter-compute-field-error span, .jupyter-compute-output span"), label)
    assert errors and all(r >= 4.5 for _w, r, _ring in errors), f"{label}: {errors}"
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon").click()
    act(row(page, "a11y-ci"), "edit")  # the edit pane, in a main-area tab of its own
    edit = page.locator(f"{EDIT_TAB}[data-compute='a11y-ci']")
    edit.locator(".jupyter-compute-edit").wait_for(timeout=30_000)
    assert axe(page, EDIT_TAB) == [], f"{label}: an edit tab"
    shot(page, f"a11y-{label}-edit-tab")
    edit.locator(".jupyter-compute-edit-cancel").click()
    edit.wait_for(state="detached", timeout=10_000)


def test_axe_and_contrast_in_the_sidebar_and_a_form_tab_light_and_dark(page: Any) -> None:
    sidebar_states(page, "light")
    theme(page, "JupyterLab Dark")
    try:
        sidebar_states(page, "dark")
    finally:
        theme(page, "JupyterLab Light")


def test_names_roles_and_aria_of_the_list_and_the_form(page: Any) -> None:
    open_panel(page)
    panel = page.locator(PANEL)
    assert (panel.get_attribute("role"), panel.get_attribute("aria-label")) == ("region", "Compute")
    menu = page.locator(f"{READY} .jupyter-compute-kind select")
    assert page.locator(f"label[for='{menu.get_attribute('id')}']").inner_text() == "Kind", "the kind menu's name"
    ci = expand(row(page, "a11y-ci"))
    labels = ci.locator("button[data-action]").evaluate_all("bs => bs.map(b => b.getAttribute('aria-label'))")
    assert labels and all(label.endswith(" a11y-ci") for label in labels), labels
    act(ci, "delete")
    dialog = ci.locator("[role='alertdialog']")
    said = page.locator(f"#{dialog.get_attribute('aria-labelledby')}").inner_text()
    assert said.startswith("a11y-ci is running; deleting"), said
    page.keyboard.press("Escape")
    tab = form_with_errors(page)
    name = tab.locator(".widget-text:has(> label:text-is('Name')) input").first
    assert name.get_attribute("aria-invalid") == "true"
    described = page.locator(f"#{name.get_attribute('aria-describedby')}").inner_text()
    assert "not ending in" in described, described
    assert tab.locator(".jupyter-compute-output").get_attribute("role") == "status"
    toggle = tab.locator("button.jupyter-compute-advanced-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    page.wait_for_function(
        "() => document.querySelector('.jp-ComputeFormTab:not(.lm-mod-hidden) button.jupyter-compute-advanced-toggle')"
        ".getAttribute('aria-expanded') === 'true'",
        timeout=10_000,
    )
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon").click()


def test_focus_stays_on_the_row_through_stop_start_and_delete_and_the_list_is_one_tab_stop(lab: Lab, page: Any) -> None:
    open_panel(page)
    summaries = page.locator(f"{READY} .jupyter-compute-row-summary")
    assert summaries.evaluate_all("ss => ss.filter(s => s.tabIndex === 0).length") == 1, "one tab stop"
    first = summaries.first
    first.focus()
    page.keyboard.press("ArrowDown")
    assert summaries.nth(1).evaluate("e => e === document.activeElement"), "ArrowDown: the next row"
    assert summaries.evaluate_all("ss => ss.filter(s => s.tabIndex === 0).length") == 1
    page.keyboard.press("Home")
    assert first.evaluate("e => e === document.activeElement")

    ci = expand(row(page, "a11y-ci"))
    ci.locator("button[data-action='stop']").focus()
    page.keyboard.press("Enter")
    ci.locator(".jupyter-compute-state:text-is('Stopping')").wait_for(timeout=30_000)
    assert focused(page)["row"] == "a11y-ci", f"after stop, redrawn: {focused(page)}"
    ci.locator(".jupyter-compute-state:text-is('Stopped')").wait_for(timeout=60_000)
    now = focused(page)
    assert now["row"] == "a11y-ci" and now["tag"] != "BODY", f"after stopped: {now}"
    start = expand(ci).locator("button[data-action='start']")
    start.focus()
    page.keyboard.press("Enter")
    ci.locator(".jupyter-compute-state:text-is('Running')").wait_for(timeout=60_000)
    assert focused(page)["row"] == "a11y-ci", f"after start: {focused(page)}"
    shot(page, "a11y-focus-after-start")

    cluster = expand(row(page, "a11y-cl"))
    act(cluster, "delete")
    cluster.locator(".jupyter-compute-confirm-yes").focus()
    page.keyboard.press("Enter")
    cluster.wait_for(state="detached", timeout=60_000)
    now = focused(page)
    assert now["row"] == "a11y-ci" or "jupyter-compute-search" in now["cls"], f"after delete: {now}"
    assert any(" DELETE " in line and "/computes/a11y-cl" in line for line in lab.access_log())


BARS_CELLS = (
    "%load_ext jupyter_compute",
    "done = %compute create cluster a11y-done --max-instances 1\ndone.wait(120)",
    # A bar that stays live: an operation nothing follows (it is never polled).
    "from jupyter_compute.service.operation import Updater\n"
    "Updater('create', 'a11y-live', 'AmlCompute', resource_url='http://127.0.0.1:9/x').operation",
    # The list's words in every tone, in a notebook's output (its own background).
    "from jupyter_compute.render.palette import state_colour\n"
    "from jupyter_compute.ui.panel.table import ComputeTable\n"
    "ComputeTable(rows=[{'name': f'tone-{s}', 'kind': 'cluster', 'size': '', 'state': s, 'tone': state_colour(s),\n"
    "  'nodes': '', 'created': '', 'actions': [], 'busy': '', 'confirm': {}, 'bar': None,\n"
    "  'message': 'tone-x is Failed: it cannot stop now. Nothing was sent.' if s == 'Failed' else ''}\n"
    "  for s in ('Succeeded', 'Running', 'Failed', 'Stopped', 'Deleting')])",
    # The panel with its "New" form, in a notebook (no lab extension code in its way).
    "%compute panel",
)


def test_the_notebooks_live_and_finished_bars_are_progressbars_and_pass_axe_in_both_themes(lab: Lab, page: Any) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in BARS_CELLS]
    nbformat.write(nb, Path(lab.root) / NOTEBOOK)
    page.goto(lab.url(f"lab/tree/{NOTEBOOK}", reset=""))
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    for _attempt in range(3):
        page.locator(".jp-NotebookPanel .jp-CodeCell").first.locator(".jp-InputArea-editor").click()
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        try:
            page.locator(".jp-NotebookPanel .jp-OutputArea-output").first.wait_for(timeout=20_000)
            break
        except Exception:
            continue
    outputs = ".jp-NotebookPanel .jp-OutputArea-output"
    finished = page.locator(f"{outputs} .jupyter-compute-static [role='progressbar']")
    finished.wait_for(timeout=120_000)
    live = page.locator(f"{outputs} .jupyter-compute-progress:not(.jupyter-compute-static) [role='progressbar']")
    live.wait_for(timeout=60_000)
    page.locator(f"{outputs} .jupyter-compute-table .jupyter-compute-row").nth(4).wait_for(timeout=60_000)
    assert finished.get_attribute("aria-valuenow") == "100"
    assert finished.get_attribute("aria-valuetext").startswith("Succeeded")
    assert finished.get_attribute("aria-label") == "create cluster a11y-done"
    assert [live.get_attribute(a) for a in ("aria-valuemin", "aria-valuemax", "aria-valuenow")] == ["0", "100", "0"]
    assert live.get_attribute("aria-valuetext")
    said = page.locator(f"{outputs} .jupyter-compute-progress [role='status']").all_inner_texts()
    assert said == ["create cluster a11y-done: Succeeded", "create cluster a11y-live: Checking"], said
    form = page.locator(f"{outputs} .jupyter-compute-panel .jupyter-compute-form")
    name = form.locator(".widget-text:has(> label:text-is('Name')) input").first
    name.fill("cluster-1")
    page.wait_for_function(
        "() => document.querySelector('.jp-NotebookPanel .jupyter-compute-panel .jupyter-compute-field input')"
        ".getAttribute('aria-invalid') === 'true'",
        timeout=20_000,
    )
    error = page.locator(f"#{name.get_attribute('aria-describedby')}")
    assert "not ending in" in error.inner_text(), "the notebook's form ties its errors to its fields too"
    ours = [
        f"{outputs} .jupyter-compute-progress",
        f"{outputs} .jupyter-compute-table",
        f"{outputs} .jupyter-compute-panel",
    ]
    for name, label in (("JupyterLab Dark", "dark"), ("JupyterLab Light", "light")):
        theme(page, name)
        assert axe(page, *ours) == [], f"{label}: the notebook's bars and list"
        shot(page, f"a11y-{label}-notebook-bars")
        tones = f"{outputs} .jupyter-compute-row[data-name^='tone-']"
        words = contrasts(
            page.locator(f"{tones} .jupyter-compute-state, {tones} .jupyter-compute-error"), f"notebook {label}"
        )
        assert len(words) == 6 and all(r >= 4.5 for _w, r, _ring in words), f"{label}: {words}"


def test_a_rows_bar_is_a_progressbar_and_its_phases_are_said_once(lab: Lab, page: Any) -> None:
    page.goto(lab.url("lab", reset=""))
    open_panel(page)
    page.evaluate(
        """() => {
          const region = document.querySelector('.jp-ComputePanel .jupyter-compute-table .jupyter-compute-announce');
          window.__said = [];
          new MutationObserver(() => window.__said.push(region.textContent)).observe(
            region, { childList: true, characterData: true, subtree: true });
        }"""
    )
    region = page.locator(f"{READY} .jupyter-compute-announce")
    assert (region.get_attribute("role"), region.get_attribute("aria-live")) == ("status", "polite")
    lab.cli("create", "cluster", "a11y-said", "--min-instances", "1", "--max-instances", "1", "--no-wait")
    bar = row(page, "a11y-said").locator("[role='progressbar']")
    bar.wait_for(timeout=60_000)
    assert bar.get_attribute("aria-label") == "create cluster a11y-said"
    assert bar.get_attribute("aria-valuetext")
    row(page, "a11y-said").locator(".jupyter-compute-state:text-is('Succeeded')").wait_for(timeout=60_000)
    page.wait_for_function("() => window.__said.some(s => s.includes('a11y-said: Succeeded'))", timeout=30_000)
    said = [s for s in page.evaluate("() => window.__said") if "a11y-said" in s]
    assert len(said) == len(set(said)), f"each phase once, never each tick: {said}"
