"""The Compute panel's decisions in plain Python, without widgets: which computes are shown and as what
(a listing, each in flight here as its operation last read it, a create accepted here but not listed yet),
each row's bar, busy action and message, when a finished operation's bar goes, which operations' bars
stand above the list, when a panel nobody looks at stops polling, whether a row action is allowed now, and
what each row action does (:data:`ROW_ACTIONS`).

:class:`PanelState` takes a clock, so its tests are tables of listings, operations and instants with no
widget and no waiting (``tests/unit/test_panel_state.py``); :class:`~jupyter_compute.ui.panel.ComputePanel`
holds one, feeds it listings and operations, and sets its widgets' traits from what :meth:`PanelState.draw`
returns. Not thread-safe on its own: the panel calls it under its lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ...model import kinds
from ...model.progress import is_transitional
from ...model.resource import Compute
from ...render.describe import BarData, describe
from ...service.operation import State
from ...service.workspace import Workspace
from ..rows import CONFIRMED, Row, actions_for, refusal, row_of

if TYPE_CHECKING:
    from ...errors import ComputeError
    from ...service.operation import Operation

FINISHED_BAR_SECONDS = 60.0  # a finished operation's bar stays on its row this long (how it ended)

#: The row actions that open the pane under the list (:mod:`.tools`) rather than start an operation.
PANES = ("details", "resize", "edit")


@dataclass(frozen=True)
class RowAction:
    """What a row action does: opens its pane (``run`` is None), or starts ``run(workspace, name)`` at once."""

    name: str
    run: Callable[[Workspace, str], Operation] | None = None

    @property
    def pane(self) -> bool:
        return self.run is None


#: The :class:`Workspace` verb of each row action that starts an operation at once.
_VERBS: Mapping[str, Callable[[Workspace, str], Operation]] = {
    "start": Workspace.start,
    "stop": Workspace.stop,
    "restart": Workspace.restart,
    "delete": Workspace.delete,
    "detach": Workspace.detach,
}


def _row_actions() -> dict[str, RowAction]:
    """Every action a row can offer: the kinds table's actions (``kinds.KINDS``), edit and details, and the
    confirmed ones (delete, detach); each a pane or a verb."""
    names = dict.fromkeys([*(a for kind in kinds.KINDS for a in kind.actions), "edit", "details", *CONFIRMED])
    return {name: RowAction(name) if name in PANES else RowAction(name, _VERBS[name]) for name in names}


#: The one dispatch of the panel's row actions (the list view sends ``{"action", "name"}``).
ROW_ACTIONS: Mapping[str, RowAction] = _row_actions()


class Followed(Protocol):
    """What the panel reads of an operation (:class:`~jupyter_compute.service.operation.Operation`)."""

    action: str
    target: str
    resource: Mapping[str, Any] | None
    error: ComputeError | None

    @property
    def state(self) -> State: ...

    @property
    def refused(self) -> bool: ...

    def done(self) -> bool: ...


@dataclass(frozen=True)
class Drawn:
    """What the widgets show: the rows (unchanged rows are the same objects as last time), and the operations
    in flight whose compute is not listed (their bars above the list)."""

    rows: list[Row]
    pending: list[Any]


def _bar(op: Any) -> BarData:
    return describe(op).bar()


def _error_text(op: Any) -> str:
    return describe(op).error_text


@dataclass
class PanelState:
    """The panel's rows and what they hang on: the last listing, each row's last operation (and when it
    ended, by ``clock``), the rows' messages, whether listing failed, when a view was last seen."""

    local: bool = False  # the computes are the local workspace's (emulated)
    clock: Callable[[], float] = time.monotonic
    bar_of: Callable[[Any], BarData] = _bar
    error_of: Callable[[Any], str] = _error_text
    finished_bar_seconds: float = FINISHED_BAR_SECONDS
    listed: list[Compute] = field(default_factory=list)
    messages: dict[str, str] = field(default_factory=dict)  # row messages (a failed action), by compute name
    recent: dict[str, tuple[Any, float | None]] = field(default_factory=dict)  # each row's last op, its end
    list_failed: bool = False
    last_seen: float = 0.0
    _rows: dict[str, tuple[Mapping[str, Any], Row]] = field(default_factory=dict)  # each row, by its body

    def __post_init__(self) -> None:
        self.last_seen = self.clock()

    # --- what comes in ------------------------------------------------------------------------------

    def listing(self, bodies: Iterable[Mapping[str, Any]], in_flight: Iterable[Followed]) -> list[Compute]:
        """A fresh listing: it is the list now; returns the computes in a transition that no operation in
        flight follows (the panel follows them: another kernel or process started them)."""
        self.list_failed = False
        self.listed = [Compute(body, emulated=self.local) for body in bodies]
        followed = {op.target.lower() for op in in_flight if not op.done()}
        return [c for c in self.listed if c.name.lower() not in followed and is_transitional(c.body)]

    def listing_failed(self) -> None:
        """The workspace could not be listed: no rows (their buttons would act on a workspace that does not
        answer) until a listing succeeds again."""
        self.list_failed = True
        self.listed = []

    def follow(self, op: Followed) -> None:
        """``op`` is its compute's last operation: its bar on the row (a refusal too), however fast it ends."""
        self.recent[op.target.lower()] = (op, None)

    def started(self, op: Followed) -> None:
        """An operation started from the panel: its bar on the row, and the row's old message goes."""
        self.follow(op)
        self.messages.pop(op.target.lower(), None)

    def track(self, in_flight: Iterable[Followed]) -> None:
        """Each operation in flight becomes its row's last operation (its bar)."""
        for op in in_flight:
            key = op.target.lower()
            if not op.done() and self.recent.get(key, (None, None))[0] is not op:
                self.recent[key] = (op, None)

    def ended(self, op: Followed) -> None:
        """``op`` ended: its compute is shown as the operation last read it until the next listing (a
        delete or detach leaves it to the listing)."""
        if op.action in ("delete", "detach") or not isinstance(op.resource, Mapping):
            return
        key = op.target.lower()
        resource = op.resource
        self.listed = [Compute(resource, emulated=self.local) if c.name.lower() == key else c for c in self.listed]

    def say(self, name: str, message: str) -> None:
        """A sentence on ``name``'s row (a refused or failed action); "" takes it away."""
        if message:
            self.messages[name.lower()] = message
        else:
            self.messages.pop(name.lower(), None)

    def clear(self) -> None:
        """Another workspace is shown: nothing of this one's."""
        self.listed = []
        self.recent.clear()
        self._rows.clear()
        self.messages.clear()
        self.list_failed = False

    # --- views seen, polling paused -----------------------------------------------------------------

    def seen(self) -> None:
        """A view of the list said it is shown (a heartbeat or a click)."""
        self.last_seen = self.clock()

    def unseen(self, pause_after: float | None) -> bool:
        """No view has said it is shown for ``pause_after`` seconds (None: never pause)."""
        return pause_after is not None and self.clock() - self.last_seen >= pause_after

    # --- decisions ----------------------------------------------------------------------------------

    def shown(self) -> list[Compute]:
        """The computes as last listed, each in flight here as its operation last read it (its own polls are
        fresher than a listing up to half a minute old), and a create accepted here but not listed yet (while
        its bar is shown)."""
        shown = list(self.listed)
        where = {c.name.lower(): i for i, c in enumerate(shown)}
        for key, (op, _done_at) in list(self.recent.items()):
            body = op.resource
            if not isinstance(body, Mapping) or str(body.get("name", "")).lower() != key or op.refused:
                continue
            if key in where:
                if not op.done():
                    shown[where[key]] = Compute(body, emulated=self.local)
            elif op.action in ("create", "attach") and op.state is not State.SUBMITTING:
                where[key] = len(shown)
                shown.append(Compute(body, emulated=self.local))
        return shown

    def allowed(self, action: str, name: str) -> tuple[Compute | None, str]:
        """The shown compute ``name`` and why ``action`` on it is refused now ("" when it is not); no compute
        when it is not shown or the workspace cannot be listed."""
        key = name.lower()
        compute = next((c for c in self.shown() if c.name.lower() == key), None)
        if compute is None or self.list_failed:
            return None, ""
        if action not in actions_for(compute) or action not in ROW_ACTIONS:
            return compute, refusal(compute, action)
        op = self.recent.get(key, (None, None))[0]
        if op is not None and not op.done() and op.action == action:
            return compute, f"{action} of {compute.name} is already under way. Nothing was sent."
        return compute, ""

    def draw(self, in_flight: Sequence[Followed]) -> Drawn:
        """The rows now: each compute shown with its last operation's bar (a finished one's for
        ``finished_bar_seconds`` after it was first drawn ended), the action under way (busy), and its
        message (an action's, else its operation's refusal); then the operations in flight whose compute is
        not listed. Rows and last operations of computes gone from the list go too."""
        now = self.clock()
        self.track(in_flight)
        rows: list[Row] = []
        for compute in self.shown():
            key = compute.name.lower()
            bar = None
            if key in self.recent:
                op, done_at = self.recent[key]
                if op.done():
                    done_at = done_at if done_at is not None else now
                    self.recent[key] = (op, done_at)
                if done_at is not None and now - done_at > self.finished_bar_seconds:
                    del self.recent[key]
                else:
                    bar = self.bar_of(op)
            last = self.recent.get(key, (None, None))[0]
            busy = last.action if last is not None and not last.done() else ""
            refused = last if last is not None and last.refused else None
            message = self.messages.get(key) or (self.error_of(refused) if refused is not None else "")
            rows.append(self._row(key, compute, busy, bar, message))
        listed = {row["name"].lower() for row in rows}
        for gone in set(self._rows) - listed:
            del self._rows[gone]
        for gone in set(self.recent) - listed - {op.target.lower() for op in in_flight}:
            del self.recent[gone]  # a deleted compute's last bar goes with its row
        pending = [op for op in in_flight if not op.done() and op.target.lower() not in listed]
        return Drawn(rows, pending)

    def _row(self, key: str, compute: Compute, busy: str, bar: BarData | None, message: str) -> Row:
        """The row of ``compute``: built again only when its body changed (a tick of 1000 computes with one
        change builds one row, and the unchanged rows are the same objects, compared by identity)."""
        cached = self._rows.get(key)
        if cached is None or cached[0] != compute.body:
            cached = (compute.body, row_of(compute))
            self._rows[key] = cached
        base = cached[1]
        if (base["busy"], base["bar"], base["message"]) == (busy, bar, message):
            return base
        row = base.copy()
        row["busy"], row["bar"], row["message"] = busy, bar, message
        return row
