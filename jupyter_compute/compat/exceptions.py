"""v1's exceptions (``azureml.exceptions``), and the one place this package's errors become them.

    AzureMLException              v1's base: ``.message`` is the text
    ├── ComputeTargetException    every failure of a compute call (lookup, create, wait, auth …)
    ├── WorkspaceException        a workspace that cannot be reached or read
    └── UserErrorException        v1's bad-input error (e.g. no config.json where one was named)

They are also :class:`~jupyter_compute.errors.ComputeError`, so code written for this package's own
API catches them too. The error one translates is kept as ``.error`` (its code and request id): v1
code catches what v1 raised, and nothing of the original is lost.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import ComputeError


class AzureMLException(ComputeError):
    """v1's base exception: ``message`` is the text, ``error`` this package's error it came from."""

    def __init__(self, exception_message: str, error: ComputeError | None = None) -> None:
        super().__init__(exception_message)
        self.error = error

    @property
    def message(self) -> str:
        return str(self)


class ComputeTargetException(AzureMLException):
    """v1's exception for compute lookups and operations (also raised when a compute does not exist)."""


class WorkspaceException(AzureMLException):
    """v1's exception for a workspace that cannot be found or read."""


class UserErrorException(AzureMLException):
    """v1's exception for input it cannot use (a config file that is not there)."""


@contextmanager
def translated(kind: type[AzureMLException] = ComputeTargetException) -> Iterator[None]:
    """Raise this package's errors (validation, service, transport, authentication) as ``kind``, as v1
    code catches them; a v1 exception raised inside passes unchanged."""
    try:
        yield
    except AzureMLException:
        raise
    except ComputeError as exc:
        raise kind(str(exc), exc) from None
