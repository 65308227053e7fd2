"""The Compute panel's list in a real JupyterLab and Chromium: one line per compute, expanded on a
click, delete asking first, the actions a state allows, search/filter/sort, a workspace that cannot be
reached, 1000 computes, links in a row, and the list without our lab extension and in an exported
notebook (it is an anywidget whose front end ships in the Python package).

One ``jupyter lab`` for the module over the local workspace; a second workspace, addressed as an Azure
one, is a local-workspace server in this process (its faults switched from here, 1000 computes in it).
Screenshots go to test-artifacts/browser/.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import nbformat
import pytest
import requests

from kinds import PUBLIC_KEY
from lab_helpers import READY, Lab, act, expand, field, lab_page, open_panel, row, running_lab, shot

pytestmark = pytest.mark.ui
POLL_SECONDS = 1.0
API = "2025-12-01"
SUBSCRIPTION, GROUP, NAME = "00000000-0000-0000-0000-0000000000aa", "rg", "big"
BIG = 1000
BIG_INSTANCES = 250
WORKSPACE_PATH = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}"
    f"/providers/Microsoft.MachineLearningServices/workspaces/{NAME}"
)


@pytest.fixture(scope="module")
def azure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A second workspace, addressed as an Azure one: a local-workspace server on loopback in this process."""
    from dataclasses import replace

    from jupyter_compute import settings
    from jupyter_compute.local.server import LocalServer

    fast = replace(settings.current(), speed=8.0)  # as quick as the lab's own local workspace
    server = LocalServer(home=tmp_path_factory.mktemp("azure"), settings=fast).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, azure: Any) -> Iterator[Lab]:
    knobs = {
        "JUPYTER_COMPUTE_SPEED": "8",
        "JUPYTER_COMPUTE_POLL_INTERVAL": str(POLL_SECONDS),
        "JUPYTER_COMPUTE_ARM_ENDPOINT": azure.url,
        "JUPYTER_COMPUTE_ACCESS_TOKEN": azure.token,
    }
    with running_lab(tmp_path_factory.mktemp("lab"), knobs) as server:
        yield server


@pytest.fixture(scope="module")
def page(lab: Lab) -> Iterator[Any]:
    with lab_page(lab) as page:
        yield page


# Menus narrower than their chosen option ("any kin|", "Compute cluste|" in a 250 px sidebar): each is measured
# against a copy of itself at its natural width.
CUT_MENUS_JS = """
() => [...document.querySelectorAll(
  '.jp-ComputePanel .jupyter-compute-filters select, .jp-ComputePanel .jupyter-compute-kind select'
)].flatMap(select => {
  const natural = select.cloneNode(true);
  natural.value = select.value;
  Object.assign(natural.style, {position: 'absolute', visibility: 'hidden', width: 'auto', flex: 'none',
                                minWidth: '0', maxWidth: 'none'});
  select.parentElement.appendChild(natural);
  const needs = natural.getBoundingClientRect().width;
  natural.remove();
  const has = select.getBoundingClientRect().width;
  return has + 1 < needs ? [`${select.className}: ${Math.round(has)} px of ${Math.round(needs)}`] : [];
})
"""


def state_of(page: Any, name: str) -> str:
    return str(row(page, name).locator(".jupyter-compute-state").inner_text())


def wait_state(page: Any, name: str, state: str, timeout: float = 60_000) -> None:
    row(page, name).locator(f".jupyter-compute-state:text-is('{state}')").wait_for(timeout=timeout)


def actions(page: Any, name: str) -> list[str]:
    return [str(b.get_attribute("data-action")) for b in row(page, name).locator("button[data-action]").all()]


def test_delete_asks_first_says_what_is_lost_and_escape_cancels(lab: Lab, page: Any) -> None:
    lab.cli("create", "cluster", "cpu-cluster", "--min-instances", "2", "--max-instances", "2")
    open_panel(page)
    cluster = row(page, "cpu-cluster")
    cluster.locator(".jupyter-compute-row-summary:has-text('2 (2-2) nodes')").wait_for(timeout=60_000)
    wait_state(page, "cpu-cluster", "Succeeded")
    dot = cluster.locator(".jupyter-compute-dot").evaluate("e => getComputedStyle(e).backgroundColor")
    word = cluster.locator(".jupyter-compute-state").evaluate("e => getComputedStyle(e).color")
    # The colour `%compute list` gives Succeeded (palette.py: the theme's green, mixed to be readable).
    assert dot == word and dot not in ("", "rgba(0, 0, 0, 0)"), (dot, word)
    assert cluster.locator("button").count() == 0, "collapsed: one line, no buttons"
    shot(page, "list-01-collapsed")
    assert page.evaluate(CUT_MENUS_JS) == [], "the filter, sort and kind menus show their words in the sidebar"
    expand(cluster)
    shot(page, "list-02-expanded")
    act(cluster, "delete")
    confirm = cluster.locator(".jupyter-compute-confirm")
    confirm.wait_for(timeout=10_000)
    assert confirm.locator(".jupyter-compute-confirm-text").inner_text() == (
        "cpu-cluster has 2 nodes running; deleting stops them and removes the cluster."
    )
    assert confirm.locator(".jupyter-compute-confirm-yes").inner_text() == "Delete cpu-cluster"
    shot(page, "list-03-confirm")
    page.keyboard.press("Escape")  # focus is on Cancel, inside the row
    confirm.wait_for(state="detached", timeout=10_000)
    assert not any(" DELETE " in line for line in lab.access_log()), "Escape sent nothing"
    act(cluster, "delete")
    cluster.locator(".jupyter-compute-confirm-yes").click()
    cluster.wait_for(state="detached", timeout=60_000)
    assert any(" DELETE " in line and "/computes/cpu-cluster" in line for line in lab.access_log())


def test_an_instance_offers_stop_when_running_and_start_when_stopped(lab: Lab, page: Any) -> None:
    lab.cli("create", "instance", "list-ci")
    open_panel(page)
    wait_state(page, "list-ci", "Running")
    expand(row(page, "list-ci"))
    assert actions(page, "list-ci") == ["stop", "restart", "edit", "details", "delete"]
    act(row(page, "list-ci"), "stop")
    wait_state(page, "list-ci", "Stopped")
    row(page, "list-ci").locator("button[data-action='start']").wait_for(timeout=10_000)
    assert actions(page, "list-ci") == ["start", "edit", "details", "delete"]
    shot(page, "list-04-instance-stopped")


def test_rows_mark_what_needs_attention_and_an_outdated_image(lab: Lab, page: Any) -> None:
    """Issue 26: doctor's warning mark (title: its sentences), and an OS image that is no longer the latest,
    marked on the row and said in full when it is expanded."""
    lab.cli("create", "instance", "mark-ci")
    open_panel(page)
    wait_state(page, "mark-ci", "Running")
    warning = row(page, "mark-ci").locator(".jupyter-compute-mark-warning")
    warning.wait_for(timeout=60_000)
    assert warning.inner_text() == "⚠ 1"
    assert "neither idle shutdown nor a stop schedule" in str(warning.get_attribute("title"))
    publish = "from jupyter_compute import Workspace; Workspace.local().simulate_new_image('26.01.15')"
    subprocess.run([sys.executable, "-c", publish], env=lab.env, check=True, capture_output=True)
    row(page, "mark-ci").locator(".jupyter-compute-mark-image:text-is('old OS')").wait_for(timeout=60_000)
    said = expand(row(page, "mark-ci")).locator(".jupyter-compute-said-image")
    assert "OS image 25.11.01, not the latest (26.01.15)" in said.inner_text()
    at = datetime.now(timezone.utc) + timedelta(minutes=30)
    stop = f'{{action: stop, trigger: {{type: cron, expression: "{at.minute} {at.hour} * * *", time_zone: UTC}}}}'
    lab.cli("update", "mark-ci", "--add-schedule", stop)
    note = row(page, "mark-ci").locator(".jupyter-compute-row-note")
    note.wait_for(timeout=60_000)  # the next listing: a stop within the hour, under the row
    assert note.inner_text().startswith(f"stops at {at.astimezone():%H:%M} by schedule, in ")
    shot(page, "list-04b-marks")
    lab.cli("delete", "mark-ci", "--yes")


def fill_big(azure: Any) -> None:
    """1000 computes (750 clusters, 250 instances) in the second workspace, PUT as a client sends them."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {azure.token}"
    path = WORKSPACE_PATH
    for i in range(BIG):
        instance = i % (BIG // BIG_INSTANCES) == 0
        name = f"instance-{i:04d}x" if instance else f"cluster-{i:04d}x"  # no "-digits" at the end
        inner: dict[str, Any] = {"vmSize": "Standard_DS3_v2"}
        if not instance:
            inner["scaleSettings"] = {"minNodeCount": 0, "maxNodeCount": 1}
        body = {
            "location": "eastus",
            "properties": {"computeType": "ComputeInstance" if instance else "AmlCompute", "properties": inner},
        }
        answer = session.put(f"{azure.url}{path}/computes/{name}?api-version={API}", json=body, timeout=60)
        assert answer.status_code in (200, 201), answer.text
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # settled: no row follows a create when the panel opens it
        listed, url = [], f"{azure.url}{path}/computes?api-version={API}"
        while url:
            page_ = session.get(url, timeout=60).json()
            listed += page_["value"]
            url = page_.get("nextLink")
        if len(listed) == BIG and all(c["properties"]["provisioningState"] in ("Succeeded", "Failed") for c in listed):
            return
        time.sleep(0.5)
    raise AssertionError("the 1000 computes did not settle")


CHANGES_JS = """
() => {
  const list = document.querySelector('.jp-ComputePanel .jupyter-compute-rows');
  window.__touched = [];
  window.__changes = new MutationObserver((records) => {
    for (const r of records) {
      for (const n of [...r.addedNodes, ...r.removedNodes]) window.__touched.push(n.dataset ? n.dataset.name : '?');
      const inside = r.target !== list && r.target.closest && r.target.closest('.jupyter-compute-row');
      const how = r.attributeName === 'tabindex' ? 'tabindex:' : 'inside:';
      if (r.target !== list) window.__touched.push(how + (inside ? inside.dataset.name : '?'));
    }
  });
  window.__changes.observe(list, { childList: true, subtree: true, attributes: true, characterData: true });
}
"""

RENDER_JS = """
async () => {
  const root = document.querySelector('.jp-ComputePanel .jupyter-compute-table');
  const search = root.querySelector('.jupyter-compute-search');
  const frame = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  search.value = 'no such compute';
  search.dispatchEvent(new Event('input'));
  await frame();
  const start = performance.now();
  search.value = '';
  search.dispatchEvent(new Event('input'));
  const drawn = performance.now() - start;
  await frame();
  return { drawn, painted: performance.now() - start, rows: root.querySelectorAll('.jupyter-compute-row').length };
}
"""


def use_azure(page: Any) -> None:
    page.locator(f"{READY} .widget-dropdown:has(> label:text-is('Workspace')) select").select_option(
        label="an Azure workspace…"
    )
    for label, value in (("subscription", SUBSCRIPTION), ("group", GROUP), ("workspace", NAME)):
        field(page, label).fill(value)
    page.click(f"{READY} button:text-is('Use this workspace')")


def test_1000_computes_render_scroll_and_a_one_row_change_touches_only_that_row(
    lab: Lab, page: Any, azure: Any
) -> None:
    fill_big(azure)
    open_panel(page)
    started = time.monotonic()
    use_azure(page)
    page.wait_for_function(
        f"() => document.querySelectorAll('.jp-ComputePanel .jupyter-compute-row').length === {BIG}", timeout=60_000
    )
    shown = time.monotonic() - started
    root = page.locator(f"{READY} .jupyter-compute-table")
    assert root.get_attribute("data-built") == str(BIG), "one draw built the 1000 rows"
    first_draw_ms = float(root.get_attribute("data-draw-ms") or "nan")
    measured = page.evaluate(RENDER_JS)
    assert measured["rows"] == BIG
    scroller = page.locator(".jp-ComputePanel")
    scroller.evaluate("e => { e.scrollTop = e.scrollHeight / 2; }")
    page.wait_for_function("() => document.querySelector('.jp-ComputePanel').scrollTop > 0")
    shot(page, "list-05-1000-scrolled")
    page.evaluate(CHANGES_JS)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {azure.token}"
    path = WORKSPACE_PATH
    gone = f"{azure.url}{path}/computes/cluster-0001x?api-version={API}&underlyingResourceAction=Delete"
    answer = session.delete(gone, timeout=60)
    assert answer.status_code in (200, 202, 204), answer.text
    page.wait_for_function(
        f"() => document.querySelectorAll('.jp-ComputePanel .jupyter-compute-row').length === {BIG - 1}",
        timeout=60_000,
    )
    touched = set(page.evaluate("() => { window.__changes.disconnect(); return window.__touched; }"))
    # The deleted row was the list's one tab stop (roving tabindex): the next row takes it, nothing else.
    assert touched <= {"cluster-0001x", "inside:cluster-0001x", "tabindex:cluster-0002x"} and touched, touched
    assert "tabindex:cluster-0002x" in touched
    report = {"switch_to_1000_rows_s": round(shown, 2), "first_draw_1000_ms": first_draw_ms}
    report["redraw_1000_cached_ms"] = round(measured["drawn"], 1)
    report["draw_and_paint_1000_ms"] = round(measured["painted"], 1)
    (shot(page, "list-06-1000-one-deleted").parent / "list-1000-timings.json").write_text(json.dumps(report))
    print("1000 rows:", report)


def test_search_filter_and_sort_in_the_browser(page: Any) -> None:
    """On the 1000 rows of the previous test: search by name, filter by kind and by state, sort."""
    root = page.locator(f"{READY} .jupyter-compute-table")
    rows = root.locator(".jupyter-compute-row")
    root.locator(".jupyter-compute-search").fill("instance-00")
    page.wait_for_function(
        "() => document.querySelectorAll('.jp-ComputePanel .jupyter-compute-row').length === 25", timeout=10_000
    )
    assert all(name.startswith("instance-00") for name in rows.evaluate_all("rs => rs.map(r => r.dataset.name)"))
    root.locator(".jupyter-compute-search").fill("")
    root.locator(".jupyter-compute-filter-kind").select_option("instance")
    assert rows.count() == BIG_INSTANCES
    root.locator(".jupyter-compute-filter-kind").select_option("")
    every_state = rows.evaluate_all("rs => rs.map(r => r.dataset.state)")
    root.locator(".jupyter-compute-filter-state").select_option("Running")
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.state)")) == {"Running"}
    assert rows.count() == every_state.count("Running") > 0
    root.locator(".jupyter-compute-filter-state").select_option("")
    names = rows.evaluate_all("rs => rs.map(r => r.dataset.name)")
    assert names == sorted(names) and len(names) == BIG - 1
    root.locator(".jupyter-compute-sort").select_option("state")
    states = rows.evaluate_all("rs => rs.map(r => r.dataset.state)")
    assert states == sorted(states) and len(set(states)) > 1
    root.locator(".jupyter-compute-sort").select_option("created")
    created = rows.evaluate_all("rs => rs.map(r => r.dataset.created)")
    assert created == sorted(created, reverse=True) and created[0] > created[-1], "newest first"
    shot(page, "list-07-sorted-by-created")
    root.locator(".jupyter-compute-sort").select_option("name")


def test_an_unreachable_workspace_clears_the_rows_and_says_why(page: Any, azure: Any) -> None:
    problem = page.locator(f"{READY} .jupyter-compute-problem")
    azure.faults.configure("unauthorized")
    try:
        problem.get_by_text("Could not list the workspace").wait_for(timeout=30_000)
        page.wait_for_function(
            "() => document.querySelectorAll('.jp-ComputePanel .jupyter-compute-row').length === 0", timeout=10_000
        )
        assert "%compute login" in problem.inner_text()
        shot(page, "list-08-unreachable")
    finally:
        azure.faults.configure("")
    page.wait_for_function(
        f"() => document.querySelectorAll('.jp-ComputePanel .jupyter-compute-row').length === {BIG - 1}",
        timeout=30_000,
    )
    assert not problem.is_visible()
    page.locator(f"{READY} .widget-dropdown:has(> label:text-is('Workspace')) select").select_option(
        label="local (offline)"
    )
    row(page, "list-ci").wait_for(timeout=30_000)


LINKS_CELL = """
from jupyter_compute.ui.panel.table import ComputeTable
ComputeTable(rows=[{
    "name": "linked", "kind": "instance", "size": "Standard_DS3_v2", "state": "Running", "tone": "#2e7d32",
    "nodes": "", "created": "", "actions": ["stop"], "busy": "", "confirm": {}, "bar": None, "message": "",
    "links": [
        {"label": "JupyterLab", "url": "https://ci.example.net/lab"},
        {"label": "local", "url": "http://127.0.0.1:8888/tree"},
        {"label": "evil", "url": "javascript:alert(1)"},
        {"label": "<b>plain</b>", "url": "https://example.net/?a=b"},
        {"label": "markup", "url": "https://example.net/?a=<b>"},
    ],
    "ssh": "ssh -p 50000 azureuser@10.0.0.4",
}])
"""


def notebook(lab: Lab, name: str, *cells: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(nb, Path(lab.root) / name)


def run_all(page: Any, lab: Lab, name: str) -> None:
    page.goto(lab.url(f"lab/tree/{name}", reset=""))
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    for _attempt in range(3):  # again if the kernel was not really there yet (the request is lost)
        page.locator(".jp-NotebookPanel .jp-CodeCell").first.locator(".jp-InputArea-editor").click()
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        try:
            page.locator(".jp-NotebookPanel .jp-OutputArea-output").first.wait_for(timeout=20_000)
            return
        except Exception:
            continue


def test_an_expanded_row_shows_its_links_and_ssh_command(lab: Lab, page: Any) -> None:
    notebook(lab, "links.ipynb", LINKS_CELL)
    run_all(page, lab, "links.ipynb")
    table = page.locator(".jp-NotebookPanel .jupyter-compute-table")
    table.locator(".jupyter-compute-row-summary").click()
    links = table.locator(".jupyter-compute-links a")
    links.first.wait_for(timeout=30_000)
    found = links.evaluate_all("as => as.map(a => [a.textContent, a.getAttribute('href'), a.target, a.rel])")
    assert found == [
        ["JupyterLab", "https://ci.example.net/lab", "_blank", "noopener noreferrer"],
        ["local", "http://127.0.0.1:8888/tree", "_blank", "noopener noreferrer"],
        ["<b>plain</b>", "https://example.net/?a=b", "_blank", "noopener noreferrer"],
    ], "javascript: and a URL with markup in it (tests/data/links.json) are dropped; labels are text"
    assert table.locator(".jupyter-compute-ssh code").inner_text() == "ssh -p 50000 azureuser@10.0.0.4"
    assert table.locator(".jupyter-compute-links b").count() == 0
    shot(page, "list-09-links")


PANEL_CELLS = ("%load_ext jupyter_compute", "%compute panel")


def test_an_exported_notebook_shows_the_list_as_text(lab: Lab, tmp_path: Path) -> None:
    """nbconvert of an executed notebook with `%compute panel`: the list as `%compute list` shows it."""
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter, MarkdownExporter

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in PANEL_CELLS]
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute(
        env=lab.env
    )
    html, _ = HTMLExporter().from_notebook_node(nb)
    markdown, _ = MarkdownExporter().from_notebook_node(nb)
    (tmp_path / "exported.html").write_text(html)
    for exported in (html, markdown):
        assert "list-ci" in exported and "VBox(children" not in exported
    assert "<th style='text-align:left'>state</th>" in markdown, "the HTML table of `%compute list`"
    shown = nb.cells[1].outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in shown, "the live widget stays where widgets render"
    assert "NAME" in shown["text/plain"] and "list-ci" in shown["text/plain"], "the text table of `%compute list`"


def test_a_real_instance_with_ssh_shows_its_jupyterlab_link_and_ssh_command_in_the_sidebar(lab: Lab, page: Any) -> None:
    """Issue 13, point 9, with the service's fields: an instance created with public SSH access on the local
    workspace (which serves applications, connectivityEndpoints and sshSettings as the service does) shows,
    expanded in the sidebar, its Jupyter Lab link (a new tab, no opener) and the exact ssh command; the
    links say they are emulated (issue 22, point 16: nothing answers at a simulated instance's address)."""
    lab.cli("create", "instance", "ssh-ci", "--ssh-public-access-enabled", "true", "--ssh-key-value", PUBLIC_KEY)
    page.goto(lab.url("lab", reset=""))
    open_panel(page)
    instance = row(page, "ssh-ci")
    instance.wait_for(timeout=60_000)
    wait_state(page, "ssh-ci", "Running")
    expand(instance)
    links = instance.locator(".jupyter-compute-links a")
    links.first.wait_for(timeout=30_000)
    found = links.evaluate_all("as => as.map(a => [a.textContent, a.getAttribute('href'), a.target, a.rel])")
    assert found == [
        ["Jupyter (emulated)", "https://ssh-ci.eastus.instances.azureml.ms/tree/", "_blank", "noopener noreferrer"],
        ["Jupyter Lab (emulated)", "https://ssh-ci.eastus.instances.azureml.ms/lab", "_blank", "noopener noreferrer"],
    ]
    assert instance.locator(".jupyter-compute-ssh code").inner_text() == "ssh -p 50000 azureuser@127.0.0.1"
    instance.locator(".jupyter-compute-links a:text-is('Jupyter Lab (emulated)')").scroll_into_view_if_needed()
    shot(page, "list-09b-real-instance-links")
    lab.cli("delete", "ssh-ci", "--yes")


def test_without_the_lab_extension_compute_panel_renders_the_list(lab: Lab, page: Any) -> None:
    """Last in the module: it disables our lab extension (user level, in this lab's own config folder)."""
    subprocess.run(
        [sys.executable, "-m", "jupyter", "labextension", "disable", "--level", "user", "jupyter-compute"],
        env=lab.env,
        check=True,
        capture_output=True,
    )
    notebook(lab, "bare.ipynb", *PANEL_CELLS)
    run_all(page, lab, "bare.ipynb")
    assert page.locator(".jp-SideBar .lm-TabBar-tab[data-id='jupyter-compute-panel']").count() == 0, "disabled"
    inline = page.locator(".jp-NotebookPanel .jupyter-compute-panel .jupyter-compute-table")
    inline.locator(".jupyter-compute-row[data-name='list-ci']").wait_for(timeout=60_000)
    assert page.get_by_text("Failed to load model class").count() == 0
    assert page.get_by_text("javascript error").count() == 0
    act(inline.locator(".jupyter-compute-row[data-name='list-ci']"), "delete")
    inline.locator(".jupyter-compute-confirm-yes").get_by_text("Delete list-ci").wait_for(timeout=10_000)
    shot(page, "list-10-no-lab-extension")


SIGN_IN_CELL = """
from jupyter_compute.service.signin import Prompt, SignIn, Who
from jupyter_compute.ui.deferred import SignInCard

def card(link, code, who=None):
    s = SignIn()
    s.prompt, s.state = Prompt(link, code), "waiting"
    if who:
        s.who, s.state = Who(who, "72f988bf-0000-4000-8000-000000000001", "AzureCloud"), "signed-in"
    c = SignInCard(s)
    c.update(s)
    return c

display(card("https://microsoft.com/devicelogin", "FRWQDE7YL"))
display(card("javascript:alert(1)", "<b>X</b>"))
display(card("https://microsoft.com/devicelogin", "FRWQDE7YL", who="user@example.com"))
"""


def test_the_sign_in_card_shows_the_link_and_code_with_a_copy_button_then_who_signed_in(lab: Lab, page: Any) -> None:
    """`%compute login`'s card as JupyterLab draws it (its own front end, signin.js): the https link opens in a
    new tab, the code has a copy button that says what it did, a link that is not https is text, and a
    finished card says who signed in."""
    notebook(lab, "signin.ipynb", SIGN_IN_CELL)
    run_all(page, lab, "signin.ipynb")
    cards = page.locator(".jp-NotebookPanel .jupyter-compute-signin")
    cards.nth(2).wait_for(timeout=30_000)
    first = cards.nth(0)
    link = first.locator("a.jupyter-compute-signin-link")
    assert [link.get_attribute("href"), link.get_attribute("target"), link.get_attribute("rel")] == [
        "https://microsoft.com/devicelogin",
        "_blank",
        "noopener noreferrer",
    ]
    assert first.locator("code.jupyter-compute-signin-code").inner_text() == "FRWQDE7YL"
    first.locator("button.jupyter-compute-signin-copy").click()
    page.wait_for_function(
        "() => document.querySelector('.jupyter-compute-signin .jupyter-compute-signin-copied').textContent !== ''",
        timeout=10_000,
    )
    hostile = cards.nth(1)
    assert hostile.locator("a.jupyter-compute-signin-link").get_attribute("href") is None
    assert hostile.locator("code").inner_text() == "<b>X</b>" and hostile.locator("b").count() == 0
    done = cards.nth(2)
    assert done.get_attribute("data-state") == "signed-in"
    assert "Signed in as user@example.com" in done.inner_text() and done.locator("code").count() == 0
    shot(page, "signin-card")
