"""The Compute panel in Notebook 7 (issue 13, point 10): "View › Compute" opens it in the left side
panel, on the file browser page and in a notebook, and it lists the workspace's computes.

One ``jupyter notebook`` server (Notebook 7, the same lab extension) for the module.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from lab_helpers import PANEL, READY, Lab, act, chromium, isolated_env, row, shot

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
