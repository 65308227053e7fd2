"""Every error jupyter-compute raises, as one tree.

    ComputeError                      base of everything below
    ├── ValidationError               bad input, found before anything is sent (CLI exit 2)
    │   ├── UsageError                the words do not fit the command grammar (carries its usage line)
    │   └── UnsupportedComputeType    e.g. Batch, which the service no longer accepts
    ├── HelpRequested                 not a failure: ``--help`` was asked for; its text is the help (CLI exit 0)
    ├── ServiceError                  the service answered with an ARM error, or would have (CLI exit 1)
    │   ├── NotFound                  404
    │   ├── Conflict                  409, or a create that would replace a different compute
    │   ├── QuotaExceeded             not enough vCPU quota (pre-flight or service-side)
    │   ├── OperationFailed           a long-running operation ended Failed or Canceled
    │   ├── UntrustedLink             the service named a URL outside the ARM endpoint (not followed)
    │   ├── UnexpectedAnswer          an answer we cannot read: wrong shape, too deep, too big, not JSON
    │   └── LocalStoreError           the local workspace's files are damaged, full, read-only or unusable
    ├── TransportError                the service could not be reached after all retries
    ├── PricesUnavailable             no VM prices: unreachable, or an answer refused ("price unknown")
    ├── StoppedWatching               result() of an operation after cancel(): its end is unknown
    └── AuthenticationError           no Azure token could be had (%compute login, or JUPYTER_COMPUTE_ACCESS_TOKEN)

A ServiceError says what is wrong, not where it was found: ``by_client`` is True when this package
found it from what the service had answered before the request itself was sent (the pre-flight
quota check, a create that would replace a different compute). Nothing was sent then, but it is no
bad input either: the same words succeed in a workspace with the quota, so it stays exit 1.

HTTP statuses and ARM envelopes are mapped to this tree once, in ``arm.py``. ``str(error)`` keeps
the service's own words (``Code: message``) for the Python API and logs; the sentence a front end
shows (magic, CLI, panel, bars) is rendered once, from the code, in ``render/refusals.py``. A
ServiceError's text ends with the service's request id (``x-ms-request-id``, else its correlation
id), which Azure support asks for. ``compute`` and ``state`` say which compute a refusal is about and
the state it was last read in (set by the operation that ended with it; "" when not known).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class ComputeError(Exception):
    """Base class of every error of this package."""

    @property
    def headline(self) -> str:
        """One line (what a progress bar shows): the first line of the text."""
        text = str(self)
        return text.splitlines()[0] if text else type(self).__name__


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: which field, what was given, what is allowed."""

    field: str
    message: str
    # The same problem in a form user's words ("enter a password"), when the message speaks of command-line
    # options ("give --password-env VAR"); the panel's forms show it, the CLI and magics the message.
    form: str | None = dataclasses.field(default=None, compare=False)

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


class UsageError(ValidationError):
    """The words do not fit the command grammar (an unknown verb or flag, a missing NAME). Nothing was
    sent. ``usage`` is the verb's short usage line, shown under the message."""

    def __init__(self, message: str, usage: str = "") -> None:
        self.usage = usage
        super().__init__([Problem("usage", message)])

    def _text(self) -> str:
        text = self.problems[0].message
        return f"{text}\n{self.usage}" if self.usage else text


class UnsupportedComputeType(ValidationError):
    """A compute type the service no longer accepts (Batch)."""


class HelpRequested(ComputeError):
    """``--help`` (or ``help``) was asked for: not a failure. ``str()`` is the help text to print."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(text)


@dataclass(frozen=True)
class ErrorDetail:
    code: str
    message: str
    target: str | None = None
    details: tuple[ErrorDetail, ...] = field(default_factory=tuple)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ErrorDetail:
        raw_details = data.get("details")
        target = data.get("target")
        return cls(
            code=str(data.get("code") or "Unknown"),
            message=str(data.get("message") or ""),
            target=None if target is None else str(target),
            details=tuple(cls.from_json(d) for d in raw_details if isinstance(d, Mapping))
            if isinstance(raw_details, list)
            else (),
        )


class ServiceError(ComputeError):
    """The service reported a failure, with the ARM error code and message, and the request id of
    the response that reported it (``request_id``; quoted at the end of the text). ``by_client``:
    found here, from the service's earlier answers, before the request was sent (see above)."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        target: str | None = None,
        details: Sequence[ErrorDetail] = (),
        request_id: str | None = None,
        by_client: bool = False,
    ) -> None:
        self.code = code
        self.message = message
        self.status = status
        self.target = target
        self.details = tuple(details)
        self.request_id = request_id
        self.by_client = by_client
        self.compute = ""
        self.state = ""
        super().__init__(self._text())

    def about(self, compute: str, state: str = "") -> None:
        """Which compute this error is about, and the state it was last read in (the first caller wins)."""
        if not self.compute:
            self.compute, self.state = compute, state

    @property
    def headline(self) -> str:
        """One line: code, message and the request id (what a progress bar shows)."""
        text = f"{self.code}: {self.message}" if self.message else self.code
        return text + self._request_id_text()

    def _request_id_text(self) -> str:
        return f" (request id: {self.request_id})" if self.request_id else ""

    def _text(self) -> str:
        text = f"{self.code}: {self.message}" if self.message else self.code
        if self.target:
            text += f" (target: {self.target})"
        for detail in self.details:
            text += f"\n  - {detail.code}: {detail.message}"
        if self.details and self.request_id:
            return text + "\n " + self._request_id_text()  # on its own line: it is not the last detail's
        return text + self._request_id_text()


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


class UntrustedLink(ServiceError):
    """The service named a next-page or status URL on another origin (scheme, host, port) than the
    configured ARM endpoint. It was not followed: the access token goes only to the ARM endpoint."""


class UnexpectedAnswer(ServiceError):
    """The service answered ``method`` ``url`` with something this package cannot read: JSON of another
    shape than the REST spec's (a count as a string, a list where an object belongs), nested too deep,
    too big, or no JSON at all. ``problem`` says what was wrong (field paths, never values). One
    paragraph, naming the request and its request id, instead of a Python exception from deep inside."""

    def __init__(
        self, method: str, url: str, problem: str, *, status: int | None = None, request_id: str | None = None
    ) -> None:
        self.method = method
        self.url = url.split("?", 1)[0]  # the query (api-version, filters) adds nothing the reader needs
        self.problem = problem
        super().__init__("UnexpectedAnswer", problem, status=status, request_id=request_id)

    @property
    def headline(self) -> str:
        return self._text()

    def _text(self) -> str:
        return (
            f"unexpected answer from the service for {self.method} {self.url}: {self.problem}" + self._request_id_text()
        )


class StoppedWatching(ComputeError):
    """``result()`` of an operation whose watching was stopped with ``cancel()``: it goes on in the
    service, and how it ends is not known here."""


class TransportError(ComputeError):
    """The endpoint could not be reached, even after retries."""


class PricesUnavailable(ComputeError):
    """The Retail Prices API could not be reached, or its answer was not the documented shape."""


class AuthenticationError(ComputeError):
    """No usable access token: DefaultAzureCredential found no sign-in, or the service refused the
    token twice (a stale sign-in, a wrong tenant or an expired JUPYTER_COMPUTE_ACCESS_TOKEN)."""
