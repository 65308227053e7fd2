"""The one rate limit of the UI: bars and the panel redraw at most a few times a second, on one thread.

A :class:`Throttle` runs its action at most once per interval however often it is asked. A request
made when the last run is at least an interval old runs at once; later ones coalesce into one run when
the interval is up; an ``urgent`` request (a final state) runs at once whatever the interval. With
``defer`` the action never runs in the requesting thread (a poller callback must not wait for a redraw
of the panel): "at once" then means "next, on the scheduler's thread".

Deferred runs happen on the process's one :class:`Scheduler` thread (no thread or timer per update),
each in the context of the request that scheduled it, so output it makes lands in the cell that asked.
The clock is injected: tests drive a scheduler without a thread with a fake clock, and never sleep.
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)
Clock = Callable[[], float]
Action = Callable[[], object]


@dataclass(order=True)
class Handle:
    """A scheduled call; :meth:`cancel` keeps it from running."""

    when: float
    seq: int
    action: Action = field(compare=False)
    context: contextvars.Context = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    """Runs calls when they are due, in order. With ``thread`` one daemon thread (started on the first
    call) runs them; without, whoever owns the scheduler calls :meth:`run_due` (tests, with a fake clock)."""

    def __init__(self, clock: Clock = time.monotonic, *, thread: bool = True) -> None:
        self.clock = clock
        self._threaded = thread
        self._heap: list[Handle] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def call_at(self, when: float, action: Action) -> Handle:
        """Run ``action`` once the clock reads ``when`` (in the caller's current context)."""
        handle = Handle(when, next(self._seq), action, contextvars.copy_context())
        with self._cond:
            heapq.heappush(self._heap, handle)
            if self._threaded and self._thread is None:
                self._thread = threading.Thread(target=self._run, name="jupyter-compute-ui", daemon=True)
                self._thread.start()
            self._cond.notify()
        return handle

    def call_later(self, delay: float, action: Action) -> Handle:
        return self.call_at(self.clock() + delay, action)

    def pending(self) -> int:
        """Calls scheduled and not cancelled."""
        with self._cond:
            return sum(1 for h in self._heap if not h.cancelled)

    def next_due(self) -> float | None:
        """When the next call is due, or None when nothing waits."""
        with self._cond:
            self._drop_cancelled()
            return self._heap[0].when if self._heap else None

    def run_due(self) -> int:
        """Run every call due by now, earliest first; returns how many ran. A call that raises is logged
        and the others still run."""
        ran = 0
        while True:
            with self._cond:
                self._drop_cancelled()
                if not self._heap or self._heap[0].when > self.clock():
                    return ran
                handle = heapq.heappop(self._heap)
            if handle.cancelled:  # cancelled between the pop and now
                continue
            try:
                handle.context.run(handle.action)
            except Exception:  # a broken redraw must not stop the others
                log.exception("a scheduled UI update failed")
            ran += 1

    def _drop_cancelled(self) -> None:
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._drop_cancelled()
                while not self._heap or self._heap[0].when > self.clock():
                    timeout = None if not self._heap else max(0.0, self._heap[0].when - self.clock())
                    self._cond.wait(timeout)
                    self._drop_cancelled()
            self.run_due()


_shared: Scheduler | None = None
_shared_lock = threading.Lock()


def shared() -> Scheduler:
    """The process's one UI scheduler (its thread starts with the first call scheduled)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Scheduler()
        return _shared


class Throttle:
    """Runs ``action`` at most once per ``interval`` seconds, however often :meth:`request` is called.
    Runs never overlap."""

    def __init__(
        self, action: Action, interval: float, *, scheduler: Scheduler | None = None, defer: bool = False
    ) -> None:
        self.action = action
        self.interval = interval
        self.defer = defer
        self._scheduler = scheduler
        self._last = float("-inf")
        self._pending: Handle | None = None
        self._lock = threading.Lock()
        self._running = threading.Lock()

    @property
    def scheduler(self) -> Scheduler:
        if self._scheduler is None:
            self._scheduler = shared()
        return self._scheduler

    def request(self, urgent: bool = False, here: bool = False) -> None:
        """Ask for a run: now when the last one is an interval old (or ``urgent``), else one run when
        the interval is up, shared by every request until then. ``here``: a run due now happens in this
        thread even when deferred (a poll's tick draws what it listed on that tick when it may)."""
        clock = self.scheduler.clock
        with self._lock:
            now = clock()
            due = now if urgent else max(now, self._last + self.interval)
            if due <= now and (here or not self.defer):
                if self._pending is not None:
                    self._pending.cancel()
                    self._pending = None
                self._last = now
                inline = True
            else:
                inline = False
                if self._pending is None or self._pending.cancelled or self._pending.when > due:
                    if self._pending is not None:
                        self._pending.cancel()
                    self._pending = self.scheduler.call_at(due, self._fire)
        if inline:
            self._run()

    def cancel(self) -> None:
        """Drop a run that is waiting (one running goes on)."""
        with self._lock:
            if self._pending is not None:
                self._pending.cancel()
                self._pending = None

    def _fire(self) -> None:
        with self._lock:
            self._pending = None
            self._last = self.scheduler.clock()
        self._run()

    def _run(self) -> None:
        with self._running:
            self.action()
