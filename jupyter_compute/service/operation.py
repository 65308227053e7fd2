"""An operation: the handle every long verb returns at once, with an explicit state.

    SUBMITTING ──> RUNNING ──> SUCCEEDED | FAILED | CANCELED
        │  └─────────────────> SUCCEEDED | FAILED        (nothing to send: the compute is already so)
        └──> FAILED                                       (refused: a check or the service said no; nothing changed)
    SUBMITTING | RUNNING ──> STOPPED_WATCHING             (cancel(): it goes on in the service)

While SUBMITTING, the checks that need the service (does the compute exist, is it the same, does
the size fit the quota) and the request itself run in the background (:meth:`Operation._submit`),
and show as the operation's first phases ("Checking", "Checking quota", "Submitting"). A failure
there ends the operation FAILED with that error, :attr:`Operation.refused`, and nothing was sent
after it. Once the service accepted the request the workspace's tracker follows the operation to
its end. Terminal states are data (:data:`TERMINAL_STATES`); an operation ends exactly once, and
:data:`STATUS_WORDS` is the one map from a state to the status word renderers show.

The ``_``-prefixed update methods are the service side of the handle: the workspace and the
tracker call them; front ends read the public surface only.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import itertools
import logging
import threading
import time
import uuid
from collections.abc import Callable, Generator, Mapping
from dataclasses import replace
from enum import Enum
from typing import TYPE_CHECKING, Any

from ..errors import ComputeError, OperationFailed, ServiceError, StoppedWatching
from ..model.progress import Progress, assess
from ..text import one_line
from ..transport.lro import ResourceState, Strategy

if TYPE_CHECKING:
    from ..model.costs import Estimate
    from ..model.resource import Compute

log = logging.getLogger(__name__)

Listener = Callable[["Operation"], None]
Runner = Callable[..., object]  # runner(function, *args) runs function(*args) in the background (Executor.submit)


class State(Enum):
    """Where an operation is. Only the first two are not terminal."""

    SUBMITTING = "submitting"  # checks and the request under way in the background; nothing accepted yet
    RUNNING = "running"  # the service accepted it; the tracker follows it
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # the service said it failed, or it was refused before anything was accepted
    CANCELED = "canceled"  # the service canceled it (or the compute was deleted meanwhile)
    STOPPED_WATCHING = "stopped watching"  # cancel(): it goes on in the service, its end is not known here


TERMINAL_STATES = frozenset({State.SUCCEEDED, State.FAILED, State.CANCELED, State.STOPPED_WATCHING})

#: The status word each state shows (``op.status``, ``op.progress.status``): what the renderers read.
STATUS_WORDS: Mapping[State, str] = {
    State.SUBMITTING: "InProgress",
    State.RUNNING: "InProgress",
    State.SUCCEEDED: "Succeeded",
    State.FAILED: "Failed",
    State.CANCELED: "Canceled",
    State.STOPPED_WATCHING: "InProgress",
}

#: The state an ARM terminal status word (Succeeded, Failed, Canceled) ends an operation in.
ENDS: Mapping[str, State] = {"Succeeded": State.SUCCEEDED, "Failed": State.FAILED, "Canceled": State.CANCELED}

_SUCCESS_PHASES = {
    "delete": "Deleted",
    "detach": "Detached",
    "stop": "Stopped",
    "start": "Running",
    "restart": "Running",
}


# Operation ids: unique across processes by one random prefix, then a counter (a uuid4 per operation
# read the OS's randomness, which under the panel's threads cost about a millisecond each, hundreds at once).
_ID_PREFIX = uuid.uuid4().hex[:12]
_ids = itertools.count(1)


class Operation:
    """A long-running action on one compute: create, attach, delete, detach, start, stop, restart, resize,
    update (identity). Returned at once; ``wait()``, ``result()``, ``await op`` and listeners follow it."""

    def __init__(
        self,
        action: str,
        target: str,
        compute_type: str,
        *,
        resource_url: str,
        strategy: Strategy | None = None,
        typical: float = 30.0,
        resource: Mapping[str, Any] | None = None,
        resumed: bool = False,
        note: str = "",
        clock: Callable[[], float] = time.monotonic,
        phase: str = "Checking",
        started: float | None = None,
    ) -> None:
        self.action = action
        self.target = target
        self.compute_type = compute_type
        self.resource_url = resource_url
        self.strategy: Strategy = strategy or ResourceState(resource_url)
        self.id = f"follow-{_ID_PREFIX}-{next(_ids)}"
        self.typical = typical
        self._clock = clock
        self.started = clock() if started is None else started  # by ``clock``; earlier for a change under way
        self.resumed = resumed
        self.note = note
        self.estimate: Estimate | None = None  # what it creates costs an hour, once known (create)
        self.resource: Mapping[str, Any] | None = resource
        self.error: ComputeError | None = None
        self._state = State.SUBMITTING
        self.progress = Progress(phase=phase, eta=typical)
        self._future: concurrent.futures.Future[Operation] = concurrent.futures.Future()
        self._settled = threading.Event()  # the submission (checks and request) is over
        self._accepted = False
        self._refused = False
        self._withdrawn = False
        self._listeners: list[Listener] = []
        self._lock = threading.RLock()
        self._listed = False
        self._unlisted_ticks = 0
        self._seen = "InProgress"  # the end the listed resource shows, until the strategy confirms it

    # --- the public surface -------------------------------------------------------------------

    @property
    def state(self) -> State:
        return self._state

    @property
    def status(self) -> str:
        """InProgress, Succeeded, Failed or Canceled (:data:`STATUS_WORDS`)."""
        return STATUS_WORDS[self._state]

    @property
    def detached(self) -> bool:
        """Whether watching was stopped with :meth:`cancel` (it goes on in the service)."""
        return self._state is State.STOPPED_WATCHING

    @property
    def refused(self) -> bool:
        """Whether it ended Failed before the service accepted anything: a check that needed the service
        refused it, or the service refused the request itself. Nothing was changed; ``error`` says why."""
        return self._refused and self._state is State.FAILED

    @property
    def status_url(self) -> str | None:
        """The operation's own status URL, once the service gave one."""
        return self.strategy.url if self.strategy.polls else None

    @property
    def name(self) -> str:
        return self.target

    @property
    def kind(self) -> str:
        from ..model.kinds import word_of  # the specs, only when a kind is asked for

        return word_of(self.compute_type) if self.compute_type else "compute"

    def done(self) -> bool:
        return self._future.done()

    def wait(self, timeout: float | None = None) -> Operation:
        """Block until the operation ends (or ``timeout`` seconds pass); returns self."""
        try:
            self._future.result(timeout)
        except concurrent.futures.TimeoutError:
            pass
        return self

    def submitted(self, timeout: float | None = None) -> Operation:
        """Block until the request has been sent and accepted, or the operation ended before that; then
        raise the error that refused it, if one did. For front ends that wait anyway (the command line, a
        terminal): they report a refusal as any error, and draw a bar only for an operation under way.
        A Ctrl-C while waiting here withdraws the request if it has not been sent yet."""
        try:
            self._settled.wait(timeout)
        except KeyboardInterrupt:
            with self._lock:
                self._withdrawn = True
            raise
        if self.refused and self.error is not None:
            raise self.error
        return self

    def result(self, timeout: float | None = None) -> Compute | None:
        """Wait, then the compute as it ended (None after delete/detach). Raises the error when it ended
        Failed or Canceled, and :class:`StoppedWatching` after :meth:`cancel` (its end is unknown here)."""
        try:
            self._future.result(timeout)
        except concurrent.futures.TimeoutError:
            raise TimeoutError(f"{self.action} {self.target} is still running after {timeout} s") from None
        state = self._state
        if state is State.STOPPED_WATCHING:
            raise StoppedWatching(
                f"stopped watching {self.action} of {self.target} ({self.progress.phase}); it goes on in the "
                f"service and its end is not known here: 'wait {self.target}' follows it again"
            )
        if self.error is not None:
            raise self.error
        if state is State.CANCELED:
            raise OperationFailed("Canceled", f"{self.action} of {self.target} was canceled by the service")
        if state is State.FAILED:
            raise OperationFailed("Failed", f"{self.action} of {self.target} failed without an error message")
        if self._removes() or self.resource is None:
            return None
        from ..model.resource import Compute

        return Compute(self.resource)

    def cancel(self) -> str:
        """Stop watching (the service goes on: a request still being submitted is still sent); says what
        was left running and how to find it again. ``result()`` then raises :class:`StoppedWatching`;
        an operation that already ended is unchanged."""
        phase = self.progress.phase
        if not self._end(State.STOPPED_WATCHING):
            return f"{self.action} of {self.target} already ended: {self.progress.phase}."
        return (
            f"Stopped watching {self.action} of {self.target} ({phase}). It goes on in the "
            f"service; '%compute wait {self.target}' or '%compute ops' follow it again."
        )

    def __await__(self) -> Generator[Any, None, Operation]:
        yield from asyncio.wrap_future(self._future).__await__()
        return self

    def add_listener(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def to_dict(self) -> dict[str, Any]:
        """What -o json / yaml print for an operation."""
        data: dict[str, Any] = {
            "id": self.id,
            "action": self.action,
            "target": self.target,
            "kind": self.kind,
            "status": self.status,
            "phase": self.progress.phase,
        }
        error = self.error
        if error is not None:
            data["error"] = {
                "code": getattr(error, "code", type(error).__name__),
                "message": getattr(error, "message", str(error)),
            }
            request_id = getattr(error, "request_id", None)
            if request_id:
                data["error"]["request_id"] = request_id
        if self.note:
            data["note"] = self.note
        if self.estimate is not None:
            data["estimate"] = self.estimate.to_dict()
        return data

    def __repr__(self) -> str:  # plain: the renderings of an operation live above the service
        phase = one_line(self.progress.phase)
        return f"<Operation {self.action} {self.kind} {one_line(self.target)} · {phase} ({self.status})>"

    # --- driven by the workspace: the submission ----------------------------------------------

    def _submit(
        self,
        work: Callable[[Operation], None],
        over: Callable[[], None] | None = None,
        *,
        runner: Runner | None = None,
    ) -> Operation:
        """Run ``work`` (the checks that need the service, then the request) in the background, under this
        context (so what it shows stays in the cell that started it). What it raises ends the operation
        refused. ``runner`` takes the job (a workspace's pool); by default it gets a thread of its own. Either
        way the thread is not a daemon: a script that exits at once still sends its request."""

        def run() -> None:
            try:
                work(self)
            except ComputeError as exc:
                self._refuse(exc)
            except Exception as exc:  # a defect of ours: say so on the operation, with the traceback in the log
                log.warning("jupyter-compute: submitting %s of %s failed", self.action, self.target, exc_info=True)
                self._refuse(ComputeError(f"{self.action} of {self.target} failed before it was sent: {exc!r}"))
            finally:
                self._settled.set()
                if over is not None:
                    over()

        ctx = contextvars.copy_context()
        if runner is not None:
            runner(ctx.run, run)
        else:
            thread = threading.Thread(target=ctx.run, args=(run,), name=f"jupyter-compute-{self.action}", daemon=False)
            thread.start()
        return self

    def _estimated(self, estimate: Estimate) -> None:
        """The price of what it creates became known: listeners show it."""
        self.estimate = estimate
        self._notify()

    def _phase(self, phase: str) -> None:
        """A submission step began ("Checking quota", "Submitting")."""
        if self._state is State.SUBMITTING:
            self._set_progress(replace(self.progress, phase=phase, elapsed=self._elapsed()))

    def _retarget(
        self,
        *,
        action: str | None = None,
        compute_type: str | None = None,
        typical: float | None = None,
        resource: Mapping[str, Any] | None = None,
    ) -> None:
        """What the checks learned: the compute's type, the action it is really in, its body."""
        self.action = action or self.action
        self.compute_type = compute_type or self.compute_type
        self.typical = self.typical if typical is None else typical
        if resource is not None:
            self.resource = resource

    def _send(self) -> None:
        """Called just before the request is sent: raises if a Ctrl-C withdrew it while a front end waited
        (see :meth:`submitted`), so it is never sent."""
        with self._lock:
            if self._withdrawn:
                raise OperationFailed(
                    "Interrupted", f"{self.action} of {self.target} was interrupted before its request was sent"
                )
        self._phase("Submitting")

    def _accept(self, strategy: Strategy, resource: Mapping[str, Any] | None) -> None:
        """The service accepted the request (or the compute is already doing it): RUNNING, followed by
        ``strategy``. After cancel() it only records what was accepted."""
        with self._lock:
            self._accepted = True
            self.strategy = strategy
            if strategy.polls:
                self.id = strategy.url.rsplit("/", 1)[-1].split("?")[0]
            if resource is not None:
                self.resource = resource
            if self._state is not State.SUBMITTING:
                return
            self._state = State.RUNNING
        self._set_progress(Progress(phase="Submitted", elapsed=self._elapsed(), eta=self.typical))

    def _following(self) -> Operation:
        """An operation already under way in the service (resumed, or found so): RUNNING at once."""
        self._accept(self.strategy, None)
        self._settled.set()
        return self

    def _refuse(self, error: ComputeError) -> None:
        """End FAILED before anything was accepted: ``error`` says why, and nothing was changed."""
        with self._lock:
            if self._state is not State.SUBMITTING:  # cancel() came first: nobody watches it any more
                log.debug(
                    "jupyter-compute: %s of %s, no longer watched, was refused: %s", self.action, self.target, error
                )
                return
            self._refused = True
        self._finish(State.FAILED, error)

    # --- driven by the tracker ------------------------------------------------------------------

    def _elapsed(self) -> float:
        return self._clock() - self.started

    def elapsed(self, now: float | None = None) -> float:
        """Seconds since it started, by the operation's clock (or at ``now`` on that clock)."""
        return (self._clock() if now is None else now) - self.started

    def _removes(self) -> bool:
        return self.action in ("delete", "detach")

    def _creates(self) -> bool:
        return self.action in ("create", "attach")

    def _gone(self) -> bool:
        """Whether this operation's compute has vanished from the list (deleted by someone else):
        a change to an existing compute, or a create already seen listed, can then never finish."""
        return not self._removes() and (not self._creates() or self._listed)

    def _observe(self, resource: Mapping[str, Any] | None) -> bool:
        """Update from the listed resource; True when it looks finished (needs confirming)."""
        if resource is not None:
            self.resource = resource
            self._listed = True
            self._unlisted_ticks = 0
        progress, finished = assess(self.action, resource, self._elapsed(), self.typical)
        self._seen = progress.status if finished and progress.status != "InProgress" else "Succeeded"
        self._set_progress(progress if not finished else _in_progress(progress))
        return finished

    def _deleted(self) -> None:
        """End Canceled: the compute was deleted (elsewhere) before this operation ended."""
        self.note = f"{self.target} no longer exists: it was deleted meanwhile"
        self._finish(
            State.CANCELED,
            OperationFailed(
                "ResourceDeleted",
                f"{self.target} was deleted (by another process or user) before the {self.action} ended",
            ),
        )

    def _finish(self, state: State, error: ComputeError | None = None) -> None:
        """End in ``state`` (SUCCEEDED, FAILED or CANCELED) with ``error``; only the first end counts."""
        phase = {State.SUCCEEDED: _SUCCESS_PHASES.get(self.action, "Succeeded"), State.CANCELED: "Canceled"}.get(
            state, "Failed"
        )
        if state is State.FAILED and error is not None:
            phase = f"Failed: {getattr(error, 'code', type(error).__name__)}"
        p = self.progress
        final = Progress(phase, 1.0, p.current_nodes, p.target_nodes, p.node_states, self._elapsed(), 0.0)
        self._end(state, final, error)

    def _end(self, state: State, progress: Progress | None = None, error: ComputeError | None = None) -> bool:
        """The one transition into a terminal state; False when the operation had already ended."""
        with self._lock:
            if self._state in TERMINAL_STATES:
                return False
            self._state = state
            self.error = error
            if isinstance(error, ServiceError):  # what a front end's sentence names: the compute, its state
                error.about(self.target, _state_of(self.resource))
            if progress is not None:
                self.progress = replace(progress, status=STATUS_WORDS[state])
            self._future.set_result(self)  # done() is true for the listeners below
        self._notify()
        return True

    def _set_progress(self, progress: Progress) -> None:
        with self._lock:
            if self._state in TERMINAL_STATES:
                return
            progress = replace(progress, status=STATUS_WORDS[self._state])
            changed = progress != self.progress
            self.progress = progress
        if changed:
            self._notify()

    def _notify(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(self)
            except Exception:  # a broken display must never stop the tracker, but it must leave a trace
                log.warning("jupyter-compute: a listener of %s of %s failed", self.action, self.target, exc_info=True)


def _in_progress(progress: Progress) -> Progress:
    """Keep 'InProgress' until the status URL confirms the end."""
    return replace(progress, fraction=min(progress.fraction, 0.99), status="InProgress")


def _state_of(resource: Mapping[str, Any] | None) -> str:
    """The one state word of the compute as last read ("" when it was not read)."""
    from ..model.resource import Compute

    return Compute(resource).state if resource else ""
