"""Tables of computes (and of anything row-shaped): HTML for notebooks, aligned text for terminals."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

STATE_COLOURS = {
    "Succeeded": "#2e7d32",
    "Running": "#2e7d32",
    "Failed": "#c62828",
    "CreateFailed": "#c62828",
    "Stopped": "#616161",
    "Deleting": "#ef6c00",
}


def text_table(rows: Sequence[Mapping[str, object]], empty: str = "(none)") -> str:
    if not rows:
        return empty
    columns = list(rows[0])
    cells = [[str(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def html_table(rows: Sequence[Mapping[str, object]], empty: str = "(none)") -> str:
    if not rows:
        return f"<p class='jupyter-compute-empty'>{html.escape(empty)}</p>"
    columns = list(rows[0])
    head = "".join(f"<th style='text-align:left'>{html.escape(c)}</th>" for c in columns)
    body = []
    for row in rows:
        tds = []
        for c in columns:
            value = str(row.get(c, ""))
            style = "text-align:left"
            if c == "state" and value in STATE_COLOURS:
                style += f";color:{STATE_COLOURS[value]};font-weight:600"
            tds.append(f"<td style='{style}'>{html.escape(value)}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    return f"<table class='jupyter-compute-table'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
