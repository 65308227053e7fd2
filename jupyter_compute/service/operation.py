"""Operations and the one poller per workspace that follows them all.

An :class:`Operation` is returned at once by every long verb. The workspace's
:class:`Poller` runs on a background thread (started under ``contextvars.copy_context()``
so anything it displays stays in the cell that started it). Each tick it makes **one** list
request for the whole workspace, however many operations are in flight, and reads each
operation's progress off its compute. So the request rate does not grow with the number of
operations. An operation asks its own status (by its :class:`Strategy`) only

- when its compute looks finished in the list, to confirm the end and get the error, or
- when its compute has not been listed for :data:`UNLISTED_TICKS` ticks (or listing fails): a
  create raced by a delete elsewhere then ends, saying so, instead of waiting forever.

Terminal states are data (:data:`~jupyter_compute.model.progress.TERMINAL`); an operation ends
exactly once, Succeeded, Failed or Canceled, with the service's error for the last two.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import threading
import time
import uuid
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from .. import settings
from ..errors import ComputeError, NotFound, OperationFailed, ServiceError, StoppedWatching, UntrustedLink
from ..model.progress import TERMINAL, Progress, assess, typical_duration

if TYPE_CHECKING:
    from ..model.resource import Compute
    from ..transport.arm import Response
    from .workspace import Workspace

Listener = Callable[["Operation"], None]
DEFAULT_INTERVAL = 5.0
UNLISTED_TICKS = 3  # ticks a create may go unlisted before it asks its own status URL
StrategyKind = Literal["async", "location", "resource"]
_LINKS: dict[StrategyKind, str] = {
    "async": "Azure-AsyncOperation URL",
    "location": "Location URL",
    "resource": "resource URL",
}


def poll_interval(local: bool, speed: float) -> float:
    configured = settings.current().poll_interval
    if configured is not None:
        return configured
    if local:
        return min(DEFAULT_INTERVAL, max(0.1, DEFAULT_INTERVAL / speed))
    return DEFAULT_INTERVAL


@dataclass(frozen=True)
class Strategy:
    """How an operation's own status is read, chosen from its submission response as azure-core's
    ARM polling does: ``async`` (the ``Azure-AsyncOperation`` body's ``status``), ``location``
    (GET ``Location``: 202 running, 200/204 done, a 200 may carry the resource), else ``resource``
    (the compute's own ``provisioningState``)."""

    kind: StrategyKind
    url: str

    @property
    def link(self) -> str:
        """What the URL is, for an error when it is not on the ARM endpoint."""
        return _LINKS[self.kind]

    @classmethod
    def choose(cls, headers: Mapping[str, str] | None, resource_url: str) -> Strategy:
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        if lowered.get("azure-asyncoperation"):
            return cls("async", lowered["azure-asyncoperation"])
        if lowered.get("location"):
            return cls("location", lowered["location"])
        return cls("resource", resource_url)


@dataclass(frozen=True)
class Status:
    """An operation's own status as its strategy read it: InProgress or a terminal state, the
    service's error for Failed/Canceled, and the resource when the answer carried it."""

    status: str
    error: ServiceError | None = None
    resource: Mapping[str, Any] | None = None


def read_status(strategy: Strategy, response: Response) -> Status:
    """A status response, read by ``strategy`` (pure: the poller does the request)."""
    from ..transport.arm import service_error

    body = response.body if isinstance(response.body, Mapping) else {}
    if strategy.kind == "async":
        status = _terminal(body.get("status"))
        error = service_error(body.get("error"), "OperationFailed", response.request_id) if status in _ENDED else None
        return Status(status, error)
    if strategy.kind == "location":
        if response.status == 202:
            return Status("InProgress")
        resource = body if body.get("properties") is not None else None
        if resource is not None and _provisioning(resource) in _ENDED:
            return Status(_provisioning(resource), _resource_error(resource, response.request_id), resource)
        return Status("Succeeded", None, resource)
    provisioning = _terminal(_provisioning(body))
    error = _resource_error(body, response.request_id) if provisioning in _ENDED else None
    return Status(provisioning, error, body)


_ENDED = frozenset({"Failed", "Canceled"})


def _terminal(value: Any) -> str:
    """The terminal state ``value`` names (case-insensitive, as azure-core compares), else InProgress."""
    text = str(value or "")
    return next((t for t in TERMINAL if t.lower() == text.lower()), "InProgress")


class Operation:
    """A long-running action on one compute: create, attach, delete, detach, start, stop, restart, resize."""

    def __init__(
        self,
        workspace: Workspace,
        action: str,
        target: str,
        compute_type: str,
        *,
        strategy: Strategy | None = None,
        typical: float = 30.0,
        resource: Mapping[str, Any] | None = None,
        resumed: bool = False,
        note: str = "",
    ) -> None:
        status_url = strategy.url if strategy is not None and strategy.kind != "resource" else None
        self.id = status_url.rsplit("/", 1)[-1].split("?")[0] if status_url else f"follow-{uuid.uuid4()}"
        self.strategy = strategy or Strategy("resource", workspace.ref.compute_url(target))
        self.workspace = workspace
        self.action = action
        self.target = target
        self.compute_type = compute_type
        self.status_url = status_url
        self.typical = typical
        self.started = time.monotonic()
        self.resumed = resumed
        self.note = note
        self.resource: Mapping[str, Any] | None = resource
        self.progress = Progress(phase="Submitted", eta=typical)
        self.error: ServiceError | None = None
        self.detached = False
        self._future: concurrent.futures.Future[Operation] = concurrent.futures.Future()
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self._listed = False
        self._unlisted_ticks = 0
        self._seen = "InProgress"  # the end the listed resource shows, until the strategy confirms it

    # --- the public surface -------------------------------------------------------------------

    @property
    def status(self) -> str:
        return self.progress.status

    @property
    def name(self) -> str:
        return self.target

    @property
    def kind(self) -> str:
        from ..model.kinds import word_of  # the specs, only when a kind is asked for

        return word_of(self.compute_type)

    def done(self) -> bool:
        return self._future.done()

    def wait(self, timeout: float | None = None) -> Operation:
        """Block until the operation ends (or ``timeout`` seconds pass); returns self."""
        try:
            self._future.result(timeout)
        except concurrent.futures.TimeoutError:
            pass
        return self

    def result(self, timeout: float | None = None) -> Compute | None:
        """Wait, then the compute as it ended (None after delete/detach). Raises the service's error when
        it ended Failed or Canceled, and :class:`StoppedWatching` after :meth:`cancel` (its end is unknown)."""
        try:
            self._future.result(timeout)
        except concurrent.futures.TimeoutError:
            raise TimeoutError(f"{self.action} {self.target} is still running after {timeout} s") from None
        if self.error is not None:
            raise self.error
        if self.progress.status == "Canceled":
            raise OperationFailed("Canceled", f"{self.action} of {self.target} was canceled by the service")
        if self.progress.status != "Succeeded":
            raise StoppedWatching(
                f"stopped watching {self.action} of {self.target} ({self.progress.phase}); it goes on in the "
                f"service and its end is not known here: 'wait {self.target}' follows it again"
            )
        if self.action in ("delete", "detach") or self.resource is None:
            return None
        from ..model.resource import Compute

        return Compute(self.resource)

    def cancel(self) -> str:
        """Stop watching (the service goes on); says what was left running and how to find it again.
        ``result()`` then raises :class:`StoppedWatching`; an operation that already ended is unchanged."""
        if self._future.done():
            return f"{self.action} of {self.target} already ended: {self.progress.phase}."
        self.detached = True
        self.workspace.poller.forget(self)
        message = (
            f"Stopped watching {self.action} of {self.target} ({self.progress.phase}). It goes on in the "
            f"service; '%compute wait {self.target}' or '%compute ops' follow it again."
        )
        if not self._future.done():
            self._future.set_result(self)
        self._notify()
        return message

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
        if self.error is not None:
            data["error"] = {"code": self.error.code, "message": self.error.message}
            if self.error.request_id:
                data["error"]["request_id"] = self.error.request_id
        if self.note:
            data["note"] = self.note
        return data

    def __repr__(self) -> str:  # plain: the renderings of an operation live above the service
        return f"<Operation {self.action} {self.kind} {self.target!r}: {self.progress.phase!r} ({self.status})>"

    # --- driven by the poller ------------------------------------------------------------------

    def _elapsed(self) -> float:
        return time.monotonic() - self.started

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
            "Canceled",
            OperationFailed(
                "ResourceDeleted",
                f"{self.target} was deleted (by another process or user) before the {self.action} ended",
            ),
        )

    def _finish(self, status: str, error: ServiceError | None = None) -> None:
        if self._future.done():
            return
        self.error = error
        phase = {"Succeeded": self._success_phase(), "Failed": "Failed", "Canceled": "Canceled"}[status]
        if error is not None and status == "Failed":
            phase = f"Failed: {error.code}"
        final = Progress(
            phase,
            1.0,
            self.progress.current_nodes,
            self.progress.target_nodes,
            self.progress.node_states,
            self._elapsed(),
            0.0,
            status,
        )
        self.progress = final
        self._future.set_result(self)  # done() is true for the listeners below
        self._notify()

    def _success_phase(self) -> str:
        return {
            "delete": "Deleted",
            "detach": "Detached",
            "stop": "Stopped",
            "start": "Running",
            "restart": "Running",
        }.get(self.action, "Succeeded")

    def _set_progress(self, progress: Progress) -> None:
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
            except Exception:  # a broken display must never stop the poller
                pass


def _in_progress(progress: Progress) -> Progress:
    """Keep 'InProgress' until the status URL confirms the end."""
    return Progress(
        progress.phase,
        min(progress.fraction, 0.99),
        progress.current_nodes,
        progress.target_nodes,
        progress.node_states,
        progress.elapsed,
        progress.eta,
        "InProgress",
    )


class Poller:
    """One background thread per workspace that follows every in-flight operation together."""

    def __init__(self, workspace: Workspace, interval: float) -> None:
        self.workspace = workspace
        self.interval = interval
        self._ops: list[Operation] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.ticks = 0
        self.last_error: Exception | None = None
        self.listeners: list[Callable[[Sequence[Mapping[str, Any]]], None]] = []
        self._on_error: dict[Callable[..., None], Callable[[Exception], None]] = {}

    def track(self, op: Operation) -> Operation:
        with self._lock:
            self._ops.append(op)
            self._start_locked()
        return op

    def forget(self, op: Operation) -> None:
        with self._lock:
            if op in self._ops:
                self._ops.remove(op)

    def in_flight(self) -> list[Operation]:
        with self._lock:
            return list(self._ops)

    def add_listener(
        self,
        listener: Callable[[Sequence[Mapping[str, Any]]], None],
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        """Call ``listener`` with the listed computes on every tick (the panel), and ``on_error`` with
        the reason when a tick could not list; keeps the poller ticking."""
        with self._lock:
            self.listeners.append(listener)
            if on_error is not None:
                self._on_error[listener] = on_error
            self._start_locked()

    def remove_listener(self, listener: Callable[[Sequence[Mapping[str, Any]]], None]) -> None:
        with self._lock:
            if listener in self.listeners:
                self.listeners.remove(listener)
            self._on_error.pop(listener, None)

    def _start_locked(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            ctx = contextvars.copy_context()
            self._thread = threading.Thread(
                target=ctx.run, args=(self._run,), name="jupyter-compute-poller", daemon=True
            )
            self._thread.start()

    def poll_now(self) -> None:
        """Tick without waiting for the interval (e.g. a user asked to refresh)."""
        self._wake.set()

    def _run(self) -> None:
        # The first tick comes one interval after the first operation: its submission answer is fresh.
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            with self._lock:
                ops = list(self._ops)
                if not ops and not self.listeners:
                    self._thread = None
                    return
            self.tick(ops)

    def tick(self, ops: list[Operation]) -> None:
        """One round: one list request, then a status request for each operation that looks finished
        or has gone unlisted too long."""
        self.ticks += 1
        try:
            listed: list[dict[str, Any]] | None = self.workspace._list_raw()
        except Exception as exc:  # the poller must outlive any failure; try again next tick
            listed = None
            self.last_error = exc
            with self._lock:
                on_error = list(self._on_error.values())
            for callback in on_error:
                try:
                    callback(exc)
                except Exception:
                    pass
        else:
            self.last_error = None
        by_name = {str(r.get("name", "")).lower(): r for r in listed or ()}
        for op in ops:
            if op.done():
                self.forget(op)
            elif listed is None:  # absence proves nothing, but an operation must not wait on the list forever
                self._unlisted(op)
            else:
                self._follow(op, by_name.get(op.target.lower()))
            if op.done():
                self.forget(op)
        if listed is None:
            return
        # Listeners (the panel) come after the operations have taken in this listing.
        for listener in list(self.listeners):
            try:
                listener(listed)
            except Exception:
                pass

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
        A status URL that 404s (an expired operation record) reads as unknown: the resource decides."""
        if op.strategy.kind == "resource":
            return None
        try:
            response = self.workspace._client().get(op.strategy.url, link=op.strategy.link)
        except UntrustedLink as exc:
            return Status("Failed", exc)
        except NotFound:
            return Status("Unknown")
        except ServiceError as exc:  # the service refused to tell (400, 403, …): that is this operation's end
            return None if exc.status is None or exc.status == 429 or exc.status >= 500 else Status("Failed", exc)
        except ComputeError:  # unreachable or not signed in: the list reports it; try again next tick
            return None
        if op.strategy.kind == "location" and response.status == 202 and response.header("Location"):
            op.strategy = replace(op.strategy, url=str(response.header("Location")))  # azure-core follows it too
        return read_status(op.strategy, response)

    def _confirm(self, op: Operation) -> None:
        """The list shows the end: the status URL confirms it (and gives the error), or the resource is it."""
        if op.strategy.kind == "resource":
            op._finish(op._seen, _resource_error(op.resource) if op._seen in _ENDED else None)
            return
        asked = self._ask(op)
        if asked is None or asked.status == "InProgress":
            return
        self._end(op, asked if asked.status != "Unknown" else Status(op._seen))

    def _check_alone(self, op: Operation) -> None:
        """Not listed for a while: the status URL, then the compute itself, say how it goes."""
        asked = self._ask(op) if op.strategy.kind != "resource" else Status("Unknown")
        if asked is None or asked.status == "InProgress":
            return
        if asked.status in _ENDED:
            self._end(op, asked)
            return
        try:
            resource = self.workspace._get_raw(op.target)
        except UntrustedLink as exc:
            op._finish("Failed", exc)
            return
        except ComputeError:
            return
        if resource is None:
            op._finish("Succeeded") if op._removes() else op._deleted()
        elif op._observe(resource):
            self._end(op, Status(op._seen) if asked.status == "Unknown" else asked)

    def _end(self, op: Operation, status: Status) -> None:
        if status.resource is not None and not op._removes():
            op.resource = status.resource
        error = status.error
        if status.status in _ENDED and error is None:
            error = _resource_error(op.resource) if status.status == "Failed" else None
        op._finish(status.status if status.status in TERMINAL else "Succeeded", error)


def _provisioning(resource: Mapping[str, Any]) -> str:
    return str((resource.get("properties") or {}).get("provisioningState") or "")


def _resource_error(resource: Mapping[str, Any] | None, request_id: str | None = None) -> ServiceError:
    from ..transport.arm import service_error

    props = (resource or {}).get("properties") or {}
    errors = props.get("provisioningErrors") or (props.get("properties") or {}).get("errors") or []
    first = errors[0] if errors else None
    return service_error(first if isinstance(first, Mapping) else None, "ProvisioningFailed", request_id)


def typical_for(action: str, compute_type: str, speed: float, min_nodes: int = 0) -> float:
    from ..data import catalogue

    return typical_duration(action, compute_type, catalogue.durations(), min_nodes) / speed
