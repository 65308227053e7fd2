"""Operations and the one poller per workspace that follows them all.

An :class:`Operation` is returned at once by every long verb. The workspace's
:class:`Poller` runs on a background thread (started under ``contextvars.copy_context()``
so anything it displays stays in the cell that started it). Each tick it makes **one** list
request for the whole workspace, however many operations are in flight, and reads each
operation's progress off its compute; when a compute looks finished it makes one more
request, to the operation's ``Azure-AsyncOperation`` URL, for the final status and error.
So the request rate does not grow with the number of operations.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import os
import threading
import time
import uuid
from collections.abc import Callable, Generator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .errors import OperationFailed, ServiceError, TransportError
from .progress import TERMINAL, Progress, assess, typical_duration

if TYPE_CHECKING:
    from .api import Workspace
    from .computes import Compute

Listener = Callable[["Operation"], None]
DEFAULT_INTERVAL = 5.0


def poll_interval(local: bool, speed: float) -> float:
    configured = os.environ.get("JUPYTER_COMPUTE_POLL_INTERVAL")
    if configured:
        return max(0.05, float(configured))
    if local:
        return min(DEFAULT_INTERVAL, max(0.1, DEFAULT_INTERVAL / speed))
    return DEFAULT_INTERVAL


class Operation:
    """A long-running action on one compute: create, attach, delete, detach, start, stop, restart, resize."""

    def __init__(
        self,
        workspace: Workspace,
        action: str,
        target: str,
        compute_type: str,
        *,
        status_url: str | None = None,
        typical: float = 30.0,
        resource: Mapping[str, Any] | None = None,
        resumed: bool = False,
        note: str = "",
    ) -> None:
        self.id = status_url.rsplit("/", 1)[-1].split("?")[0] if status_url else f"follow-{uuid.uuid4()}"
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
        self._shown_in: int | None = None
        self._display_id: str | None = None
        self._final_published = False
        self._listed = False

    # --- the public surface -------------------------------------------------------------------

    @property
    def status(self) -> str:
        return self.progress.status

    @property
    def name(self) -> str:
        return self.target

    @property
    def kind(self) -> str:
        from .computes import kind_word

        return kind_word(self.compute_type)

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
        """Wait, then the compute as it ended (None after delete/detach); raises the service's error."""
        try:
            self._future.result(timeout)
        except concurrent.futures.TimeoutError:
            raise TimeoutError(f"{self.action} {self.target} is still running after {timeout} s") from None
        if self.error is not None:
            raise self.error
        if self.progress.status == "Canceled":
            raise OperationFailed("Canceled", f"{self.action} of {self.target} was canceled by the service")
        if self.action in ("delete", "detach") or self.resource is None:
            return None
        from .computes import Compute

        return Compute(self.resource)

    def cancel(self) -> str:
        """Stop watching (the service goes on); says what was left running and how to find it again."""
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

    def summary(self) -> str:
        p = self.progress
        parts = [f"{self.action} {self.kind} {self.target}", p.phase]
        if p.nodes_text:
            parts.append(p.nodes_text)
        parts.append(f"{p.elapsed:.0f}s")
        if self.error is not None:
            parts.append(str(self.error).splitlines()[0])
        return " · ".join(parts)

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
        if self.note:
            data["note"] = self.note
        return data

    def __repr__(self) -> str:
        return f"<Operation {self.summary()}>"

    def _ipython_display_(self) -> None:
        from .display.widgets import show

        show(self)

    # --- driven by the poller ------------------------------------------------------------------

    def _elapsed(self) -> float:
        return time.monotonic() - self.started

    def _gone(self) -> bool:
        """Whether this operation's compute has vanished from the list (deleted by someone else):
        a change to an existing compute, or a create already seen listed, can then never finish."""
        return self.action not in ("delete", "detach") and (self.action != "create" or self._listed)

    def _observe(self, resource: Mapping[str, Any] | None) -> bool:
        """Update from the listed resource; True when it looks finished (needs confirming)."""
        if resource is not None:
            self.resource = resource
            self._listed = True
        progress, finished = assess(self.action, resource, self._elapsed(), self.typical)
        self._set_progress(progress if not finished else _in_progress(progress))
        return finished

    def _finish(self, status: str, error: ServiceError | None = None) -> None:
        if self._future.done():
            return
        self.error = error
        phase = {"Succeeded": self._success_phase(), "Failed": "Failed", "Canceled": "Canceled"}[status]
        if error is not None:
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
        """One round: one list request, then one status request per operation that looks finished."""
        self.ticks += 1
        try:
            listed = self.workspace._list_raw()
        except Exception as exc:  # the poller must outlive any failure; try again next tick
            self.last_error = exc
            with self._lock:
                on_error = list(self._on_error.values())
            for callback in on_error:
                try:
                    callback(exc)
                except Exception:
                    pass
            return
        self.last_error = None
        by_name = {str(r.get("name", "")).lower(): r for r in listed}
        for op in ops:
            if op.done():
                self.forget(op)
                continue
            resource = by_name.get(op.target.lower())
            if resource is None and op._gone():
                op.note = f"{op.target} no longer exists: it was deleted meanwhile"
                op._finish("Canceled")
                self.forget(op)
                continue
            if op._observe(resource):
                self._confirm(op)
        # Listeners (the panel) come after the operations have taken in this listing.
        for listener in list(self.listeners):
            try:
                listener(listed)
            except Exception:
                pass

    def _confirm(self, op: Operation) -> None:
        status, error = "Succeeded", None
        if op.status_url:
            try:
                body = self.workspace._client().get(op.status_url).body or {}
            except TransportError:
                return
            except ServiceError as exc:
                if exc.status != 404:
                    return
                body = {"status": "Succeeded"}
            status = str(body.get("status") or "InProgress")
            if status not in TERMINAL:
                return
            if status != "Succeeded":
                from .arm import service_error

                error = service_error(body.get("error"), "OperationFailed")
        elif op.progress.status == "Failed" or (op.resource and _provisioning(op.resource) == "Failed"):
            status = "Failed"
        if status == "Failed" and error is None:
            error = _resource_error(op.resource)
        op._finish(status, error)
        self.forget(op)


def _provisioning(resource: Mapping[str, Any]) -> str:
    return str((resource.get("properties") or {}).get("provisioningState") or "")


def _resource_error(resource: Mapping[str, Any] | None) -> ServiceError:
    from .arm import service_error

    props = (resource or {}).get("properties") or {}
    errors = props.get("provisioningErrors") or (props.get("properties") or {}).get("errors") or []
    first = errors[0] if errors else None
    return service_error(first if isinstance(first, Mapping) else None, "ProvisioningFailed")


def typical_for(action: str, compute_type: str, speed: float, min_nodes: int = 0) -> float:
    from .local import catalogue

    return typical_duration(action, compute_type, catalogue.durations(), min_nodes) / speed
