"""A burst of operations in a notebook leaves the page nothing of the bars that ended (issue 29, point 1), in a
real JupyterLab in Debian chromium.

@jupyterlab/services 7.x connects every comm to its kernel connection's ``statusChanged`` and never
disconnects it, so every comm the kernel ever opened, with the widget model it holds, stays reachable; the lab
extension lets ours go once closed (labextension/src/comms.ts). Counted, not timed: after the kernel has closed
every bar's models and the page has shown a later output (the page handles a kernel's messages in order), a
forced garbage collection, then Chromium's ``Runtime.queryObjects`` counts the closed widget comms still alive;
and the page's console says nothing of a comm or a model it could not find.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from lab_helpers import EXPOSED_LAB, Lab, browser_page, run_cell, running_lab

pytestmark = pytest.mark.ui
IDLE = ".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
N = 6  # computes created then deleted: 2N bars, 4N comms of the bars' own

BURST = f"""
%load_ext jupyter_compute
ops = [get_ipython().run_line_magic('compute', f'create cluster burst{{i:02d}}x --max-instances 1') for i in range({N})]
assert all(op.wait(120).done() for op in ops)
gone = [get_ipython().run_line_magic('compute', f'delete burst{{i:02d}}x --yes') for i in range({N})]
assert all(op.wait(120).done() for op in gone)
"""

# Printed once every bar has closed its box and its HTML in the kernel: the page shows it after their closes.
SETTLED = """
import time
from ipywidgets.widgets.widget import _instances
def bars_open():
    return sum(getattr(w, '_model_name', '') in ('VBoxModel', 'HTMLModel') for w in list(_instances.values()))
deadline = time.monotonic() + 120
while bars_open() and time.monotonic() < deadline:
    time.sleep(0.05)
print(f'bar models open: {bars_open()}')
"""

# The notebook's kernel connection's CommHandler class (a live comm's: the shared layouts stay open).
COMM_CLASS = """() => {
  const nb = [...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.context.path === 'burst.ipynb');
  const comms = nb.sessionContext.session.kernel._comms;
  return Object.getPrototypeOf([...comms.values()][0]);
}"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    knobs = {"JUPYTER_COMPUTE_SPEED": "200", "JUPYTER_COMPUTE_POLL_INTERVAL": "0.05"}
    with running_lab(tmp_path_factory.mktemp("lab"), knobs, EXPOSED_LAB) as server:
        yield server


def closed_widget_comms_alive(page: Any) -> int:
    """After a forced GC: the page's closed (disposed) comms of target ``jupyter.widget`` still reachable."""
    cdp = page.context.new_cdp_session(page)
    try:
        handle = cdp.send("Runtime.evaluate", {"expression": f"({COMM_CLASS})()"})["result"]["objectId"]
        cdp.send("HeapProfiler.collectGarbage")
        alive = cdp.send("Runtime.queryObjects", {"prototypeObjectId": handle})["objects"]["objectId"]
        count = cdp.send(
            "Runtime.callFunctionOn",
            {
                "objectId": alive,
                "functionDeclaration": "function () { "
                "return this.filter(c => c.isDisposed && c.targetName === 'jupyter.widget').length; }",
                "returnByValue": True,
            },
        )["result"]["value"]
        return int(count)
    finally:
        cdp.detach()


def test_a_burst_of_operations_leaves_the_page_no_closed_comm_and_no_lost_message(lab: Lab) -> None:
    """Given a notebook that creates then deletes computes, every bar shown, when every bar has ended and
    closed its models, then the page keeps none of their comms alive (JupyterLab alone kept all 4N) and its
    console has no "Comm not found" and no "widget model not found"."""
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(BURST), nbformat.v4.new_code_cell(SETTLED)],
        metadata={"kernelspec": KERNELSPEC},
    )
    nbformat.write(notebook, Path(lab.root) / "burst.ipynb")
    with browser_page() as page:
        page.goto(lab.url("lab/tree/burst.ipynb", reset=""))
        page.wait_for_selector(IDLE, timeout=60_000)
        cells = page.locator(".jp-NotebookPanel .jp-CodeCell")
        run_cell(page, cells.nth(0))
        page.wait_for_selector(IDLE, timeout=180_000)
        run_cell(page, cells.nth(1))
        cells.nth(1).locator(".jp-OutputArea-output").get_by_text("bar models open:").wait_for(timeout=180_000)
        assert cells.nth(1).locator(".jp-OutputArea-output").inner_text().strip() == "bar models open: 0"
        finals = cells.nth(0).locator(".jp-OutputArea-output .jupyter-compute-progress")
        assert finals.count() == 2 * N, "every bar was shown"
        assert closed_widget_comms_alive(page) == 0, "the page keeps no closed comm of a bar"
        lost = [e for e in page.console_errors if "Comm not found" in e or "widget model not found" in e]
        assert lost == [], lost
