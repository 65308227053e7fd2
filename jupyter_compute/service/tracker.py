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
from typing import Any, Protocol

from .. import settings
from ..errors import ComputeError, NotFound, ServiceError, UntrustedLink
from ..model.resource import FAILED
from ..transport.lro import IN_PROGRESS, UNKNOWN, Answer, Status, resource_error
from .operation import ENDS, Operation, State

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
        self._ops: list[Operation] = []
        self._due: dict[Operation, tuple[float, int]] = {}  # a running operation's next poll, and polls so far
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

    def track(self, op: Operation) -> Operation:
        """Follow ``op`` from now: it is in flight at once, followed once the service has accepted it; the
        :meth:`on_track` callbacks hear of it (the panel draws its bar before any listing)."""
        with self._lock:
            self._ops.append(op)
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

    def forget(self, op: Operation) -> None:
        with self._lock:
            if op in self._ops:
                self._ops.remove(op)
            self._due.pop(op, None)

    def following(self, name: str) -> Operation | None:
        """The operation in flight on compute ``name`` (case-insensitive), if any. Compares names before
        asking an operation whether it is done: the panel follows every compute caught mid-change at
        once, and asking each of hundreds of operations per compute cost seconds (bench/panel_open.py)."""
        key = name.lower()
        with self._lock:
            return next((op for op in self._ops if op.target.lower() == key and not op.done()), None)

    def in_flight(self) -> list[Operation]:
        """The operations followed that have not ended (submitting ones included)."""
        with self._lock:
            return [op for op in self._ops if not op.done()]

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
            times = [due for due, _polls in self._due.values()]
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
                self._ops = [op for op in self._ops if not op.done()]
                if not self._ops and not self.listeners:
                    self._due.clear()
                    self._thread = None
                    return
            try:
                self.tick()
            except Exception:  # a defect must not end the thread (nothing would be followed any more)
                log.warning("jupyter-compute: a poller tick failed; trying again next tick", exc_info=True)

    # --- one round -----------------------------------------------------------------------------------

    def tick(self, ops: Sequence[Operation] | None = None) -> None:
        """One round over ``ops`` (default: all in flight), asking only what is due by the clock: the
        listing when a listener waits for one (then the listeners hear it), and each running operation's
        compute, or its status when the compute looks finished or has gone unfound too long."""
        self.ticks += 1
        now = self.clock()
        pace = self._pace()
        with self._lock:
            asked, self._list_asked = self._list_asked, False
            listing = bool(self.listeners) and (asked or now >= self._next_list)
            if listing:
                self._next_list = now + self.list_every * pace
        listed = self._list() if listing else None
        if listed is not None:
            with self._lock:
                self._holding = threading.get_ident()
        try:
            by_name = {str(r.get("name", "")).lower(): r for r in listed or ()}
            for op in self.in_flight() if ops is None else ops:
                if op.state is not State.RUNNING:  # still submitting (not accepted yet), or ended
                    continue
                with self._lock:
                    due, polls = self._due.get(op, (now, 0))  # first seen running: due at once
                if listed is not None:  # the listing is this operation's poll
                    self._follow(op, by_name.get(op.target.lower()))
                elif now >= due or (asked and not listing):
                    self._poll(op)
                else:
                    continue
                with self._lock:
                    self._due[op] = (now + gap(polls + 1) * self.interval * pace, polls + 1)
            with self._lock:
                self._ops = [op for op in self._ops if not op.done()]
                for op in [op for op in self._due if op.done()]:
                    del self._due[op]
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

    def _poll(self, op: Operation) -> None:
        """One GET of ``op``'s own compute; a compute the service cannot be asked about now counts as unfound
        (after a few, the operation asks its own status)."""
        try:
            answer = self.source.get(op.resource_url, "resource URL")
        except NotFound:
            self._follow(op, None)
            return
        except UntrustedLink as exc:
            op._finish(State.FAILED, exc)
            return
        except ComputeError as exc:
            log.debug("jupyter-compute: reading %s failed; trying again later: %s", op.target, exc)
            self.last_error = exc
            self._unlisted(op)
            return
        self.last_error = None
        self._follow(op, answer.body if isinstance(answer.body, Mapping) else {})

    def _follow(self, op: Operation, resource: Mapping[str, Any] | None) -> None:
        if resource is None and op._gone():
            op._deleted()
        elif resource is None and op._creates():
            op._observe(None)
            self._unlisted(op)
        elif op._observe(resource):
            self._confirm(op)

    def _unlisted(self, op: Operation) -> None:
        op._unlisted_ticks += 1
        if op._unlisted_ticks >= UNLISTED_TICKS:
            self._check_alone(op)

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

    def _confirm(self, op: Operation) -> None:
        """The list shows the end: the status URL confirms it (and gives the error), or the resource is it."""
        if not op.strategy.polls:
            op._finish(ENDS[op._seen], resource_error(op.resource) if op._seen in FAILED else None)
            return
        asked = self._ask(op)
        if asked is None or asked.status == IN_PROGRESS:
            return
        self._end(op, asked if asked.status != UNKNOWN else Status(op._seen))

    def _check_alone(self, op: Operation) -> None:
        """Not listed for a while: the status URL, then the compute itself, say how it goes."""
        asked = self._ask(op) if op.strategy.polls else Status(UNKNOWN)
        if asked is None or asked.status == IN_PROGRESS:
            return
        if asked.status in FAILED:
            self._end(op, asked)
            return
        try:
            answer = self.source.get(op.resource_url, "resource URL")
        except NotFound:
            resource = None
        except UntrustedLink as exc:
            op._finish(State.FAILED, exc)
            return
        except ComputeError:
            return
        else:
            resource = answer.body if isinstance(answer.body, Mapping) else {}
        if resource is None:
            op._finish(State.SUCCEEDED) if op._removes() else op._deleted()
        elif op._observe(resource):
            self._end(op, Status(op._seen) if asked.status == UNKNOWN else asked)

    def _end(self, op: Operation, status: Status) -> None:
        if status.resource is not None and not op._removes():
            op.resource = status.resource
        error = status.error
        if status.status in FAILED and error is None:
            error = resource_error(op.resource) if status.status == "Failed" else None
        op._finish(ENDS.get(status.status, State.SUCCEEDED), error)
