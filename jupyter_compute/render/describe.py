"""One description of an operation's progress, which every rendering of it reads.

:func:`describe` turns an operation (or a bare :class:`~jupyter_compute.model.progress.Progress`) into a
:class:`Description`: its words (what, phase, nodes, elapsed, time left, how it ended, the error's
headline, the note), its fraction done and its style. The text bar, the final line, the one-line
summary, the widget bar and the panel's rows only arrange these parts; none of them reads the progress
or the error itself, so a change of wording is made here once. The parts are raw text: each renderer
escapes (HTML) or cleans (terminals) them at its edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ComputeError
from ..model.progress import Progress
from .prices import estimate_line

if TYPE_CHECKING:
    from ..service.operation import Operation

STYLES = {"Succeeded": "success", "Failed": "danger", "Canceled": "warning"}
OUTCOMES = {"Succeeded": "done", "Failed": "FAILED", "Canceled": "canceled"}
NOT_WATCHING = "not watching (it goes on in the service)"


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

    def ended(self) -> list[str]:
        """How it ended, then the phase, nodes and elapsed (the final line's parts)."""
        return [part for part in (self.outcome, self.phase, self.nodes, self.elapsed) if part]

    def bar(self) -> dict[str, Any]:
        """A bar as plain data (the panel's rows): title, info (the details joined), fraction, style,
        error (headline) and note."""
        return {
            "title": self.title,
            "info": " · ".join(self.details()),
            "fraction": self.fraction,
            "style": self.style,
            "error": self.error,
            "note": self.note,
        }


def describe(subject: Operation | Progress) -> Description:
    """The words of ``subject``'s progress; a bare Progress has no target, action, error or note."""
    if isinstance(subject, Progress):
        return _description(subject, "", "", "", False, None, "")
    return _description(
        subject.progress,
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
    target: str,
    action: str,
    kind: str,
    detached: bool,
    error: ComputeError | None,
    note: str,
) -> Description:
    running = p.status == "InProgress"
    return Description(
        target=target,
        action=action,
        kind=kind,
        phase=p.phase,
        nodes=p.nodes_text,
        elapsed=duration(p.elapsed),
        left=f"~{duration(p.eta)} left" if running and p.eta else "",
        fraction=float(p.fraction),
        status=p.status,
        style=STYLES.get(p.status, "info"),
        outcome=OUTCOMES.get(p.status, "detached"),
        watching=NOT_WATCHING if detached and running else "",
        error=error.headline if error is not None else "",
        error_text=str(error) if error is not None else "",
        note=note,
    )


def duration(seconds: float) -> str:
    """``42s``, ``3m05s``."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}m{secs:02d}s"
