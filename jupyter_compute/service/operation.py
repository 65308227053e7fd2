"""An operation: the handle every long verb returns at once, with an explicit state.

    SUBMITTING ──> RUNNING ──> SUCCEEDED | FAILED | CANCELED
        │  └─────────────────> SUCCEEDED | FAILED        (nothing to send: the compute is already so)
        └──> FAILED                                       (refused: a check or the service said no; nothing changed)
    SUBMITTING | RUNNING ──> STOPPED_WATCHING             (cancel(): it goes on in the service)

While SUBMITTING, the checks that need the service (does the compute exist, is it the same, does
the size fit the quota) and the request itself run in the background (:meth:`Updater.submit`),
and show as the operation's first phases ("Checking", "Checking quota", "Submitting"). A failure
there ends the operation FAILED with that error, :attr:`Operation.refused`, and nothing was sent
after it. Once the service accepted the request the workspace's tracker follows the operation to
its end. Terminal states are data (:data:`TERMINAL_STATES`); an operation ends exactly once, and
:data:`STATUS_WORDS` is the one map from a state to the status word renderers show.

The handle apart from the updater, as azure-core's ``LROPoller`` apart from its polling method:
:class:`Operation` is what the user holds and reads; :class:`Updater` is the service side, the one
object that changes it (the workspace's submission and the tracker call it, and tests drive it).
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
    update (identity). Returned at once; ``wait()``, ``result()``, ``await op`` and listeners follow it.

    The handle the user holds: its :class:`Updater` (the service side) changes it, as azure-core's
    ``LROPoller`` is driven by its polling method. Made by ``Updater(...)``, read through its public surface."""

    def __init__(
        self,
        updates: Updater,
        action: str,
        target: str,
        compute_type: str,
        *,
        resource_url: str,
        strategy: Strategy | None,
        typical: float,
        resource: Mapping[str, Any] | None,
        resumed: bool,
        note: str,
        clock: Callable[[], float],
        phase: str,
        started: float | None,
    ) -> None:
        self._updates = updates
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
        self.progress = Progress(phase=phase, eta=typical)

    # --- the public surface -------------------------------------------------------------------

    @property
    def state(self) -> State:
        return self._updates.state

    @property
    def status(self) -> str:
        """InProgress, Succeeded, Failed or Canceled (:data:`STATUS_WORDS`)."""
        return STATUS_WORDS[self.state]

    @property
    def detached(self) -> bool:
        """Whether watching was stopped with :meth:`cancel` (it goes on in the service)."""
        return self.state is State.STOPPED_WATCHING

    @property
    def refused(self) -> bool:
        """Whether it ended Failed before the service accepted anything: a check that needed the service
        refused it, or the service refused the request itself. Nothing was changed; ``error`` says why."""
        return self._updates.refused and self.state is State.FAILED

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
        return self._updates.ended.done()

    def wait(self, timeout: float | None = None) -> Operation:
        """Block until the operation ends (or ``timeout`` seconds pass); returns self."""
        try:
            self._updates.ended.result(timeout)
        except concurrent.futures.TimeoutError:
            pass
        return self

    def submitted(self, timeout: float | None = None) -> Operation:
        """Block until the request has been sent and accepted, or the operation ended before that; then
        raise the error that refused it, if one did. For front ends that wait anyway (the command line, a
        terminal): they report a refusal as any error, and draw a bar only for an operation under way.
        A Ctrl-C while waiting here withdraws the request if it has not been sent yet."""
        try:
            self._updates.settled.wait(timeout)
        except KeyboardInterrupt:
            self._updates.withdraw()
            raise
        if self.refused and self.error is not None:
            raise self.error
        return self

    def result(self, timeout: float | None = None) -> Compute | None:
        """Wait, then the compute as it ended (None after delete/detach). Raises the error when it ended
        Failed or Canceled, and :class:`StoppedWatching` after :meth:`cancel` (its end is unknown here)."""
        try:
            self._updates.ended.result(timeout)
        except concurrent.futures.TimeoutError:
            raise TimeoutError(f"{self.action} {self.target} is still running after {timeout} s") from None
        state = self.state
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
        if removes(self.action) or self.resource is None:
            return None
        from ..model.resource import Compute

        return Compute(self.resource)

    def cancel(self) -> str:
        """Stop watching (the service goes on: a request still being submitted is still sent); says what
        was left running and how to find it again. ``result()`` then raises :class:`StoppedWatching`;
        an operation that already ended is unchanged."""
        phase = self.progress.phase
        if not self._updates.stop_watching():
            return f"{self.action} of {self.target} already ended: {self.progress.phase}."
        return (
            f"Stopped watching {self.action} of {self.target} ({phase}). It goes on in the "
            f"service; '%compute wait {self.target}' or '%compute ops' follow it again."
        )

    def __await__(self) -> Generator[Any, None, Operation]:
        yield from asyncio.wrap_future(self._updates.ended).__await__()
        return self

    def add_listener(self, listener: Listener) -> None:
        self._updates.add_listener(listener)

    def remove_listener(self, listener: Listener) -> None:
        self._updates.remove_listener(listener)

    def elapsed(self, now: float | None = None) -> float:
        """Seconds since it started, by the operation's clock (or at ``now`` on that clock)."""
        return (self._clock() if now is None else now) - self.started

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


def removes(action: str) -> bool:
    """Whether ``action`` ends with the compute gone (delete, detach)."""
    return action in ("delete", "detach")


def creates(action: str) -> bool:
    """Whether ``action`` makes the compute (create, attach)."""
    return action in ("create", "attach")


class Updater:
    """The service side of one operation: the one object that changes it (azure-core's polling method
    beside its ``LROPoller``). The workspace makes it, runs the submission with it and hands
    :attr:`operation` to the user; the tracker follows it. It owns the state machine: the state, the one
    end, the submission's settling and the listeners; what it learns goes to the operation's public fields.

        updates = Updater("create", "cpu", "AmlCompute", resource_url=url)
        op = updates.operation                      # what the user holds
        updates.accept(strategy, body)              # RUNNING
        updates.finish(State.SUCCEEDED)             # the one end
    """

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
        self.state = State.SUBMITTING
        self.refused = False  # ended FAILED before anything was accepted
        self.ended: concurrent.futures.Future[Operation] = concurrent.futures.Future()  # set at the one end
        self.settled = threading.Event()  # the submission (checks and request) is over
        self._withdrawn = False
        self._listeners: list[Listener] = []
        self._lock = threading.RLock()
        self.operation = Operation(
            self,
            action,
            target,
            compute_type,
            resource_url=resource_url,
            strategy=strategy,
            typical=typical,
            resource=resource,
            resumed=resumed,
            note=note,
            clock=clock,
            phase=phase,
            started=started,
        )

    # --- what the handle asks of it -----------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def withdraw(self) -> None:
        """A Ctrl-C while a front end waited for the submission: the request, if not sent yet, never is."""
        with self._lock:
            self._withdrawn = True

    def stop_watching(self) -> bool:
        """End STOPPED_WATCHING (``cancel()``); False when the operation had already ended."""
        return self.end(State.STOPPED_WATCHING)

    # --- the submission -------------------------------------------------------------------------

    def submit(
        self,
        work: Callable[[Updater], None],
        over: Callable[[], None] | None = None,
        *,
        runner: Runner | None = None,
    ) -> Operation:
        """Run ``work`` (the checks that need the service, then the request) in the background, under this
        context (so what it shows stays in the cell that started it). What it raises ends the operation
        refused. ``runner`` takes the job (a workspace's pool); by default it gets a thread of its own. Either
        way the thread is not a daemon: a script that exits at once still sends its request."""
        op = self.operation

        def run() -> None:
            try:
                work(self)
            except ComputeError as exc:
                self.refuse(exc)
            except Exception as exc:  # a defect of ours: say so on the operation, with the traceback in the log
                log.warning("jupyter-compute: submitting %s of %s failed", op.action, op.target, exc_info=True)
                self.refuse(ComputeError(f"{op.action} of {op.target} failed before it was sent: {exc!r}"))
            finally:
                self.settled.set()
                if over is not None:
                    over()

        ctx = contextvars.copy_context()
        if runner is not None:
            runner(ctx.run, run)
        else:
            thread = threading.Thread(target=ctx.run, args=(run,), name=f"jupyter-compute-{op.action}", daemon=False)
            thread.start()
        return op

    def estimated(self, estimate: Estimate) -> None:
        """The price of what it creates became known: listeners show it."""
        self.operation.estimate = estimate
        self.notify()

    def noted(self, note: str) -> None:
        """A sentence about the operation the front ends show beside it."""
        self.operation.note = note

    def phase(self, phase: str) -> None:
        """A submission step began ("Checking quota", "Submitting")."""
        if self.state is State.SUBMITTING:
            op = self.operation
            self.set_progress(replace(op.progress, phase=phase, elapsed=op.elapsed()))

    def retarget(
        self,
        *,
        action: str | None = None,
        compute_type: str | None = None,
        typical: float | None = None,
        resource: Mapping[str, Any] | None = None,
    ) -> None:
        """What the checks learned: the compute's type, the action it is really in, its body."""
        op = self.operation
        op.action = action or op.action
        op.compute_type = compute_type or op.compute_type
        op.typical = op.typical if typical is None else typical
        if resource is not None:
            op.resource = resource

    def send(self) -> None:
        """Called just before the request is sent: raises if a Ctrl-C withdrew it while a front end waited
        (see :meth:`Operation.submitted`), so it is never sent."""
        op = self.operation
        with self._lock:
            if self._withdrawn:
                raise OperationFailed(
                    "Interrupted", f"{op.action} of {op.target} was interrupted before its request was sent"
                )
        self.phase("Submitting")

    def accept(self, strategy: Strategy, resource: Mapping[str, Any] | None) -> None:
        """The service accepted the request (or the compute is already doing it): RUNNING, followed by
        ``strategy``. After cancel() it only records what was accepted."""
        op = self.operation
        with self._lock:
            op.strategy = strategy
            if strategy.polls:
                op.id = strategy.url.rsplit("/", 1)[-1].split("?")[0]
            if resource is not None:
                op.resource = resource
            if self.state is not State.SUBMITTING:
                return
            self.state = State.RUNNING
        self.set_progress(Progress(phase="Submitted", elapsed=op.elapsed(), eta=op.typical))

    def following(self) -> Updater:
        """An operation already under way in the service (resumed, or found so): RUNNING at once."""
        self.accept(self.operation.strategy, None)
        self.settled.set()
        return self

    def refuse(self, error: ComputeError) -> None:
        """End FAILED before anything was accepted: ``error`` says why, and nothing was changed."""
        op = self.operation
        with self._lock:
            if self.state is not State.SUBMITTING:  # cancel() came first: nobody watches it any more
                log.debug("jupyter-compute: %s of %s, no longer watched, was refused: %s", op.action, op.target, error)
                return
            self.refused = True
        self.finish(State.FAILED, error)

    # --- the following ----------------------------------------------------------------------------

    def observe(self, resource: Mapping[str, Any] | None) -> str | None:
        """Update from the compute as read (None: not found); the end it shows when it looks finished
        (Succeeded, Failed, Canceled: to be confirmed), else None."""
        op = self.operation
        if resource is not None:
            op.resource = resource
        progress, finished = assess(op.action, resource, op.elapsed(), op.typical)
        self.set_progress(progress if not finished else _in_progress(progress))
        if not finished:
            return None
        return progress.status if progress.status != "InProgress" else "Succeeded"

    def deleted(self) -> None:
        """End Canceled: the compute was deleted (elsewhere) before this operation ended."""
        op = self.operation
        op.note = f"{op.target} no longer exists: it was deleted meanwhile"
        self.finish(
            State.CANCELED,
            OperationFailed(
                "ResourceDeleted",
                f"{op.target} was deleted (by another process or user) before the {op.action} ended",
            ),
        )

    def finish(self, state: State, error: ComputeError | None = None) -> None:
        """End in ``state`` (SUCCEEDED, FAILED or CANCELED) with ``error``; only the first end counts."""
        op = self.operation
        phase = {State.SUCCEEDED: _SUCCESS_PHASES.get(op.action, "Succeeded"), State.CANCELED: "Canceled"}.get(
            state, "Failed"
        )
        if state is State.FAILED and error is not None:
            phase = f"Failed: {getattr(error, 'code', type(error).__name__)}"
        p = op.progress
        final = Progress(phase, 1.0, p.current_nodes, p.target_nodes, p.node_states, op.elapsed(), 0.0)
        self.end(state, final, error)

    def end(self, state: State, progress: Progress | None = None, error: ComputeError | None = None) -> bool:
        """The one transition into a terminal state; False when the operation had already ended."""
        op = self.operation
        with self._lock:
            if self.state in TERMINAL_STATES:
                return False
            self.state = state
            op.error = error
            if isinstance(error, ServiceError):  # what a front end's sentence names: the compute, its state
                error.about(op.target, _state_of(op.resource))
            if progress is not None:
                op.progress = replace(progress, status=STATUS_WORDS[state])
            self.ended.set_result(op)  # done() is true for the listeners below
        self.notify()
        return True

    def set_progress(self, progress: Progress) -> None:
        """Show ``progress`` (its status word follows the state); listeners hear of a change."""
        op = self.operation
        with self._lock:
            if self.state in TERMINAL_STATES:
                return
            progress = replace(progress, status=STATUS_WORDS[self.state])
            changed = progress != op.progress
            op.progress = progress
        if changed:
            self.notify()

    def notify(self) -> None:
        """Call every listener with the operation (a failing one is logged, never raised)."""
        op = self.operation
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(op)
            except Exception:  # a broken display must never stop the tracker, but it must leave a trace
                log.warning("jupyter-compute: a listener of %s of %s failed", op.action, op.target, exc_info=True)


def _in_progress(progress: Progress) -> Progress:
    """Keep 'InProgress' until the status URL confirms the end."""
    return replace(progress, fraction=min(progress.fraction, 0.99), status="InProgress")


def _state_of(resource: Mapping[str, Any] | None) -> str:
    """The one state word of the compute as last read ("" when it was not read)."""
    from ..model.resource import Compute

    return Compute(resource).state if resource else ""
