"""Every error jupyter-compute raises, as one tree.

    ComputeError                      base of everything below
    ├── ValidationError               bad input, found before anything is sent (CLI exit 2)
    │   └── UnsupportedComputeType    e.g. Batch, which the service no longer accepts
    ├── ServiceError                  the service answered with an ARM error (CLI exit 1)
    │   ├── NotFound                  404
    │   ├── Conflict                  409, or a create that would replace a different compute
    │   ├── QuotaExceeded             not enough vCPU quota (pre-flight or service-side)
    │   ├── OperationFailed           a long-running operation ended Failed or Canceled
    │   └── LocalStoreError           the local workspace's files are damaged, full, read-only or unusable
    ├── TransportError                the service could not be reached after all retries
    └── AuthenticationError           no Azure token could be had (az login, or JUPYTER_COMPUTE_ACCESS_TOKEN)

HTTP statuses and ARM envelopes are mapped to this tree once, in ``arm.py``; friendly
text is rendered once, at the edge (magic, CLI, panel), from ``str(error)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class ComputeError(Exception):
    """Base class of every error of this package."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: which field, what was given, what is allowed."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationError(ComputeError):
    """The input is invalid; lists every problem at once. Nothing was sent."""

    def __init__(self, problems: Iterable[Problem], subject: str = "") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.subject = subject
        super().__init__(self._text())

    @classmethod
    def one(cls, field: str, message: str, subject: str = "") -> ValidationError:
        return cls([Problem(field, message)], subject)

    def _text(self) -> str:
        head = f"Invalid {self.subject}" if self.subject else "Invalid input"
        if len(self.problems) == 1:
            return f"{head}: {self.problems[0]}. Nothing was sent."
        listed = "; ".join(str(p) for p in self.problems)
        return f"{head} ({len(self.problems)} problems): {listed}. Nothing was sent."


class UnsupportedComputeType(ValidationError):
    """A compute type the service no longer accepts (Batch)."""


@dataclass(frozen=True)
class ErrorDetail:
    code: str
    message: str
    target: str | None = None
    details: tuple[ErrorDetail, ...] = field(default_factory=tuple)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ErrorDetail:
        raw_details = data.get("details") or ()
        return cls(
            code=str(data.get("code") or "Unknown"),
            message=str(data.get("message") or ""),
            target=data.get("target"),
            details=tuple(cls.from_json(d) for d in raw_details if isinstance(d, Mapping)),
        )


class ServiceError(ComputeError):
    """The service reported a failure, with the ARM error code and message."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        target: str | None = None,
        details: Sequence[ErrorDetail] = (),
    ) -> None:
        self.code = code
        self.message = message
        self.status = status
        self.target = target
        self.details = tuple(details)
        super().__init__(self._text())

    def _text(self) -> str:
        text = f"{self.code}: {self.message}" if self.message else self.code
        if self.target:
            text += f" (target: {self.target})"
        for detail in self.details:
            text += f"\n  - {detail.code}: {detail.message}"
        return text


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    pass


class QuotaExceeded(ServiceError):
    pass


class OperationFailed(ServiceError):
    pass


class LocalStoreError(ServiceError):
    """The local workspace's state (SQLite file, token, folder) cannot serve: it is damaged, full,
    read-only or missing. The message names the file and says what to do. Retrying does not help."""


class TransportError(ComputeError):
    """The endpoint could not be reached, even after retries."""


class AuthenticationError(ComputeError):
    """No usable access token: DefaultAzureCredential found no sign-in, or the service refused the
    token twice (a stale ``az login``, a wrong tenant or an expired JUPYTER_COMPUTE_ACCESS_TOKEN)."""
