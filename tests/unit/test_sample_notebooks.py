"""The sample notebooks are in the form JupyterLab keeps (issue 22, point 17): opening one does not mark it
modified. JupyterLab writes the kernel's spec (``kernelspec``) and its ``kernel_info`` reply's
``language_info`` into a notebook's metadata as soon as the kernel is up, and any difference marks the
notebook dirty, so a reload asks "leave page?" before anything ran. The files therefore carry exactly
what ipykernel gives, and they are already in nbformat's written form (what a save would write), with
cell ids and no outputs. The Python version in ``language_info`` is the one ``./dev`` builds with: a
kernel on another Python still rewrites it (JupyterLab's behaviour, jupyter/notebook#2123)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from ipykernel.ipkernel import IPythonKernel
from jupyter_client.kernelspec import KernelSpecManager

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_sample_notebooks() -> None:
    assert len(NOTEBOOKS) >= 9


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_a_sample_notebook_carries_what_the_kernel_would_write_into_it(path: Path) -> None:
    nb = nbformat.reads(path.read_text(), as_version=4)
    spec = KernelSpecManager().get_kernel_spec("python3")
    assert nb.metadata.kernelspec == {"display_name": spec.display_name, "language": spec.language, "name": "python3"}
    language = dict(nb.metadata.language_info)
    expected = dict(IPythonKernel.language_info)
    assert {**language, "version": ""} == {**expected, "version": ""}
    assert language["version"].count(".") == 2 and language["version"].startswith("3.")
    assert set(nb.metadata) == {"kernelspec", "language_info"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_a_sample_notebook_is_in_the_form_a_save_writes(path: Path) -> None:
    text = path.read_text()
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) == (nbformat.current_nbformat, nbformat.current_nbformat_minor)
    assert all(cell.get("id") for cell in nb.cells), "cell ids (nbformat 4.5): no id is added on open"
    assert not [c for c in nb.cells if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert text == nbformat.writes(nb) + "\n"
