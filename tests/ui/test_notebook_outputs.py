"""What a new user sees in a notebook in a real JupyterLab (issue 22, points 10, 12 and 17), in Debian
chromium: a price's dollar signs stay text where MathJax typesets, a bar whose kernel restarted or shut down
says so and how to follow the compute again, and a sample notebook opens unmodified.

One ``jupyter lab`` for the module, with its application exposed (``window.jupyterapp``) so a test can
wait on the notebook's own state (its kernel's info and spec arrived) rather than on the clock.
Screenshots go to test-artifacts/browser/.
"""

from __future__ import annotations

import platform
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from jupyter_compute.render.markup import NO_MATH

from lab_helpers import EXPOSED_LAB, ROOT, Lab, browser_page, run_cell, running_lab, shot

pytestmark = pytest.mark.ui
IDLE = ".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    knobs = {"JUPYTER_COMPUTE_SPEED": "20", "JUPYTER_COMPUTE_POLL_INTERVAL": "0.5"}
    with running_lab(tmp_path_factory.mktemp("lab"), knobs, EXPOSED_LAB) as server:
        yield server


@pytest.fixture(scope="module")
def page(lab: Lab) -> Iterator[Any]:
    with browser_page() as page:
        yield page


def write_notebook(lab: Lab, name: str, cells: list[Any]) -> None:
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC})
    nbformat.write(notebook, Path(lab.root) / name)


def open_notebook(page: Any, lab: Lab, name: str) -> None:
    page.goto(lab.url(f"lab/tree/{name}", reset=""))
    page.wait_for_selector(IDLE, timeout=60_000)


def run_nth_cell(page: Any, index: int) -> None:
    run_cell(page, page.locator(".jp-NotebookPanel .jp-Cell").nth(index))


# Whether the notebook ``path`` is modified once its kernel's info and spec have arrived (JupyterLab writes
# both into the notebook's metadata then, in the same turn).
DIRTY_ONCE_THE_KERNEL_IS_KNOWN = """
async (path) => {
  const sleep = () => new Promise((r) => setTimeout(r, 50));
  let panel;
  while (!(panel = [...window.jupyterapp.shell.widgets('main')].find((w) => w.context && w.context.path === path)))
    await sleep();
  while (!panel.sessionContext.session || !panel.sessionContext.session.kernel) await sleep();
  const kernel = panel.sessionContext.session.kernel;
  await kernel.info;
  await kernel.spec;
  while (!panel.model.getMetadata('language_info') || !panel.model.getMetadata('language_info').version) await sleep();
  await sleep();
  return panel.model.dirty;
}
"""


@pytest.mark.parametrize("name", ["01-quickstart.ipynb", "09-costs.ipynb"])
def test_opening_a_sample_notebook_does_not_mark_it_modified(lab: Lab, page: Any, name: str) -> None:
    """Point 17: given a sample notebook as shipped, when it is opened and its kernel is up, then it is not
    modified (no ● on its tab, so a reload does not ask "leave page?")."""
    shutil.copy(ROOT / "notebooks" / name, Path(lab.root) / name)
    written = nbformat.read(ROOT / "notebooks" / name, as_version=4).metadata.language_info.version
    if written != platform.python_version():
        pytest.skip(f"the notebooks carry Python {written}'s language_info; JupyterLab rewrites another version's")
    open_notebook(page, lab, name)
    assert page.evaluate(DIRTY_ONCE_THE_KERNEL_IS_KNOWN, name) is False
    assert page.locator(".jp-mod-current.jp-mod-dirty, .lm-TabBar-tab.jp-mod-dirty").count() == 0
    shot(page, f"notebook-17-opened-{name.split('.')[0]}")


def test_a_price_in_an_output_stays_text_where_mathjax_typesets(lab: Lab, page: Any) -> None:
    """Point 10: given a notebook whose markdown has math (so MathJax is loaded and typesets), when a cell
    shows a finished bar with its price, the dry-run's price note and, last, an HTML output of its own with
    math (typeset: the control), then our outputs read ``$0.23/h`` and ``$0.92/h`` as text, with no
    MathJax element inside them."""
    write_notebook(
        lab,
        "prices.ipynb",
        [
            nbformat.v4.new_markdown_cell("Math renders here: $x^2$"),
            nbformat.v4.new_code_cell(
                "%load_ext jupyter_compute\n"
                "%compute create cluster mj-cl --max-instances 4 --wait\n"
                "%compute create cluster mj-more --max-instances 4 --dry-run\n"
                "from IPython.display import HTML, display\n"
                "display(HTML(\"<p class='math-control'>$y^2$</p>\"))"
            ),
        ],
    )
    open_notebook(page, lab, "prices.ipynb")
    page.locator(".jp-MarkdownOutput mjx-container").first.wait_for(timeout=60_000)
    run_nth_cell(page, 1)
    outputs = page.locator(".jp-NotebookPanel .jp-Cell").nth(1).locator(".jp-OutputArea")
    try:
        outputs.locator(".jupyter-compute-static[data-status='Succeeded']").wait_for(timeout=120_000)
        outputs.locator(".math-control mjx-container").wait_for(timeout=60_000)  # typeset: MathJax ran on this cell
    finally:
        shot(page, "notebook-10-prices")
    text = outputs.inner_text()
    assert "Succeeded" in text and "up to 4 nodes × $0.23/h = $0.92/h" in text, text  # the bar's line and the note's
    assert outputs.locator(".jp-OutputArea-output:not(:has(.math-control)) mjx-container").count() == 0
    ours = outputs.locator(".jupyter-compute-output")
    assert ours.count() >= 2 and all(NO_MATH in (c or "") for c in ours.evaluate_all("es => es.map(e => e.className)"))


def assert_a_live_bar_says_its_kernel_stopped(lab: Lab, page: Any, name: str, stop: Callable[[], None]) -> None:
    """Given a create followed by a live bar (slow: minutes to go) in a notebook of its own, when ``stop``
    stops its kernel, then the bar is marked disconnected, no longer shows the time left, shows no
    broken-link icons, and says that the kernel that followed it has stopped and that ``%compute wait NAME``
    follows it again. Screenshots: notebook-12-live-NAME, notebook-12-stopped-NAME."""
    write_notebook(
        lab,
        f"{name}.ipynb",
        [
            nbformat.v4.new_code_cell(
                "%env JUPYTER_COMPUTE_SPEED=0.1\n"
                "%load_ext jupyter_compute\n"
                f"%compute create cluster {name} --max-instances 1"
            )
        ],
    )
    open_notebook(page, lab, f"{name}.ipynb")
    run_nth_cell(page, 0)
    bar = page.locator(".jp-NotebookPanel .jp-OutputArea-output .jupyter-compute-progress")
    left = bar.locator(".jupyter-compute-left")
    left.wait_for(state="visible", timeout=60_000)
    assert "left" in left.inner_text()
    shot(page, f"notebook-12-live-{name}")
    stop()
    said = bar.locator(".jupyter-compute-orphaned")
    try:
        said.wait_for(state="visible", timeout=60_000)
    finally:
        shot(page, f"notebook-12-stopped-{name}")
    assert "jupyter-widgets-disconnected" in (bar.get_attribute("class") or "")
    assert f"%compute wait {name} follows it again" in said.inner_text()
    assert not left.is_visible()
    icons = bar.evaluate(
        "b => [b, ...b.querySelectorAll('*')].map(e => getComputedStyle(e, '::before').content)"
        ".filter(c => c && c !== 'none' && c !== 'normal')"
    )
    assert icons == [], "no broken-link icon in the bar"


def test_a_bar_whose_kernel_restarted_says_so_and_how_to_follow_again(lab: Lab, page: Any) -> None:
    """Point 12: when the kernel restarts (ipywidgets disconnects the bar's view), the bar says its kernel
    stopped and how to follow it again (:func:`assert_a_live_bar_says_its_kernel_stopped`)."""

    def restart() -> None:
        page.evaluate("() => { window.jupyterapp.commands.execute('kernelmenu:restart'); }")  # it waits for the dialog
        page.locator(".jp-Dialog .jp-mod-accept").click()

    assert_a_live_bar_says_its_kernel_stopped(lab, page, "slow-cl", restart)


def test_a_bar_whose_kernel_shut_down_says_so_like_after_a_restart(lab: Lab, page: Any) -> None:
    """Point 12: when the kernel shuts down (jupyterlab-manager does not disconnect the views then: the lab
    extension marks the bars), the bar looks as after a restart."""

    def shut_down() -> None:
        page.evaluate("() => window.jupyterapp.commands.execute('kernelmenu:shutdown')")  # no dialog for one notebook

    assert_a_live_bar_says_its_kernel_stopped(lab, page, "slow-sd", shut_down)
