"""The one tracker (poller) per workspace that follows every operation in flight together.

It asks its :class:`Source` for two things only: the listing of the workspace's computes, and a GET
of a URL (an operation's status URL, or a compute). Each :meth:`Poller.tick` makes **one** list
request however many operations are in flight, and reads each running operation's progress off its
compute, so the request rate does not grow with the number of operations. An operation asks its
own status (by its :mod:`~jupyter_compute.transport.lro` strategy) only

- when its compute looks finished in the list, to confirm the end and get the error, or
- when its compute has not been listed for :data:`UNLISTED_TICKS` ticks (or listing fails): a
  create raced by a delete elsewhere then ends, saying so, instead of waiting forever.

Operations still submitting (their checks and request under way) are held but not followed until the
service accepts them. The background thread (started under ``contextvars.copy_context()``, so what it
displays stays in the cell that started it) just calls :meth:`Poller.tick` every interval and stops
when nothing is left to follow; tests call ``tick()`` themselves, with a fake source and a fake clock.
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
UNLISTED_TICKS = 3  # ticks a create may go unlisted before it asks its own status URL
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


class Poller:
    """Follows every operation of one workspace in flight, with one list request per tick."""

    def __init__(self, source: Source, interval: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.source = source
        self.interval = interval
        self.clock = clock  # operations the workspace starts measure their elapsed time by it
        self._ops: list[Operation] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.ticks = 0
        self.last_error: Exception | None = None
        self.listeners: list[ListListener] = []
        self._on_error: dict[ListListener, Callable[[Exception], None]] = {}

    def track(self, op: Operation) -> Operation:
        """Follow ``op`` from now: it is in flight at once, followed once the service has accepted it."""
        with self._lock:
            self._ops.append(op)
            self._start_locked()
        return op

    def forget(self, op: Operation) -> None:
        with self._lock:
            if op in self._ops:
                self._ops.remove(op)

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
        """Call ``listener`` with the listed computes on every tick (the panel), and ``on_error`` with
        the reason when a tick could not list; keeps the poller ticking."""
        with self._lock:
            self.listeners.append(listener)
            if on_error is not None:
                self._on_error[listener] = on_error
            self._start_locked()

    def remove_listener(self, listener: ListListener) -> None:
        with self._lock:
            if listener in self.listeners:
                self.listeners.remove(listener)
            self._on_error.pop(listener, None)

    def poll_now(self) -> None:
        """Tick without waiting for the interval (e.g. a user asked to refresh). Restarts the thread if it
        is not running while there is something to follow."""
        with self._lock:
            self._wake.set()
            if self._ops or self.listeners:
                self._start_locked()

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
                    self._thread = None
                    return
            try:
                self.tick()
            except Exception:  # a defect must not end the thread (nothing would be followed any more)
                log.warning("jupyter-compute: a poller tick failed; trying again next tick", exc_info=True)

    # --- one round -----------------------------------------------------------------------------------

    def tick(self, ops: Sequence[Operation] | None = None) -> None:
        """One round over ``ops`` (default: all in flight): one list request, then a status request for
        each running operation that looks finished or has gone unlisted too long; then the listeners."""
        self.ticks += 1
        listed = self._list()
        by_name = {str(r.get("name", "")).lower(): r for r in listed or ()}
        for op in self.in_flight() if ops is None else ops:
            if op.state is not State.RUNNING:  # still submitting (not accepted yet), or ended
                continue
            if listed is None:  # absence proves nothing, but an operation must not wait on the list forever
                self._unlisted(op)
            else:
                self._follow(op, by_name.get(op.target.lower()))
        with self._lock:
            self._ops = [op for op in self._ops if not op.done()]
            listeners = list(self.listeners)
        if listed is None:
            return
        # Listeners (the panel) come after the operations have taken in this listing.
        for listener in listeners:
            try:
                listener(listed)
            except Exception:
                log.warning("jupyter-compute: a listener of the poller failed", exc_info=True)

    def _list(self) -> Sequence[Mapping[str, Any]] | None:
        try:
            listed = self.source.list_computes()
        except Exception as exc:  # the poller must outlive any failure; try again next tick
            if isinstance(exc, ComputeError):
                log.debug("jupyter-compute: listing the workspace failed; trying again next tick: %s", exc)
            else:
                log.warning("jupyter-compute: listing the workspace failed; trying again next tick", exc_info=True)
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
