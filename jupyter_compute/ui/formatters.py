"""How the package's objects show in IPython: an operation as its live bar, computes as HTML tables.

The model and the service know nothing of display; this wires it in from above, through IPython's
own formatter registry. Types are registered by name (``for_type_by_name``), so installing imports
none of them, and subclasses are covered. The package's top installs it on ``%load_ext`` and when its
public API first hands out a Workspace, an Operation or a compute inside IPython.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..render.everywhere import all_computes_html, all_computes_text, all_costs_html, all_costs_text
from ..render.markup import output
from ..render.prices import costs_html, costs_text
from ..render.tables import computes_html
from .show import show

if TYPE_CHECKING:
    from ..model.costs import Costs
    from ..model.everywhere import AllWorkspaces
    from ..model.resource import Compute, ComputeList

OPERATION = ("jupyter_compute.service.operation", "Operation")
COMPUTE = ("jupyter_compute.model.resource", "Compute")
COMPUTE_LIST = ("jupyter_compute.model.resource", "ComputeList")
COSTS = ("jupyter_compute.model.costs", "Costs")
EVERYWHERE = ("jupyter_compute.model.everywhere", "AllWorkspaces")


def install(shell: Any) -> None:
    """Register the package's displays with ``shell`` (an IPython InteractiveShell); idempotent."""
    formatter = getattr(shell, "display_formatter", None)
    if formatter is None:
        return
    formatter.ipython_display_formatter.for_type_by_name(*OPERATION, show)
    html = formatter.formatters["text/html"]
    html.for_type_by_name(*COMPUTE, _computes_html)
    html.for_type_by_name(*COMPUTE_LIST, _computes_html)
    html.for_type_by_name(*COSTS, _costs_html)
    formatter.formatters["text/plain"].for_type_by_name(*COSTS, _costs_pretty)
    html.for_type_by_name(*EVERYWHERE, _everywhere_html)
    formatter.formatters["text/plain"].for_type_by_name(*EVERYWHERE, _everywhere_pretty)


def _computes_html(computes: Compute | ComputeList) -> str:
    return output(computes_html(computes))


def _costs_html(costs: Costs) -> str:
    return output(costs_html(costs))


def _costs_pretty(costs: Costs, printer: Any, cycle: bool) -> None:
    printer.text(costs_text(costs))


def _everywhere_html(survey: AllWorkspaces) -> str:
    """Every workspace's computes, then the bill."""
    return output(all_computes_html(survey) + all_costs_html(survey))


def _everywhere_pretty(survey: AllWorkspaces, printer: Any, cycle: bool) -> None:
    printer.text(all_computes_text(survey) + "\n\n" + all_costs_text(survey))
