"""The one tracker (poller) per workspace that follows every operation in flight together.

It asks its :class:`Source` for two things only: the listing of the workspace's computes, and a GET
of a URL (an operation's status URL, or a compute). Its cost follows the work in flight, never the
workspace's size:

- each running operation GETs **its own compute** on its own schedule (:data:`FIRST_GAPS` intervals
  apart at first, then every :data:`STEADY_GAP` intervals: 30 s at the default 5 s, the pace of
  azure-ai-ml's pollers), and asks its status URL (by its :mod:`~jupyter_compute.transport.lro`
  strategy) only when the compute looks finished, to confirm the end and get the error, or when the
  compute has not been found for :data:`UNLISTED_TICKS` polls (a create raced by a delete elsewhere
  then ends, saying so, instead of waiting forever);
- the whole workspace is listed only for listeners (a visible panel), every ``list_interval``
  seconds (JUPYTER_COMPUTE_LIST_INTERVAL, 30 s by default), or at once after :meth:`Poller.poll_now`;
  operations due then read their compute off that listing instead of asking for it. Asks for a listing
  coalesce: any number made before the next tick (operations ending together) make one listing, and an
  operation that ended reading a listing asks for none (the listeners get that listing next);
- ``pace()`` (what the service said is left of the subscription's read budget,
  :mod:`~jupyter_compute.transport.ratelimit`) stretches every gap before the budget runs out.

With nothing in flight and no listener, nothing is sent and the thread ends. Operations still
submitting (their checks and request under way) are held but not followed until the service accepts
them. The background thread (started under ``contextvars.copy_context()``, so what it displays stays in
the cell that started it) calls :meth:`Poller.tick` every interval; a tick asks only what is due by
the poller's clock, so tests call ``tick()`` themselves with a fake source and a fake clock.
A failing listing, listener or tick is logged (``jupyter_compute.service.tracker``), never silent.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .. import settings
from ..errors import ComputeError, NotFound, ServiceError, UntrustedLink
from ..model.resource import FAILED
from ..transport.lro import IN_PROGRESS, UNKNOWN, Answer, Status, resource_error
from .operation import ENDS, Operation, State, Updater, creates, removes

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 5.0
UNLISTED_TICKS = 3  # polls a create may go unfound before it asks its own status URL
FIRST_GAPS = (1, 2, 2)  # intervals between an operation's first polls (at 5 s: polled at 5, 10, 20, 30 s)
STEADY_GAP = 6  # intervals between its later polls: 30 s at the default interval, as azure-ai-ml's pollers
LIST_GAP = 6  # intervals between a visible panel's listings when JUPYTER_COMPUTE_LIST_INTERVAL is not set
ListListener = Callable[[Sequence[Mapping[str, Any]]], None]


class Source(Protocol):
    """What the tracker may ask of a workspace. Both raise the package's errors (NotFound, …)."""

    def list_computes(self) -> Sequence[Mapping[str, Any]]:
        """Every compute of the workspace, as the service lists them (all pages)."""
        ...

    def get(self, url: str, link: str) -> Answer:
        """GET ``url``; ``link`` names where it came from, for the error when it is off the ARM endpoint."""
        ...


def poll_interval(local: bool, speed: float) -> float:
    """Seconds between ticks: JUPYTER_COMPUTE_POLL_INTERVAL, else 5 s (faster on a sped-up local workspace)."""
    configured = settings.current().poll_interval
    if configured is not None:
        return configured
    if local:
        return min(DEFAULT_INTERVAL, max(0.1, DEFAULT_INTERVAL / speed))
    return DEFAULT_INTERVAL


def list_interval(interval: float) -> float:
    """Seconds between a visible panel's listings: JUPYTER_COMPUTE_LIST_INTERVAL, else 6 poll intervals (30 s)."""
    configured = settings.current().list_interval
    return configured if configured is not None else LIST_GAP * interval


@dataclass
class Followed:
    """The tracker's own bookkeeping of one operation it follows (no one else reads or sets it)."""

    updates: Updater
    found: bool = False  # its compute was read or listed: a create that then vanishes was deleted
    unlisted: int = 0  # polls in a row its compute was not found (or could not be read)
    due: float | None = None  # its next poll by the clock (None: not polled yet, due at once when running)
    polls: int = 0

    @property
    def operation(self) -> Operation:
        return self.updates.operation

    def gone(self) -> bool:
        """Whether its compute vanishing from the list means it was deleted (by someone else): a change
        to an existing compute, or a create already seen, can then never finish."""
        action = self.operation.action
        return not removes(action) and (not creates(action) or self.found)


def gap(polls: int) -> int:
    """Intervals from an operation's ``polls``-th poll to its next one."""
    return FIRST_GAPS[polls - 1] if 0 < polls <= len(FIRST_GAPS) else STEADY_GAP


class Poller:
    """Follows every operation of one workspace in flight, each by its own compute; lists for listeners."""

    def __init__(
        self,
        source: Source,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        list_every: float | None = None,
        pace: Callable[[], float] = lambda: 1.0,
    ) -> None:
        """``interval``: seconds between ticks; ``list_every``: seconds between listings while a listener is
        registered (default 6 intervals); ``pace``: how many times slower to go now (1: as planned)."""
        self.source = source
        self.interval = interval
        self.list_every = LIST_GAP * interval if list_every is None else list_every
        self.clock = clock  # operations the workspace starts measure their elapsed time by it
        self.pace = pace
        self._ops: list[Followed] = []
        self._next_list = float("-inf")
        self._list_asked = False
        self._holding: int | None = None  # the thread whose tick holds a fresh listing, until its listeners heard it
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.ticks = 0
        self.last_error: Exception | None = None
        self.listeners: list[ListListener] = []
        self._on_error: dict[ListListener, Callable[[Exception], None]] = {}
        self._on_track: list[Callable[[Operation], None]] = []

    def track(self, updates: Updater, *, found: bool = False) -> Operation:
        """Follow ``updates``' operation from now: it is in flight at once, followed once the service has
        accepted it; the :meth:`on_track` callbacks hear of it (the panel draws its bar before any listing).
        ``found``: its compute was just read (a create that then vanishes was deleted meanwhile)."""
        op = updates.operation
        with self._lock:
            self._ops.append(Followed(updates, found))
            self._start_locked()
            heard = list(self._on_track)
        for callback in heard:
            try:
                callback(op)
            except Exception:
                log.warning("jupyter-compute: a tracking listener of the poller failed", exc_info=True)
        return op

    def on_track(self, callback: Callable[[Operation], None], *, remove: bool = False) -> None:
        """Call ``callback`` with every operation followed from now on (``remove``: no longer)."""
        with self._lock:
            if remove:
                if callback in self._on_track:
                    self._on_track.remove(callback)
            elif callback not in self._on_track:
                self._on_track.append(callback)

    def following(self, name: str) -> Operation | None:
        """The operation in flight on compute ``name`` (case-insensitive), if any. Compares names before
        asking an operation whether it is done: the panel follows every compute caught mid-change at
        once, and asking each of hundreds of operations per compute cost seconds (bench/panel_open.py)."""
        key = name.lower()
        with self._lock:
            ops = (f.operation for f in self._ops)
            return next((op for op in ops if op.target.lower() == key and not op.done()), None)

    def in_flight(self) -> list[Operation]:
        """The operations followed that have not ended (submitting ones included)."""
        with self._lock:
            return [f.operation for f in self._ops if not f.operation.done()]

    def add_listener(self, listener: ListListener, on_error: Callable[[Exception], None] | None = None) -> None:
        """Call ``listener`` with the listed computes on every listing (the visible panel, which has just
        listed the workspace itself: the next listing is one ``list_every`` away), and ``on_error`` with
        the reason when a listing failed; keeps the poller ticking while it is registered."""
        with self._lock:
            self.listeners.append(listener)
            if on_error is not None:
                self._on_error[listener] = on_error
            self._next_list = max(self._next_list, self.clock() + self.list_every * self._pace())
            self._start_locked()

    def remove_listener(self, listener: ListListener) -> None:
        with self._lock:
            if listener in self.listeners:
                self.listeners.remove(listener)
            self._on_error.pop(listener, None)

    def poll_now(self) -> None:
        """Tick without waiting (e.g. a user asked to refresh, a panel was shown again, an operation ended):
        lists at once for the listeners, and with none, asks every running operation. Restarts the thread if
        it is not running while there is something to follow. Asks made before that tick are one listing;
        one made from within a tick that holds a fresh listing (an operation ended reading it) asks nothing:
        the listeners hear that listing once the operations have taken it in."""
        with self._lock:
            if self._holding == threading.get_ident():
                return
            self._list_asked = True
            self._wake.set()
            if self._ops or self.listeners:
                self._start_locked()

    def next_due(self) -> float:
        """When the next request is due by the poller's clock (inf: nothing to ask)."""
        with self._lock:
            times = [f.due for f in self._ops if f.due is not None]
            if self.listeners:
                times.append(self._next_list)
            return min(times, default=float("inf"))

    def _pace(self) -> float:
        try:
            return max(1.0, float(self.pace()))
        except Exception:  # a defect there must not stop the polling; as planned then
            log.warning("jupyter-compute: reading the service's rate budget failed", exc_info=True)
            return 1.0

    # --- the thread ------------------------------------------------------------------------------

    def _start_locked(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            ctx = contextvars.copy_context()
            self._thread = threading.Thread(
                target=ctx.run, args=(self._run,), name="jupyter-compute-poller", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        # The first tick comes one interval after the first operation: its submission answer is fresh.
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            with self._lock:
                self._ops = [f for f in self._ops if not f.operation.done()]
                if not self._ops and not self.listeners:
                    self._thread = None
                    return
            try:
                self.tick()
            except Exception:  # a defect must not end the thread (nothing would be followed any more)
                log.warning("jupyter-compute: a poller tick failed; trying again next tick", exc_info=True)

    # --- one round -----------------------------------------------------------------------------------

    def tick(self, ops: Sequence[Operation] | None = None) -> None:
        """One round over ``ops`` (default: all in flight; only those it follows), asking only what is due by
        the clock: the listing when a listener waits for one (then the listeners hear it), and each running
        operation's compute, or its status when the compute looks finished or has gone unfound too long."""
        self.ticks += 1
        now = self.clock()
        pace = self._pace()
        with self._lock:
            asked, self._list_asked = self._list_asked, False
            listing = bool(self.listeners) and (asked or now >= self._next_list)
            if listing:
                self._next_list = now + self.list_every * pace
            followed = [f for f in self._ops if not f.operation.done() and (ops is None or f.operation in ops)]
        listed = self._list() if listing else None
        if listed is not None:
            with self._lock:
                self._holding = threading.get_ident()
        try:
            by_name = {str(r.get("name", "")).lower(): r for r in listed or ()}
            for f in followed:
                op = f.operation
                if op.state is not State.RUNNING:  # still submitting (not accepted yet), or ended
                    continue
                if listed is not None:  # the listing is this operation's poll
                    self._follow(f, by_name.get(op.target.lower()))
                elif f.due is None or now >= f.due or (asked and not listing):
                    self._poll(f)
                else:
                    continue
                with self._lock:
                    f.polls += 1
                    f.due = now + gap(f.polls) * self.interval * pace
            with self._lock:
                self._ops = [f for f in self._ops if not f.operation.done()]
                listeners = list(self.listeners)
            if listed is None:
                return
            # Listeners (the panel) come after the operations have taken in this listing.
            for listener in listeners:
                try:
                    listener(listed)
                except Exception:
                    log.warning("jupyter-compute: a listener of the poller failed", exc_info=True)
        finally:
            if listed is not None:
                with self._lock:
                    self._holding = None

    def _list(self) -> Sequence[Mapping[str, Any]] | None:
        try:
            listed = self.source.list_computes()
        except Exception as exc:  # the poller must outlive any failure; try again next listing
            if isinstance(exc, ComputeError):
                log.debug("jupyter-compute: listing the workspace failed; trying again later: %s", exc)
            else:
                log.warning("jupyter-compute: listing the workspace failed; trying again later", exc_info=True)
            self.last_error = exc
            with self._lock:
                on_error = list(self._on_error.values())
            for callback in on_error:
                try:
                    callback(exc)
                except Exception:
                    log.warning("jupyter-compute: a listing-error listener failed", exc_info=True)
            return None
        self.last_error = None
        return listed

    def _poll(self, f: Followed) -> None:
        """One GET of the operation's own compute; a compute the service cannot be asked about now counts as
        unfound (after a few, the operation asks its own status)."""
        op = f.operation
        try:
            answer = self.source.get(op.resource_url, "resource URL")
        except NotFound:
            self._follow(f, None)
            return
        except UntrustedLink as exc:
            f.updates.finish(State.FAILED, exc)
            return
        except ComputeError as exc:
            log.debug("jupyter-compute: reading %s failed; trying again later: %s", op.target, exc)
            self.last_error = exc
            self._unlisted(f)
            return
        self.last_error = None
        self._follow(f, answer.body if isinstance(answer.body, Mapping) else {})

    def _follow(self, f: Followed, resource: Mapping[str, Any] | None) -> None:
        if resource is not None:
            f.found, f.unlisted = True, 0
        if resource is None and f.gone():
            f.updates.deleted()
        elif resource is None and creates(f.operation.action):
            f.updates.observe(None)
            self._unlisted(f)
        elif (seen := f.updates.observe(resource)) is not None:
            self._confirm(f, seen)

    def _unlisted(self, f: Followed) -> None:
        f.unlisted += 1
        if f.unlisted >= UNLISTED_TICKS:
            self._check_alone(f)

    def _ask(self, op: Operation) -> Status | None:
        """The operation's own status by its strategy; None when it cannot be had now (try next tick).
        A status URL that 404s (an expired operation record) reads as Unknown: the resource decides."""
        strategy = op.strategy
        if not strategy.polls:
            return None
        try:
            answer = self.source.get(strategy.url, strategy.link)
        except UntrustedLink as exc:
            return Status("Failed", exc)
        except NotFound:
            return Status(UNKNOWN)
        except ServiceError as exc:  # the service refused to tell (400, 403, …): that is this operation's end
            return None if exc.status is None or exc.status == 429 or exc.status >= 500 else Status("Failed", exc)
        except ComputeError:  # unreachable or not signed in: the list reports it; try again next tick
            return None
        op.strategy = strategy.after(answer)
        return strategy.status(answer)

    def _confirm(self, f: Followed, seen: str) -> None:
        """The compute shows the end ``seen``: the status URL confirms it (and gives the error), or the
        resource is it."""
        op = f.operation
        if not op.strategy.polls:
            f.updates.finish(ENDS[seen], resource_error(op.resource) if seen in FAILED else None)
            return
        asked = self._ask(op)
        if asked is None or asked.status == IN_PROGRESS:
            return
        self._end(f.updates, asked if asked.status != UNKNOWN else Status(seen))

    def _check_alone(self, f: Followed) -> None:
        """Not listed for a while: the status URL, then the compute itself, say how it goes."""
        op, updates = f.operation, f.updates
        asked = self._ask(op) if op.strategy.polls else Status(UNKNOWN)
        if asked is None or asked.status == IN_PROGRESS:
            return
        if asked.status in FAILED:
            self._end(updates, asked)
            return
        try:
            answer = self.source.get(op.resource_url, "resource URL")
        except NotFound:
            resource = None
        except UntrustedLink as exc:
            updates.finish(State.FAILED, exc)
            return
        except ComputeError:
            return
        else:
            resource = answer.body if isinstance(answer.body, Mapping) else {}
        if resource is None:
            updates.finish(State.SUCCEEDED) if removes(op.action) else updates.deleted()
            return
        f.found, f.unlisted = True, 0
        if (seen := updates.observe(resource)) is not None:
            self._end(updates, Status(seen) if asked.status == UNKNOWN else asked)

    def _end(self, updates: Updater, status: Status) -> None:
        op = updates.operation
        if status.resource is not None and not removes(op.action):
            op.resource = status.resource
        error = status.error
        if status.status in FAILED and error is None:
            error = resource_error(op.resource) if status.status == "Failed" else None
        updates.finish(ENDS.get(status.status, State.SUCCEEDED), error)
