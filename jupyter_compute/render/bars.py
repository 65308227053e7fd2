"""An operation's bar as HTML: the widget bar's title and info, and the same bar as static markup.

The static bar is what a finished operation leaves in a cell (its live widget is closed then) and
what the panel shows for operations whose compute is not listed yet. Every string comes from
:func:`~jupyter_compute.render.describe.describe` and is escaped (:mod:`.markup`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .describe import Description, describe
from .markup import ERROR_COLOUR, Markup, html

if TYPE_CHECKING:
    from ..service.operation import Operation


def title_html(d: Description) -> Markup:
    """``<b>cpu-1</b> create cluster``."""
    return html("<b>{}</b> <span style='opacity:.7'>{}</span>", d.target, d.title)


# Read by screen readers, not shown (a status region's text).
UNSEEN = "position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap"


def said_html(d: Description) -> Markup:
    """The bar's polite status: its news (phase, or how it ended), which changes only when the phase does."""
    return html("<span class='jupyter-compute-said' role='status' style='{}'>{}</span>", UNSEEN, d.news)


def info_html(d: Description) -> Markup:
    """The details line (the time left in a span of its own, which a bar whose kernel has gone hides),
    then the error (in the error colour: a sentence, or the service's code and message) and the note."""
    info = Markup("")
    for i, part in enumerate(d.details()):
        said = html("{}{}", " · " if i else "", part)
        info += html("<span class='jupyter-compute-left'>{}</span>", said) if part == d.left else said
    if d.error:
        info += html("<br><span class='jupyter-compute-error' style='color:{}'>{}</span>", ERROR_COLOUR, d.error)
    if d.note:
        info += html("<br><span style='opacity:.7'>{}</span>", d.note)
    return html("<span class='jupyter-compute-phase'>{}</span>", info)


def orphaned_html(d: Description) -> Markup:
    """What a live bar says once the kernel that followed its operation has gone (restarted): hidden until
    then. ipywidgets marks the views of a restarted kernel's widgets ``jupyter-widgets-disconnected``, and
    the lab extension's stylesheet then shows this instead of the time left, so the cell never looks alive."""
    return html(
        "<div class='jupyter-compute-orphaned' style='display:none'>The kernel that followed this has stopped, "
        "so this is the last line it showed; <code>%compute wait {}</code> follows it again.</div>",
        d.target,
    )


def track_html(d: Description) -> Markup:
    """The filled track in the bar's style: a ``progressbar`` with its value in percent and, as its value
    text, the phase and nodes (the live bar and the static one draw this)."""
    percent = round(max(0.0, min(1.0, d.fraction)) * 100)
    return html(
        "<div class='jupyter-compute-track' role='progressbar' aria-label='{}' aria-valuemin='0'"
        " aria-valuemax='100' aria-valuenow='{}' aria-valuetext='{}' data-style='{}'"
        " style='height:8px;margin:3px 0;border-radius:2px;background:var(--jp-layout-color3, #e0e0e0)'>"
        "<div class='jupyter-compute-fill' style='width:{}%;height:100%;border-radius:2px;background:{}'></div>"
        "</div>",
        d.heading,
        percent,
        d.spoken or d.status,
        d.style,
        percent,
        d.colour,
    )


def bar_html(op: Operation, *, said: bool = False) -> Markup:
    """The bar as static HTML: title, the track, the info; with ``said``, how it ended as a status (the
    cell's final bar, which replaces the live one at the end: never for a bar drawn again each tick)."""
    d = describe(op)
    return html(
        "<div class='jupyter-compute-progress jupyter-compute-static' data-status='{}' style='max-width:720px'>"
        "<div>{}</div>{}{}</div>",
        d.status,
        title_html(d) + (said_html(d) if said else Markup("")),
        track_html(d),
        info_html(d),
    )
