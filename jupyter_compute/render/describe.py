"""One description of an operation's progress, which every rendering of it reads.

:func:`describe` turns an operation (or a bare :class:`~jupyter_compute.model.progress.Progress`) into a
:class:`Description`: its words (what, phase, nodes, elapsed, time left, how it ended, the error's
headline, the note), its fraction done, its style and that style's colour. The text bar, the final
line, the one-line summary, the widget bar and the panel's rows only arrange these parts; none of them
reads the progress or the error itself, so a change of wording is made here once. The parts are raw
text: each renderer escapes (HTML) or cleans (terminals) them at its edge.

Time is read here once, too. The elapsed time and the time left are those of ``now`` on the
operation's own clock (the tracker's; injectable), not of the last poll: a bar drawn between two polls,
or the panel's row drawn at another moment than the notebook's bar, says the same. The node counts read
as a phrase (:func:`nodes_phrase`: "1 of 2 nodes ready, 1 preparing"), and a refusal as a sentence
(:mod:`.refusals`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from ..errors import ComputeError
from ..model.progress import Progress
from .palette import fill
from .prices import estimate_line
from .refusals import explain, headline

if TYPE_CHECKING:
    from ..service.operation import Operation

STYLES = {"Succeeded": "success", "Failed": "danger", "Canceled": "warning"}
# Each style's colour: ipywidgets' bar styles (the notebook's live bar), from JupyterLab's theme when there
# is one (palette.py). The static bar and the panel's rows (``bar()["colour"]``) draw with these.
COLOURS = {
    style: fill(tone)
    for style, tone in (("info", "info"), ("success", "success"), ("danger", "error"), ("warning", "warn"))
}
# What a node state is called in the node phrase (the service's words otherwise).
NODE_STATES = {"preparing": "preparing", "leaving": "leaving", "unusable": "unusable", "preempted": "preempted"}
OUTCOMES = {"Succeeded": "done", "Failed": "FAILED", "Canceled": "canceled"}
NOT_WATCHING = "not watching (it goes on in the service)"


class BarData(TypedDict):
    """A bar as plain data, as the panel's rows carry it to the front end (``static/table.js``; its TypeScript
    declaration ``static/row.d.ts`` is generated from this: ``python scripts/row_types.py``)."""

    title: str
    info: str
    fraction: float
    style: str
    colour: str
    error: str
    note: str
    phase: str
    nodes: str
    left: str
    spoken: str
    news: str


@dataclass(frozen=True)
class Description:
    """An operation's progress in words. ``outcome`` is how a final line says it ended: done, FAILED,
    canceled, or detached (not followed to its end); ``error`` is the service error's headline
    (``Code: message (request id: …)``) and ``error_text`` all of it."""

    target: str
    action: str
    kind: str
    phase: str
    nodes: str
    elapsed: str
    left: str
    fraction: float
    status: str
    style: str
    outcome: str
    watching: str
    error: str
    error_text: str
    note: str

    @property
    def title(self) -> str:
        """What is done to which kind: ``create cluster``."""
        return f"{self.action} {self.kind}".strip()

    @property
    def heading(self) -> str:
        """``create cluster cpu-1``."""
        return f"{self.title} {self.target}".strip()

    def details(self) -> list[str]:
        """Phase, nodes, elapsed, then (while it runs) the time left or that it is no longer watched."""
        parts = [self.phase, self.nodes, self.elapsed, self.left, self.watching]
        return [part for part in parts if part]

    @property
    def spoken(self) -> str:
        """What a bar says to a screen reader (its ``aria-valuetext``): the phase and the nodes, without the
        times that change every tick (``Allocating nodes, 1 of 2 nodes ready``)."""
        return ", ".join(part for part in (self.phase, self.nodes) if part)

    @property
    def news(self) -> str:
        """What a screen reader is told once when the phase changes or the operation ends
        (``create cluster cpu-1: Allocating nodes``; a failure adds the error's headline)."""
        said = f"{self.heading}: {self.phase}"
        return f"{said}. {self.error}" if self.error else said

    def ended(self) -> list[str]:
        """How it ended, then the phase, nodes and elapsed (the final line's parts)."""
        return [part for part in (self.outcome, self.phase, self.nodes, self.elapsed) if part]

    @property
    def colour(self) -> str:
        """The CSS colour of the bar's fill (its style's, as the notebook's live bar draws it)."""
        return COLOURS.get(self.style, COLOURS["info"])

    def bar(self) -> BarData:
        """A bar as plain data (the panel's rows): title, info (the details joined), fraction, style (the
        notebook bar's ``bar_style``) and its colour, error (headline) and note; and the parts of info
        (phase, nodes, left) for a front end that lays them out itself, and what it says to a screen reader."""
        return {
            "title": self.title,
            "info": " · ".join(self.details()),
            "fraction": self.fraction,
            "style": self.style,
            "colour": self.colour,
            "error": self.error,
            "note": self.note,
            "phase": self.phase,
            "nodes": self.nodes,
            "left": self.left,
            "spoken": self.spoken,
            "news": self.news,
        }


def describe(subject: Operation | Progress, now: float | None = None) -> Description:
    """The words of ``subject``'s progress at ``now`` (on the operation's clock; default: its clock's
    now). A bare Progress has no target, action, error or note, and is read as it is."""
    if isinstance(subject, Progress):
        return _description(subject, subject.elapsed, "", "", "", False, None, "")
    p = subject.progress
    running = p.status == "InProgress" and not subject.done()
    elapsed = max(p.elapsed, subject.elapsed(now)) if running else p.elapsed
    return _description(
        p,
        elapsed,
        subject.target,
        subject.action,
        subject.kind,
        subject.detached,
        subject.error,
        _note(subject),
    )


def _note(op: Operation) -> str:
    """The operation's note, then (a create, once its price is known) what the compute costs an hour; not
    once it failed (nothing is billed then)."""
    parts = [op.note or ""]
    if op.estimate is not None and op.status not in ("Failed", "Canceled"):
        parts.append(estimate_line(op.estimate))
    return "; ".join(p for p in parts if p)


def _description(
    p: Progress,
    elapsed: float,
    target: str,
    action: str,
    kind: str,
    detached: bool,
    error: ComputeError | None,
    note: str,
) -> Description:
    running = p.status == "InProgress"
    failed = p.status == "Failed" and error is not None  # the phase need not repeat the error's code
    return Description(
        target=target,
        action=action,
        kind=kind,
        phase="Failed" if failed else p.phase,
        nodes=nodes_phrase(p.current_nodes, p.target_nodes, p.node_states),
        elapsed=duration(elapsed),
        left=time_left(p.eta, elapsed - p.elapsed) if running else "",
        fraction=float(p.fraction),
        status=p.status,
        style=STYLES.get(p.status, "info"),
        outcome=OUTCOMES.get(p.status, "detached"),
        watching=NOT_WATCHING if detached and running else "",
        error=headline(error) if error is not None else "",
        error_text=explain(error) if error is not None else "",
        note=note,
    )


def time_left(eta: float | None, since: float = 0.0) -> str:
    """``~40s left``: the estimate made ``since`` seconds ago, counted down; "" when there is none or
    it has run out (the operation takes longer than usual: no number is better than a wrong one)."""
    if eta is None:
        return ""
    left = eta - max(since, 0.0)
    return f"~{duration(left)} left" if left >= 1.0 else ""


def nodes_phrase(current: int | None, target: int | None, states: Mapping[str, int] | None = None) -> str:
    """A cluster's nodes in words: ``1 of 2 nodes ready, 1 preparing``; ``3 nodes, going down to 1``;
    ``no nodes``; "" when the compute has no node counts (an instance, an attached compute). Ready
    nodes are idle or running a job; with no per-state counts, every current node is."""
    if current is None and target is None:
        return ""
    current, target, states = current or 0, target or 0, states or {}
    if current == 0 and target == 0:
        return "no nodes"
    ready = states.get("idle", 0) + states.get("running", 0) if states else current
    others = [
        f"{count} {NODE_STATES.get(state, state)}"
        for state, count in states.items()
        if count and state not in ("idle", "running")
    ]
    if current > target:
        text = f"{current} {_nodes(current)}, going down to {target}"
    else:
        text = f"{ready} of {target} {_nodes(target)} ready"
    return ", ".join([text, *others])


def _nodes(count: int) -> str:
    return "node" if count == 1 else "nodes"


def duration(seconds: float) -> str:
    """``42s``, ``3m05s``."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}m{secs:02d}s"
