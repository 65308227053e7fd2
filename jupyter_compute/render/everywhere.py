"""Every workspace's computes and bill (``list --all-workspaces``, ``costs --all-workspaces``), as text and
HTML (escaped), and the progress line shown while they are gathered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .markup import Markup, html
from .prices import flag_line, per_hour, whose
from .tables import html_table, text_table

if TYPE_CHECKING:
    from ..model.everywhere import AllWorkspaces

NO_COMPUTES_ANYWHERE = "No computes in any workspace your sign-in sees."


def progress_line(stage: str, done: int, total: int) -> str:
    """``Listing the workspaces of 3 subscriptions: 2/3`` / ``Listing the computes of 7 workspaces: 5/7``."""
    noun = "subscription" if stage == "subscriptions" else "workspace"
    what = "workspaces" if stage == "subscriptions" else "computes"
    return f"Listing the {what} of {total} {noun}{'s' if total != 1 else ''}: {done}/{total}"


def _failures(survey: AllWorkspaces) -> list[str]:
    return [f"not listed: {what}: {why}" for what, why in survey.failures]


def bill_rows(survey: AllWorkspaces) -> list[dict[str, str]]:
    return [
        {
            "workspace": bill.workspace.name,
            "resource group": bill.workspace.resource_group,
            "subscription": bill.workspace.subscription_name or bill.workspace.subscription_id,
            "running": str(len(bill.costs.running)),
            "now": per_hour(bill.costs.total_per_hour, bill.costs.currency)
            + (f" + {bill.costs.unknown} unknown" if bill.costs.unknown else ""),
        }
        for bill in survey.bills
    ]


def _bill_lines(survey: AllWorkspaces) -> list[str]:
    count = len(survey.bills)
    total = (
        f"Total now: {per_hour(survey.total_per_hour, survey.currency)}{whose(survey.currency, survey.emulated)} "
        f"across {count} workspace{'s' if count != 1 else ''}"
    )
    if survey.unknown:
        total += f", and {survey.unknown} running at a price unknown"
    flags = [f"{bill.workspace.name}: {flag_line(cost)}" for bill, cost in survey.flagged]
    return [total, *flags, *_failures(survey)]


def all_computes_text(survey: AllWorkspaces) -> str:
    return "\n".join([text_table(survey.rows(), empty=NO_COMPUTES_ANYWHERE), *_failures(survey)])


def all_computes_html(survey: AllWorkspaces) -> Markup:
    notes = Markup("").join(html("<p class='jupyter-compute-note'>{}</p>", line) for line in _failures(survey))
    return html_table(survey.rows(), empty=NO_COMPUTES_ANYWHERE) + notes


def all_costs_text(survey: AllWorkspaces) -> str:
    return "\n".join([text_table(bill_rows(survey), empty="No workspace could be listed."), *_bill_lines(survey)])


def all_costs_html(survey: AllWorkspaces) -> Markup:
    lines = Markup("").join(html("<p>{}</p>", line) for line in _bill_lines(survey))
    return html("<div class='jupyter-compute-costs'>{}{}</div>", html_table(bill_rows(survey)), lines)
