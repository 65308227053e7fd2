"""Tables of computes (and of anything row-shaped): HTML for notebooks, aligned text for terminals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..model.resource import ComputeList
from .connect import connect_html, connect_text
from .doctor import fact_lines
from .markup import Markup, html, output
from .palette import state_colour
from .power import power_html, power_text
from .terminal import one_line

if TYPE_CHECKING:
    from ..model.directory import Directory
    from ..model.resource import Compute

NO_COMPUTES = "No computes in this workspace."
NO_WORKSPACES = "No Azure ML workspace in the subscriptions this sign-in sees."


def text_table(rows: Sequence[Mapping[str, object]], empty: str = "(none)") -> str:
    if not rows:
        return empty
    columns = list(rows[0])
    cells = [[one_line(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    columns = [one_line(c) for c in columns]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def html_table(rows: Sequence[Mapping[str, object]], empty: str = "(none)") -> Markup:
    if not rows:
        return html("<p class='jupyter-compute-empty'>{}</p>", empty)
    columns = list(rows[0])
    head = Markup("").join(html("<th style='text-align:left'>{}</th>", c) for c in columns)
    body = []
    for row in rows:
        tds = []
        for c in columns:
            value = str(row.get(c, ""))
            colour = state_colour(value) if c == "state" else None
            style = f"text-align:left;color:{colour};font-weight:600" if colour else "text-align:left"
            tds.append(html("<td style='{}'>{}</td>", style, value))
        body.append(html("<tr>{}</tr>", Markup("").join(tds)))
    return html(
        "<table class='jupyter-compute-table'><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
        head,
        Markup("").join(body),
    )


def compute_rows(computes: Compute | Sequence[Compute]) -> list[dict[str, str]]:
    """The table rows of one compute or of a list of them: the table's columns of :meth:`Compute.row`."""
    listed = computes if isinstance(computes, Sequence) else [computes]
    return [{column: str(row[column]) for column in ComputeList.COLUMNS} for row in (c.row() for c in listed)]


def computes_text(computes: Compute | Sequence[Compute], nodes: Sequence[Mapping[str, Any]] | None = None) -> str:
    """A compute, or a workspace's list, as an aligned text table; one instance also says how to connect, and
    when it stops and starts by itself (and why it last did); one compute its OS image or its busy nodes (with
    their jobs when its ``nodes`` were listed)."""
    table = text_table(compute_rows(computes), empty=NO_COMPUTES)
    if isinstance(computes, Sequence):
        return table
    sections = (connect_text(computes), power_text(computes), "\n".join(_facts(computes, nodes)))
    return "\n\n".join([table, *(s for s in sections if s)])


def computes_html(computes: Compute | Sequence[Compute]) -> Markup:
    """A compute, or a workspace's list, as an HTML table (state in its colour); one instance also says
    how to connect (its links and ssh command), and when it stops and starts by itself; one compute its OS
    image or how many of its nodes are busy."""
    table = html_table(compute_rows(computes), empty=NO_COMPUTES)
    if isinstance(computes, Sequence):
        return table
    facts = Markup("").join(html("<p class='jupyter-compute-fact'>{}</p>", line) for line in _facts(computes, None))
    return table + connect_html(computes) + power_html(computes) + facts


def _facts(compute: Compute, nodes: Sequence[Mapping[str, Any]] | None) -> list[str]:
    return fact_lines(compute, nodes)


class Listing(list[Any]):
    """What a verb found, as the service gives it (a list), shown as the table a terminal prints: in a
    notebook ``%compute sizes`` reads as the priced table and ``%compute nodes`` as the nodes' table, not
    as the service's dicts (``empty``: what an empty one says)."""

    def __init__(
        self, items: Sequence[Any], rows: Sequence[Mapping[str, object]], footer: str = "", empty: str = "(none)"
    ) -> None:
        super().__init__(items)
        self.rows = list(rows)
        self.footer = footer
        self.empty = empty

    def __repr__(self) -> str:
        return text_table(self.rows, self.empty) + (f"\n{self.footer}" if self.footer else "")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def _repr_html_(self) -> str:
        notes = Markup("").join(
            html("<p class='jupyter-compute-note'>{}</p>", line) for line in self.footer.splitlines()
        )
        return output(html_table(self.rows, self.empty) + notes)


def unlisted_footer(directory: Directory) -> str:
    """The lines under a workspace list: each subscription whose workspaces are not in it, and why."""
    return "\n".join(f"not listed: {u.line()}" for u in directory.unlisted)
