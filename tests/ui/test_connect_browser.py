"""`%compute show` in a real JupyterLab notebook says how to connect to an instance (issue 13, point 9).

One ``jupyter lab`` on loopback for the module and one chromium page. Given an instance created with public
SSH access in a notebook, when ``%compute show`` runs, then its output has a "Connect" section whose links
open the instance's Jupyter and Jupyter Lab addresses in a new tab, and the ssh command as code. Requests to
the instance's (fake) addresses are answered inside the browser, so nothing leaves the machine.
Screenshots go to the test's temporary folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from jupyter_compute.render.connect import EMULATED

from kinds import PUBLIC_KEY
from lab_helpers import Lab, chromium, first_code_cell, run_cell, running_lab

pytestmark = pytest.mark.ui
NAME = "br-ci"
LAB_LINK = f"https://{NAME}.eastus.instances.azureml.ms/lab"
CONNECT = ".jp-NotebookPanel .jp-OutputArea-output .jupyter-compute-connect"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with running_lab(tmp_path_factory.mktemp("lab"), {"JUPYTER_COMPUTE_SPEED": "40"}) as server:
        yield server


@pytest.fixture(scope="module")
def page(lab: Lab) -> Iterator[Any]:
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1300, "height": 850})
        opened: list[str] = []

        def instance_address(route: Any) -> None:  # the instance's address never leaves the browser
            opened.append(route.request.url)
            route.fulfill(status=200, content_type="text/html", body="<p>the instance's Jupyter Lab</p>")

        context.route("https://*.instances.azureml.ms/**", instance_address)
        page = context.new_page()
        page.opened = opened
        yield page
        context.close()


def run_first_cell(page: Any) -> None:
    run_cell(page, first_code_cell(page))


def test_show_in_a_notebook_links_the_instances_applications_and_gives_the_ssh_command(
    lab: Lab, page: Any, tmp_path: Path
) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "%load_ext jupyter_compute\n"
            f"op = %compute create instance {NAME} --ssh-public-access-enabled true --ssh-key-value '{PUBLIC_KEY}'\n"
            "op.wait(60)\n"
            f"%compute show {NAME}"
        )
    ]
    nbformat.write(notebook, Path(lab.root) / "connect.ipynb")
    page.goto(lab.url("lab/tree/connect.ipynb"))
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    run_first_cell(page)
    try:
        page.wait_for_selector(f"{CONNECT} a", timeout=90_000)
    finally:
        page.screenshot(path=str(tmp_path / "connect-show.png"))
    connect = page.locator(CONNECT)
    anchors = connect.locator("a")
    assert anchors.evaluate_all("els => els.map(e => [e.textContent, e.href, e.target])") == [
        ["Jupyter (emulated)", f"https://{NAME}.eastus.instances.azureml.ms/tree/", "_blank"],
        ["Jupyter Lab (emulated)", LAB_LINK, "_blank"],
    ]  # the local workspace's instance is a simulation: its links say so (issue 22, point 16)
    assert connect.locator("code").inner_text() == "ssh -p 50000 azureuser@127.0.0.1"
    assert connect.locator("strong").inner_text() == "Connect"
    assert EMULATED in connect.inner_text()

    with page.context.expect_page(timeout=30_000) as popup:
        anchors.nth(1).click()
    tab = popup.value
    tab.wait_for_load_state()
    assert tab.url == LAB_LINK and LAB_LINK in page.opened
    assert tab.evaluate("() => window.opener") is None  # rel=noopener: the instance's page cannot reach this one
    tab.screenshot(path=str(tmp_path / "connect-opened.png"))
    tab.close()
