"""How a long-running ARM operation's own status is read: the polling strategies, as data.

A write's response chooses the strategy by its headers, in azure-core's order (``LROBasePolling``):

- :class:`AsyncOperation` (``Azure-AsyncOperation``): GET it; its body's ``status`` says how it goes
  (compared case-insensitively), with the error when it failed.
- :class:`Location` (``Location``): GET it; 202 means still running (and may name the next Location),
  anything else means done, and a 200 may carry the resource (whose provisioning state may say Failed).
- :class:`ResourceState` (neither header): the compute's own ``provisioningState``.

Each strategy reads an answer it did not fetch (:meth:`status`), so the tracker does the requests
and tests need no server. Terminal states are data (:data:`~jupyter_compute.model.resource.TERMINAL`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from ..model.resource import FAILED, TERMINAL, Compute
from ..model.schema import Shape

if TYPE_CHECKING:
    from ..errors import ServiceError

IN_PROGRESS = "InProgress"
UNKNOWN = "Unknown"  # the status URL no longer knows the operation (it expired): the resource decides


class Answer(Protocol):
    """The part of an HTTP answer a strategy reads (the transport's ``Response`` is one)."""

    @property
    def status(self) -> int: ...

    @property
    def body(self) -> Any: ...

    @property
    def request_id(self) -> str | None: ...

    def header(self, name: str) -> str | None: ...


@dataclass(frozen=True)
class Status:
    """An operation's own status as its strategy read it: InProgress, Unknown, or a terminal state;
    the service's error for Failed/Canceled; and the resource when the answer carried it."""

    status: str
    error: ServiceError | None = None
    resource: Mapping[str, Any] | None = None

    @property
    def ended(self) -> bool:
        return self.status in TERMINAL


@dataclass(frozen=True)
class AsyncOperation:
    """Poll the ``Azure-AsyncOperation`` URL; its body's ``status`` is the operation's."""

    url: str
    link: ClassVar[str] = "Azure-AsyncOperation URL"
    answer: ClassVar[Shape] = Shape("OperationStatus")  # the shape of its answer
    polls: ClassVar[bool] = True  # has a status URL of its own

    def status(self, answer: Answer) -> Status:
        body = answer.body if isinstance(answer.body, Mapping) else {}
        status = terminal(body.get("status"))
        if status not in FAILED:
            return Status(status)
        from .arm import service_error  # for weight: arm imports requests

        return Status(status, service_error(body.get("error"), "OperationFailed", answer.request_id))

    def after(self, answer: Answer) -> AsyncOperation:
        return self


@dataclass(frozen=True)
class Location:
    """Poll the ``Location`` URL: 202 running, anything else done (a 200 may be the resource)."""

    url: str
    link: ClassVar[str] = "Location URL"
    answer: ClassVar[Shape] = Shape("ComputeResource", may_be_empty=True)  # a 200 may carry the resource
    polls: ClassVar[bool] = True

    def status(self, answer: Answer) -> Status:
        if answer.status == 202:
            return Status(IN_PROGRESS)
        body = answer.body if isinstance(answer.body, Mapping) else {}
        resource = body if body.get("properties") is not None else None
        if resource is not None and Compute(resource).provisioning_state in FAILED:
            state = Compute(resource).provisioning_state
            return Status(state, resource_error(resource, answer.request_id), resource)
        return Status("Succeeded", None, resource)

    def after(self, answer: Answer) -> Location:
        """The URL to poll next: a 202 may name a new Location (azure-core follows it too)."""
        moved = answer.header("Location") if answer.status == 202 else None
        return Location(moved) if moved else self


@dataclass(frozen=True)
class ResourceState:
    """No status URL: the compute's own ``provisioningState`` (read from the list, or a GET of it)."""

    url: str
    link: ClassVar[str] = "resource URL"
    answer: ClassVar[Shape] = Shape("ComputeResource")
    polls: ClassVar[bool] = False

    def status(self, answer: Answer) -> Status:
        body = answer.body if isinstance(answer.body, Mapping) else {}
        state = terminal(Compute(body).provisioning_state)
        error = resource_error(body, answer.request_id) if state in FAILED else None
        return Status(state, error, body)

    def after(self, answer: Answer) -> ResourceState:
        return self


Strategy = AsyncOperation | Location | ResourceState
#: The shape an answer to each strategy's URL has, by the link's name (what the transport checks it against).
ANSWERS: dict[str, Shape] = {s.link: s.answer for s in (AsyncOperation, Location, ResourceState)}


def choose(headers: Mapping[str, str] | None, resource_url: str) -> Strategy:
    """The strategy a write's response headers call for (``Azure-AsyncOperation``, else ``Location``,
    else the resource at ``resource_url``)."""
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    if lowered.get("azure-asyncoperation"):
        return AsyncOperation(lowered["azure-asyncoperation"])
    if lowered.get("location"):
        return Location(lowered["location"])
    return ResourceState(resource_url)


def terminal(value: Any) -> str:
    """The terminal state ``value`` names (case-insensitive, as azure-core compares), else InProgress."""
    text = str(value or "").lower()
    return next((t for t in sorted(TERMINAL) if t.lower() == text), IN_PROGRESS)


def resource_error(resource: Mapping[str, Any] | None, request_id: str | None = None) -> ServiceError:
    """The error a failed compute reports (its first provisioning error), as a ServiceError."""
    from .arm import service_error  # for weight: arm imports requests

    return service_error(Compute(resource or {}).provisioning_error, "ProvisioningFailed", request_id)
